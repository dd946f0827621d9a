"""The job store against moto: every transition is conditional and errors arrive as domain errors.

The same cases run against the in-memory fake, so the unit tests' fake cannot drift from DynamoDB.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from shared.dal.dynamodb_jobs import DynamoDBJobRepository
from shared.dal.models import JobError, JobRecord, JobStatus
from shared.dal.ports import JobRepository
from shared.errors import (
    ConflictError,
    DependencyUnavailableError,
    NotFoundError,
    RecordTooLargeError,
    ThrottledError,
)
from tests.support.aws import AwsResources
from tests.support.fakes import InMemoryJobRepository

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def _record(job_id: str = "job-1") -> JobRecord:
    return JobRecord(
        job_id=job_id,
        owner="arn:aws:iam::123456789012:user/alice",
        status=JobStatus.PENDING,
        created_at=NOW,
        updated_at=NOW,
        expires_at=int((NOW + timedelta(days=30)).timestamp()),
        request_hash="abc",
        idempotency_key="key-1",
        resume={
            "basics": {"name": "Zoë Ångström"},
            "work": [{"name": "Acme", "highlights": ["Cut costs 20%"]}],
        },
        job={"description": "Data engineer"},
    )


@pytest.fixture(params=["dynamodb", "in-memory fake"])
def repository(request: pytest.FixtureRequest, aws_resources: AwsResources) -> JobRepository:
    """The real adapter, and the unit tests' fake held to the same behaviour."""
    if request.param == "dynamodb":
        return DynamoDBJobRepository(aws_resources.table_name, client=aws_resources.dynamodb)
    return InMemoryJobRepository()


def test_create_then_get_round_trips_the_record(repository: JobRepository) -> None:
    # Given a new pending job
    record = _record()
    # When it is stored and read back
    repository.create(record)
    stored = repository.get(record.job_id)
    # Then every field survives, Unicode included
    assert stored == record


def test_create_twice_is_a_conflict(repository: JobRepository) -> None:
    # Given a stored job
    repository.create(_record())
    # When the same id is created again
    # Then the conditional put fails as a domain conflict (raised from the ClientError on DynamoDB)
    with pytest.raises(ConflictError) as raised:
        repository.create(_record())
    if isinstance(repository, DynamoDBJobRepository):
        assert isinstance(raised.value.__cause__, ClientError)


def test_create_replaces_a_record_past_its_retention_but_not_a_live_one(repository: JobRepository) -> None:
    # Given a job stored 31 days ago with a 30-day retention (expired, but not yet deleted by TTL)
    old = _record().model_copy(
        update={"created_at": NOW - timedelta(days=31), "updated_at": NOW - timedelta(days=31)}
    )
    old = old.model_copy(update={"expires_at": int((NOW - timedelta(days=1)).timestamp())})
    repository.create(old)
    assert repository.get("job-1") == old

    # When a job with the same id (a reused Idempotency-Key) is created now
    fresh = _record().model_copy(update={"request_hash": "new"})
    repository.create(fresh)

    # Then the new job replaced the expired one, and creating it again is a conflict
    assert repository.get("job-1").request_hash == "new"
    with pytest.raises(ConflictError):
        repository.create(fresh)


def test_get_of_an_unknown_job_is_not_found(repository: JobRepository) -> None:
    # Given an empty table / When an unknown job is read / Then NotFoundError
    with pytest.raises(NotFoundError):
        repository.get("nope")


def test_claim_moves_pending_to_processing_under_a_lease(repository: JobRepository) -> None:
    # Given a pending job
    repository.create(_record())
    # When a worker claims it
    claimed = repository.claim("job-1", NOW, lease_seconds=90)
    # Then it is processing, leased for 90 s, with one attempt counted
    assert claimed.status is JobStatus.PROCESSING
    assert claimed.lease_expires_at == int(NOW.timestamp()) + 90
    assert claimed.attempts == 1


def test_a_live_lease_blocks_a_second_claim(repository: JobRepository) -> None:
    # Given a job claimed a second ago
    repository.create(_record())
    repository.claim("job-1", NOW, lease_seconds=90)
    # When another delivery tries to claim it within the lease
    # Then it conflicts
    with pytest.raises(ConflictError):
        repository.claim("job-1", NOW + timedelta(seconds=1), lease_seconds=90)


def test_an_expired_lease_lets_the_next_delivery_recover_the_job(repository: JobRepository) -> None:
    # Given a worker that claimed the job and crashed
    repository.create(_record())
    repository.claim("job-1", NOW, lease_seconds=90)
    # When the next delivery arrives after the lease expired
    reclaimed = repository.claim("job-1", NOW + timedelta(seconds=91), lease_seconds=90)
    # Then it owns the job, as attempt two
    assert reclaimed.status is JobStatus.PROCESSING
    assert reclaimed.attempts == 2


def test_release_lets_the_next_delivery_claim_at_once(repository: JobRepository) -> None:
    # Given a claimed job whose worker gave up on a transient error
    repository.create(_record())
    repository.claim("job-1", NOW, lease_seconds=90)
    repository.release("job-1", NOW)
    # When the next delivery claims it immediately
    reclaimed = repository.claim("job-1", NOW + timedelta(seconds=1), lease_seconds=90)
    # Then the claim succeeds
    assert reclaimed.attempts == 2


def test_complete_stores_the_result_and_a_completed_job_cannot_be_claimed(
    repository: JobRepository,
) -> None:
    # Given a claimed job
    repository.create(_record())
    repository.claim("job-1", NOW, lease_seconds=90)
    # When it completes
    completed = repository.complete("job-1", {"resume": {"basics": {}}}, "model-x", NOW)
    # Then the result is stored, the event is not yet marked published, and no claim is possible any more
    assert completed.status is JobStatus.COMPLETED
    assert completed.result == {"resume": {"basics": {}}}
    assert completed.model_id == "model-x"
    assert completed.terminal_event_published is False
    with pytest.raises(ConflictError):
        repository.claim("job-1", NOW + timedelta(hours=1), lease_seconds=90)


def test_mark_terminal_event_published_is_recorded(repository: JobRepository) -> None:
    # Given a completed job
    repository.create(_record())
    repository.claim("job-1", NOW, lease_seconds=90)
    repository.complete("job-1", {}, "model-x", NOW)
    # When its event is marked as published
    repository.mark_terminal_event_published("job-1")
    # Then the record says so
    assert repository.get("job-1").terminal_event_published is True


def test_a_retryable_failure_can_be_redriven_but_a_deterministic_one_cannot(
    repository: JobRepository,
) -> None:
    # Given one job failed for a transient cause and one for bad input
    repository.create(_record("transient"))
    repository.create(_record("deterministic"))
    for job_id in ("transient", "deterministic"):
        repository.claim(job_id, NOW, lease_seconds=90)
    repository.fail("transient", JobError(code="model_unavailable", message="m", retryable=True), NOW)
    failed = repository.fail("deterministic", JobError(code="invalid_input", message="m"), NOW)
    assert failed.status is JobStatus.FAILED
    # When both are redriven
    redriven = repository.claim("transient", NOW + timedelta(seconds=5), lease_seconds=90)
    # Then only the transient one is claimable again, with its old error cleared
    assert redriven.status is JobStatus.PROCESSING
    assert redriven.error is None
    with pytest.raises(ConflictError):
        repository.claim("deterministic", NOW + timedelta(seconds=5), lease_seconds=90)


def test_delete_pending_rolls_back_only_a_pending_job(repository: JobRepository) -> None:
    # Given a pending job and a processing one
    repository.create(_record("pending"))
    repository.create(_record("processing"))
    repository.claim("processing", NOW, lease_seconds=90)
    # When both are rolled back
    repository.delete_pending("pending")
    # Then the pending one is gone and the processing one is refused
    with pytest.raises(NotFoundError):
        repository.get("pending")
    with pytest.raises(ConflictError):
        repository.delete_pending("processing")


def test_an_unqueued_job_fails_only_while_pending(repository: JobRepository) -> None:
    # Given a pending job and one a worker has claimed
    repository.create(_record("pending"))
    repository.create(_record("claimed"))
    repository.claim("claimed", NOW, lease_seconds=90)
    assert repository.get("claimed").status is JobStatus.PROCESSING
    error = JobError(code="ENQUEUE_FAILED", message="not queued", retryable=False)

    # When both are failed as unqueued
    failed = repository.fail_unqueued("pending", error, NOW)

    # Then the pending one is FAILED and the claimed one is refused and left PROCESSING
    assert failed.status is JobStatus.FAILED
    with pytest.raises(ConflictError):
        repository.fail_unqueued("claimed", error, NOW)
    assert repository.get("claimed").status is JobStatus.PROCESSING


def test_transitions_on_an_unknown_job_are_not_found(repository: JobRepository) -> None:
    # Given an empty table / When a worker claims an unknown job / Then NotFoundError, not a conflict
    with pytest.raises(NotFoundError):
        repository.claim("ghost", NOW, lease_seconds=90)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("ProvisionedThroughputExceededException", ThrottledError),
        ("ThrottlingException", ThrottledError),
        ("RequestLimitExceeded", ThrottledError),
        ("InternalServerError", DependencyUnavailableError),
        ("ResourceNotFoundException", DependencyUnavailableError),
    ],
)
def test_client_errors_become_domain_errors(
    aws_resources: AwsResources, code: str, expected: type[Exception]
) -> None:
    # Given DynamoDB answering with an error code
    repository = DynamoDBJobRepository(aws_resources.table_name, client=aws_resources.dynamodb)
    stubber = Stubber(repository.client)
    stubber.add_client_error("get_item", service_error_code=code, http_status_code=400)
    # When the job is read
    # Then the matching domain error is raised from the ClientError
    with stubber, pytest.raises(expected) as raised:
        repository.get("job-1")
    assert isinstance(raised.value.__cause__, ClientError)


def test_dynamodb_refusing_an_oversize_item_is_a_record_too_large_error(aws_resources: AwsResources) -> None:
    # Given DynamoDB refusing a completion as real DynamoDB does for an item over 400 KB
    repository = DynamoDBJobRepository(aws_resources.table_name, client=aws_resources.dynamodb)
    stubber = Stubber(repository.client)
    stubber.add_client_error(
        "update_item",
        service_error_code="ValidationException",
        service_message="Item size has exceeded the maximum allowed size",
        http_status_code=400,
    )
    # When a job is completed
    # Then the domain error says no retry can fix it
    with stubber, pytest.raises(RecordTooLargeError) as raised:
        repository.complete("job-1", {"resume": {}}, "model", NOW)
    assert isinstance(raised.value.__cause__, ClientError)


def test_a_result_over_the_item_limit_is_refused_whole(repository: JobRepository) -> None:
    # Given a job a worker has claimed
    repository.create(_record("big"))
    repository.claim("big", NOW, lease_seconds=90)
    assert repository.get("big").status is JobStatus.PROCESSING

    # When its result alone is larger than DynamoDB's 400 KB item limit
    with pytest.raises(RecordTooLargeError):
        repository.complete("big", {"resume": {"note": "x" * 410_000}}, "model", NOW)

    # Then nothing of the write is kept (moto alone would keep the SETs before the failing one)
    stored = repository.get("big")
    assert stored.status is JobStatus.PROCESSING
    assert stored.result is None
