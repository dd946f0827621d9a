"""The worker's use case (``TailoringJobProcessor``) wired to in-memory ports, for replaying model replies.

The ports are small stand-ins with the state rules the processor relies on. Tests can pass the shared
fakes from ``tests/support`` instead through ``RigFactory``; both satisfy the same protocols.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol

from shared.clients.model_types import ConverseRequest, ModelReply
from shared.clients.ports import EventPublisher, ModelClient
from shared.clock import fixed_clock
from shared.dal.models import JobError, JobRecord, JobStatus
from shared.dal.ports import JobRepository
from shared.errors import ConflictError, NotFoundError
from shared.logic.tailoring_job import (
    Delivery,
    JobOutcome,
    TailoringJobConfig,
    TailoringJobPorts,
    TailoringJobProcessor,
)
from shared.observability import metrics
from shared.tailoring import EDIT_TOOL_NAME

HAIKU_MODEL_ID = "global.anthropic.claude-haiku-4-5-20251001-v1:0"
RIG_JOB_ID = "eval-job"
RIG_OWNER = "arn:aws:iam::123456789012:user/evaluation"
_REMAINING_MS = 60_000


class RecordingModel(ModelClient, Protocol):
    calls: list[tuple[str, ConverseRequest]]


class RecordingPublisher(EventPublisher, Protocol):
    events: list[tuple[str, dict[str, Any]]]


@dataclass(frozen=True)
class Rig:
    repository: JobRepository
    publisher: RecordingPublisher
    model: RecordingModel


RigFactory = Callable[[list[ModelReply]], Rig]


@dataclass
class ReplayModel:
    """Answers each call with the next reply; one call too many is an error, never a silent reuse."""

    replies: list[ModelReply]
    calls: list[tuple[str, ConverseRequest]] = field(default_factory=list)

    def converse(self, model_id: str, request: ConverseRequest) -> ModelReply:
        self.calls.append((model_id, request))
        if not self.replies:
            raise RuntimeError("the model was called more often than replies were recorded")
        return self.replies.pop(0)


@dataclass
class EventLog:
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def publish(self, detail_type: str, detail: Mapping[str, Any]) -> None:
        self.events.append((detail_type, dict(detail)))


@dataclass
class JobStore:
    """A dict-backed job store with the conditional transitions of the real one."""

    records: dict[str, JobRecord] = field(default_factory=dict)

    def _require(self, job_id: str, *allowed: JobStatus) -> JobRecord:
        record = self.records.get(job_id)
        if record is None:
            raise NotFoundError(f"job {job_id} not found")
        if allowed and record.status not in allowed:
            raise ConflictError(f"job {job_id} is {record.status}")
        return record

    def _put(self, record: JobRecord, **changes: Any) -> JobRecord:
        self.records[record.job_id] = record.model_copy(update=changes)
        return self.records[record.job_id]

    def create(self, record: JobRecord) -> None:
        if record.job_id in self.records:
            raise ConflictError(f"job {record.job_id} exists")
        self.records[record.job_id] = record

    def get(self, job_id: str) -> JobRecord:
        return self._require(job_id)

    def delete_pending(self, job_id: str) -> None:
        self._require(job_id, JobStatus.PENDING)
        del self.records[job_id]

    def claim(self, job_id: str, now: datetime, lease_seconds: int) -> JobRecord:
        record = self._require(job_id, JobStatus.PENDING)
        lease = int(now.timestamp()) + lease_seconds
        return self._put(
            record, status=JobStatus.PROCESSING, lease_expires_at=lease, attempts=record.attempts + 1
        )

    def release(self, job_id: str, now: datetime) -> None:
        self._put(self._require(job_id, JobStatus.PROCESSING), lease_expires_at=0, updated_at=now)

    def complete(self, job_id: str, result: dict[str, Any], model_id: str, now: datetime) -> JobRecord:
        record = self._require(job_id, JobStatus.PROCESSING)
        return self._put(record, status=JobStatus.COMPLETED, result=result, model_id=model_id, updated_at=now)

    def fail(self, job_id: str, error: JobError, now: datetime) -> JobRecord:
        record = self._require(job_id, JobStatus.PENDING, JobStatus.PROCESSING)
        return self._put(record, status=JobStatus.FAILED, error=error, updated_at=now)

    def fail_unqueued(self, job_id: str, error: JobError, now: datetime) -> JobRecord:
        record = self._require(job_id, JobStatus.PENDING)
        return self._put(record, status=JobStatus.FAILED, error=error, updated_at=now)

    def mark_terminal_event_published(self, job_id: str) -> None:
        record = self._require(job_id, JobStatus.COMPLETED, JobStatus.FAILED)
        self._put(record, terminal_event_published=True)


def in_memory_rig(replies: list[ModelReply]) -> Rig:
    return Rig(repository=JobStore(), publisher=EventLog(), model=ReplayModel(list(replies)))


def model_reply(tool_input: object, stop_reason: str = "tool_use", text: str | None = None) -> ModelReply:
    """A Converse answer as the Bedrock client returns it: a tool call, or only text when there is none."""
    content: list[dict[str, Any]] = [{"text": text}] if text is not None else []
    if tool_input is not None:
        content.append(
            {"toolUse": {"toolUseId": "tooluse-eval", "name": EDIT_TOOL_NAME, "input": tool_input}}
        )
    return ModelReply(
        tool_input=tool_input,
        stop_reason=stop_reason,
        input_tokens=0,
        output_tokens=0,
        assistant_message={"role": "assistant", "content": content},
    )


@dataclass(frozen=True)
class WorkerRun:
    """What one job looked like after the processor handled one delivery."""

    outcome: JobOutcome
    record: JobRecord
    model_calls: list[tuple[str, ConverseRequest]]
    events: list[tuple[str, dict[str, Any]]]


def run_worker(
    resume: dict[str, Any],
    job: dict[str, Any],
    replies: list[ModelReply],
    rig_factory: RigFactory,
    *,
    as_of: date,
) -> WorkerRun:
    """Queue one job, let the real processor handle its first delivery, and report what happened.

    The job is submitted and processed at noon UTC on ``as_of``, the evaluation's day.
    """
    rig = rig_factory(replies)
    now = datetime.combine(as_of, time(12), tzinfo=UTC)
    rig.repository.create(
        JobRecord(
            job_id=RIG_JOB_ID,
            owner=RIG_OWNER,
            status=JobStatus.PENDING,
            created_at=now,
            updated_at=now,
            expires_at=int((now + timedelta(days=7)).timestamp()),
            request_hash="evaluation",
            resume=resume,
            job=job,
        )
    )
    processor = TailoringJobProcessor(
        ports=TailoringJobPorts(repository=rig.repository, publisher=rig.publisher, model=rig.model),
        config=TailoringJobConfig(model_id=HAIKU_MODEL_ID, fallback_model_id=None, max_receive_count=3),
        clock=fixed_clock(now),
        sleep=lambda _seconds: None,
    )
    try:
        outcome = processor.process(Delivery(job_id=RIG_JOB_ID, receive_count=1), lambda: _REMAINING_MS)
    finally:
        # The processor records EMF metrics; outside Lambda nothing flushes them, so they are dropped here
        # rather than printed once a hundred pile up.
        metrics.clear_metrics()
    return WorkerRun(
        outcome=outcome,
        record=rig.repository.get(RIG_JOB_ID),
        model_calls=list(rig.model.calls),
        events=list(rig.publisher.events),
    )
