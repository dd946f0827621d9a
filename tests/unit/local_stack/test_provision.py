"""The local resources carry the CDK stack's names and settings, read from the same constants."""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from careervp import constants
from careervp.naming_utils import NamingUtils
from local_stack.config import LocalStackConfig
from local_stack.provision import SECONDS_PER_DAY, LocalResources, Provisioner

REGION = "eu-west-1"


@pytest.fixture
def resources() -> Iterator[LocalResources]:
    with mock_aws():
        yield Provisioner(None, LocalStackConfig(region=REGION)).provision()


def test_every_name_is_the_cdk_stacks_name_for_the_env(resources: LocalResources) -> None:
    # Given the names the CDK stack gives the dev env
    names = NamingUtils(env=constants.DEFAULT_ENV).service_names()

    # Then the local table, queues and bus have them
    assert resources.table_name == names.table
    assert resources.queue_url.endswith("/" + names.queue)
    assert resources.dead_letter_queue_url.endswith("/" + names.dead_letter_queue)
    assert resources.event_bus_name == names.event_bus


def test_the_table_is_keyed_by_job_id_with_ttl_on_the_stacks_attribute(resources: LocalResources) -> None:
    # Given the provisioned table
    dynamodb = boto3.client("dynamodb", region_name=REGION)

    # When its key schema and TTL are read
    table = dynamodb.describe_table(TableName=resources.table_name)["Table"]
    ttl = dynamodb.describe_time_to_live(TableName=resources.table_name)["TimeToLiveDescription"]

    # Then they match the CDK table
    assert table["KeySchema"] == [{"AttributeName": constants.TABLE_PARTITION_KEY, "KeyType": "HASH"}]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": constants.TABLE_TTL_ATTRIBUTE}


def test_the_queue_redrives_to_the_dlq_with_the_stacks_settings(resources: LocalResources) -> None:
    # Given the provisioned queues
    sqs = boto3.client("sqs", region_name=REGION)

    # When their attributes are read
    queue = sqs.get_queue_attributes(QueueUrl=resources.queue_url, AttributeNames=["All"])["Attributes"]
    dlq = sqs.get_queue_attributes(QueueUrl=resources.dead_letter_queue_url, AttributeNames=["All"])[
        "Attributes"
    ]

    # Then visibility, retention and the redrive policy come from the constants
    assert int(queue["VisibilityTimeout"]) == constants.QUEUE_VISIBILITY_TIMEOUT_SECONDS
    assert int(queue["MessageRetentionPeriod"]) == constants.QUEUE_RETENTION_DAYS * SECONDS_PER_DAY
    assert json.loads(queue["RedrivePolicy"]) == {
        "deadLetterTargetArn": resources.dead_letter_queue_arn,
        "maxReceiveCount": constants.MAX_RECEIVE_COUNT,
    }
    assert int(dlq["MessageRetentionPeriod"]) == constants.DLQ_RETENTION_DAYS * SECONDS_PER_DAY


def test_an_outcome_event_reaches_the_subscriber_queue(resources: LocalResources) -> None:
    # Given the bus and its subscriber rule
    events = boto3.client("events", region_name=REGION)
    sqs = boto3.client("sqs", region_name=REGION)

    # When the worker's kind of event and an unrelated one are put on the bus
    events.put_events(
        Entries=[
            {
                "EventBusName": resources.event_bus_name,
                "Source": constants.EVENT_SOURCE,
                "DetailType": constants.DETAIL_TYPE_COMPLETED,
                "Detail": json.dumps({"job_id": "job-1"}),
            },
            {
                "EventBusName": resources.event_bus_name,
                "Source": "someone.else",
                "DetailType": constants.DETAIL_TYPE_COMPLETED,
                "Detail": json.dumps({"job_id": "job-2"}),
            },
        ]
    )

    # Then only the service's event is delivered to the subscriber queue
    messages = sqs.receive_message(QueueUrl=resources.events_queue_url, MaxNumberOfMessages=10)["Messages"]
    assert [json.loads(message["Body"])["detail"]["job_id"] for message in messages] == ["job-1"]
