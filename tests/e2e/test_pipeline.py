"""The whole pipeline over HTTP: signed submit, the worker, the Completed event, the owner-only result."""

from __future__ import annotations

import io
import json
import urllib.error
import urllib.request
import uuid

import pytest

from evaluation.schema_checks import resume_schema_errors
from local_stack.demo import example_documents, print_outcome, run_demo
from local_stack.stack import LocalStack
from tests.e2e.support import ALICE, BOB, COMPLETED, EventLog, api_as, submit
from tests.support.examples import event_schema_errors

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")


def test_a_signed_submission_completes_with_an_event_and_a_valid_json_resume(
    stack: LocalStack, event_log: EventLog
) -> None:
    # Given the bundled example CV and job, and Alice's credentials
    resume, job = example_documents()
    api = api_as(stack.endpoints, ALICE)

    # When Alice submits them over HTTP, signed with SigV4
    job_id = submit(api, resume, job)

    # Then a Completed event for her job arrives on the bus, conforming to its published schema
    event = event_log.wait_for(job_id, COMPLETED)
    assert event["source"] == "careervp.cv-tailor"
    assert event["detail"]["owner"] == f"arn:aws:iam::000000000000:user/{ALICE.access_key}"
    assert event_schema_errors(COMPLETED, event["detail"]) == []
    # And her GET returns the tailored CV, which validates as JSON Resume and keeps the source's facts
    response = api.status(job_id)
    assert response.status == 200
    assert response.body["status"] == "COMPLETED"
    tailored = response.body["result"]["resume"]
    assert resume_schema_errors(tailored) == []
    assert [role["name"] for role in tailored["work"]] == [role["name"] for role in resume["work"]]
    assert "resume" not in response.body
    assert "job" not in response.body


def test_another_callers_get_is_404_and_says_nothing_about_the_job(
    stack: LocalStack, event_log: EventLog
) -> None:
    # Given a job Alice submitted and that completed
    resume, job = example_documents()
    job_id = submit(api_as(stack.endpoints, ALICE), resume, job)
    event_log.wait_for(job_id, COMPLETED)

    # When Bob (another access key id, hence another IAM identity) asks for it
    response = api_as(stack.endpoints, BOB).status(job_id)

    # Then he gets the same 404 as for an id that does not exist
    unknown = api_as(stack.endpoints, BOB).status(str(uuid.uuid4()))
    assert response.status == 404
    assert response.body == unknown.body
    assert job_id not in response.text


def test_an_unsigned_request_is_refused_like_api_gateway_with_iam_auth(stack: LocalStack) -> None:
    # Given the job document, sent without any Authorization header
    resume, job = example_documents()
    body = json.dumps({"resume": resume, "job": job}).encode()

    # When it is posted
    request = urllib.request.Request(
        f"{stack.endpoints.api_url}/api/tailor-cv",
        data=body,
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)

    # Then API Gateway's 403 comes back and nothing is queued
    assert refused.value.code == 403
    assert json.loads(refused.value.read()) == {"message": "Missing Authentication Token"}
    assert refused.value.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"


def test_the_make_run_demo_prints_the_tailored_result_of_the_bundled_example(stack: LocalStack) -> None:
    # Given the running stack and the bundled example
    resume, job = example_documents()
    console = io.StringIO()

    # When the demo submits it and waits for the outcome event
    outcome = run_demo(stack.endpoints, resume, job, timeout_seconds=30)
    print_outcome(outcome, console)

    # Then it completed, and the summary shows the tailored CV, the match report and the guard's verdict
    assert outcome.status == "COMPLETED"
    assert outcome.event["detail-type"] == "CV Tailoring Completed"
    text = console.getvalue()
    assert f"Headline: {resume['basics']['label']}" in text
    assert "Top highlights:" in text
    assert "before ->" in text
    assert "missing (advice only, never added):" in text
    assert "Guard rejections:" in text
