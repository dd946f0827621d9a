"""Settings of the local stack: where each service listens, and the local-only knobs.

Every name and AWS setting comes from ``careervp.constants`` and ``careervp.naming_utils`` (the CDK stack's
own source of truth); this module only adds what exists nowhere on AWS: ports, fake credentials and the
runner's timing. Each value can be set by a command-line flag or a ``CAREERVP_*`` environment variable; the
Bedrock emulator's faults keep the emulator's own ``BEDROCK_EMULATOR_*`` variables.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Final

from careervp import constants
from careervp.naming_utils import NamingUtils, ServiceNames

if TYPE_CHECKING:
    # Imported for the annotations only: the CLI reads this module and should not load the emulator.
    from local_stack.bedrock_emulator import FaultConfig
    from local_stack.worker_runner import DeliveryFaults

DEFAULT_HOST: Final = "127.0.0.1"
DEFAULT_AWS_PORT: Final = 4566
DEFAULT_BEDROCK_PORT: Final = 4567
DEFAULT_API_PORT: Final = 3000
DEFAULT_REGION: Final = "us-east-1"
# The account id in the caller identities the local gateway builds (moto keeps its own, 123456789012).
LOCAL_ACCOUNT_ID: Final = "000000000000"
# moto accepts any credentials; these are what the in-process handlers and runner sign with.
LOCAL_ACCESS_KEY_ID: Final = "AKIALOCALSTACK000001"
LOCAL_SECRET_ACCESS_KEY: Final = "local-stack-secret-not-verified"  # noqa: S105 (fake; never checked)
# The caller the demo submits as: a credential of its own, so its jobs have an owner of their own.
DEMO_ACCESS_KEY_ID: Final = "AKIALOCALDEMO0000001"
DEMO_SECRET_ACCESS_KEY: Final = "local-demo-secret-not-verified"  # noqa: S105 (fake; never checked)
# A subscriber queue for the outcome events, which the CDK stack leaves to subscribers (local only).
EVENTS_SUBSCRIBER_FEATURE: Final = "cv-tailor-events"
# Long-poll wait of the worker runner. Lambda's poller waits up to 20 s; a receive returns as soon as a
# message arrives either way, and a short wait lets the runner stop within a second.
DEFAULT_POLL_WAIT_SECONDS: Final = 1
# Local deviation: a failed record is made visible again after this delay instead of the queue's 360 s
# visibility timeout, so retries and the DLQ can be watched in seconds. None keeps the AWS behaviour.
DEFAULT_RETRY_DELAY_SECONDS: Final = 2

ENV_HOST: Final = "CAREERVP_HOST"
ENV_AWS_PORT: Final = "CAREERVP_AWS_PORT"
ENV_BEDROCK_PORT: Final = "CAREERVP_BEDROCK_PORT"
ENV_API_PORT: Final = "CAREERVP_API_PORT"
ENV_REGION: Final = "CAREERVP_LOCAL_REGION"
ENV_NAMING_ENV: Final = "CAREERVP_LOCAL_ENV"
ENV_POLL_WAIT: Final = "CAREERVP_POLL_WAIT_SECONDS"
ENV_RETRY_DELAY: Final = "CAREERVP_RETRY_DELAY_SECONDS"
ENV_LOG_LEVEL: Final = "CAREERVP_LOG_LEVEL"


class LocalConfigError(ValueError):
    """A local stack setting that cannot be used; the message names the flag or variable."""


@dataclass(frozen=True)
class LocalStackConfig:
    """Where the local services listen (port 0 picks a free port) and how the runner behaves."""

    host: str = DEFAULT_HOST
    aws_port: int = DEFAULT_AWS_PORT
    bedrock_port: int = DEFAULT_BEDROCK_PORT
    api_port: int = DEFAULT_API_PORT
    region: str = DEFAULT_REGION
    naming_env: str = constants.DEFAULT_ENV
    poll_wait_seconds: int = DEFAULT_POLL_WAIT_SECONDS
    retry_delay_seconds: int | None = DEFAULT_RETRY_DELAY_SECONDS
    log_level: str = constants.DEFAULT_LOG_LEVEL
    # The Bedrock emulator's fault injection (a ``FaultConfig``); None means no faults.
    faults: FaultConfig | None = None
    # The worker runner's delivery faults (duplicate deliveries); None means none.
    delivery_faults: DeliveryFaults | None = None
    # Move the worker's clock forward by the visibility timeout each early retry skips, so a lease held by a
    # failed or crashed invocation has expired when its message returns, as on AWS (see worker_clock).
    fast_forward_leases: bool = False

    def __post_init__(self) -> None:
        for label, port in (("AWS", self.aws_port), ("Bedrock", self.bedrock_port), ("API", self.api_port)):
            if not 0 <= port <= 65_535:
                raise LocalConfigError(f"the {label} port must be between 0 and 65535, got {port}")
        if not 0 <= self.poll_wait_seconds <= 20:
            raise LocalConfigError("the poll wait must be between 0 and 20 seconds (the SQS limit)")
        if self.retry_delay_seconds is not None and not 0 <= self.retry_delay_seconds <= 43_200:
            raise LocalConfigError("the retry delay must be between 0 and 43200 seconds (the SQS limit)")

    @property
    def naming(self) -> NamingUtils:
        return NamingUtils(env=self.naming_env)

    @property
    def names(self) -> ServiceNames:
        return self.naming.service_names()

    @property
    def events_queue_name(self) -> str:
        return self.naming.queue_name(EVENTS_SUBSCRIBER_FEATURE)

    @property
    def events_rule_name(self) -> str:
        return self.naming.resource_name(EVENTS_SUBSCRIBER_FEATURE, "rule")

    def url(self, port: int) -> str:
        return f"http://{self.host}:{port}"

    def with_free_ports(self) -> LocalStackConfig:
        """The same settings with every port chosen by the operating system (for tests)."""
        return replace(self, aws_port=0, bedrock_port=0, api_port=0)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> LocalStackConfig:
        """Defaults overridden by the ``CAREERVP_*`` variables that are set."""
        env = os.environ if environ is None else environ
        defaults = cls()
        return cls(
            host=env.get(ENV_HOST) or defaults.host,
            aws_port=_int(env, ENV_AWS_PORT, defaults.aws_port),
            bedrock_port=_int(env, ENV_BEDROCK_PORT, defaults.bedrock_port),
            api_port=_int(env, ENV_API_PORT, defaults.api_port),
            region=env.get(ENV_REGION) or defaults.region,
            naming_env=env.get(ENV_NAMING_ENV) or defaults.naming_env,
            poll_wait_seconds=_int(env, ENV_POLL_WAIT, defaults.poll_wait_seconds),
            retry_delay_seconds=_retry_delay(env, defaults.retry_delay_seconds),
            log_level=(env.get(ENV_LOG_LEVEL) or defaults.log_level).upper(),
        )


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    value = env.get(name)
    if value is None or not value.strip():
        return default
    try:
        return int(value)
    except ValueError:
        raise LocalConfigError(f"{name} must be a whole number, got {value!r}") from None


def _retry_delay(env: Mapping[str, str], default: int | None) -> int | None:
    """``none`` turns the local retry delay off (the queue's visibility timeout applies, as on AWS)."""
    value = env.get(ENV_RETRY_DELAY)
    if value is not None and value.strip().lower() == "none":
        return None
    return _int(env, ENV_RETRY_DELAY, 0) if value is not None and value.strip() else default
