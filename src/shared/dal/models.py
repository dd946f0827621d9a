"""The job record as the data-access layer stores it and the logic layer reads it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict


class JobStatus(StrEnum):
    PENDING = "PENDING"
    PROCESSING = "PROCESSING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"


TERMINAL_STATUSES = frozenset({JobStatus.COMPLETED, JobStatus.FAILED})


class JobError(BaseModel):
    """Why a job failed. A ``retryable`` failure (transient, outlasting every attempt) may be redriven."""

    model_config = ConfigDict(frozen=True)

    code: str
    message: str
    retryable: bool = False


class JobRecord(BaseModel):
    """One tailoring job. ``resume`` and ``job`` hold the validated input; ``result`` the tailored output."""

    model_config = ConfigDict(frozen=True)

    job_id: str
    owner: str
    status: JobStatus
    created_at: datetime
    updated_at: datetime
    expires_at: int
    request_hash: str
    idempotency_key: str | None = None
    resume: dict[str, Any]
    job: dict[str, Any]
    options: dict[str, Any] = {}
    attempts: int = 0
    lease_expires_at: int | None = None
    result: dict[str, Any] | None = None
    error: JobError | None = None
    model_id: str | None = None
    terminal_event_published: bool = False

    def is_expired(self, now: datetime) -> bool:
        """Past its retention (``expires_at``, the TTL attribute), whether or not TTL has deleted it yet."""
        return self.expires_at <= int(now.timestamp())
