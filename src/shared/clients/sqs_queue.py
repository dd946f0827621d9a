"""The job queue on SQS. A message names the job; it never carries the CV."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import BaseModel, ConfigDict

from shared.clients.aws import LazyClient, sqs_client
from shared.errors import DependencyUnavailableError, ThrottledError

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

JOB_MESSAGE_SCHEMA_VERSION = 1
_THROTTLING_CODES = frozenset(
    {"ThrottlingException", "RequestThrottled", "AWS.SimpleQueueService.RequestThrottled"}
)


class JobMessage(BaseModel):
    """The SQS message body."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    schema_version: int = JOB_MESSAGE_SCHEMA_VERSION
    job_id: str


class SqsJobQueue(LazyClient["SQSClient"]):
    def __init__(
        self,
        queue_url: str,
        client: SQSClient | None = None,
        client_factory: Callable[[], SQSClient] = sqs_client,
    ) -> None:
        self._queue_url = queue_url
        super().__init__(client, client_factory)

    def enqueue(self, job_id: str, group: str) -> None:
        try:
            self.client.send_message(
                QueueUrl=self._queue_url,
                MessageBody=JobMessage(job_id=job_id).model_dump_json(),
                # On a standard queue a message group makes SQS a fair queue: one noisy group cannot hold
                # back the others' messages.
                MessageGroupId=group,
            )
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code in _THROTTLING_CODES:
                raise ThrottledError("sqs throttled the enqueue") from error
            raise DependencyUnavailableError(f"sqs failed with {code}") from error
        except BotoCoreError as error:
            raise DependencyUnavailableError("sqs unreachable") from error
