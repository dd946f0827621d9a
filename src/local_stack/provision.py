"""Create the stack's table, queues and bus inside the AWS emulator, from the CDK stack's own constants.

Names come from ``NamingUtils.service_names()`` and every setting from ``careervp.constants``, exactly as the
CDK constructs read them. What the emulator cannot express (encryption keys, TLS-only policies, point-in-time
recovery, the event archive, alarms) is left out; the resources the pipeline touches behave the same.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import boto3
from botocore.config import Config

from careervp import constants
from local_stack.config import LOCAL_ACCESS_KEY_ID, LOCAL_SECRET_ACCESS_KEY, LocalStackConfig

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.literals import QueueAttributeNameType

SECONDS_PER_DAY = 86_400
_CLIENT_CONFIG = Config(
    connect_timeout=2, read_timeout=30, retries={"total_max_attempts": 3, "mode": "standard"}
)


@dataclass(frozen=True)
class LocalResources:
    """What the stack created, as the handlers, the runner and the CLI address it."""

    table_name: str
    queue_url: str
    queue_arn: str
    dead_letter_queue_url: str
    dead_letter_queue_arn: str
    event_bus_name: str
    events_queue_url: str
    events_queue_arn: str
    events_rule_name: str


class Provisioner:
    """Creates the resources with the emulator's endpoint and the local credentials."""

    def __init__(self, endpoint_url: str | None, config: LocalStackConfig) -> None:
        self._config = config
        session = boto3.session.Session(
            aws_access_key_id=LOCAL_ACCESS_KEY_ID,
            aws_secret_access_key=LOCAL_SECRET_ACCESS_KEY,
            region_name=config.region,
        )
        self._dynamodb: DynamoDBClient = session.client(
            "dynamodb", endpoint_url=endpoint_url, config=_CLIENT_CONFIG
        )
        self._sqs: SQSClient = session.client("sqs", endpoint_url=endpoint_url, config=_CLIENT_CONFIG)
        self._events: EventBridgeClient = session.client(
            "events", endpoint_url=endpoint_url, config=_CLIENT_CONFIG
        )

    def provision(self) -> LocalResources:
        names = self._config.names
        self._create_table(names.table)
        dlq_url, dlq_arn = self._create_queue(
            names.dead_letter_queue,
            {"MessageRetentionPeriod": str(constants.DLQ_RETENTION_DAYS * SECONDS_PER_DAY)},
        )
        queue_url, queue_arn = self._create_queue(
            names.queue,
            {
                "VisibilityTimeout": str(constants.QUEUE_VISIBILITY_TIMEOUT_SECONDS),
                "MessageRetentionPeriod": str(constants.QUEUE_RETENTION_DAYS * SECONDS_PER_DAY),
                "RedrivePolicy": json.dumps(
                    {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": constants.MAX_RECEIVE_COUNT}
                ),
                "RedriveAllowPolicy": json.dumps({"redrivePermission": "denyAll"}),
            },
        )
        self._sqs.set_queue_attributes(
            QueueUrl=dlq_url,
            Attributes={
                "RedriveAllowPolicy": json.dumps(
                    {"redrivePermission": "byQueue", "sourceQueueArns": [queue_arn]}
                )
            },
        )
        self._events.create_event_bus(Name=names.event_bus)
        events_queue_url, events_queue_arn = self._create_queue(self._config.events_queue_name, {})
        self._subscribe(names.event_bus, self._config.events_rule_name, events_queue_arn)
        return LocalResources(
            table_name=names.table,
            queue_url=queue_url,
            queue_arn=queue_arn,
            dead_letter_queue_url=dlq_url,
            dead_letter_queue_arn=dlq_arn,
            event_bus_name=names.event_bus,
            events_queue_url=events_queue_url,
            events_queue_arn=events_queue_arn,
            events_rule_name=self._config.events_rule_name,
        )

    def _create_table(self, table_name: str) -> None:
        self._dynamodb.create_table(
            TableName=table_name,
            KeySchema=[{"AttributeName": constants.TABLE_PARTITION_KEY, "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": constants.TABLE_PARTITION_KEY, "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        self._dynamodb.update_time_to_live(
            TableName=table_name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": constants.TABLE_TTL_ATTRIBUTE},
        )

    def _create_queue(self, name: str, attributes: Mapping[QueueAttributeNameType, str]) -> tuple[str, str]:
        all_attributes: dict[QueueAttributeNameType, str] = {"SqsManagedSseEnabled": "true", **attributes}
        url = self._sqs.create_queue(QueueName=name, Attributes=all_attributes)["QueueUrl"]
        arn = self._sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        return url, arn

    def _subscribe(self, bus_name: str, rule_name: str, queue_arn: str) -> None:
        """A rule sending every outcome event to the subscriber queue, as a downstream consumer would."""
        pattern = {
            "source": [constants.EVENT_SOURCE],
            "detail-type": [constants.DETAIL_TYPE_COMPLETED, constants.DETAIL_TYPE_FAILED],
        }
        self._events.put_rule(
            Name=rule_name,
            EventBusName=bus_name,
            EventPattern=json.dumps(pattern),
            State="ENABLED",
            Description="Local subscriber of every CV tailoring outcome event (the demo, `careervp events`).",
        )
        self._events.put_targets(
            Rule=rule_name, EventBusName=bus_name, Targets=[{"Id": "local-subscriber", "Arn": queue_arn}]
        )
