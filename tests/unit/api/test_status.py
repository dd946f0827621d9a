"""GET /api/tailor-cv/{job_id}: the owner's view of a job; everyone else gets the same 404."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest

from shared.dal.models import JobError
from shared.errors import ThrottledError
from tests.unit.api.harness import FIXED_NOW, ApiHarness
from tests.unit.api.rest_events import OTHER_OWNER, SENTINEL, get_event, rest_event, sample_request

LATER = FIXED_NOW + timedelta(seconds=42)
RESULT: dict[str, Any] = {
    "resume": {"basics": {"name": "Alice Example"}, "work": [{"name": "Acme Analytics"}]},
    "match_report": {"coverage_before": 0.4, "coverage_after": 0.7, "missing_keywords": ["Kafka"]},
    "changes": [{"ref": "work[0].highlights[0]", "kind": "reorder"}],
    "rejections": [{"ref": "work[0].highlights[1]", "reason": "introduces a number"}],
}


def _submitted(api: ApiHarness) -> str:
    response = api.submit(sample_request())
    assert response.status == 202
    return str(response.body["job_id"])


def test_the_owner_sees_a_pending_job_without_its_input(api: ApiHarness) -> None:
    # Given a submitted job
    job_id = _submitted(api)

    # When its owner asks for it
    response = api.status(job_id)

    # Then the state and timestamps come back, and nothing of the submitted CV or job
    assert response.status == 200
    assert response.body == {
        "job_id": job_id,
        "status": "PENDING",
        "created_at": "2025-03-14T09:26:53Z",
        "updated_at": "2025-03-14T09:26:53Z",
    }
    assert SENTINEL not in response.raw_body
    assert response.header("Cache-Control") == "no-store"


def test_the_owner_sees_the_result_of_a_completed_job(api: ApiHarness) -> None:
    # Given a job the worker completed
    job_id = _submitted(api)
    api.repository.claim(job_id, FIXED_NOW, lease_seconds=90)
    api.repository.complete(job_id, RESULT, "global.anthropic.claude-haiku-4-5-20251001-v1:0", LATER)

    # When its owner asks for it
    response = api.status(job_id)

    # Then the result is included, with the tailored resume, match report, changes and rejections
    assert response.status == 200
    assert response.body["status"] == "COMPLETED"
    assert response.body["updated_at"] == "2025-03-14T09:27:35Z"
    assert response.body["result"] == RESULT
    assert "error" not in response.body


def test_the_owner_sees_the_error_of_a_failed_job(api: ApiHarness) -> None:
    # Given a job the worker failed
    job_id = _submitted(api)
    api.repository.claim(job_id, FIXED_NOW, lease_seconds=90)
    api.repository.fail(
        job_id, JobError(code="MODEL_OUTPUT_INVALID", message="The model output was unusable."), LATER
    )

    # When its owner asks for it
    response = api.status(job_id)

    # Then the error's code and message are included, and no result
    assert response.status == 200
    assert response.body["status"] == "FAILED"
    assert response.body["error"] == {
        "code": "MODEL_OUTPUT_INVALID",
        "message": "The model output was unusable.",
    }
    assert "result" not in response.body


def test_another_caller_gets_the_same_404_as_for_an_unknown_id(api: ApiHarness) -> None:
    # Given a job owned by someone else, and an id nobody owns
    job_id = _submitted(api)
    unknown_id = str(uuid.uuid4())
    assert api.status(job_id).status == 200

    # When another caller asks for the job, and for the unknown id
    theirs = api.status(job_id, owner=OTHER_OWNER)
    unknown = api.status(unknown_id, owner=OTHER_OWNER)

    # Then both answers are the same 404, so the job's existence is not leaked
    assert theirs.status == unknown.status == 404
    assert theirs.raw_body == unknown.raw_body
    assert theirs.error_code == "not_found"


def test_a_job_past_its_retention_gets_the_same_404_before_ttl_deletes_it(api: ApiHarness) -> None:
    # Given the owner's job, 7 days (the default retention) after it was submitted; TTL has not deleted it yet
    job_id = _submitted(api)
    assert api.status(job_id).status == 200
    api.now += timedelta(days=7)

    # When the owner asks for it
    expired = api.status(job_id)

    # Then the answer is the same 404 as for an unknown id, though the record still exists
    assert expired.status == 404
    assert expired.raw_body == api.status(str(uuid.uuid4())).raw_body
    assert job_id in api.repository.records


@pytest.mark.parametrize(
    "job_id",
    [
        "not-a-uuid",
        "A3C1D3E2-0C1C-4A57-BC0C-3A0C5D1E9F11",
        "{a3c1d3e2-0c1c-4a57-bc0c-3a0c5d1e9f11}",
        "x" * 5000,
    ],
    ids=["word", "upper-case", "braced", "huge"],
)
def test_a_malformed_id_gets_the_same_404(api: ApiHarness, job_id: str) -> None:
    # Given an id the service could never have issued
    unknown = api.status(str(uuid.uuid4()))

    # When it is requested
    response = api.status(job_id)

    # Then the answer is the ordinary 404
    assert response.status == 404
    assert response.raw_body == unknown.raw_body


def test_a_status_request_without_identity_is_403(api: ApiHarness) -> None:
    # Given a job, and a request without a caller identity
    job_id = _submitted(api)

    # When the request is sent
    response = api.call(get_event(job_id, owner=None))

    # Then it is refused
    assert response.status == 403
    assert response.error_code == "forbidden"


def test_a_store_outage_on_read_is_503(api: ApiHarness) -> None:
    # Given a store that throttles the read
    job_id = _submitted(api)
    api.repository.fail_next["get"] = ThrottledError("throttled")

    # When the owner asks for the job
    response = api.status(job_id)

    # Then the client is told to retry
    assert response.status == 503
    assert response.header("Retry-After") == "5"


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/api/unknown"), ("DELETE", "/api/tailor-cv"), ("PUT", "/api/tailor-cv/x/y")],
    ids=["unknown-path", "wrong-method", "too-deep-path"],
)
def test_unknown_routes_get_a_json_404(api: ApiHarness, method: str, path: str) -> None:
    # Given a route the API does not have
    event = rest_event(method, path, json_body={}) if method == "PUT" else rest_event(method, path)

    # When it is called
    response = api.call(event)

    # Then the answer is a JSON 404 in the shared error shape
    assert response.status == 404
    assert response.error_code == "not_found"
    assert response.header("X-Content-Type-Options") == "nosniff"
