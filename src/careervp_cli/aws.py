"""The CLI's AWS client module: the only CLI module that talks to boto3.

Credentials and region resolve the ordinary way (flags, environment, shared config, SSO, instance roles);
an ``endpoint_url`` points every service at the local AWS emulator instead.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

import boto3
from botocore.config import Config
from botocore.credentials import ReadOnlyCredentials
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, ProfileNotFound

from shared.dal.dynamodb_jobs import DynamoDBJobRepository
from shared.dal.models import JobRecord
from shared.errors import NotFoundError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import MessageAttributeValueOutputTypeDef, MessageAttributeValueTypeDef

SQS_BATCH_LIMIT: Final = 10
# Codes with which an endpoint says it cannot run a message move task (moto answers a bare 500).
_MOVE_TASK_UNSUPPORTED_CODES: Final = frozenset(
    {
        "UnsupportedOperation",
        "AWS.SimpleQueueService.UnsupportedOperation",
        "InvalidAction",
        "NotImplemented",
        "500",
        "501",
    }
)
_CLIENT_CONFIG: Final = Config(
    connect_timeout=3, read_timeout=30, retries={"total_max_attempts": 3, "mode": "standard"}
)
_PROBE_CONFIG: Final = Config(connect_timeout=3, read_timeout=30, retries={"total_max_attempts": 1})


class AwsAccessError(Exception):
    """An AWS call failed; the message says which and why, without a stack trace."""


class MoveTaskUnsupportedError(Exception):
    """The SQS endpoint cannot run StartMessageMoveTask (moto, some emulators, old regions)."""


@dataclass(frozen=True)
class SigningCredentials:
    access_key: str
    secret_key: str
    token: str | None = None


@dataclass(frozen=True)
class QueueMessage:
    """A received SQS message, with what is needed to move it to another queue."""

    message_id: str
    receipt_handle: str
    body: str
    receive_count: int
    sent_at: datetime | None
    message_attributes: Mapping[str, Any] = field(default_factory=dict)
    # The owner's message group, kept when the message is moved by hand (fair-queue scheduling).
    group_id: str | None = None


@dataclass(frozen=True)
class Subscription:
    """A temporary queue subscribed to the bus by a rule; removed with ``unsubscribe``."""

    queue_url: str
    rule_name: str
    bus_name: str


def aws_error(action: str, error: BaseException) -> AwsAccessError:
    if isinstance(error, ClientError):
        details = error.response.get("Error", {})
        reason = f"{details.get('Code', 'error')}: {details.get('Message', '')}".rstrip(": ")
    else:
        reason = str(error)
    return AwsAccessError(f"{action} failed ({reason})")


class AwsServices:
    """SQS, DynamoDB, EventBridge and CloudFormation for one session and (optional) endpoint."""

    def __init__(self, session: boto3.session.Session, endpoint_url: str | None = None) -> None:
        self._session = session
        self._endpoint_url = endpoint_url
        self._clients: dict[str, Any] = {}

    @classmethod
    def create(
        cls,
        *,
        profile: str | None,
        region: str | None,
        endpoint_url: str | None,
        fallback_credentials: SigningCredentials | None = None,
    ) -> AwsServices:
        """A session from the ordinary chain; ``fallback_credentials`` only when the chain finds none."""
        try:
            session = boto3.session.Session(profile_name=profile, region_name=region)
        except ProfileNotFound as error:
            raise AwsAccessError(str(error)) from error
        if fallback_credentials is not None and session.get_credentials() is None:
            session = boto3.session.Session(
                aws_access_key_id=fallback_credentials.access_key,
                aws_secret_access_key=fallback_credentials.secret_key,
                aws_session_token=fallback_credentials.token,
                region_name=region,
            )
        return cls(session, endpoint_url)

    @classmethod
    def with_credentials(
        cls, credentials: SigningCredentials, *, region: str, endpoint_url: str | None
    ) -> AwsServices:
        """A session with exactly these credentials (the local stack's, for instance)."""
        session = boto3.session.Session(
            aws_access_key_id=credentials.access_key,
            aws_secret_access_key=credentials.secret_key,
            aws_session_token=credentials.token,
            region_name=region,
        )
        return cls(session, endpoint_url)

    @property
    def region(self) -> str | None:
        return self._session.region_name

    def credentials(self) -> SigningCredentials:
        credentials = self._session.get_credentials()
        if credentials is None:
            raise AwsAccessError(str(NoCredentialsError()))
        frozen: ReadOnlyCredentials = credentials.get_frozen_credentials()
        if not frozen.access_key or not frozen.secret_key:
            raise AwsAccessError(str(NoCredentialsError()))
        return SigningCredentials(frozen.access_key, frozen.secret_key, frozen.token)

    def client(self, service: str, *, single_attempt: bool = False) -> Any:
        """The session's client for ``service`` (built once); ``single_attempt`` turns retries off."""
        key = f"{service}:single" if single_attempt else service
        if key not in self._clients:
            self._clients[key] = self._session.client(
                service,  # type: ignore[call-overload]
                endpoint_url=self._endpoint_url,
                config=_PROBE_CONFIG if single_attempt else _CLIENT_CONFIG,
            )
        return self._clients[key]

    def sqs_client(self, *, single_attempt: bool = False) -> SQSClient:
        """The SQS client (``single_attempt`` for probes that must not be retried)."""
        client: SQSClient = self.client("sqs", single_attempt=single_attempt)
        return client

    @property
    def _sqs(self) -> SQSClient:
        return self.sqs_client()

    @property
    def _dynamodb(self) -> DynamoDBClient:
        client: DynamoDBClient = self.client("dynamodb")
        return client

    @property
    def _events(self) -> EventBridgeClient:
        client: EventBridgeClient = self.client("events")
        return client

    @property
    def _cloudformation(self) -> Any:
        # Untyped: the project installs no boto3 stubs for CloudFormation.
        return self.client("cloudformation")

    # --- CloudFormation -------------------------------------------------------------------------------

    def stack_outputs(self, stack_name: str) -> dict[str, str]:
        try:
            stacks: list[dict[str, Any]] = self._cloudformation.describe_stacks(StackName=stack_name)[
                "Stacks"
            ]
        except (ClientError, BotoCoreError) as error:
            raise aws_error(f"reading the outputs of stack {stack_name}", error) from error
        outputs: list[dict[str, str]] = stacks[0].get("Outputs", []) if stacks else []
        return {
            output["OutputKey"]: output["OutputValue"]
            for output in outputs
            if "OutputKey" in output and "OutputValue" in output
        }

    # --- SQS ------------------------------------------------------------------------------------------

    def queue_url(self, queue_name: str) -> str:
        try:
            return self._sqs.get_queue_url(QueueName=queue_name)["QueueUrl"]
        except (ClientError, BotoCoreError) as error:
            raise aws_error(f"finding queue {queue_name}", error) from error

    def queue_arn(self, queue_url: str) -> str:
        try:
            attributes = self._sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])
        except (ClientError, BotoCoreError) as error:
            raise aws_error(f"reading the ARN of {queue_url}", error) from error
        return attributes["Attributes"]["QueueArn"]

    def approximate_message_count(self, queue_url: str) -> int:
        try:
            attributes = self._sqs.get_queue_attributes(
                QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages"]
            )
        except (ClientError, BotoCoreError) as error:
            raise aws_error(f"counting the messages in {queue_url}", error) from error
        return int(attributes["Attributes"].get("ApproximateNumberOfMessages", "0"))

    def receive(
        self, queue_url: str, *, max_messages: int, wait_seconds: int, visibility_timeout: int
    ) -> list[QueueMessage]:
        try:
            response = self._sqs.receive_message(
                QueueUrl=queue_url,
                MaxNumberOfMessages=max_messages,
                WaitTimeSeconds=wait_seconds,
                VisibilityTimeout=visibility_timeout,
                MessageSystemAttributeNames=["ApproximateReceiveCount", "SentTimestamp", "MessageGroupId"],
                MessageAttributeNames=["All"],
            )
        except (ClientError, BotoCoreError) as error:
            raise aws_error(f"receiving from {queue_url}", error) from error
        messages: list[QueueMessage] = []
        for message in response.get("Messages", []):
            attributes = message.get("Attributes", {})
            sent = attributes.get("SentTimestamp")
            messages.append(
                QueueMessage(
                    message_id=message["MessageId"],
                    receipt_handle=message["ReceiptHandle"],
                    body=message.get("Body", ""),
                    receive_count=int(attributes.get("ApproximateReceiveCount", "0")),
                    sent_at=None if sent is None else datetime.fromtimestamp(int(sent) / 1000, UTC),
                    message_attributes=dict(message.get("MessageAttributes", {})),
                    group_id=attributes.get("MessageGroupId"),
                )
            )
        return messages

    def send(self, queue_url: str, message: QueueMessage) -> None:
        """Send a copy of ``message`` (body and message attributes) to ``queue_url``."""
        attributes = {name: _sendable_attribute(value) for name, value in message.message_attributes.items()}
        options: dict[str, Any] = {"MessageAttributes": attributes} if attributes else {}
        if message.group_id:
            options["MessageGroupId"] = message.group_id
        try:
            self._sqs.send_message(QueueUrl=queue_url, MessageBody=message.body, **options)
        except (ClientError, BotoCoreError) as error:
            raise aws_error(f"sending to {queue_url}", error) from error

    def delete(self, queue_url: str, receipt_handle: str) -> None:
        try:
            self._sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=receipt_handle)
        except (ClientError, BotoCoreError) as error:
            raise aws_error(f"deleting from {queue_url}", error) from error

    def release(self, queue_url: str, receipt_handles: Iterable[str]) -> None:
        """Make received messages visible again at once."""
        handles = list(receipt_handles)
        for start in range(0, len(handles), SQS_BATCH_LIMIT):
            batch = handles[start : start + SQS_BATCH_LIMIT]
            try:
                self._sqs.change_message_visibility_batch(
                    QueueUrl=queue_url,
                    Entries=[
                        {"Id": str(index), "ReceiptHandle": handle, "VisibilityTimeout": 0}
                        for index, handle in enumerate(batch)
                    ],
                )
            except (ClientError, BotoCoreError) as error:
                raise aws_error(f"releasing messages in {queue_url}", error) from error

    def start_message_move_task(self, source_arn: str, destination_arn: str) -> str:
        """Start SQS's own redrive; raise ``MoveTaskUnsupportedError`` where the endpoint lacks it."""
        try:
            response = self.sqs_client(single_attempt=True).start_message_move_task(
                SourceArn=source_arn, DestinationArn=destination_arn
            )
        except ClientError as error:
            code = str(error.response.get("Error", {}).get("Code", ""))
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if code in _MOVE_TASK_UNSUPPORTED_CODES or status in {500, 501}:
                raise MoveTaskUnsupportedError(code or str(status)) from error
            raise aws_error("starting a message move task", error) from error
        except BotoCoreError as error:
            raise aws_error("starting a message move task", error) from error
        return response["TaskHandle"]

    # --- DynamoDB -------------------------------------------------------------------------------------

    def job(self, table_name: str, job_id: str) -> JobRecord | None:
        """The job record through the service's own data-access layer; None when there is none."""
        repository = DynamoDBJobRepository(table_name, client=self._dynamodb)
        try:
            return repository.get(job_id)
        except NotFoundError:
            return None

    # --- EventBridge ----------------------------------------------------------------------------------

    def subscribe(self, bus_name: str, event_pattern: Mapping[str, Any]) -> Subscription:
        """A temporary queue and a rule on ``bus_name`` that sends matching events to it."""
        suffix = uuid.uuid4().hex[:12]
        name = f"careervp-cli-events-{suffix}"
        try:
            queue_url = self._sqs.create_queue(QueueName=name)["QueueUrl"]
            queue_arn = self.queue_arn(queue_url)
            rule_arn = self._events.put_rule(
                Name=name,
                EventBusName=bus_name,
                EventPattern=json.dumps(event_pattern),
                State="ENABLED",
                Description="Temporary subscriber of `careervp events`; removed when it exits.",
            )["RuleArn"]
            self._sqs.set_queue_attributes(
                QueueUrl=queue_url,
                Attributes={"Policy": json.dumps(_events_queue_policy(queue_arn, rule_arn))},
            )
            self._events.put_targets(
                Rule=name, EventBusName=bus_name, Targets=[{"Id": "careervp-cli", "Arn": queue_arn}]
            )
        except (ClientError, BotoCoreError) as error:
            raise aws_error(f"subscribing to bus {bus_name}", error) from error
        return Subscription(queue_url=queue_url, rule_name=name, bus_name=bus_name)

    def unsubscribe(self, subscription: Subscription) -> None:
        try:
            self._events.remove_targets(
                Rule=subscription.rule_name, EventBusName=subscription.bus_name, Ids=["careervp-cli"]
            )
            self._events.delete_rule(Name=subscription.rule_name, EventBusName=subscription.bus_name)
            self._sqs.delete_queue(QueueUrl=subscription.queue_url)
        except (ClientError, BotoCoreError) as error:
            raise aws_error("removing the temporary subscription", error) from error


def _sendable_attribute(
    value: MessageAttributeValueOutputTypeDef | Mapping[str, Any],
) -> MessageAttributeValueTypeDef:
    attribute: dict[str, Any] = {"DataType": value.get("DataType", "String")}
    for key in ("StringValue", "BinaryValue"):
        if key in value:
            attribute[key] = value[key]
    return attribute  # type: ignore[return-value]


def _events_queue_policy(queue_arn: str, rule_arn: str) -> dict[str, Any]:
    """Lets EventBridge deliver this rule's events to the queue (and nothing else)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "EventBridgeRule",
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": queue_arn,
                "Condition": {"ArnEquals": {"aws:SourceArn": rule_arn}},
            }
        ],
    }
