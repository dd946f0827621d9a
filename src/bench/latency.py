"""Figure (d): local end-to-end latency, POST to the Completed event, with an instant Bedrock emulator.

Jobs go one at a time through the local API gateway (SigV4-signed HTTP), the handler, DynamoDB and SQS
(moto), the worker runner (concurrency one, as the stack runs it), the Bedrock emulator with no added latency
and no faults, and EventBridge to the subscriber queue the benchmark long-polls. A few untimed jobs first
warm the handlers' clients. Reported only: on AWS the model's own latency (seconds) dominates.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, Final

from bench.child import child_main, run_child
from bench.local_run import COMPLETED, EventCollector, bench_api, running_stack
from bench.report import FigureResult, Measurement
from bench.stats import summarize
from local_stack.config import LocalStackConfig
from local_stack.demo import example_documents

_EVENT_TIMEOUT_SECONDS: Final = 30.0


@dataclass(frozen=True)
class LatencyOptions:
    jobs: int = 50
    warm_up_jobs: int = 3

    def as_params(self) -> dict[str, Any]:
        return asdict(self)


def measure(params: dict[str, Any]) -> dict[str, Any]:
    options = LatencyOptions(**params)
    resume, job = example_documents()
    document = {"resume": resume, "job": job}
    end_to_end: list[float] = []
    accept: list[float] = []
    missing = 0
    config = LocalStackConfig(retry_delay_seconds=0, poll_wait_seconds=1, log_level="WARNING")
    with running_stack(config) as stack:
        collector = EventCollector(stack.endpoints).start()
        api = bench_api(stack.endpoints)
        try:
            for index in range(options.warm_up_jobs + options.jobs):
                started = time.monotonic()
                response = api.submit(document)
                accepted = time.monotonic()
                if response.status != 202:
                    raise RuntimeError(f"the API answered {response.status}: {response.error_message}")
                event = collector.wait_for(str(response.body["job_id"]), COMPLETED, _EVENT_TIMEOUT_SECONDS)
                if index < options.warm_up_jobs:
                    continue
                if event is None:
                    missing += 1
                    continue
                end_to_end.append(event.observed_at - started)
                accept.append(accepted - started)
        finally:
            collector.stop()
    return {"options": options.as_params(), "end_to_end": end_to_end, "accept": accept, "missing": missing}


def figure_from(result: Mapping[str, Any]) -> FigureResult:
    end_to_end = summarize([value * 1000 for value in result["end_to_end"]])
    accept = summarize([value * 1000 for value in result["accept"]])
    return FigureResult(
        figure="d",
        title="Local latency, POST to Completed event",
        measurements=(
            Measurement("POST -> Completed event, p50", end_to_end.p50, "ms"),
            Measurement("POST -> Completed event, p99", end_to_end.p99, "ms"),
            Measurement("POST -> 202, p50", accept.p50, "ms"),
        ),
        details={
            "options": dict(result["options"]),
            "jobs_without_event": int(result["missing"]),
            "end_to_end_ms": end_to_end.as_dict(1),
            "accept_ms": accept.as_dict(1),
        },
    )


def run_figure(options: LatencyOptions) -> FigureResult:
    timeout = 120 + (options.jobs + options.warm_up_jobs) * _EVENT_TIMEOUT_SECONDS / 5
    return figure_from(
        run_child("bench.latency", options.as_params(), name="latency", timeout_seconds=timeout)
    )


if __name__ == "__main__":
    child_main(measure)
