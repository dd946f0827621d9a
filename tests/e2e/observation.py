"""Watching a running local stack from outside: the table, the queues, the events and every output line.

The observer uses boto3 clients of its own (not the handlers' cached ones, which fault hooks may touch), and
captures what CloudWatch would hold on AWS: the handlers' Powertools log lines, the EMF metric lines they
print, and any warning a library logs through the standard ``logging`` root.
"""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import boto3

from local_stack.config import LOCAL_ACCESS_KEY_ID, LOCAL_SECRET_ACCESS_KEY
from local_stack.stack import StackEndpoints
from shared.observability import logger

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_sqs import SQSClient

TERMINAL = frozenset({"COMPLETED", "FAILED"})


class StackObserver:
    """Reads the jobs table and the queues of a running stack, as ops would with the AWS CLI."""

    def __init__(self, endpoints: StackEndpoints) -> None:
        session = boto3.session.Session(
            aws_access_key_id=LOCAL_ACCESS_KEY_ID,
            aws_secret_access_key=LOCAL_SECRET_ACCESS_KEY,
            region_name=endpoints.region,
        )
        self.resources = endpoints.resources
        self.dynamodb: DynamoDBClient = session.client("dynamodb", endpoint_url=endpoints.aws_url)
        self.sqs: SQSClient = session.client("sqs", endpoint_url=endpoints.aws_url)

    def statuses(self) -> dict[str, str]:
        """Every job's status, by job id."""
        return {item["job_id"]["S"]: item["status"]["S"] for item in self.items("job_id, #status")}

    def items(self, projection: str | None = None) -> list[dict[str, Any]]:
        """Every item of the jobs table (only ``projection``'s attributes when given)."""
        arguments: dict[str, Any] = {"TableName": self.resources.table_name, "ConsistentRead": True}
        if projection is not None:
            arguments["ProjectionExpression"] = projection
            if "#status" in projection:
                arguments["ExpressionAttributeNames"] = {"#status": "status"}
        found: list[dict[str, Any]] = []
        while True:
            page = self.dynamodb.scan(**arguments)
            found.extend(page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                return found
            arguments["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def item(self, job_id: str) -> dict[str, Any] | None:
        response = self.dynamodb.get_item(
            TableName=self.resources.table_name, Key={"job_id": {"S": job_id}}, ConsistentRead=True
        )
        item: dict[str, Any] | None = response.get("Item")
        return item

    def messages_in(self, queue_url: str) -> int:
        """Visible plus in-flight messages."""
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=queue_url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attributes.get("ApproximateNumberOfMessages", "0")) + int(
            attributes.get("ApproximateNumberOfMessagesNotVisible", "0")
        )

    def jobs_queue_depth(self) -> int:
        return self.messages_in(self.resources.queue_url)

    def dead_letter_depth(self) -> int:
        return self.messages_in(self.resources.dead_letter_queue_url)

    def table_size(self) -> int:
        return len(self.items("job_id"))

    def send_job_message(self, job_id: str) -> None:
        """One more message for a job, as a producer's retried ``SendMessage`` would leave."""
        self.sqs.send_message(
            QueueUrl=self.resources.queue_url, MessageBody=f'{{"schema_version":1,"job_id":"{job_id}"}}'
        )


class _RecordCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@dataclass
class CapturedOutput:
    """What the handlers wrote while the capture ran."""

    powertools: io.StringIO = field(default_factory=io.StringIO)
    stdout: io.StringIO = field(default_factory=io.StringIO)
    library_records: list[str] = field(default_factory=list)

    @property
    def log_lines(self) -> list[str]:
        return self.powertools.getvalue().splitlines()

    @property
    def metric_lines(self) -> list[str]:
        return [line for line in self.stdout.getvalue().splitlines() if '"_aws"' in line]

    @property
    def other_stdout_lines(self) -> list[str]:
        return [line for line in self.stdout.getvalue().splitlines() if '"_aws"' not in line]


@contextlib.contextmanager
def captured_output() -> Iterator[CapturedOutput]:
    """Capture the service logger at DEBUG, standard output (EMF metrics) and WARNING+ library records."""
    captured = CapturedOutput()
    handler = logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    previous_stream = handler.setStream(captured.powertools)
    previous_level = logger.log_level
    logger.setLevel("DEBUG")
    collector = _RecordCollector()
    root = logging.getLogger()
    root.addHandler(collector)
    try:
        with contextlib.redirect_stdout(captured.stdout):
            yield captured
    finally:
        root.removeHandler(collector)
        captured.library_records = collector.lines
        logger.setLevel(previous_level)
        handler.setStream(previous_stream)
