"""Accepting a tailoring job: one conditional write, then one enqueue, with idempotent repeats.

A job id is derived from (owner, Idempotency-Key) when the client sends a key, so the store's conditional
``create`` is the idempotency check: a repeat collides with the first write. A repeat with the same body gets
the first job back and is *not* enqueued again: the first request either enqueued it, or rolled the record
back (then the repeat's own write succeeds and it enqueues), or, if even the rollback failed, marked it
FAILED. A repeat with a different body is a conflict.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from shared.clients.ports import JobQueue
from shared.dal.models import JobError, JobRecord, JobStatus
from shared.dal.ports import JobRepository
from shared.errors import ConflictError, DependencyUnavailableError, NotFoundError, ThrottledError
from shared.observability import logger

# Fixed namespace for job ids derived from idempotency keys; changing it would break idempotent repeats.
IDEMPOTENCY_NAMESPACE = uuid.UUID("3f6b2a52-7c1e-4d0b-9a55-1d2e8c4b7f30")
ENQUEUE_FAILED_CODE = "ENQUEUE_FAILED"
_CREATE_ATTEMPTS = 2


class IdempotencyKeyReusedError(ConflictError):
    """The Idempotency-Key was already used for a different request body."""


class JobNotQueuedError(DependencyUnavailableError):
    """The job was written but could not be queued; it was rolled back (or marked FAILED)."""


@dataclass(frozen=True)
class TailoringSubmission:
    """A validated request: the documents are the validated JSON Resume dicts."""

    owner: str
    resume: Mapping[str, Any]
    job: Mapping[str, Any]
    options: Mapping[str, Any] = field(default_factory=dict)
    idempotency_key: str | None = None


@dataclass(frozen=True)
class AcceptedJob:
    job_id: str
    status: JobStatus
    replayed: bool


def request_hash(resume: Mapping[str, Any], job: Mapping[str, Any], options: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of the validated request (sorted keys, no whitespace)."""
    canonical = json.dumps(
        {"resume": resume, "job": job, "options": options},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
    )
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def derived_job_id(owner: str, idempotency_key: str) -> str:
    """The job id for an owner's Idempotency-Key: the same pair always gives the same id."""
    return str(uuid.uuid5(IDEMPOTENCY_NAMESPACE, f"{owner}\n{idempotency_key}"))


def owner_fingerprint(owner: str) -> str:
    """A short, stable stand-in for the owner in logs (the ARN itself is personal data)."""
    return hashlib.sha256(owner.encode("utf-8")).hexdigest()[:16]


def submit_tailoring_job(
    submission: TailoringSubmission,
    *,
    repository: JobRepository,
    queue: JobQueue,
    now: datetime,
    ttl_days: int,
) -> AcceptedJob:
    """Store the job as PENDING and queue it; an idempotent repeat returns the first job.

    Raises ``IdempotencyKeyReusedError`` for a key reused with another body, ``JobNotQueuedError`` when
    the enqueue failed (the record is rolled back), and ``ThrottledError`` / ``DependencyUnavailableError``
    when the store is unavailable.
    """
    body_hash = request_hash(submission.resume, submission.job, submission.options)
    key = submission.idempotency_key
    job_id = derived_job_id(submission.owner, key) if key is not None else str(uuid.uuid4())
    record = JobRecord(
        job_id=job_id,
        owner=submission.owner,
        status=JobStatus.PENDING,
        created_at=now,
        updated_at=now,
        expires_at=int((now + timedelta(days=ttl_days)).timestamp()),
        request_hash=body_hash,
        idempotency_key=key,
        resume=dict(submission.resume),
        job=dict(submission.job),
        options=dict(submission.options),
    )
    for _ in range(_CREATE_ATTEMPTS):
        try:
            repository.create(record)
        except ConflictError:
            if key is None:
                raise
            existing = _existing_job(repository, job_id)
            if existing is None:
                # The first request rolled its record back between our write and our read: write again.
                continue
            if existing.owner != submission.owner or existing.request_hash != body_hash:
                raise IdempotencyKeyReusedError(
                    "this Idempotency-Key was already used with a different request body"
                ) from None
            return AcceptedJob(job_id=job_id, status=existing.status, replayed=True)
        _enqueue_or_roll_back(repository, queue, job_id, owner_fingerprint(submission.owner), now)
        return AcceptedJob(job_id=job_id, status=JobStatus.PENDING, replayed=False)
    raise DependencyUnavailableError("the job changed while it was being submitted; retry the request")


def _existing_job(repository: JobRepository, job_id: str) -> JobRecord | None:
    try:
        return repository.get(job_id)
    except NotFoundError:
        return None


def _enqueue_or_roll_back(
    repository: JobRepository, queue: JobQueue, job_id: str, group: str, now: datetime
) -> None:
    try:
        queue.enqueue(job_id, group)
    except (ThrottledError, DependencyUnavailableError) as error:
        logger.warning(
            "enqueue failed after the job was written; rolling back",
            extra={"job_id": job_id, "error_class": type(error).__name__},
        )
        _roll_back(repository, job_id, now)
        raise JobNotQueuedError("the job could not be queued; retry the request") from error
    except Exception:
        _roll_back(repository, job_id, now)
        raise


def _roll_back(repository: JobRepository, job_id: str, now: datetime) -> None:
    """Delete the never-queued PENDING record; failing that, mark it FAILED so no PENDING orphan stays."""
    try:
        repository.delete_pending(job_id)
    except (ConflictError, NotFoundError):
        # Gone, or no longer PENDING: a timed-out send may still have delivered the message and a worker
        # claimed the job. Either way nothing is orphaned, and a claimed job must not be marked FAILED.
        return
    except Exception as delete_error:
        logger.error(
            "rollback of an unqueued job failed; marking it FAILED",
            extra={"job_id": job_id, "error_class": type(delete_error).__name__},
        )
    else:
        return
    try:
        # PENDING only: if a worker claimed the job meanwhile, its send did go through, and the job is the
        # worker's to finish (the client got 503 and may retry with the same key to read it).
        repository.fail_unqueued(
            job_id,
            JobError(
                code=ENQUEUE_FAILED_CODE,
                message="The job could not be queued. Submit it again with a new Idempotency-Key.",
                retryable=False,
            ),
            now,
        )
    except ConflictError:
        logger.warning("an unqueued job was claimed by a worker meanwhile; it is left to the worker")
    except Exception as fail_error:
        logger.error(
            "unqueued job could be neither deleted nor marked FAILED; it stays PENDING until its TTL",
            extra={"job_id": job_id, "error_class": type(fail_error).__name__},
        )
