"""Reading a job's status on behalf of its owner.

Unknown ids, malformed ids, other owners' jobs and expired jobs all raise the same ``NotFoundError``, so a
caller cannot learn whether someone else's job exists, and a job past its retention is gone at once, not
when DynamoDB's TTL gets round to deleting it (which can take days). The view never carries the CV or job.
"""

from __future__ import annotations

import hmac
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared.dal.models import JobError, JobStatus
from shared.dal.ports import JobRepository
from shared.errors import NotFoundError

_CANONICAL_UUID_LENGTH = 36


@dataclass(frozen=True)
class JobStatusView:
    """What the owner may see: the state, the timestamps, and the outcome of a terminal job."""

    job_id: str
    status: JobStatus
    created_at: datetime
    updated_at: datetime
    result: Mapping[str, Any] | None = None
    error: JobError | None = None


def is_job_id(candidate: str) -> bool:
    """Whether ``candidate`` is a job id as the service issues them: a lower-case, hyphenated UUID."""
    if len(candidate) != _CANONICAL_UUID_LENGTH:
        return False
    try:
        return str(uuid.UUID(candidate)) == candidate
    except ValueError:
        return False


def job_status_for_owner(
    repository: JobRepository, *, job_id: str, owner: str, now: datetime
) -> JobStatusView:
    """The owner's view of the job.

    ``NotFoundError`` for an unknown or malformed id, another owner's job and an expired job alike.
    """
    if not is_job_id(job_id):
        raise NotFoundError("job not found")
    record = repository.get(job_id)
    if not hmac.compare_digest(record.owner.encode("utf-8"), owner.encode("utf-8")):
        raise NotFoundError("job not found")
    if record.is_expired(now):
        raise NotFoundError("job not found")
    return JobStatusView(
        job_id=record.job_id,
        status=record.status,
        created_at=record.created_at,
        updated_at=record.updated_at,
        result=record.result if record.status is JobStatus.COMPLETED else None,
        error=record.error if record.status is JobStatus.FAILED else None,
    )
