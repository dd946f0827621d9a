"""The job store's interface. Logic depends on this, never on DynamoDB."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from shared.dal.models import JobError, JobRecord


class JobRepository(Protocol):
    def create(self, record: JobRecord) -> None:
        """Store a new PENDING job. ``ConflictError`` when a job with its id exists and has not expired."""

    def get(self, job_id: str) -> JobRecord:
        """The job. ``NotFoundError`` when absent."""

    def delete_pending(self, job_id: str) -> None:
        """Roll back a job that was never enqueued. ``ConflictError`` unless it is still PENDING."""

    def claim(self, job_id: str, now: datetime, lease_seconds: int) -> JobRecord:
        """Move a claimable job to PROCESSING under a lease and count the attempt.

        Claimable: PENDING; PROCESSING with an expired lease (a crashed worker); FAILED with a retryable error
        (a redrive). ``ConflictError`` otherwise, ``NotFoundError`` when absent.
        """

    def release(self, job_id: str, now: datetime) -> None:
        """End the lease early so the next delivery can claim at once. ``ConflictError`` unless PROCESSING."""

    def complete(self, job_id: str, result: dict[str, Any], model_id: str, now: datetime) -> JobRecord:
        """PROCESSING -> COMPLETED with the result. ``ConflictError`` unless PROCESSING."""

    def fail(self, job_id: str, error: JobError, now: datetime) -> JobRecord:
        """PENDING or PROCESSING -> FAILED. ``ConflictError`` otherwise."""

    def fail_unqueued(self, job_id: str, error: JobError, now: datetime) -> JobRecord:
        """PENDING -> FAILED, for a job whose enqueue failed. ``ConflictError`` otherwise: a send that timed
        out may have delivered the message, and a job a worker has claimed must not be failed under it."""

    def mark_terminal_event_published(self, job_id: str) -> None:
        """Record that the terminal state's event went out, so redeliveries do not send it again."""
