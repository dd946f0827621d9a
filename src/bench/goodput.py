"""Figure (c): jobs completed per minute under a Bedrock requests-per-minute quota, with twice that offered.

The whole local stack runs with the Bedrock emulator limited to ``Q`` requests per minute (a sliding
60-second window, shared by every model id). Jobs are POSTed through the local API gateway at ``2 x Q`` per
minute, evenly spaced. The worker runs as ``concurrency`` processes (the event source mapping's maximum
concurrency; default ``DEFAULT_WORKER_MAX_CONCURRENCY``) with the product's own tenacity backoff. Failed
deliveries come back after the queue's visibility timeout, as on AWS, unless ``retry_delay_seconds`` is set
(the local stack's shortcut).

Goodput is the number of Completed events the subscriber receives during a measurement window (after a
warm-up that fills the backlog), per minute, divided by ``Q``. A 60-second window can hold at most ``Q``
admitted calls, so 1.0 means the worker kept the quota busy. The target also requires zero messages in the
DLQ and zero FAILED jobs.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, Final

from bench.child import child_main, log_path, run_child
from bench.local_run import COMPLETED, EventCollector, bench_api, queue_depth, running_stack, table_census
from bench.report import FigureResult, Measurement, at_least
from bench.worker_process import WorkerProcess
from careervp import constants
from local_stack.bedrock_emulator import FaultConfig
from local_stack.bedrock_emulator.faults import QUOTA_WINDOW_SECONDS
from local_stack.config import LOCAL_ACCOUNT_ID, LocalStackConfig
from local_stack.demo import example_documents
from local_stack.environment import handler_environment
from local_stack.worker_runner import RunnerSettings

TARGET_RATIO: Final = 0.9
_WORKER_READY_SECONDS: Final = 180.0
# A worker may be mid-backoff when asked to stop: its last job can take the whole tenacity budget.
_WORKER_STOP_SECONDS: Final = 45.0
_SETTLE_SECONDS: Final = 2.0


@dataclass(frozen=True)
class GoodputOptions:
    quota_rpm: int = 60
    offered_multiplier: float = 2.0
    concurrency: int = constants.DEFAULT_WORKER_MAX_CONCURRENCY
    warm_up_seconds: float = 30.0
    window_seconds: float = 60.0
    retry_delay_seconds: int | None = None

    def __post_init__(self) -> None:
        if self.window_seconds < QUOTA_WINDOW_SECONDS:
            # Any 60 s of a sliding-window quota admits at most Q calls; a shorter window could see more.
            raise ValueError(f"the measurement window must last at least {QUOTA_WINDOW_SECONDS:g} s")
        if self.quota_rpm < 1 or self.concurrency < 1 or self.offered_multiplier <= 0:
            raise ValueError("the quota, the concurrency and the offered load must be positive")

    @property
    def offered_per_minute(self) -> float:
        return self.quota_rpm * self.offered_multiplier

    def as_params(self) -> dict[str, Any]:
        return asdict(self)


def _stats_delta(after: Mapping[str, int], before: Mapping[str, int]) -> dict[str, int]:
    return {name: after[name] - before.get(name, 0) for name in after}


def measure(params: dict[str, Any]) -> dict[str, Any]:
    options = GoodputOptions(**params)
    config = LocalStackConfig(
        faults=FaultConfig(requests_per_minute=options.quota_rpm),
        retry_delay_seconds=options.retry_delay_seconds,
        poll_wait_seconds=1,
        log_level="WARNING",
    )
    resume, job = example_documents()
    document = {"resume": resume, "job": job}
    with (
        running_stack(config) as stack,
        log_path("goodput-workers").open("w", encoding="utf-8") as worker_log,
    ):
        # The stack's own runner is a concurrency of one; the worker processes replace it.
        stack.runner.stop()
        endpoints = stack.endpoints
        environment = handler_environment(
            stack.config, endpoints.resources, aws_url=endpoints.aws_url, bedrock_url=endpoints.bedrock_url
        )
        settings = RunnerSettings(
            queue_url=endpoints.resources.queue_url,
            queue_arn=endpoints.resources.queue_arn,
            endpoint_url=endpoints.aws_url,
            region=endpoints.region,
            account_id=LOCAL_ACCOUNT_ID,
            function_name=stack.config.names.worker_function,
            poll_wait_seconds=1,
            retry_delay_seconds=options.retry_delay_seconds,
        )
        workers = [WorkerProcess(environment, settings, worker_log) for _ in range(options.concurrency)]
        try:
            ready = [worker.wait_ready(_WORKER_READY_SECONDS) for worker in workers]
            if not all(ready):
                raise RuntimeError(f"only {sum(ready)} of {len(workers)} worker processes started")
            collector = EventCollector(endpoints).start()
            api = bench_api(endpoints)
            interval = 60.0 / options.offered_per_minute
            started = time.monotonic()
            window_start = started + options.warm_up_seconds
            window_end = window_start + options.window_seconds
            stats_at_start: dict[str, int] | None = None
            stack.bedrock.reset_stats()
            accepted: list[str] = []
            refused: dict[str, int] = {}
            sent = 0
            while True:
                due = started + sent * interval
                if due >= window_end:
                    break
                time.sleep(max(0.0, due - time.monotonic()))
                if stats_at_start is None and time.monotonic() >= window_start:
                    stats_at_start = stack.bedrock.stats.as_dict()
                response = api.submit(document)
                sent += 1
                if response.status == 202:
                    accepted.append(str(response.body["job_id"]))
                else:
                    refused[str(response.status)] = refused.get(str(response.status), 0) + 1
            time.sleep(max(0.0, window_end - time.monotonic()))
            stats_at_end = stack.bedrock.stats.as_dict()
        finally:
            for worker in workers:
                worker.request_stop()
            worker_stats = [worker.finish(_WORKER_STOP_SECONDS) for worker in workers]
        time.sleep(_SETTLE_SECONDS)
        collector.stop()
        events = collector.events()
        completed_in_window = sum(
            1
            for event in events
            if event.detail_type == COMPLETED and window_start <= event.observed_at <= window_end
        )
        census = table_census(endpoints)
        result = {
            "options": options.as_params(),
            "offered": sent,
            "accepted": len(accepted),
            "refused": refused,
            "completed_in_window": completed_in_window,
            "events": collector.counts(),
            "job_statuses": census.statuses,
            # Jobs by how many times a worker claimed them; the DLQ takes a message after MAX_RECEIVE_COUNT.
            "jobs_by_claims": {str(claims): jobs for claims, jobs in census.attempts.items()},
            "dlq": queue_depth(endpoints, endpoints.resources.dead_letter_queue_url),
            "queue": queue_depth(endpoints, endpoints.resources.queue_url),
            "emulator_in_window": _stats_delta(stats_at_end, stats_at_start or {}),
            "emulator_total": stack.bedrock.stats.as_dict(),
            "workers": _sum_counters(worker_stats),
            "workers_reporting": sum(1 for stats in worker_stats if stats is not None),
        }
    return result


def _sum_counters(snapshots: list[dict[str, Any] | None]) -> dict[str, int]:
    total: dict[str, int] = {}
    for snapshot in snapshots:
        for name, value in (snapshot or {}).items():
            total[name] = total.get(name, 0) + int(value)
    return total


def figure_from(result: Mapping[str, Any]) -> FigureResult:
    options = GoodputOptions(**result["options"])
    per_minute = result["completed_in_window"] * 60.0 / options.window_seconds
    goodput = per_minute / options.quota_rpm
    statuses: Mapping[str, int] = result["job_statuses"]
    # A FAILED record, or a Failed event (a record may have moved on after its event was published).
    failed_jobs = max(int(statuses.get("FAILED", 0)), int(result["events"]["failed"]))
    dlq_messages = int(result["dlq"]["visible"]) + int(result["dlq"]["in_flight"])
    conditions = {
        "zero DLQ messages": dlq_messages == 0,
        "zero failed jobs": failed_jobs == 0,
    }
    workers: Mapping[str, int] = result["workers"]
    details = dict(result)
    details["completed_per_minute"] = round(per_minute, 2)
    details["failed_jobs"] = failed_jobs
    details["dlq_messages"] = dlq_messages
    # Deliveries whose model calls outlasted the tenacity budget: released, back after the visibility
    # timeout.
    details["deliveries_returned_to_queue"] = int(workers.get("failed", 0))
    claims = [int(count) for count in result.get("jobs_by_claims", {})]
    details["max_claims_per_job"] = max(claims, default=0)
    details["max_receive_count"] = constants.MAX_RECEIVE_COUNT
    return FigureResult(
        figure="c",
        title="Goodput under a Bedrock quota",
        measurements=(
            Measurement(
                f"goodput: jobs/min / Q (Q={options.quota_rpm}, {options.offered_multiplier:g}Q offered)",
                goodput,
                "ratio",
                at_least(TARGET_RATIO),
                conditions,
            ),
            Measurement("jobs completed per minute", per_minute, "jobs/min"),
            Measurement("DLQ messages", dlq_messages, "messages"),
            Measurement("failed jobs", failed_jobs, "jobs"),
        ),
        details=details,
    )


def run_figure(options: GoodputOptions) -> FigureResult:
    budget = options.warm_up_seconds + options.window_seconds + _WORKER_READY_SECONDS + _WORKER_STOP_SECONDS
    result = run_child("bench.goodput", options.as_params(), name="goodput", timeout_seconds=budget + 60)
    return figure_from(result)


if __name__ == "__main__":
    child_main(measure)
