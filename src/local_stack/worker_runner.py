"""A stand-in for the SQS event source mapping that drives the worker Lambda.

Like Lambda's poller it long-polls the queue for up to ``WORKER_BATCH_SIZE`` messages, leaves them invisible
for the queue's visibility timeout while the handler runs, hands them over as an SQS event with a Lambda
context whose remaining time counts down from the function timeout, deletes the records the handler did not
report in ``batchItemFailures`` and leaves the others (the whole batch when the handler raises) to come back.
The queue's redrive policy moves a message to the DLQ after ``maxReceiveCount`` receives.

Local deviation: a failed record is made visible again after ``retry_delay_seconds`` (ChangeMessageVisibility)
instead of after the 360 s visibility timeout, so retries take seconds. ``retry_delay_seconds=None`` keeps the
AWS timing. ``on_early_redelivery`` hears how much of the visibility timeout each such retry skipped (the
stack uses it to fast-forward the worker's lease clock).

Fault injection for tests: a hook that raises ``WorkerCrash`` inside the handler stands for the container
dying mid-invocation, and ``DeliveryFaults.duplicate_rate`` delivers a share of processed messages again, as
an at-least-once queue may.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from careervp import constants
from local_stack.config import LOCAL_ACCESS_KEY_ID, LOCAL_SECRET_ACCESS_KEY
from local_stack.lambda_context import LocalLambdaContext

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import MessageTypeDef

WorkerHandler = Callable[[dict[str, Any], Any], Any]

_POLL_ERROR_BACKOFF_SECONDS: Final = 0.5
_LOG = logging.getLogger(__name__)


class WorkerCrash(BaseException):
    """The worker's container dies in the middle of an invocation (out of memory, killed at its timeout).

    A test's fault hook raises it inside the handler. Being a ``BaseException``, no ``except Exception`` of
    the handler (the batch processor's included) turns it into an orderly failure: nothing after the crash
    point runs. The runner then does what the event source mapping does for a dead invocation: it neither
    deletes nor fails the batch, so every message comes back after the visibility timeout (the local retry
    delay).
    """


@dataclass(frozen=True)
class DeliveryFaults:
    """At-least-once delivery made visible: a share of processed messages is delivered once more.

    A chosen message is made visible again instead of being deleted, so the worker receives the same message
    (same id, higher receive count) after it already handled it, as SQS may deliver a message twice.
    """

    duplicate_rate: float = 0.0
    seed: int | None = 0

    def __post_init__(self) -> None:
        if not 0.0 <= self.duplicate_rate <= 1.0:
            raise ValueError("the duplicate delivery rate must be between 0 and 1")


@dataclass
class RunnerStats:
    """What the runner did so far (read by tests and benchmarks)."""

    polls: int = 0
    invocations: int = 0
    records: int = 0
    succeeded: int = 0
    failed: int = 0
    handler_errors: int = 0
    poll_errors: int = 0
    crashes: int = 0
    duplicate_deliveries: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, **increments: int) -> None:
        with self._lock:
            for name, amount in increments.items():
                setattr(self, name, getattr(self, name) + amount)

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return {name: value for name, value in vars(self).items() if isinstance(value, int)}


@dataclass(frozen=True)
class RunnerSettings:
    queue_url: str
    queue_arn: str
    endpoint_url: str | None
    region: str
    account_id: str
    function_name: str
    batch_size: int = constants.WORKER_BATCH_SIZE
    timeout_seconds: int = constants.CV_TAILOR_TIMEOUT_SECONDS
    memory_mb: int = constants.CV_TAILOR_MEMORY_MB
    poll_wait_seconds: int = 1
    retry_delay_seconds: int | None = None
    visibility_timeout_seconds: int = constants.QUEUE_VISIBILITY_TIMEOUT_SECONDS


def lambda_sqs_record(message: MessageTypeDef, *, queue_arn: str, region: str) -> dict[str, Any]:
    """One record of the SQS event Lambda builds from a received message."""
    record: dict[str, Any] = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message.get("Body", ""),
        "attributes": dict(message.get("Attributes", {})),
        "messageAttributes": {
            name: _lambda_message_attribute(value)
            for name, value in message.get("MessageAttributes", {}).items()
        },
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }
    if "MD5OfMessageAttributes" in message:
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    return record


def _lambda_message_attribute(value: Mapping[str, Any]) -> dict[str, Any]:
    attribute: dict[str, Any] = {
        "stringListValues": list(value.get("StringListValues", [])),
        "binaryListValues": list(value.get("BinaryListValues", [])),
        "dataType": value.get("DataType", "String"),
    }
    if "StringValue" in value:
        attribute["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        attribute["binaryValue"] = value["BinaryValue"]
    return attribute


def failed_message_ids(response: object, message_ids: Sequence[str]) -> set[str]:
    """The records to leave on the queue, read from a partial batch response as Lambda reads it.

    A response that names an unknown record or is malformed fails the whole batch, as on AWS.
    """
    every = set(message_ids)
    if response is None:
        return set()
    if not isinstance(response, Mapping):
        return set()
    failures = response.get("batchItemFailures")
    if failures is None:
        return set()
    if not isinstance(failures, list):
        return every
    failed: set[str] = set()
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, Mapping) else None
        if not isinstance(identifier, str) or identifier not in every:
            return every
        failed.add(identifier)
    return failed


class WorkerRunner:
    """Polls the jobs queue on a thread and invokes the worker handler, one batch at a time."""

    def __init__(
        self,
        handler: WorkerHandler,
        settings: RunnerSettings,
        *,
        delivery_faults: DeliveryFaults | None = None,
        on_early_redelivery: Callable[[int], None] | None = None,
    ) -> None:
        self._handler = handler
        self._settings = settings
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._on_early_redelivery = on_early_redelivery
        self._delivery_faults = delivery_faults or DeliveryFaults()
        # Fault injection wants reproducibility, not unpredictability.
        self._duplicate_draws = random.Random(self._delivery_faults.seed)  # noqa: S311
        self.stats = RunnerStats()
        session = boto3.session.Session(
            aws_access_key_id=LOCAL_ACCESS_KEY_ID,
            aws_secret_access_key=LOCAL_SECRET_ACCESS_KEY,
            region_name=settings.region,
        )
        self._sqs: SQSClient = session.client(
            "sqs",
            endpoint_url=settings.endpoint_url,
            config=Config(
                connect_timeout=2,
                read_timeout=settings.poll_wait_seconds + 10,
                retries={"total_max_attempts": 3, "mode": "standard"},
            ),
        )

    def set_delivery_faults(self, faults: DeliveryFaults) -> None:
        """Change the delivery faults; the duplicate draws restart from the new seed."""
        self._duplicate_draws = random.Random(faults.seed)  # noqa: S311
        self._delivery_faults = faults

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._poll_forever, name="local-worker-runner", daemon=True)
        self._thread.start()

    def request_stop(self) -> None:
        """Ask the poller to stop after its current long poll or batch; ``stop()`` waits for it."""
        self._stopping.set()

    def stop(self) -> None:
        """Stop polling and wait for the batch in flight (if any) to finish."""
        thread, self._thread = self._thread, None
        self._stopping.set()
        if thread is not None:
            thread.join()

    def run_once(self) -> int:
        """Receive and process one batch; returns the number of records handled (for tests)."""
        messages = self._receive()
        if messages:
            self._process(messages)
        return len(messages)

    def _poll_forever(self) -> None:
        while not self._stopping.is_set():
            try:
                messages = self._receive()
            except (BotoCoreError, ClientError):
                if self._stopping.is_set():
                    return
                self.stats.add(poll_errors=1)
                _LOG.warning("the worker runner could not poll the queue", exc_info=True)
                self._stopping.wait(_POLL_ERROR_BACKOFF_SECONDS)
                continue
            if messages:
                self._process(messages)

    def _receive(self) -> list[MessageTypeDef]:
        self.stats.add(polls=1)
        response = self._sqs.receive_message(
            QueueUrl=self._settings.queue_url,
            MaxNumberOfMessages=self._settings.batch_size,
            WaitTimeSeconds=self._settings.poll_wait_seconds,
            MessageSystemAttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        return list(response.get("Messages", []))

    def _process(self, messages: list[MessageTypeDef]) -> None:
        settings = self._settings
        event = {
            "Records": [
                lambda_sqs_record(message, queue_arn=settings.queue_arn, region=settings.region)
                for message in messages
            ]
        }
        context = LocalLambdaContext(
            function_name=settings.function_name,
            memory_limit_in_mb=settings.memory_mb,
            timeout_seconds=settings.timeout_seconds,
            region=settings.region,
            account_id=settings.account_id,
        )
        message_ids = [message["MessageId"] for message in messages]
        self.stats.add(invocations=1, records=len(messages))
        try:
            response = self._handler(event, context)
            failed = failed_message_ids(response, message_ids)
        except WorkerCrash:
            # The container died: nothing is deleted and nothing is reported, so the whole batch comes back
            # once its visibility timeout (locally, the retry delay) has passed.
            self.stats.add(crashes=1)
            _LOG.warning(
                "injected crash: the invocation died; its batch returns after the visibility timeout"
            )
            self._schedule_retry(messages)
            return
        except Exception:
            # An unhandled error fails the whole batch: every message returns to the queue.
            self.stats.add(handler_errors=1)
            _LOG.exception("the worker handler raised; the whole batch returns to the queue")
            failed = set(message_ids)
        if context.timed_out:
            _LOG.warning("the worker handler ran past its %s s timeout", settings.timeout_seconds)
        succeeded = [message for message in messages if message["MessageId"] not in failed]
        retried = [message for message in messages if message["MessageId"] in failed]
        self.stats.add(succeeded=len(succeeded), failed=len(retried))
        duplicated = {message["MessageId"] for message in succeeded if self._deliver_twice()}
        self._delete([message for message in succeeded if message["MessageId"] not in duplicated])
        self._deliver_again([message for message in succeeded if message["MessageId"] in duplicated])
        self._schedule_retry(retried)

    def _deliver_twice(self) -> bool:
        rate = self._delivery_faults.duplicate_rate
        return rate > 0 and self._duplicate_draws.random() < rate

    def _deliver_again(self, messages: list[MessageTypeDef]) -> None:
        """Make processed messages visible again instead of deleting them: a duplicate delivery."""
        if not messages:
            return
        self.stats.add(duplicate_deliveries=len(messages))
        self._change_visibility(messages, 0)

    def _delete(self, messages: list[MessageTypeDef]) -> None:
        if not messages:
            return
        response = self._sqs.delete_message_batch(
            QueueUrl=self._settings.queue_url,
            Entries=[
                {"Id": str(index), "ReceiptHandle": message["ReceiptHandle"]}
                for index, message in enumerate(messages)
            ],
        )
        if response.get("Failed"):
            _LOG.warning("some processed messages could not be deleted and will be delivered again")

    def _schedule_retry(self, messages: list[MessageTypeDef]) -> None:
        delay = self._settings.retry_delay_seconds
        if not messages or delay is None:
            return
        self._change_visibility(messages, delay)
        skipped = self._settings.visibility_timeout_seconds - delay
        if self._on_early_redelivery is not None and skipped > 0:
            self._on_early_redelivery(skipped)

    def _change_visibility(self, messages: list[MessageTypeDef], seconds: int) -> None:
        self._sqs.change_message_visibility_batch(
            QueueUrl=self._settings.queue_url,
            Entries=[
                {"Id": str(index), "ReceiptHandle": message["ReceiptHandle"], "VisibilityTimeout": seconds}
                for index, message in enumerate(messages)
            ],
        )
