"""POST /api/tailor-cv: acceptance, idempotency, rollback and observability."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

import pytest

from shared.dal.models import JobStatus
from shared.errors import ConflictError, DependencyUnavailableError, ThrottledError
from shared.logic.submission import ENQUEUE_FAILED_CODE, request_hash
from tests.unit.api.harness import FIXED_NOW, ApiHarness, LogCapture
from tests.unit.api.rest_events import OTHER_OWNER, OWNER, SENTINEL, post_event, sample_request


def _emitted_metrics(stdout: str) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
    return [line for line in lines if "_aws" in line]


def test_accepts_a_job_with_202_location_one_record_and_one_message(api: ApiHarness) -> None:
    # Given a valid CV and job
    document = sample_request()

    # When the owner submits them
    response = api.submit(document)

    # Then the job is accepted and can be followed at its status URL
    assert response.status == 202
    job_id = response.body["job_id"]
    assert str(uuid.UUID(job_id)) == job_id
    assert response.body["status"] == "PENDING"
    assert response.body["status_url"] == f"/prod/api/tailor-cv/{job_id}"
    assert response.header("Location") == response.body["status_url"]
    assert response.header("Content-Type") == "application/json"
    assert response.header("X-Content-Type-Options") == "nosniff"
    # And exactly one PENDING record holds the validated input, the owner, the hash and the TTL
    assert list(api.repository.records) == [job_id]
    record = api.repository.records[job_id]
    assert record.owner == OWNER
    assert record.status is JobStatus.PENDING
    assert record.created_at == record.updated_at == FIXED_NOW
    assert record.expires_at == int((FIXED_NOW + timedelta(days=7)).timestamp())
    assert record.request_hash == request_hash(record.resume, record.job, {})
    assert record.resume["work"][0]["name"] == "Acme Analytics"
    assert record.job == document["job"]
    assert record.idempotency_key is None
    # And exactly one message, carrying only the job reference
    assert api.queue.sent == [job_id]


def test_the_response_never_echoes_the_submitted_documents(api: ApiHarness) -> None:
    # Given a CV and a job carrying a sentinel string
    # When they are submitted
    response = api.submit(sample_request())

    # Then the 202 body is the job reference only
    assert response.status == 202
    assert set(response.body) == {"job_id", "status", "status_url"}
    assert SENTINEL not in response.raw_body


def test_status_url_is_relative_to_the_host_when_the_stage_path_is_unknown(api: ApiHarness) -> None:
    # Given an event without requestContext.path (e.g. a local emulator)
    event = post_event(sample_request(), with_stage_path=False)

    # When it is submitted
    response = api.call(event)

    # Then the status URL is the bare resource path
    assert response.status == 202
    assert response.body["status_url"] == f"/api/tailor-cv/{response.body['job_id']}"


def test_a_plain_text_job_is_accepted(api: ApiHarness) -> None:
    # Given a job given as plain text
    document = sample_request(job={"description": "We need a Spark engineer who knows Airflow."})

    # When it is submitted
    response = api.submit(document)

    # Then it is accepted and stored as given
    assert response.status == 202
    assert api.repository.records[response.body["job_id"]].job == {
        "description": "We need a Spark engineer who knows Airflow."
    }


def test_options_are_validated_and_stored(api: ApiHarness) -> None:
    # Given tailoring options
    document = sample_request(options={"target_keywords": [" Spark ", "Airflow"]})

    # When they are submitted
    response = api.submit(document)

    # Then the normalised options are stored with the job
    assert response.status == 202
    assert api.repository.records[response.body["job_id"]].options == {
        "target_keywords": ["Spark", "Airflow"],
    }


def test_jobs_accepted_metric_is_emitted_once_per_new_job(
    api: ApiHarness, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a job submitted with an idempotency key
    api.submit(sample_request(), key="metric-key")
    first = _emitted_metrics(capsys.readouterr().out)

    # When the same request is repeated
    api.submit(sample_request(), key="metric-key")
    repeat = _emitted_metrics(capsys.readouterr().out)

    # Then JobsAccepted counted the new job, and not the repeat
    assert [metric["JobsAccepted"] for metric in first] == [[1.0]]
    assert all("JobsAccepted" not in metric for metric in repeat)


def test_the_accept_log_line_is_correlated_by_job_id_and_hides_the_owner(
    api: ApiHarness, logs: LogCapture
) -> None:
    # Given a submission
    response = api.submit(sample_request())

    # When the log lines are read
    accepted = logs.first("tailoring job accepted")

    # Then the accept line carries the job id as correlation id and a hash instead of the owner ARN
    assert accepted["level"] == "INFO"
    assert accepted["correlation_id"] == response.body["job_id"]
    assert accepted["job_id"] == response.body["job_id"]
    assert len(accepted["owner_hash"]) == 16
    assert OWNER not in logs.text


# --- Idempotency-Key ---------------------------------------------------------------------------------------


def test_same_key_and_same_body_returns_the_same_job_once(api: ApiHarness) -> None:
    # Given a job submitted with an Idempotency-Key
    first = api.submit(sample_request(), key="order-42")

    # When the identical request is repeated
    second = api.submit(sample_request(), key="order-42")

    # Then the same job comes back, with one record and one message
    assert first.status == second.status == 202
    assert second.body == first.body
    assert second.header("Location") == first.header("Location")
    assert list(api.repository.records) == [first.body["job_id"]]
    assert api.queue.sent == [first.body["job_id"]]
    assert api.repository.records[first.body["job_id"]].idempotency_key == "order-42"


def test_same_key_with_the_same_body_in_another_key_order_is_a_repeat(api: ApiHarness) -> None:
    # Given a job submitted with a key
    document = sample_request()
    first = api.submit(document, key="order-43")

    # When the same content is sent with its keys in another order and other whitespace
    reordered = json.loads(json.dumps(document, sort_keys=True, indent=3))
    second = api.submit(dict(reversed(list(reordered.items()))), key="order-43")

    # Then it is recognised as the same request
    assert second.status == 202
    assert second.body["job_id"] == first.body["job_id"]
    assert len(api.repository.records) == 1


def test_a_repeat_reports_the_jobs_current_status(api: ApiHarness) -> None:
    # Given a job that has since completed
    first = api.submit(sample_request(), key="order-44")
    job_id = first.body["job_id"]
    api.repository.claim(job_id, FIXED_NOW, lease_seconds=90)
    api.repository.complete(job_id, {"resume": {}}, "model", FIXED_NOW)

    # When the request is repeated
    second = api.submit(sample_request(), key="order-44")

    # Then the same job is returned with its current status, and nothing is queued again
    assert second.status == 202
    assert second.body["job_id"] == job_id
    assert second.body["status"] == "COMPLETED"
    assert api.queue.sent == [job_id]


def test_same_key_with_a_different_body_is_a_conflict(api: ApiHarness) -> None:
    # Given a job submitted with a key
    first = api.submit(sample_request(), key="order-45")

    # When the key is reused with another job
    changed = sample_request(job={"description": "A completely different role."})
    second = api.submit(changed, key="order-45")

    # Then the reuse is refused and the first job is untouched
    assert second.status == 409
    assert second.error_code == "idempotency_key_reused"
    assert set(second.body["error"]) == {"code", "message", "fields"}
    assert list(api.repository.records) == [first.body["job_id"]]
    assert api.repository.records[first.body["job_id"]].job == sample_request()["job"]
    assert api.queue.sent == [first.body["job_id"]]


def test_the_same_key_from_two_owners_makes_two_jobs(api: ApiHarness) -> None:
    # Given two callers who happen to use the same key
    # When both submit
    mine = api.submit(sample_request(), key="shared-key", owner=OWNER)
    theirs = api.submit(sample_request(), key="shared-key", owner=OTHER_OWNER)

    # Then each gets their own job
    assert mine.status == theirs.status == 202
    assert mine.body["job_id"] != theirs.body["job_id"]
    assert len(api.repository.records) == 2


def test_without_a_key_every_submission_is_a_new_job(api: ApiHarness) -> None:
    # Given no Idempotency-Key
    # When the same body is submitted twice
    first = api.submit(sample_request())
    second = api.submit(sample_request())

    # Then two jobs are queued
    assert first.body["job_id"] != second.body["job_id"]
    assert len(api.queue.sent) == 2


def test_a_key_whose_first_attempt_was_rolled_back_creates_the_job_on_retry(api: ApiHarness) -> None:
    # Given a first attempt whose enqueue failed (and was rolled back)
    api.queue.fail_with = DependencyUnavailableError("sqs down")
    failed = api.submit(sample_request(), key="retry-me")
    assert failed.status == 503
    assert api.nothing_kept()

    # When the client retries with the same key once SQS is back
    api.queue.fail_with = None
    retried = api.submit(sample_request(), key="retry-me")

    # Then the job is created and queued under the key's job id
    assert retried.status == 202
    assert api.queue.sent == [retried.body["job_id"]]
    assert list(api.repository.records) == [retried.body["job_id"]]


# --- Failures after validation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "enqueue_error",
    [DependencyUnavailableError("sqs failed with QueueDoesNotExist"), ThrottledError("sqs throttled")],
    ids=["unavailable", "throttled"],
)
def test_enqueue_failure_rolls_back_and_answers_503_with_retry_after(
    api: ApiHarness, enqueue_error: Exception
) -> None:
    # Given a queue that refuses the message
    api.queue.fail_with = enqueue_error

    # When a job is submitted
    response = api.submit(sample_request())

    # Then the client is told to retry later, and no PENDING record is left behind
    assert response.status == 503
    assert response.error_code == "service_unavailable"
    assert response.header("Retry-After") == "5"
    assert api.repository.records == {}
    assert api.queue.sent == []


def test_when_the_rollback_delete_fails_the_job_is_marked_failed(api: ApiHarness, logs: LogCapture) -> None:
    # Given a queue that refuses the message and a store that then throttles the delete
    api.queue.fail_with = DependencyUnavailableError("sqs down")
    api.repository.fail_next["delete_pending"] = ThrottledError("dynamodb throttled")

    # When a job is submitted
    response = api.submit(sample_request(), key="orphan-guard")

    # Then the client gets 503, and the record is FAILED rather than an orphan PENDING
    assert response.status == 503
    (record,) = api.repository.records.values()
    assert record.status is JobStatus.FAILED
    assert record.error is not None
    assert record.error.code == ENQUEUE_FAILED_CODE
    # And the failed rollback is logged with the job id and the error class
    rollback = logs.first("rollback of an unqueued job failed")
    assert rollback["job_id"] == record.job_id
    assert rollback["error_class"] == "ThrottledError"


def test_when_both_rollback_steps_fail_the_orphan_is_logged(api: ApiHarness, logs: LogCapture) -> None:
    # Given a failed enqueue, a failed delete and a failed mark-as-failed
    api.queue.fail_with = DependencyUnavailableError("sqs down")
    api.repository.fail_next["delete_pending"] = ThrottledError("dynamodb throttled")
    api.repository.fail_next["fail_unqueued"] = DependencyUnavailableError("dynamodb unreachable")

    # When a job is submitted
    response = api.submit(sample_request())

    # Then the client still gets 503 and the orphan is reported at error level with its id and error class
    assert response.status == 503
    (job_id,) = api.repository.records
    orphan = logs.first("unqueued job could be neither")
    assert orphan["level"] == "ERROR"
    assert orphan["job_id"] == job_id
    assert orphan["error_class"] == "DependencyUnavailableError"


def test_the_rollback_never_fails_a_job_a_worker_has_claimed(api: ApiHarness) -> None:
    # Given a send that reaches the queue but times out for the client, a worker that claims the job at once,
    # and a store that throttles the rollback's delete
    def delivered_then_timed_out(job_id: str, group: str) -> None:
        api.repository.claim(job_id, api.now, 90)
        raise DependencyUnavailableError("read timeout after the send")

    api.queue.enqueue = delivered_then_timed_out  # type: ignore[method-assign]
    api.repository.fail_next["delete_pending"] = ThrottledError("dynamodb throttled")

    # When a job is submitted
    response = api.submit(sample_request(), key="claimed-during-rollback")

    # Then the client gets 503, and the job stays the worker's: PROCESSING, not FAILED ENQUEUE_FAILED
    assert response.status == 503
    (record,) = api.repository.records.values()
    assert record.status is JobStatus.PROCESSING
    assert record.error is None


def test_an_unexpected_enqueue_error_still_rolls_back_and_answers_500(
    api: ApiHarness, logs: LogCapture
) -> None:
    # Given a queue adapter with a bug whose message quotes the CV
    api.queue.fail_with = RuntimeError(f"boom {SENTINEL}")

    # When a job is submitted
    response = api.submit(sample_request())

    # Then the answer is a generic JSON 500 and nothing is kept
    assert response.status == 500
    assert response.error_code == "internal_error"
    assert "boom" not in response.raw_body
    assert api.nothing_kept()
    # And the error is logged with its class and stack, but not its message
    unhandled = logs.first("unhandled error")
    assert unhandled["error_class"] == "RuntimeError"
    assert unhandled["stack"]
    assert SENTINEL not in logs.text


@pytest.mark.parametrize(
    "create_error",
    [ThrottledError("dynamodb throttled"), DependencyUnavailableError("dynamodb unreachable")],
    ids=["throttled", "unavailable"],
)
def test_a_store_failure_on_create_answers_503_and_queues_nothing(
    api: ApiHarness, create_error: Exception
) -> None:
    # Given a store that fails the conditional put
    api.repository.fail_next["create"] = create_error

    # When a job is submitted
    response = api.submit(sample_request())

    # Then the client is told to retry later and nothing is queued
    assert response.status == 503
    assert response.header("Retry-After") == "5"
    assert api.nothing_kept()


def test_a_conflict_without_a_key_is_reported_as_409(api: ApiHarness) -> None:
    # Given a store that reports the fresh job id as taken (a random-id collision)
    api.repository.fail_next["create"] = ConflictError("exists")

    # When a job is submitted without a key
    response = api.submit(sample_request())

    # Then the client gets a conflict and nothing is queued
    assert response.status == 409
    assert response.error_code == "conflict"
    assert api.queue.sent == []


def test_no_log_line_or_metric_carries_cv_or_job_text(
    api: ApiHarness, logs: LogCapture, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given submissions that succeed, repeat, conflict and fail
    accepted = api.submit(sample_request(), key="log-1")
    repeated = api.submit(sample_request(), key="log-1")
    conflicting = api.submit(sample_request(job={"description": f"other {SENTINEL}"}), key="log-1")
    api.queue.fail_with = DependencyUnavailableError("sqs down")
    api.repository.fail_next["delete_pending"] = ThrottledError("throttled")
    failed = api.submit(sample_request())
    assert [response.status for response in (accepted, repeated, conflicting, failed)] == [202, 202, 409, 503]

    # When every log line and every metric written is read
    output = logs.text + capsys.readouterr().out

    # Then the sentinel planted in the CV and the job never appears
    assert len(logs.lines()) >= 4
    assert "JobsAccepted" in output
    assert SENTINEL not in output


def test_each_owner_gets_a_message_group_of_its_own(api: ApiHarness) -> None:
    # Given two callers
    # When each submits a job, and the first submits another
    for owner in (OWNER, OTHER_OWNER, OWNER):
        assert api.submit(sample_request(), owner=owner).status == 202

    # Then the messages carry one group per owner, which is not the owner's ARN itself
    first, second, third = api.queue.groups
    assert first == third != second
    assert OWNER not in first
