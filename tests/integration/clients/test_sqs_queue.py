"""SqsJobQueue against moto."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from shared.clients.sqs_queue import JobMessage, SqsJobQueue
from shared.errors import DependencyUnavailableError, ThrottledError
from tests.support.aws import AwsResources, drain


def test_enqueue_sends_only_the_job_reference(aws_resources: AwsResources) -> None:
    # Given the job queue
    queue = SqsJobQueue(aws_resources.queue_url, client=aws_resources.sqs)
    # When a job is enqueued
    queue.enqueue("job-42", "owner-group-1")
    # Then one message names the job and carries nothing else
    bodies = drain(aws_resources.sqs, aws_resources.queue_url)
    assert [json.loads(body) for body in bodies] == [{"schema_version": 1, "job_id": "job-42"}]
    assert JobMessage.model_validate_json(bodies[0]).job_id == "job-42"


def test_enqueue_puts_the_message_in_its_owners_group(aws_resources: AwsResources) -> None:
    # Given the job queue (a standard queue: a message group makes it a fair queue on AWS)
    queue = SqsJobQueue(aws_resources.queue_url, client=aws_resources.sqs)
    # When a job is enqueued for an owner's group
    queue.enqueue("job-43", "owner-group-7")
    # Then the message carries the group
    (message,) = aws_resources.sqs.receive_message(
        QueueUrl=aws_resources.queue_url, MessageSystemAttributeNames=["MessageGroupId"]
    )["Messages"]
    assert message["Attributes"]["MessageGroupId"] == "owner-group-7"


def test_a_missing_queue_is_a_dependency_failure(aws_resources: AwsResources) -> None:
    # Given a queue URL that does not exist
    queue = SqsJobQueue(aws_resources.queue_url + "-gone", client=aws_resources.sqs)
    # When a job is enqueued / Then the failure is a domain error raised from the ClientError
    with pytest.raises(DependencyUnavailableError) as raised:
        queue.enqueue("job-42", "owner-group-1")
    assert isinstance(raised.value.__cause__, ClientError)


def test_throttling_is_reported_as_throttled(aws_resources: AwsResources) -> None:
    # Given SQS throttling the call
    queue = SqsJobQueue(aws_resources.queue_url, client=aws_resources.sqs)
    stubber = Stubber(aws_resources.sqs)
    stubber.add_client_error("send_message", service_error_code="RequestThrottled", http_status_code=403)
    # When a job is enqueued / Then ThrottledError
    with stubber, pytest.raises(ThrottledError):
        queue.enqueue("job-42", "owner-group-1")
