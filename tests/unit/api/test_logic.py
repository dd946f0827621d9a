"""The API's use cases (shared.logic.submission and shared.logic.job_status) against the in-memory ports."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from shared.dal.models import JobStatus
from shared.errors import NotFoundError
from shared.logic.job_status import is_job_id, job_status_for_owner
from shared.logic.submission import (
    IdempotencyKeyReusedError,
    JobNotQueuedError,
    TailoringSubmission,
    derived_job_id,
    request_hash,
    submit_tailoring_job,
)
from tests.support.fakes import InMemoryJobQueue, InMemoryJobRepository
from tests.unit.api.rest_events import OTHER_OWNER, OWNER, sample_job, sample_resume

NOW = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)


def _submission(key: str | None = "key-1", **changes: object) -> TailoringSubmission:
    fields: dict[str, object] = {
        "owner": OWNER,
        "resume": sample_resume(),
        "job": sample_job(),
        "options": {},
        "idempotency_key": key,
    }
    fields.update(changes)
    return TailoringSubmission(**fields)  # type: ignore[arg-type]


def test_the_request_hash_ignores_key_order_but_not_content() -> None:
    # Given two documents that differ only in key order, and one that differs in content
    resume = sample_resume()
    reordered = dict(reversed(list(resume.items())))
    changed = {**resume, "basics": {"name": "Someone Else"}}

    # When they are hashed
    original_hash = request_hash(resume, sample_job(), {})

    # Then key order does not matter and content does
    assert request_hash(reordered, sample_job(), {}) == original_hash
    assert request_hash(changed, sample_job(), {}) != original_hash
    assert request_hash(resume, sample_job(), {"target_keywords": ["Spark"]}) != original_hash


def test_derived_job_ids_are_stable_per_owner_and_key() -> None:
    # Given an owner and a key
    # When the id is derived twice, and for another owner and another key
    first = derived_job_id(OWNER, "k")

    # Then the same pair gives the same canonical UUID, any other pair another one
    assert derived_job_id(OWNER, "k") == first
    assert str(uuid.UUID(first)) == first
    assert derived_job_id(OTHER_OWNER, "k") != first
    assert derived_job_id(OWNER, "k2") != first


def test_a_repeat_is_replayed_without_a_second_write_or_message() -> None:
    # Given an accepted submission
    repository, queue = InMemoryJobRepository(), InMemoryJobQueue()
    first = submit_tailoring_job(_submission(), repository=repository, queue=queue, now=NOW, ttl_days=30)

    # When it is submitted again
    second = submit_tailoring_job(_submission(), repository=repository, queue=queue, now=NOW, ttl_days=30)

    # Then the first job is replayed
    assert (first.replayed, second.replayed) == (False, True)
    assert second.job_id == first.job_id
    assert second.status is JobStatus.PENDING
    assert queue.sent == [first.job_id]


def test_a_reused_key_with_another_body_raises() -> None:
    # Given an accepted submission
    repository, queue = InMemoryJobRepository(), InMemoryJobQueue()
    submit_tailoring_job(_submission(), repository=repository, queue=queue, now=NOW, ttl_days=30)

    # When the key comes back with another job
    # Then it is a conflict
    with pytest.raises(IdempotencyKeyReusedError):
        submit_tailoring_job(
            _submission(job={"description": "other"}),
            repository=repository,
            queue=queue,
            now=NOW,
            ttl_days=30,
        )


def test_an_enqueue_failure_raises_after_deleting_the_record() -> None:
    # Given a queue that fails
    repository, queue = InMemoryJobRepository(), InMemoryJobQueue(fail_with=JobNotQueuedError("down"))

    # When a job is submitted
    with pytest.raises(JobNotQueuedError):
        submit_tailoring_job(_submission(), repository=repository, queue=queue, now=NOW, ttl_days=30)

    # Then no record is left
    assert repository.records == {}


class _DeliveredButTimedOutQueue:
    """SendMessage timed out on the client, yet the message arrived and a worker claimed the job."""

    def __init__(self, repository: InMemoryJobRepository) -> None:
        self.repository = repository

    def enqueue(self, job_id: str, group: str) -> None:
        self.repository.claim(job_id, NOW, lease_seconds=90)
        raise JobNotQueuedError("read timeout")


def test_a_rollback_leaves_a_job_that_a_worker_already_claimed() -> None:
    # Given an enqueue that reports failure although the worker already claimed the job
    repository = InMemoryJobRepository()
    queue = _DeliveredButTimedOutQueue(repository)

    # When a job is submitted
    with pytest.raises(JobNotQueuedError):
        submit_tailoring_job(_submission(), repository=repository, queue=queue, now=NOW, ttl_days=30)

    # Then the rollback neither deletes nor fails the job the worker is processing
    (record,) = repository.records.values()
    assert record.status is JobStatus.PROCESSING


@pytest.mark.parametrize(
    ("candidate", "expected"),
    [
        ("0b8e2a54-8a4f-4c3e-9d4e-6f1f2a3b4c5d", True),
        ("0B8E2A54-8A4F-4C3E-9D4E-6F1F2A3B4C5D", False),
        ("0b8e2a548a4f4c3e9d4e6f1f2a3b4c5d", False),
        ("urn:uuid:0b8e2a54-8a4f-4c3e-9d4e-6f1f2a3b4c5d", False),
        ("", False),
        ("../../etc/passwd", False),
    ],
)
def test_only_canonical_uuids_are_job_ids(candidate: str, expected: bool) -> None:
    # Given a candidate id
    # When it is checked
    # Then only the canonical form the service issues passes
    assert is_job_id(candidate) is expected


def test_the_status_view_hides_other_owners_jobs() -> None:
    # Given a job owned by OWNER
    repository, queue = InMemoryJobRepository(), InMemoryJobQueue()
    accepted = submit_tailoring_job(_submission(), repository=repository, queue=queue, now=NOW, ttl_days=30)

    # When its owner and another caller read it
    view = job_status_for_owner(repository, job_id=accepted.job_id, owner=OWNER, now=NOW)

    # Then the owner sees it and the other caller gets NotFoundError
    assert view.status is JobStatus.PENDING
    assert view.result is None
    assert view.error is None
    with pytest.raises(NotFoundError):
        job_status_for_owner(repository, job_id=accepted.job_id, owner=OTHER_OWNER, now=NOW)


def test_an_expired_job_is_not_found_even_before_ttl_deletes_it() -> None:
    # Given a job kept for 30 days
    repository, queue = InMemoryJobRepository(), InMemoryJobQueue()
    accepted = submit_tailoring_job(_submission(), repository=repository, queue=queue, now=NOW, ttl_days=30)
    expiry = NOW + timedelta(days=30)

    # When its owner reads it just before and at its expiry
    view = job_status_for_owner(
        repository, job_id=accepted.job_id, owner=OWNER, now=expiry - timedelta(seconds=1)
    )

    # Then it is there until then, and NotFoundError from then on, though the record still exists
    assert view.job_id == accepted.job_id
    with pytest.raises(NotFoundError):
        job_status_for_owner(repository, job_id=accepted.job_id, owner=OWNER, now=expiry)
    assert accepted.job_id in repository.records


def test_an_idempotency_key_reused_after_expiry_starts_a_new_job() -> None:
    # Given a job submitted with a key 31 days ago and kept for 30
    repository, queue = InMemoryJobRepository(), InMemoryJobQueue()
    first = submit_tailoring_job(
        _submission(), repository=repository, queue=queue, now=NOW - timedelta(days=31), ttl_days=30
    )

    # When the same key and body are submitted now
    again = submit_tailoring_job(_submission(), repository=repository, queue=queue, now=NOW, ttl_days=30)

    # Then a new PENDING job is queued under the same id instead of replaying the expired one
    assert again.job_id == first.job_id
    assert again.replayed is False
    assert again.status is JobStatus.PENDING
    assert repository.records[again.job_id].created_at == NOW
    assert len(queue.sent) == 2
