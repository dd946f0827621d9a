"""In-memory fakes behind the ports, with the same state rules as the real adapters."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shared.clients.model_types import ConverseRequest, ModelError, ModelReply
from shared.dal.dynamodb_jobs import ITEM_LIMIT_BYTES
from shared.dal.models import JobError, JobRecord, JobStatus
from shared.errors import ConflictError, NotFoundError, RecordTooLargeError


@dataclass
class InMemoryJobRepository:
    """``JobRepository`` kept in a dict; ``fail_next`` injects one error into the named operation."""

    records: dict[str, JobRecord] = field(default_factory=dict)
    fail_next: dict[str, Exception] = field(default_factory=dict)

    def _maybe_fail(self, operation: str) -> None:
        error = self.fail_next.pop(operation, None)
        if error is not None:
            raise error

    def _require(self, job_id: str) -> JobRecord:
        record = self.records.get(job_id)
        if record is None:
            raise NotFoundError(f"job {job_id} not found")
        return record

    def _put(self, record: JobRecord, **changes: Any) -> JobRecord:
        updated = record.model_copy(update=changes)
        self.records[record.job_id] = updated
        return updated

    def create(self, record: JobRecord) -> None:
        self._maybe_fail("create")
        existing = self.records.get(record.job_id)
        if existing is not None and not existing.is_expired(record.created_at):
            raise ConflictError(f"job {record.job_id} exists")
        self.records[record.job_id] = record

    def get(self, job_id: str) -> JobRecord:
        self._maybe_fail("get")
        return self._require(job_id)

    def delete_pending(self, job_id: str) -> None:
        self._maybe_fail("delete_pending")
        if self._require(job_id).status is not JobStatus.PENDING:
            raise ConflictError(f"job {job_id} is not pending")
        del self.records[job_id]

    def claim(self, job_id: str, now: datetime, lease_seconds: int) -> JobRecord:
        self._maybe_fail("claim")
        record = self._require(job_id)
        epoch = int(now.timestamp())
        claimable = (
            record.status is JobStatus.PENDING
            or (record.status is JobStatus.PROCESSING and (record.lease_expires_at or 0) < epoch)
            or (record.status is JobStatus.FAILED and record.error is not None and record.error.retryable)
        )
        if not claimable:
            raise ConflictError(f"job {job_id} is not claimable")
        return self._put(
            record,
            status=JobStatus.PROCESSING,
            lease_expires_at=epoch + lease_seconds,
            updated_at=now,
            attempts=record.attempts + 1,
            terminal_event_published=False,
            error=None,
            result=None,
        )

    def release(self, job_id: str, now: datetime) -> None:
        self._maybe_fail("release")
        record = self._require(job_id)
        if record.status is not JobStatus.PROCESSING:
            raise ConflictError(f"job {job_id} is not processing")
        self._put(record, lease_expires_at=0, updated_at=now)

    def complete(self, job_id: str, result: dict[str, Any], model_id: str, now: datetime) -> JobRecord:
        self._maybe_fail("complete")
        record = self._require(job_id)
        if record.status is not JobStatus.PROCESSING:
            raise ConflictError(f"job {job_id} is not processing")
        # As DynamoDB does: an item over 400 KB is refused whole, and nothing of the write is kept.
        completed = record.model_copy(update={"result": result, "model_id": model_id})
        if len(completed.model_dump_json().encode("utf-8")) > ITEM_LIMIT_BYTES:
            raise RecordTooLargeError(f"job {job_id} would exceed the item size limit")
        return self._put(
            record,
            status=JobStatus.COMPLETED,
            result=result,
            model_id=model_id,
            updated_at=now,
            lease_expires_at=None,
            terminal_event_published=False,
        )

    def fail(self, job_id: str, error: JobError, now: datetime) -> JobRecord:
        self._maybe_fail("fail")
        return self._fail(job_id, error, now, {JobStatus.PENDING, JobStatus.PROCESSING})

    def fail_unqueued(self, job_id: str, error: JobError, now: datetime) -> JobRecord:
        self._maybe_fail("fail_unqueued")
        return self._fail(job_id, error, now, {JobStatus.PENDING})

    def _fail(self, job_id: str, error: JobError, now: datetime, allowed: set[JobStatus]) -> JobRecord:
        record = self._require(job_id)
        if record.status not in allowed:
            raise ConflictError(f"job {job_id} cannot fail from {record.status}")
        return self._put(
            record,
            status=JobStatus.FAILED,
            error=error,
            updated_at=now,
            lease_expires_at=None,
            terminal_event_published=False,
        )

    def mark_terminal_event_published(self, job_id: str) -> None:
        self._maybe_fail("mark_terminal_event_published")
        record = self._require(job_id)
        if record.status not in {JobStatus.COMPLETED, JobStatus.FAILED}:
            raise ConflictError(f"job {job_id} is not terminal")
        self._put(record, terminal_event_published=True)


@dataclass
class InMemoryJobQueue:
    sent: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    fail_with: Exception | None = None

    def enqueue(self, job_id: str, group: str) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        self.sent.append(job_id)
        self.groups.append(group)


@dataclass
class RecordingEventPublisher:
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    fail_with: Exception | None = None

    def publish(self, detail_type: str, detail: Mapping[str, Any]) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        self.events.append((detail_type, dict(detail)))


ScriptedAnswer = ModelReply | ModelError | Callable[[ConverseRequest], ModelReply]


@dataclass
class ScriptedModelClient:
    """Answers each call with the next scripted reply or error, recording which model was asked."""

    script: list[ScriptedAnswer]
    calls: list[tuple[str, ConverseRequest]] = field(default_factory=list)

    def converse(self, model_id: str, request: ConverseRequest) -> ModelReply:
        self.calls.append((model_id, request))
        if not self.script:
            raise AssertionError("the model was called more often than the test scripted")
        answer = self.script.pop(0)
        if isinstance(answer, ModelError):
            raise answer
        if isinstance(answer, ModelReply):
            return answer
        return answer(request)
