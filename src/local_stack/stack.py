"""The whole pipeline in one process: AWS emulator, Bedrock emulator, API gateway and worker runner.

Start order: moto, resources, Bedrock emulator, the handlers' environment, then the gateway and the worker
runner that invoke the real handlers in-process. ``stop()`` undoes it in reverse: threads joined, sockets
closed (the ports are free again), the previous environment restored.
"""

from __future__ import annotations

import importlib
import logging
import time
from dataclasses import dataclass
from datetime import date
from types import TracebackType
from typing import Any

from local_stack.aws_emulator import AwsEmulator
from local_stack.bedrock_emulator import BedrockEmulator, FaultConfig
from local_stack.config import LOCAL_ACCOUNT_ID, LocalStackConfig
from local_stack.environment import ProcessEnvironment, handler_environment, reset_handler_caches
from local_stack.gateway import ApiGatewayEmulator, ApiHandler, LocalApiGateway
from local_stack.provision import LocalResources, Provisioner
from local_stack.worker_clock import FastForwardClock
from local_stack.worker_runner import DeliveryFaults, RunnerSettings, WorkerHandler, WorkerRunner
from shared.clock import Clock, utc_now

_LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class StackEndpoints:
    """Where each local service listens, and how long the stack took to come up."""

    aws_url: str
    bedrock_url: str
    api_url: str
    region: str
    resources: LocalResources
    startup_seconds: float


class LocalStack:
    """Composes the local services. Use as a context manager, or call ``start()`` and ``stop()``."""

    def __init__(self, config: LocalStackConfig, clock: Clock = utc_now) -> None:
        """``clock`` is the stack's time: the API stamps jobs with it, the worker and the emulated model
        read it (the worker's runs ahead of it with ``config.fast_forward_leases``)."""
        self.config = config
        self._clock = clock
        self._aws = AwsEmulator(config.host, config.aws_port)
        self._bedrock: BedrockEmulator | None = None
        self._gateway: LocalApiGateway | None = None
        self._runner: WorkerRunner | None = None
        self._environment = ProcessEnvironment()
        self._endpoints: StackEndpoints | None = None
        # The worker's clock; it only runs ahead of real time with ``config.fast_forward_leases``.
        self.worker_clock = FastForwardClock(clock)

    @property
    def endpoints(self) -> StackEndpoints:
        if self._endpoints is None:
            raise RuntimeError("the local stack is not running")
        return self._endpoints

    @property
    def bedrock(self) -> BedrockEmulator:
        if self._bedrock is None:
            raise RuntimeError("the local stack is not running")
        return self._bedrock

    @property
    def runner(self) -> WorkerRunner:
        if self._runner is None:
            raise RuntimeError("the local stack is not running")
        return self._runner

    def _today(self) -> date:
        return self._clock().date()

    def set_faults(self, faults: FaultConfig) -> None:
        """Change the Bedrock emulator's fault injection while the stack runs."""
        self.bedrock.set_faults(faults)

    def set_delivery_faults(self, faults: DeliveryFaults) -> None:
        """Change the worker runner's delivery faults while the stack runs."""
        self.runner.set_delivery_faults(faults)

    def start(self) -> StackEndpoints:
        if self._endpoints is not None:
            return self._endpoints
        started = time.monotonic()
        try:
            self._endpoints = self._start(started)
        except BaseException:
            self.stop()
            raise
        return self._endpoints

    def _start(self, started: float) -> StackEndpoints:
        config = self.config
        self._aws.start()
        aws_url = self._aws.url
        resources = Provisioner(aws_url, config).provision()
        self._bedrock = BedrockEmulator(
            host=config.host, port=config.bedrock_port, faults=config.faults, today=self._today
        )
        self._bedrock.start()
        bedrock_url: str = self._bedrock.url
        self._environment.apply(
            handler_environment(config, resources, aws_url=aws_url, bedrock_url=bedrock_url)
        )
        reset_handler_caches()
        names = config.names
        api_handler: ApiHandler = _handler("api.handler")
        worker_handler: WorkerHandler = _handler("worker.handler")
        _use_clocks(api=self._clock, worker=self.worker_clock)
        self._gateway = LocalApiGateway(
            ApiGatewayEmulator(
                api_handler, function_name=names.api_function, region=config.region, clock=self._clock
            ),
            host=config.host,
            port=config.api_port,
        )
        self._gateway.start()
        self._runner = WorkerRunner(
            worker_handler,
            RunnerSettings(
                queue_url=resources.queue_url,
                queue_arn=resources.queue_arn,
                endpoint_url=aws_url,
                region=config.region,
                account_id=LOCAL_ACCOUNT_ID,
                function_name=names.worker_function,
                poll_wait_seconds=config.poll_wait_seconds,
                retry_delay_seconds=config.retry_delay_seconds,
            ),
            delivery_faults=config.delivery_faults,
            on_early_redelivery=self.worker_clock.advance if config.fast_forward_leases else None,
        )
        self._runner.start()
        return StackEndpoints(
            aws_url=aws_url,
            bedrock_url=bedrock_url,
            api_url=self._gateway.url,
            region=config.region,
            resources=resources,
            startup_seconds=time.monotonic() - started,
        )

    def stop(self) -> None:
        """Stop every service that started, in reverse order; safe to call twice."""
        runner, self._runner = self._runner, None
        gateway, self._gateway = self._gateway, None
        bedrock, self._bedrock = self._bedrock, None
        self._endpoints = None
        if runner is not None:
            # Its last long poll ends while the gateway shuts down.
            runner.request_stop()
        for name, stop in (
            ("API gateway", gateway.stop if gateway else None),
            ("worker runner", runner.stop if runner else None),
            ("Bedrock emulator", bedrock.stop if bedrock else None),
            ("AWS emulator", self._aws.stop),
        ):
            if stop is None:
                continue
            try:
                stop()
            except Exception:
                _LOG.exception("the %s did not stop cleanly", name)
        self._environment.restore()
        reset_handler_caches()

    def __enter__(self) -> LocalStack:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def _handler(module_name: str) -> Any:
    """The handler's ``lambda_handler``, imported only now that its environment is set."""
    return importlib.import_module(module_name).lambda_handler


def _use_clocks(*, api: Clock, worker: FastForwardClock) -> None:
    """Give the API's providers and the worker's job processor (built once per container, as on AWS) the
    stack's clocks."""
    importlib.import_module("api.dependencies").providers.clock = api
    processor = importlib.import_module("worker.dependencies").job_processor()
    processor.clock = worker.now
