"""The fault matrix: 200 jobs through the local stack under every fault at once, then a DLQ redrive.

Faults, all on together while the jobs are submitted and processed:

- the Bedrock emulator throttles 30% of calls, answers 5xx to 10% and malformed output to 5%, with latency
  jitter;
- DynamoDB throttles 10% of HTTP attempts (API and worker; botocore retries them as on AWS);
- the worker crashes in the middle of chosen jobs (at the model call, after the claim) and just before the
  event of others (after the ``complete`` write);
- the runner delivers 10% of processed messages again, and the test sends a second message for chosen jobs;
- the enqueue of chosen submissions fails after the record was written (the client retries after its 503);
- a model outage for chosen jobs: every call for them is throttled, so they use up their five deliveries,
  end FAILED (retryable) and sit in the DLQ.

Then every fault is switched off and ``careervp dlq redrive --all`` (the CLI's ``main``) moves the DLQ back.

Time is compressed the way the other end-to-end tests compress it: model backoff in milliseconds, botocore's
throttling backoff base at 10 ms instead of 1 s, failed records retried at once, and the worker's clock
fast-forwarded by the visibility timeout each early retry skips (``fast_forward_leases``), so a crashed job's
90 s lease has expired by its redelivery, as it would have after the 360 s visibility timeout on AWS.

The run happens once per test session (``fault_matrix_run``): the delivery checks and the privacy checks read
the same run. It starts a stack of its own, so it must not run while another stack is up in the process.
"""

from __future__ import annotations

import secrets
import time
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

import pytest
from botocore.retries.standard import ExponentialBackoff

from careervp_cli.api_client import ApiResponse, SignedApiClient
from careervp_cli.aws import SigningCredentials
from local_stack.bedrock_emulator import FaultConfig
from local_stack.config import LocalStackConfig
from local_stack.stack import LocalStack
from local_stack.worker_runner import DeliveryFaults
from shared.logic import model_invocation
from shared.logic.submission import derived_job_id
from tests.e2e.aws_faults import AwsFaults
from tests.e2e.observation import TERMINAL, CapturedOutput, StackObserver, captured_output
from tests.e2e.support import (
    ALICE,
    BOB,
    COMPLETED,
    FAILED,
    CliRun,
    EventLog,
    api_as,
    local_services,
    run_cli,
    wait_until,
)

CAROL = SigningCredentials("AKIAE2ECAROL0000001", "carol-secret")
CALLERS: Final = (ALICE, BOB, CAROL)
LOCAL_ACCOUNT_ARN_PREFIX: Final = "arn:aws:iam::000000000000:user/"

JOBS: Final = 200
BEDROCK_FAULTS: Final = FaultConfig(
    throttle_rate=0.30,
    server_error_rate=0.10,
    malformed_rate=0.05,
    latency_ms=15,
    latency_jitter_ms=15,
    seed=20_251_126,
)
DYNAMODB_THROTTLE_RATE: Final = 0.10
DUPLICATE_DELIVERY_RATE: Final = 0.10
# Which submissions get which targeted fault: disjoint sets of submission indexes.
CRASH_AT_MODEL_CALL: Final = frozenset({7, 57, 107, 157})
CRASH_BEFORE_EVENT: Final = frozenset({13, 80, 147})
ENQUEUE_FAILURE: Final = frozenset({21, 61, 101, 141, 181})
MODEL_OUTAGE: Final = frozenset({29, 62, 95, 128, 161, 194})
SECOND_MESSAGE: Final = frozenset({3, 48, 93, 138, 183})
WITH_TARGET_KEYWORDS: Final = frozenset(range(0, JOBS, 4))

MAX_SUBMIT_ATTEMPTS: Final = 5
PROCESSING_TIMEOUT_SECONDS: Final = 200.0
REDRIVE_TIMEOUT_SECONDS: Final = 60.0
# Long enough for a stray duplicate event to reach the subscriber queue.
SETTLE_SECONDS: Final = 2.0
# Model backoff in milliseconds, botocore's throttling backoff base at 10 ms (1 s on AWS).
FAST_MODEL_BACKOFF_MULTIPLIER_SECONDS: Final = 0.001
FAST_MODEL_BACKOFF_MAX_SECONDS: Final = 0.005
FAST_BOTOCORE_BACKOFF: Final = {"throttling_base_scale": 0.01, "non_throttling_base_scale": 0.01}


def owner_of(credentials: SigningCredentials) -> str:
    """The owner the local gateway's IAM identity gives a caller."""
    return LOCAL_ACCOUNT_ARN_PREFIX + credentials.access_key


@dataclass(frozen=True)
class PlannedJob:
    """One submission: its documents, caller, Idempotency-Key, and the sentinels planted in it."""

    index: int
    credentials: SigningCredentials
    idempotency_key: str
    document: dict[str, Any]
    sentinels: tuple[str, ...]

    @property
    def job_id(self) -> str:
        return derived_job_id(owner_of(self.credentials), self.idempotency_key)


def planned_job(index: int, run_token: str) -> PlannedJob:
    """A small CV and job (processing stays quick) with sentinels in the CV, the job and the options."""
    cv_mark = f"Sentinel{run_token}Cv{index:03d}"
    job_mark = f"Sentinel{run_token}Job{index:03d}"
    keyword_mark = f"Sentinel{run_token}Kw{index:03d}"
    resume = {
        "basics": {
            "name": f"Pat {cv_mark}",
            "label": "Backend Engineer",
            "email": f"pat.{cv_mark.lower()}@example.com",
            "summary": f"Backend engineer who builds Python APIs on AWS. {cv_mark} summary.",
        },
        "work": [
            {
                "name": f"Acme {cv_mark} Logistics",
                "position": "Software Engineer",
                "startDate": "2019-04",
                "highlights": [
                    f"Built REST APIs in Python and PostgreSQL for 2,000 clinics ({cv_mark})",
                    "Ran services on AWS with Docker and Terraform",
                    "Mentored 3 engineers through code review",
                ],
            }
        ],
        "skills": [{"name": "Backend", "keywords": ["Python", "PostgreSQL", "Docker", "AWS"]}],
    }
    job: dict[str, Any]
    if index % 2:
        job = {"description": f"Senior backend engineer ({job_mark}): Python, PostgreSQL, AWS, Kubernetes."}
    else:
        job = {
            "title": f"Backend Engineer {job_mark}",
            "company": "Lumenfold",
            "description": f"Scale the claims platform. {job_mark}",
            "skills": [{"name": "Backend", "keywords": ["Python", "PostgreSQL", "Kubernetes"]}],
        }
    document: dict[str, Any] = {"resume": resume, "job": job}
    sentinels = [cv_mark, cv_mark.lower(), job_mark]
    if index in WITH_TARGET_KEYWORDS:
        document["options"] = {"target_keywords": ["Python", keyword_mark]}
        sentinels.append(keyword_mark)
    credentials = CALLERS[index % len(CALLERS)]
    return PlannedJob(index, credentials, f"matrix-{run_token}-{index:03d}", document, tuple(sentinels))


@dataclass
class SubmissionOutcome:
    """What the client saw for one planned job."""

    planned: PlannedJob
    job_id: str | None = None
    responses: list[int] = field(default_factory=list)
    retry_after: list[str | None] = field(default_factory=list)
    # The stored record right after each 503: None when nothing was kept (the documented rollback).
    record_after_refusal: list[str | None] = field(default_factory=list)
    refused_job_ids: list[str] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return self.job_id is not None


@dataclass
class MatrixCounts:
    accepted: int
    completed: int
    failed: int
    redriven: int
    duplicate_events: int
    stuck: int

    def line(self) -> str:
        return (
            f"accepted={self.accepted} completed={self.completed} failed={self.failed} "
            f"redriven={self.redriven} duplicate events={self.duplicate_events} stuck={self.stuck}"
        )


@dataclass
class MatrixRun:
    """Everything the checks need, gathered after the stack stopped."""

    run_token: str
    submissions: list[SubmissionOutcome]
    events: list[dict[str, Any]]
    statuses_before_redrive: dict[str, str]
    dead_letters_before_redrive: int
    redrive: CliRun
    final_items: dict[str, dict[str, Any]]
    final_jobs_queue_depth: int
    final_dead_letter_depth: int
    runner_stats: dict[str, int]
    bedrock_stats: dict[str, int]
    injected: Counter[str]
    crashed_jobs: set[str]
    output: CapturedOutput
    worker_clock_offset_seconds: float
    seconds: dict[str, float]

    @property
    def accepted_ids(self) -> set[str]:
        return {outcome.job_id for outcome in self.submissions if outcome.job_id is not None}

    @property
    def sentinels(self) -> list[str]:
        return [sentinel for outcome in self.submissions for sentinel in outcome.planned.sentinels]

    def job_ids_at(self, indexes: frozenset[int]) -> set[str]:
        return {
            outcome.job_id
            for outcome in self.submissions
            if outcome.planned.index in indexes and outcome.job_id is not None
        }

    def events_by_job(self) -> dict[str, list[dict[str, Any]]]:
        by_job: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for event in self.events:
            by_job[event["detail"]["job_id"]].append(event)
        return by_job

    def status(self, job_id: str) -> str | None:
        item = self.final_items.get(job_id)
        return None if item is None else str(item["status"]["S"])

    def counts(self) -> MatrixCounts:
        accepted = self.accepted_ids
        by_job = self.events_by_job()
        duplicates = 0
        for events in by_job.values():
            kinds = Counter(event["detail-type"] for event in events)
            duplicates += max(0, kinds[COMPLETED] - 1) + max(0, kinds[FAILED] - 1)
        return MatrixCounts(
            accepted=len(accepted),
            completed=sum(1 for job_id in accepted if self.status(job_id) == "COMPLETED"),
            failed=sum(1 for job_id in accepted if self.status(job_id) == "FAILED"),
            redriven=_moved(self.redrive.out),
            duplicate_events=duplicates,
            stuck=sum(1 for job_id in accepted if self.status(job_id) not in TERMINAL),
        )


def _moved(cli_output: str) -> int:
    for line in cli_output.splitlines():
        if line.startswith("moved "):
            return int(line.split(",")[0].removeprefix("moved "))
    return -1


def matrix_config() -> LocalStackConfig:
    return LocalStackConfig(
        retry_delay_seconds=0,
        poll_wait_seconds=1,
        log_level="DEBUG",
        faults=BEDROCK_FAULTS,
        delivery_faults=DeliveryFaults(duplicate_rate=DUPLICATE_DELIVERY_RATE, seed=7),
        fast_forward_leases=True,
    ).with_free_ports()


_OUTCOME: list[MatrixRun | BaseException] = []


def fault_matrix_run() -> MatrixRun:
    """Run the matrix once per process (the delivery and privacy checks share it); a failed run is not
    repeated, its error is raised again."""
    if not _OUTCOME:
        try:
            _OUTCOME.append(_run_matrix())
        except Exception as error:
            _OUTCOME.append(error)
    outcome = _OUTCOME[0]
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


def _run_matrix() -> MatrixRun:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(model_invocation, "BACKOFF_MULTIPLIER_SECONDS", FAST_MODEL_BACKOFF_MULTIPLIER_SECONDS)
        patch.setattr(model_invocation, "BACKOFF_MAX_SECONDS", FAST_MODEL_BACKOFF_MAX_SECONDS)
        patch.setattr(ExponentialBackoff, "_DEFAULT_BACKOFF_CONFIG", FAST_BOTOCORE_BACKOFF)
        with captured_output() as output, LocalStack(matrix_config()) as stack:
            faults = AwsFaults(seed=5)
            faults.install()
            try:
                return _run(stack, faults, output)
            finally:
                faults.uninstall()


def _run(stack: LocalStack, faults: AwsFaults, output: CapturedOutput) -> MatrixRun:
    started = time.monotonic()
    endpoints = stack.endpoints
    observer = StackObserver(endpoints)
    events = EventLog(local_services(endpoints), endpoints.resources.events_queue_url)
    run_token = secrets.token_hex(4)
    plan = [planned_job(index, run_token) for index in range(JOBS)]
    _plan_targeted_faults(faults, plan)
    faults.dynamodb_throttle_rate = DYNAMODB_THROTTLE_RATE
    clients = {credentials: api_as(endpoints, credentials) for credentials in CALLERS}

    # When 200 jobs are submitted under every fault
    submissions = _submit_all(plan, clients, observer)
    submitted = time.monotonic()
    accepted = {outcome.job_id for outcome in submissions if outcome.job_id is not None}
    wait_until(lambda: _settled(observer, accepted, events), PROCESSING_TIMEOUT_SECONDS, interval_seconds=0.5)
    processed = time.monotonic()
    statuses_before_redrive = observer.statuses()
    dead_letters = observer.dead_letter_depth()
    redrivable = {job_id for job_id in accepted if _retryable_failure(observer, job_id)}

    # And, the faults switched off, ops redrive the whole DLQ with the CLI
    stack.set_faults(FaultConfig())
    stack.set_delivery_faults(DeliveryFaults())
    faults.clear()
    redrive = run_cli(endpoints, "dlq", "redrive", "--all")
    wait_until(lambda: _settled(observer, redrivable, events, "COMPLETED"), REDRIVE_TIMEOUT_SECONDS, 0.5)
    time.sleep(SETTLE_SECONDS)
    events.poll()
    finished = time.monotonic()
    return MatrixRun(
        run_token=run_token,
        submissions=submissions,
        events=list(events.events),
        statuses_before_redrive=statuses_before_redrive,
        dead_letters_before_redrive=dead_letters,
        redrive=redrive,
        final_items={item["job_id"]["S"]: item for item in observer.items()},
        final_jobs_queue_depth=observer.jobs_queue_depth(),
        final_dead_letter_depth=observer.dead_letter_depth(),
        runner_stats=stack.runner.stats.snapshot(),
        bedrock_stats=_bedrock_stats(stack),
        injected=Counter(faults.injected.counts),
        crashed_jobs=set(faults.injected.crashed_jobs),
        output=output,
        worker_clock_offset_seconds=stack.worker_clock.offset_seconds,
        seconds={
            "submit": submitted - started,
            "process": processed - submitted,
            "redrive": finished - processed,
            "total": finished - started,
        },
    )


def _plan_targeted_faults(faults: AwsFaults, plan: list[PlannedJob]) -> None:
    targeted = (CRASH_AT_MODEL_CALL, CRASH_BEFORE_EVENT, ENQUEUE_FAILURE, MODEL_OUTAGE, SECOND_MESSAGE)
    assert sum(map(len, targeted)) == len(frozenset().union(*targeted)), "targeted faults must not overlap"
    by_index = {job.index: job.job_id for job in plan}
    faults.crash_at_model_call_of.update(by_index[index] for index in CRASH_AT_MODEL_CALL)
    faults.crash_before_event_of.update(by_index[index] for index in CRASH_BEFORE_EVENT)
    faults.fail_enqueue_of.update(by_index[index] for index in ENQUEUE_FAILURE)
    faults.model_outage_for.update(by_index[index] for index in MODEL_OUTAGE)


def _submit_all(
    plan: list[PlannedJob], clients: dict[SigningCredentials, SignedApiClient], observer: StackObserver
) -> list[SubmissionOutcome]:
    """Submit every planned job like a well-behaved client: a 503 goes to the back of the line, same key."""
    outcomes = {job.index: SubmissionOutcome(job) for job in plan}
    waiting: deque[tuple[PlannedJob, str]] = deque((job, job.idempotency_key) for job in plan)
    while waiting:
        job, key = waiting.popleft()
        outcome = outcomes[job.index]
        response = clients[job.credentials].submit(job.document, idempotency_key=key)
        outcome.responses.append(response.status)
        if response.status == 202 and response.body["status"] == "PENDING":
            outcome.job_id = str(response.body["job_id"])
            if job.index in SECOND_MESSAGE:
                observer.send_job_message(outcome.job_id)
            continue
        if len(outcome.responses) >= MAX_SUBMIT_ATTEMPTS:
            continue
        if response.status == 202:
            # A repeat found the first attempt's record FAILED (ENQUEUE_FAILED: its rollback could not
            # delete it). As documented, the client submits again under a new key.
            outcome.refused_job_ids.append(str(response.body["job_id"]))
            waiting.append((job, f"{key}-again"))
            continue
        _expect_retry_later(response)
        refused_id = derived_job_id(owner_of(job.credentials), key)
        record = observer.item(refused_id)
        outcome.retry_after.append(response.headers.get("Retry-After"))
        outcome.record_after_refusal.append(None if record is None else str(record["status"]["S"]))
        outcome.refused_job_ids.append(refused_id)
        waiting.append((job, key))
    return [outcomes[job.index] for job in plan]


def _expect_retry_later(response: ApiResponse) -> None:
    assert response.status == 503, f"unexpected {response.status}: {response.text}"
    assert response.body["error"]["code"] == "service_unavailable", response.text


def _settled(observer: StackObserver, job_ids: set[str], events: EventLog, status: str | None = None) -> bool:
    """No message left in the jobs queue, and every job terminal (or in ``status`` when given)."""
    events.poll()
    statuses = observer.statuses()
    if status is None:
        done = all(statuses.get(job_id) in TERMINAL for job_id in job_ids)
    else:
        done = all(statuses.get(job_id) == status for job_id in job_ids)
    return done and observer.jobs_queue_depth() == 0


def _retryable_failure(observer: StackObserver, job_id: str) -> bool:
    item = observer.item(job_id) or {}
    return item.get("status", {}).get("S") == "FAILED" and bool(
        item.get("failure_retryable", {}).get("BOOL", False)
    )


def _bedrock_stats(stack: LocalStack) -> dict[str, int]:
    return stack.bedrock.stats.as_dict()


def expected_expiry(item: dict[str, Any], ttl_days: int) -> int:
    created = datetime.fromisoformat(item["created_at"]["S"])
    return int((created + timedelta(days=ttl_days)).timestamp())
