"""Provision the service's AWS resources inside moto for integration tests."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

import boto3

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_sqs import SQSClient

REGION = "eu-west-1"
TABLE_NAME = "careervp-jobs-test"
QUEUE_NAME = "careervp-cv-tailor-queue-test"
DLQ_NAME = "careervp-cv-tailor-dlq-test"
BUS_NAME = "careervp-events-test"
MAX_RECEIVE_COUNT = 5


@dataclass(frozen=True)
class AwsResources:
    dynamodb: DynamoDBClient
    sqs: SQSClient
    events: EventBridgeClient
    table_name: str
    queue_url: str
    dlq_url: str
    bus_name: str
    capture_queue_url: str


def provision() -> AwsResources:
    """Table, queue with DLQ, bus, and a rule that copies every event of the service to a capture queue."""
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    sqs = boto3.client("sqs", region_name=REGION)
    events = boto3.client("events", region_name=REGION)
    dynamodb.create_table(
        TableName=TABLE_NAME,
        KeySchema=[{"AttributeName": "job_id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "job_id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    dlq_url = sqs.create_queue(QueueName=DLQ_NAME)["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    queue_url = sqs.create_queue(
        QueueName=QUEUE_NAME,
        Attributes={
            "RedrivePolicy": json.dumps(
                {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": MAX_RECEIVE_COUNT}
            )
        },
    )["QueueUrl"]
    capture_url = sqs.create_queue(QueueName="event-capture")["QueueUrl"]
    capture_arn = sqs.get_queue_attributes(QueueUrl=capture_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events.create_event_bus(Name=BUS_NAME)
    events.put_rule(
        Name="capture-all", EventBusName=BUS_NAME, EventPattern=json.dumps({"source": ["careervp.cv-tailor"]})
    )
    events.put_targets(
        Rule="capture-all", EventBusName=BUS_NAME, Targets=[{"Id": "capture", "Arn": capture_arn}]
    )
    return AwsResources(
        dynamodb=dynamodb,
        sqs=sqs,
        events=events,
        table_name=TABLE_NAME,
        queue_url=queue_url,
        dlq_url=dlq_url,
        bus_name=BUS_NAME,
        capture_queue_url=capture_url,
    )


def drain(sqs: SQSClient, queue_url: str) -> list[str]:
    """Every message body now in the queue (deleting them)."""
    bodies: list[str] = []
    while True:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            return bodies
        for message in messages:
            bodies.append(message["Body"])
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
