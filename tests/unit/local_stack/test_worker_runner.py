"""The SQS event source mapping emulation, against moto's in-process SQS (no network)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from moto import mock_aws

from careervp import constants
from local_stack.config import LocalStackConfig
from local_stack.provision import LocalResources, Provisioner
from local_stack.worker_runner import RunnerSettings, WorkerRunner, failed_message_ids, lambda_sqs_record

REGION = "eu-west-1"


@dataclass
class ScriptedWorker:
    """A worker handler that answers each invocation with ``decide(records)`` and records what it saw."""

    decide: Callable[[list[dict[str, Any]]], Any]
    events: list[dict[str, Any]] = field(default_factory=list)
    remaining_ms: list[int] = field(default_factory=list)

    def __call__(self, event: dict[str, Any], context: Any) -> Any:
        self.events.append(event)
        self.remaining_ms.append(context.get_remaining_time_in_millis())
        return self.decide(event["Records"])


@pytest.fixture
def resources() -> Iterator[LocalResources]:
    with mock_aws():
        yield Provisioner(None, LocalStackConfig(region=REGION)).provision()


def runner_for(
    resources: LocalResources, handler: ScriptedWorker, retry_delay: int | None = 0
) -> WorkerRunner:
    return WorkerRunner(
        handler,
        RunnerSettings(
            queue_url=resources.queue_url,
            queue_arn=resources.queue_arn,
            endpoint_url=None,
            region=REGION,
            account_id="000000000000",
            function_name="careervp-cv-tailor-lambda-dev",
            poll_wait_seconds=0,
            retry_delay_seconds=retry_delay,
        ),
    )


def send_jobs(resources: LocalResources, *job_ids: str) -> None:
    sqs = boto3.client("sqs", region_name=REGION)
    for job_id in job_ids:
        sqs.send_message(
            QueueUrl=resources.queue_url, MessageBody=json.dumps({"schema_version": 1, "job_id": job_id})
        )


def visible_count(queue_url: str) -> int:
    sqs = boto3.client("sqs", region_name=REGION)
    attributes = sqs.get_queue_attributes(
        QueueUrl=queue_url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(
        attributes["ApproximateNumberOfMessagesNotVisible"]
    )


def succeed(records: list[dict[str, Any]]) -> dict[str, Any]:
    return {"batchItemFailures": []}


def fail_all(records: list[dict[str, Any]]) -> dict[str, Any]:
    return {"batchItemFailures": [{"itemIdentifier": record["messageId"]} for record in records]}


def crash(records: list[dict[str, Any]]) -> dict[str, Any]:
    raise RuntimeError("worker crashed")


def test_a_processed_message_is_delivered_as_an_sqs_event_and_deleted(resources: LocalResources) -> None:
    # Given one queued job and a worker that succeeds
    send_jobs(resources, "job-1")
    worker = ScriptedWorker(succeed)

    # When the runner polls once
    handled = runner_for(resources, worker).run_once()

    # Then the worker got a Lambda SQS event of one record, and the message is gone
    assert handled == 1
    record = worker.events[0]["Records"][0]
    assert json.loads(record["body"]) == {"schema_version": 1, "job_id": "job-1"}
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == resources.queue_arn
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert visible_count(resources.queue_url) == 0


def test_the_batch_size_is_the_stacks() -> None:
    # Given the batch size the CDK event source mapping uses
    # Then the runner asks for the same number of messages per invocation
    with mock_aws():
        resources = Provisioner(None, LocalStackConfig(region=REGION)).provision()
        send_jobs(resources, "a", "b", "c")
        worker = ScriptedWorker(succeed)
        runner_for(resources, worker).run_once()
    assert [len(event["Records"]) for event in worker.events] == [constants.WORKER_BATCH_SIZE]


def test_the_context_counts_down_from_the_function_timeout(resources: LocalResources) -> None:
    # Given a queued job
    send_jobs(resources, "job-1")
    worker = ScriptedWorker(succeed)

    # When it is processed
    runner_for(resources, worker).run_once()

    # Then the remaining time started at the worker's 60 s timeout
    assert constants.CV_TAILOR_TIMEOUT_SECONDS * 1000 - 2_000 < worker.remaining_ms[0] <= 60_000


@pytest.mark.parametrize("decide", [fail_all, crash], ids=["reported-failure", "handler-crash"])
def test_a_failed_record_stays_and_is_delivered_again_with_a_higher_receive_count(
    resources: LocalResources, decide: Callable[[list[dict[str, Any]]], Any]
) -> None:
    # Given a queued job and a worker that reports it failed (or crashes)
    send_jobs(resources, "job-1")
    worker = ScriptedWorker(decide)
    runner = runner_for(resources, worker, retry_delay=0)

    # When the runner polls twice
    runner.run_once()
    runner.run_once()

    # Then the same message came back (retry delay 0), counted as a second receive
    counts = [event["Records"][0]["attributes"]["ApproximateReceiveCount"] for event in worker.events]
    assert counts == ["1", "2"]
    assert visible_count(resources.queue_url) == 1


def test_without_a_retry_delay_a_failed_record_waits_out_the_visibility_timeout(
    resources: LocalResources,
) -> None:
    # Given a failing worker and the AWS timing (no local retry delay)
    send_jobs(resources, "job-1")
    worker = ScriptedWorker(fail_all)
    runner = runner_for(resources, worker, retry_delay=None)

    # When the runner polls twice
    runner.run_once()
    second = runner.run_once()

    # Then the message stays invisible (360 s visibility timeout) and is not delivered again yet
    assert second == 0
    assert len(worker.events) == 1


def test_after_max_receive_count_failures_the_message_moves_to_the_dlq(resources: LocalResources) -> None:
    # Given a job that fails on every delivery
    send_jobs(resources, "job-1")
    worker = ScriptedWorker(fail_all)
    runner = runner_for(resources, worker, retry_delay=0)

    # When the runner keeps polling
    for _ in range(constants.MAX_RECEIVE_COUNT + 2):
        runner.run_once()

    # Then it was delivered exactly maxReceiveCount times and now sits in the DLQ (moto applies the redrive
    # policy on the receive after the last one, as SQS does)
    assert len(worker.events) == constants.MAX_RECEIVE_COUNT
    assert visible_count(resources.queue_url) == 0
    assert visible_count(resources.dead_letter_queue_url) == 1


def test_partial_batch_failures_keep_only_the_failed_records() -> None:
    # Given a batch of three where the second failed
    ids = ["m1", "m2", "m3"]

    # When the response is read as Lambda reads it
    failed = failed_message_ids({"batchItemFailures": [{"itemIdentifier": "m2"}]}, ids)

    # Then only that record stays
    assert failed == {"m2"}


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (None, set()),
        ({}, set()),
        ({"batchItemFailures": []}, set()),
        ({"batchItemFailures": [{"itemIdentifier": "unknown"}]}, {"m1", "m2"}),
        ({"batchItemFailures": [{"itemIdentifier": ""}]}, {"m1", "m2"}),
        ({"batchItemFailures": "m1"}, {"m1", "m2"}),
    ],
    ids=["none", "empty", "no-failures", "unknown-id", "empty-id", "malformed"],
)
def test_a_malformed_partial_batch_response_fails_the_whole_batch(
    response: object, expected: set[str]
) -> None:
    # Given a batch of two and a response
    # When it is read
    # Then an invalid response fails every record, and an empty one none
    assert failed_message_ids(response, ["m1", "m2"]) == expected


def test_an_sqs_record_carries_message_attributes_in_lambdas_shape() -> None:
    # Given a received message with a string attribute
    message: Any = {
        "MessageId": "m1",
        "ReceiptHandle": "r1",
        "Body": "{}",
        "MD5OfBody": "x",
        "Attributes": {"ApproximateReceiveCount": "3"},
        "MessageAttributes": {"trace": {"DataType": "String", "StringValue": "abc"}},
    }

    # When it becomes a record
    record = lambda_sqs_record(message, queue_arn="arn:aws:sqs:eu-west-1:1:q", region="eu-west-1")

    # Then the attribute is in Lambda's camel-case form
    assert record["messageAttributes"]["trace"] == {
        "stringValue": "abc",
        "stringListValues": [],
        "binaryListValues": [],
        "dataType": "String",
    }
    assert record["awsRegion"] == "eu-west-1"


def test_stop_joins_the_polling_thread(resources: LocalResources) -> None:
    # Given a started runner
    runner = runner_for(resources, ScriptedWorker(succeed))
    runner.start()
    assert [thread for thread in threading.enumerate() if thread.name == "local-worker-runner"]

    # When it is stopped
    runner.stop()

    # Then no poller thread is left
    assert not [thread for thread in threading.enumerate() if thread.name == "local-worker-runner"]
