"""The real worker handler on moto (DynamoDB, SQS, EventBridge), with bedrock-runtime stubbed by Stubber."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.stub import Stubber

import worker.dependencies
import worker.handler
from shared.clients.aws import bedrock_runtime_client
from shared.clock import fixed_clock
from shared.dal.dynamodb_jobs import DynamoDBJobRepository
from shared.dal.models import JobStatus
from shared.tailoring import propose_edits
from tests.support.aws import MAX_RECEIVE_COUNT, AwsResources, drain
from tests.support.bedrock import CONVERSE_PARAMS, converse_tool_answer
from tests.support.examples import NOW, event_schema_errors, example_job, example_resume, pending_record
from tests.support.lambda_context import FakeLambdaContext
from tests.support.sqs_events import sqs_event, sqs_record


@pytest.fixture
def worker_env(aws_resources: AwsResources, monkeypatch: pytest.MonkeyPatch) -> AwsResources:
    monkeypatch.setenv("TABLE_NAME", aws_resources.table_name)
    monkeypatch.setenv("EVENT_BUS_NAME", aws_resources.bus_name)
    monkeypatch.setenv("MAX_RECEIVE_COUNT", str(MAX_RECEIVE_COUNT))
    worker.dependencies.job_processor.cache_clear()
    # The handler's processor, built once per container as on AWS, reads the fixtures' clock.
    monkeypatch.setattr(worker.dependencies.job_processor(), "clock", fixed_clock(NOW))
    return aws_resources


@pytest.fixture
def bedrock() -> Iterator[Stubber]:
    stubber = Stubber(bedrock_runtime_client())
    with stubber:
        yield stubber
    worker.dependencies.job_processor.cache_clear()


def _captured_events(resources: AwsResources) -> list[dict[str, Any]]:
    return [json.loads(body) for body in drain(resources.sqs, resources.capture_queue_url)]


def test_a_queued_job_completes_and_one_valid_event_reaches_subscribers(
    worker_env: AwsResources, bedrock: Stubber
) -> None:
    # Given a pending job in DynamoDB and Bedrock answering with valid edits
    repository = DynamoDBJobRepository(worker_env.table_name, client=worker_env.dynamodb)
    repository.create(pending_record("job-int"))
    edits = propose_edits(example_resume(), example_job(), as_of=NOW.date()).model_dump(
        mode="json", exclude_none=True
    )
    bedrock.add_response("converse", converse_tool_answer(edits), CONVERSE_PARAMS)
    # When the worker handles its SQS message
    response = worker.handler.lambda_handler(sqs_event(sqs_record("job-int", "m-1")), FakeLambdaContext())
    # Then the batch succeeded, the job is COMPLETED, and exactly one schema-valid Completed event went out
    assert response == {"batchItemFailures": []}
    stored = repository.get("job-int")
    assert stored.status is JobStatus.COMPLETED
    assert stored.terminal_event_published is True
    events = _captured_events(worker_env)
    assert [event["detail-type"] for event in events] == ["CV Tailoring Completed"]
    assert event_schema_errors("CV Tailoring Completed", events[0]["detail"]) == []
    assert events[0]["source"] == "careervp.cv-tailor"
    bedrock.assert_no_pending_responses()


def test_a_duplicate_delivery_after_completion_calls_nothing(
    worker_env: AwsResources, bedrock: Stubber
) -> None:
    # Given a job that already completed
    repository = DynamoDBJobRepository(worker_env.table_name, client=worker_env.dynamodb)
    repository.create(pending_record("job-dup"))
    edits = propose_edits(example_resume(), example_job(), as_of=NOW.date()).model_dump(
        mode="json", exclude_none=True
    )
    bedrock.add_response("converse", converse_tool_answer(edits), CONVERSE_PARAMS)
    worker.handler.lambda_handler(sqs_event(sqs_record("job-dup", "m-1")), FakeLambdaContext())
    assert repository.get("job-dup").status is JobStatus.COMPLETED
    assert [event["detail-type"] for event in _captured_events(worker_env)] == ["CV Tailoring Completed"]
    # When a redrive delivers it again under a new message id
    response = worker.handler.lambda_handler(sqs_event(sqs_record("job-dup", "m-2")), FakeLambdaContext())
    # Then it is acknowledged with no model call (the stubber has no response left) and no event
    assert response == {"batchItemFailures": []}
    assert _captured_events(worker_env) == []


def test_throttling_on_the_last_receive_fails_the_job_with_a_valid_failed_event(
    worker_env: AwsResources, bedrock: Stubber, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given Bedrock throttling every call and a delivery on the last allowed receive
    monkeypatch.setattr("shared.logic.model_invocation.BACKOFF_MAX_SECONDS", 0.0)
    repository = DynamoDBJobRepository(worker_env.table_name, client=worker_env.dynamodb)
    repository.create(pending_record("job-thr"))
    for _ in range(6):
        bedrock.add_client_error("converse", service_error_code="ThrottlingException", http_status_code=429)
    # When the worker handles it
    response = worker.handler.lambda_handler(
        sqs_event(sqs_record("job-thr", "m-1", receive_count=MAX_RECEIVE_COUNT)), FakeLambdaContext()
    )
    # Then the message is failed back (towards the DLQ), the job is FAILED and one valid Failed event went out
    assert response == {"batchItemFailures": [{"itemIdentifier": "m-1"}]}
    assert repository.get("job-thr").status is JobStatus.FAILED
    events = _captured_events(worker_env)
    assert [event["detail-type"] for event in events] == ["CV Tailoring Failed"]
    assert event_schema_errors("CV Tailoring Failed", events[0]["detail"]) == []
