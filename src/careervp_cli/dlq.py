"""Inspecting and redriving the dead-letter queue.

A scan receives the DLQ's messages in batches and keeps each one invisible while it is looked at, so no
message is seen twice; whatever is not moved is made visible again at the end. A moved message is first
sent to the jobs queue and only then deleted from the DLQ: a failure in between leaves a duplicate, which
the worker recognises by its job state, never a lost job.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final, Protocol

from careervp_cli.aws import SQS_BATCH_LIMIT, AwsAccessError, MoveTaskUnsupportedError, QueueMessage
from shared.clock import Clock, utc_now
from shared.dal.models import JobRecord

# How long a scanned message stays invisible; longer than any scan of a few thousand messages.
SCAN_VISIBILITY_SECONDS: Final = 120
SCAN_WAIT_SECONDS: Final = 1
MAX_SCANNED_MESSAGES: Final = 10_000


class DlqQueues(Protocol):
    """The SQS operations the DLQ commands use (``careervp_cli.aws.AwsServices`` provides them)."""

    def receive(
        self, queue_url: str, *, max_messages: int, wait_seconds: int, visibility_timeout: int
    ) -> list[QueueMessage]: ...

    def send(self, queue_url: str, message: QueueMessage) -> None: ...

    def delete(self, queue_url: str, receipt_handle: str) -> None: ...

    def release(self, queue_url: str, receipt_handles: Collection[str]) -> None: ...

    def start_message_move_task(self, source_arn: str, destination_arn: str) -> str: ...

    def approximate_message_count(self, queue_url: str) -> int: ...


JobLookup = Callable[[str], JobRecord | None]


@dataclass(frozen=True)
class DlqEntry:
    """One dead-lettered message and what the job record says about it."""

    message_id: str
    job_id: str | None
    receive_count: int
    age_seconds: float | None
    job_status: str | None
    failure_code: str | None
    failure_message: str | None
    attempts: int | None


@dataclass(frozen=True)
class RedriveOutcome:
    message_id: str
    job_id: str | None
    action: str  # "moved", "would move", "skipped", "failed"
    reason: str = ""


@dataclass
class RedriveReport:
    dry_run: bool
    method: str = "messages"  # "messages" (moved one by one) or "move-task" (SQS StartMessageMoveTask)
    task_handle: str | None = None
    approximate_messages: int | None = None  # what a move task was started for
    fallback_reason: str | None = None
    outcomes: list[RedriveOutcome] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.action == action)

    @property
    def moved(self) -> int:
        return self.count("would move" if self.dry_run else "moved")

    @property
    def skipped(self) -> int:
        return self.count("skipped")

    @property
    def failed(self) -> int:
        return self.count("failed")


def job_id_of(body: str) -> str | None:
    """The job id of a queue message body (``{"schema_version": 1, "job_id": ...}``), or None."""
    try:
        document = json.loads(body)
    except (json.JSONDecodeError, RecursionError):
        return None
    job_id = document.get("job_id") if isinstance(document, dict) else None
    return job_id if isinstance(job_id, str) and job_id else None


def scan(
    queues: DlqQueues, queue_url: str, *, wait_seconds: int = SCAN_WAIT_SECONDS
) -> Iterator[QueueMessage]:
    """Every message in the queue once, each left invisible for ``SCAN_VISIBILITY_SECONDS``."""
    seen: set[str] = set()
    while len(seen) < MAX_SCANNED_MESSAGES:
        batch = queues.receive(
            queue_url,
            max_messages=SQS_BATCH_LIMIT,
            wait_seconds=wait_seconds,
            visibility_timeout=SCAN_VISIBILITY_SECONDS,
        )
        fresh = [message for message in batch if message.message_id not in seen]
        if not fresh:
            return
        for message in fresh:
            seen.add(message.message_id)
            yield message


def inspect(
    queues: DlqQueues,
    dlq_url: str,
    job_lookup: JobLookup | None,
    *,
    clock: Clock = utc_now,
    wait_seconds: int = SCAN_WAIT_SECONDS,
) -> list[DlqEntry]:
    """List the DLQ's messages with their job's recorded failure; every message stays in the DLQ.

    Ages are measured against ``clock`` (the wall clock unless a caller passes another).
    """
    moment = clock()
    messages = list(scan(queues, dlq_url, wait_seconds=wait_seconds))
    try:
        return [_entry(message, job_lookup, moment) for message in messages]
    finally:
        queues.release(dlq_url, [message.receipt_handle for message in messages])


def _entry(message: QueueMessage, job_lookup: JobLookup | None, now: datetime) -> DlqEntry:
    job_id = job_id_of(message.body)
    record = job_lookup(job_id) if job_id and job_lookup else None
    error = record.error if record else None
    return DlqEntry(
        message_id=message.message_id,
        job_id=job_id,
        receive_count=message.receive_count,
        age_seconds=None if message.sent_at is None else max((now - message.sent_at).total_seconds(), 0.0),
        job_status=record.status.value if record else None,
        failure_code=error.code if error else None,
        failure_message=error.message if error else None,
        attempts=record.attempts if record else None,
    )


def redrive(
    queues: DlqQueues,
    *,
    dlq_url: str,
    queue_url: str,
    job_ids: Collection[str] | None = None,
    dry_run: bool = False,
    wait_seconds: int = SCAN_WAIT_SECONDS,
) -> RedriveReport:
    """Move the DLQ's messages (only those of ``job_ids`` when given) back to the jobs queue."""
    wanted = None if job_ids is None else frozenset(job_ids)
    report = RedriveReport(dry_run=dry_run)
    kept: list[str] = []
    try:
        for message in scan(queues, dlq_url, wait_seconds=wait_seconds):
            outcome = _redrive_one(
                queues, message, dlq_url=dlq_url, queue_url=queue_url, wanted=wanted, dry_run=dry_run
            )
            report.outcomes.append(outcome)
            if outcome.action != "moved":
                kept.append(message.receipt_handle)
    finally:
        if kept:
            queues.release(dlq_url, kept)
    return report


def _redrive_one(
    queues: DlqQueues,
    message: QueueMessage,
    *,
    dlq_url: str,
    queue_url: str,
    wanted: frozenset[str] | None,
    dry_run: bool,
) -> RedriveOutcome:
    job_id = job_id_of(message.body)
    if job_id is None:
        return RedriveOutcome(message.message_id, None, "skipped", "not a job message")
    if wanted is not None and job_id not in wanted:
        return RedriveOutcome(message.message_id, job_id, "skipped", "not selected")
    if dry_run:
        return RedriveOutcome(message.message_id, job_id, "would move")
    try:
        queues.send(queue_url, message)
    except AwsAccessError as error:
        return RedriveOutcome(message.message_id, job_id, "failed", str(error))
    try:
        queues.delete(dlq_url, message.receipt_handle)
    except AwsAccessError as error:
        # The copy is already on the jobs queue; the worker treats a second delivery as a duplicate.
        return RedriveOutcome(message.message_id, job_id, "failed", f"sent, but still in the DLQ: {error}")
    return RedriveOutcome(message.message_id, job_id, "moved")


def redrive_all(
    queues: DlqQueues,
    *,
    dlq_url: str,
    dlq_arn: str,
    queue_url: str,
    queue_arn: str,
    dry_run: bool = False,
    wait_seconds: int = SCAN_WAIT_SECONDS,
) -> RedriveReport:
    """Redrive every message: SQS's StartMessageMoveTask where the endpoint has it, else one by one."""
    if dry_run:
        return redrive(queues, dlq_url=dlq_url, queue_url=queue_url, dry_run=True, wait_seconds=wait_seconds)
    approximate_messages = queues.approximate_message_count(dlq_url)
    try:
        handle = queues.start_message_move_task(dlq_arn, queue_arn)
    except MoveTaskUnsupportedError as error:
        report = redrive(queues, dlq_url=dlq_url, queue_url=queue_url, wait_seconds=wait_seconds)
        report.fallback_reason = f"StartMessageMoveTask is not supported by this endpoint ({error})"
        return report
    return RedriveReport(
        dry_run=False, method="move-task", task_handle=handle, approximate_messages=approximate_messages
    )
