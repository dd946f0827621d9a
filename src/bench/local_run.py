"""Driving the local stack for figures (c) and (d): a signed client, an event subscriber, the job table."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import boto3
from botocore.config import Config

from careervp import constants
from careervp_cli.api_client import SignedApiClient
from careervp_cli.aws import SigningCredentials
from local_stack.config import LOCAL_ACCESS_KEY_ID, LOCAL_SECRET_ACCESS_KEY, LocalStackConfig
from local_stack.stack import LocalStack, StackEndpoints

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_sqs import SQSClient

BENCH_CALLER: Final = SigningCredentials("AKIABENCHLOAD0000001", "bench-secret-not-verified")
COMPLETED: Final = constants.DETAIL_TYPE_COMPLETED
FAILED: Final = constants.DETAIL_TYPE_FAILED
_CLIENT_CONFIG: Final = Config(
    connect_timeout=2, read_timeout=30, retries={"total_max_attempts": 3, "mode": "standard"}
)


def bench_api(endpoints: StackEndpoints) -> SignedApiClient:
    return SignedApiClient(endpoints.api_url, BENCH_CALLER, endpoints.region)


def local_session(region: str) -> boto3.session.Session:
    return boto3.session.Session(
        aws_access_key_id=LOCAL_ACCESS_KEY_ID,
        aws_secret_access_key=LOCAL_SECRET_ACCESS_KEY,
        region_name=region,
    )


def sqs(endpoints: StackEndpoints) -> SQSClient:
    client: SQSClient = local_session(endpoints.region).client(
        "sqs", endpoint_url=endpoints.aws_url, config=_CLIENT_CONFIG
    )
    return client


def dynamodb(endpoints: StackEndpoints) -> DynamoDBClient:
    client: DynamoDBClient = local_session(endpoints.region).client(
        "dynamodb", endpoint_url=endpoints.aws_url, config=_CLIENT_CONFIG
    )
    return client


@dataclass(frozen=True)
class ObservedEvent:
    job_id: str
    detail_type: str
    observed_at: float  # time.monotonic() when the subscriber received it


class EventCollector:
    """A subscriber on the stack's events queue, on a thread: every outcome event, with when it arrived."""

    def __init__(self, endpoints: StackEndpoints) -> None:
        self._sqs = sqs(endpoints)
        self._queue_url = endpoints.resources.events_queue_url
        self._events: list[ObservedEvent] = []
        self._condition = threading.Condition()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._poll, name="bench-event-collector", daemon=True)

    def start(self) -> EventCollector:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join()

    def _poll(self) -> None:
        while not self._stopping.is_set():
            response = self._sqs.receive_message(
                QueueUrl=self._queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1, VisibilityTimeout=30
            )
            messages = response.get("Messages", [])
            arrived = time.monotonic()
            observed: list[ObservedEvent] = []
            for message in messages:
                event: dict[str, Any] = json.loads(message.get("Body", "{}"))
                detail = event.get("detail") or {}
                observed.append(
                    ObservedEvent(str(detail.get("job_id")), str(event.get("detail-type")), arrived)
                )
            if messages:
                self._sqs.delete_message_batch(
                    QueueUrl=self._queue_url,
                    Entries=[
                        {"Id": str(index), "ReceiptHandle": message["ReceiptHandle"]}
                        for index, message in enumerate(messages)
                    ],
                )
            with self._condition:
                self._events.extend(observed)
                self._condition.notify_all()

    def events(self) -> list[ObservedEvent]:
        with self._condition:
            return list(self._events)

    def wait_for(self, job_id: str, detail_type: str, timeout_seconds: float) -> ObservedEvent | None:
        deadline = time.monotonic() + timeout_seconds
        with self._condition:
            while True:
                for event in self._events:
                    if event.job_id == job_id and event.detail_type == detail_type:
                        return event
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._condition.wait(remaining)

    def counts(self) -> dict[str, int]:
        """Events per detail type, plus how many jobs got more than one Completed event."""
        events = self.events()
        by_type = Counter(event.detail_type for event in events)
        completed_per_job = Counter(event.job_id for event in events if event.detail_type == COMPLETED)
        return {
            "completed": by_type[COMPLETED],
            "failed": by_type[FAILED],
            "duplicate_completed": sum(1 for count in completed_per_job.values() if count > 1),
        }


@dataclass(frozen=True)
class TableCensus:
    """How many jobs the table holds in each status, and how many were claimed how many times."""

    statuses: dict[str, int]
    attempts: dict[int, int]


def table_census(endpoints: StackEndpoints) -> TableCensus:
    client = dynamodb(endpoints)
    statuses: Counter[str] = Counter()
    attempts: Counter[int] = Counter()
    paginator = client.get_paginator("scan")
    for page in paginator.paginate(
        TableName=endpoints.resources.table_name,
        ProjectionExpression="#status, attempts",
        ExpressionAttributeNames={"#status": "status"},
    ):
        for item in page.get("Items", []):
            statuses[str(item["status"].get("S"))] += 1
            attempts[int(item.get("attempts", {}).get("N", "0"))] += 1
    return TableCensus(dict(statuses), dict(sorted(attempts.items())))


def queue_depth(endpoints: StackEndpoints, queue_url: str) -> dict[str, int]:
    attributes = sqs(endpoints).get_queue_attributes(
        QueueUrl=queue_url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return {
        "visible": int(attributes.get("ApproximateNumberOfMessages", "0")),
        "in_flight": int(attributes.get("ApproximateNumberOfMessagesNotVisible", "0")),
    }


@contextmanager
def running_stack(config: LocalStackConfig) -> Iterator[LocalStack]:
    stack = LocalStack(config.with_free_ports())
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()
