"""EventBridgePublisher against moto, read back through a rule and a capture queue."""

from __future__ import annotations

import json

import pytest
from botocore.stub import Stubber

from shared.clients.eventbridge import EVENT_SOURCE, EventBridgePublisher
from shared.errors import DependencyUnavailableError, ThrottledError
from tests.support.aws import AwsResources, drain


def test_published_events_reach_subscribers(aws_resources: AwsResources) -> None:
    # Given the bus with a subscriber rule on the service's source
    publisher = EventBridgePublisher(aws_resources.bus_name, client=aws_resources.events)
    # When an event is published
    publisher.publish("CV Tailoring Completed", {"job_id": "job-1", "status": "COMPLETED"})
    # Then the subscriber receives it with the service's source and detail-type
    events = [json.loads(body) for body in drain(aws_resources.sqs, aws_resources.capture_queue_url)]
    assert len(events) == 1
    assert events[0]["source"] == EVENT_SOURCE
    assert events[0]["detail-type"] == "CV Tailoring Completed"
    assert events[0]["detail"] == {"job_id": "job-1", "status": "COMPLETED"}


def test_a_failed_entry_is_an_error(aws_resources: AwsResources) -> None:
    # Given PutEvents accepting the call but failing the entry
    publisher = EventBridgePublisher(aws_resources.bus_name, client=aws_resources.events)
    stubber = Stubber(aws_resources.events)
    stubber.add_response(
        "put_events",
        {"FailedEntryCount": 1, "Entries": [{"ErrorCode": "InternalFailure", "ErrorMessage": "x"}]},
    )
    # When an event is published / Then the failure is not swallowed
    with stubber, pytest.raises(DependencyUnavailableError):
        publisher.publish("CV Tailoring Failed", {"job_id": "job-1"})


def test_throttling_is_reported_as_throttled(aws_resources: AwsResources) -> None:
    # Given EventBridge throttling the call
    publisher = EventBridgePublisher(aws_resources.bus_name, client=aws_resources.events)
    stubber = Stubber(aws_resources.events)
    stubber.add_client_error("put_events", service_error_code="ThrottlingException", http_status_code=400)
    # When an event is published / Then ThrottledError
    with stubber, pytest.raises(ThrottledError):
        publisher.publish("CV Tailoring Failed", {"job_id": "job-1"})
