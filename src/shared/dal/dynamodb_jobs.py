"""The job store on DynamoDB: one item per job, keyed by ``job_id``."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, NoReturn

from botocore.exceptions import BotoCoreError, ClientError

from shared.clients.aws import LazyClient, dynamodb_client
from shared.dal.models import JobError, JobRecord, JobStatus
from shared.errors import (
    ConflictError,
    DependencyUnavailableError,
    NotFoundError,
    RecordTooLargeError,
    ThrottledError,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

_THROTTLING_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "ThrottlingException",
        "LimitExceededException",
    }
)
_KEY_ATTRIBUTE = "job_id"
_EXISTS = "attribute_exists(job_id)"


# DynamoDB refuses an oversize write whole, saying "Item size has exceeded the maximum allowed size".
_ITEM_TOO_LARGE = "Item size has exceeded"
ITEM_LIMIT_BYTES = 400 * 1024


def _raise_domain_error(error: ClientError | BotoCoreError, job_id: str) -> NoReturn:
    """Map a DynamoDB failure to the domain error the logic layer understands."""
    if isinstance(error, BotoCoreError):
        raise DependencyUnavailableError(f"dynamodb unreachable for job {job_id}") from error
    code = error.response.get("Error", {}).get("Code", "")
    if code in {"ConditionalCheckFailedException", "TransactionConflictException"}:
        raise ConflictError(f"job {job_id} is not in the expected state") from error
    if code in _THROTTLING_CODES:
        raise ThrottledError(f"dynamodb throttled job {job_id}") from error
    if code == "ResourceNotFoundException":
        raise DependencyUnavailableError("the jobs table does not exist") from error
    if code == "ValidationException" and _ITEM_TOO_LARGE in error.response.get("Error", {}).get(
        "Message", ""
    ):
        raise RecordTooLargeError(f"job {job_id} would exceed the item size limit") from error
    raise DependencyUnavailableError(f"dynamodb failed with {code} for job {job_id}") from error


def _s(value: str) -> AttributeValueTypeDef:
    return {"S": value}


def _n(value: int) -> AttributeValueTypeDef:
    return {"N": str(value)}


def _json(value: Any) -> AttributeValueTypeDef:
    return {"S": json.dumps(value, ensure_ascii=False, separators=(",", ":"))}


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def _to_item(record: JobRecord) -> dict[str, AttributeValueTypeDef]:
    item: dict[str, AttributeValueTypeDef] = {
        _KEY_ATTRIBUTE: _s(record.job_id),
        "owner": _s(record.owner),
        "status": _s(record.status.value),
        "created_at": _s(record.created_at.isoformat()),
        "updated_at": _s(record.updated_at.isoformat()),
        "expires_at": _n(record.expires_at),
        "request_hash": _s(record.request_hash),
        "resume_json": _json(record.resume),
        "job_json": _json(record.job),
        "options_json": _json(record.options),
        "attempts": _n(record.attempts),
        "terminal_event_published": {"BOOL": record.terminal_event_published},
    }
    if record.idempotency_key is not None:
        item["idempotency_key"] = _s(record.idempotency_key)
    return item


def _from_item(item: Mapping[str, Any]) -> JobRecord:
    def text(name: str) -> str | None:
        value = item.get(name)
        return None if value is None else str(value["S"])

    def number(name: str) -> int | None:
        value = item.get(name)
        return None if value is None else int(value["N"])

    def document(name: str) -> Any:
        raw = text(name)
        return None if raw is None else json.loads(raw)

    error = document("error_json")
    return JobRecord(
        job_id=str(item[_KEY_ATTRIBUTE]["S"]),
        owner=str(item["owner"]["S"]),
        status=JobStatus(item["status"]["S"]),
        created_at=datetime.fromisoformat(str(item["created_at"]["S"])),
        updated_at=datetime.fromisoformat(str(item["updated_at"]["S"])),
        expires_at=number("expires_at") or 0,
        request_hash=text("request_hash") or "",
        idempotency_key=text("idempotency_key"),
        resume=document("resume_json") or {},
        job=document("job_json") or {},
        options=document("options_json") or {},
        attempts=number("attempts") or 0,
        lease_expires_at=number("lease_expires_at"),
        result=document("result_json"),
        error=None if error is None else JobError.model_validate(error),
        model_id=text("model_id"),
        terminal_event_published=bool(item.get("terminal_event_published", {}).get("BOOL", False)),
    )


class DynamoDBJobRepository(LazyClient["DynamoDBClient"]):
    """``JobRepository`` on one DynamoDB table; every state change is a conditional write."""

    def __init__(
        self,
        table_name: str,
        client: DynamoDBClient | None = None,
        client_factory: Callable[[], DynamoDBClient] = dynamodb_client,
    ) -> None:
        self._table_name = table_name
        super().__init__(client, client_factory)

    def _key(self, job_id: str) -> dict[str, AttributeValueTypeDef]:
        return {_KEY_ATTRIBUTE: _s(job_id)}

    def create(self, record: JobRecord) -> None:
        try:
            self.client.put_item(
                TableName=self._table_name,
                Item=_to_item(record),
                # A record past its retention counts as gone even before TTL deletes it: an Idempotency-Key
                # reused after expiry starts a new job rather than replaying one nobody may read any more.
                ConditionExpression="attribute_not_exists(job_id) OR expires_at <= :now",
                ExpressionAttributeValues={":now": _n(int(record.created_at.timestamp()))},
            )
        except (ClientError, BotoCoreError) as error:
            _raise_domain_error(error, record.job_id)

    def get(self, job_id: str) -> JobRecord:
        try:
            response = self.client.get_item(
                TableName=self._table_name, Key=self._key(job_id), ConsistentRead=True
            )
        except (ClientError, BotoCoreError) as error:
            _raise_domain_error(error, job_id)
        item = response.get("Item")
        if not item:
            raise NotFoundError(f"job {job_id} not found")
        return _from_item(item)

    def delete_pending(self, job_id: str) -> None:
        try:
            self.client.delete_item(
                TableName=self._table_name,
                Key=self._key(job_id),
                ConditionExpression="#status = :pending",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={":pending": _s(JobStatus.PENDING.value)},
            )
        except (ClientError, BotoCoreError) as error:
            _raise_domain_error(error, job_id)

    def _update(
        self,
        job_id: str,
        update: str,
        condition: str,
        values: dict[str, AttributeValueTypeDef],
    ) -> JobRecord:
        try:
            response = self.client.update_item(
                TableName=self._table_name,
                Key=self._key(job_id),
                UpdateExpression=update,
                ConditionExpression=f"{_EXISTS} AND ({condition})",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code")
            if code == "ConditionalCheckFailedException" and not error.response.get("Item"):
                raise NotFoundError(f"job {job_id} not found") from error
            _raise_domain_error(error, job_id)
        except BotoCoreError as error:
            _raise_domain_error(error, job_id)
        return _from_item(response["Attributes"])

    def claim(self, job_id: str, now: datetime, lease_seconds: int) -> JobRecord:
        return self._update(
            job_id,
            update=(
                "SET #status = :processing, lease_expires_at = :lease, updated_at = :now, "
                "attempts = if_not_exists(attempts, :zero) + :one, terminal_event_published = :false "
                "REMOVE error_json, result_json"
            ),
            condition=(
                "#status = :pending"
                " OR (#status = :processing AND lease_expires_at < :epoch)"
                " OR (#status = :failed AND failure_retryable = :true)"
            ),
            values={
                ":processing": _s(JobStatus.PROCESSING.value),
                ":pending": _s(JobStatus.PENDING.value),
                ":failed": _s(JobStatus.FAILED.value),
                ":lease": _n(_epoch(now) + lease_seconds),
                ":epoch": _n(_epoch(now)),
                ":now": _s(now.isoformat()),
                ":zero": _n(0),
                ":one": _n(1),
                ":true": {"BOOL": True},
                ":false": {"BOOL": False},
            },
        )

    def release(self, job_id: str, now: datetime) -> None:
        self._update(
            job_id,
            update="SET lease_expires_at = :expired, updated_at = :now",
            condition="#status = :processing",
            values={
                ":processing": _s(JobStatus.PROCESSING.value),
                ":expired": _n(0),
                ":now": _s(now.isoformat()),
            },
        )

    def complete(self, job_id: str, result: dict[str, Any], model_id: str, now: datetime) -> JobRecord:
        result_value = _json(result)
        # DynamoDB refuses an item over 400 KB whole; moto instead applies the SETs before the failing one and
        # keeps them (a COMPLETED job with no result). Refusing here makes both behave as DynamoDB does.
        if len(result_value["S"].encode("utf-8")) > ITEM_LIMIT_BYTES:
            raise RecordTooLargeError(f"the result of job {job_id} alone exceeds the item size limit")
        return self._update(
            job_id,
            update=(
                "SET #status = :completed, result_json = :result, model_id = :model, updated_at = :now, "
                "terminal_event_published = :false REMOVE lease_expires_at, failure_retryable"
            ),
            condition="#status = :processing",
            values={
                ":completed": _s(JobStatus.COMPLETED.value),
                ":processing": _s(JobStatus.PROCESSING.value),
                ":result": result_value,
                ":model": _s(model_id),
                ":now": _s(now.isoformat()),
                ":false": {"BOOL": False},
            },
        )

    def fail(self, job_id: str, error: JobError, now: datetime) -> JobRecord:
        return self._fail(job_id, error, now, JobStatus.PENDING, JobStatus.PROCESSING)

    def fail_unqueued(self, job_id: str, error: JobError, now: datetime) -> JobRecord:
        return self._fail(job_id, error, now, JobStatus.PENDING)

    def _fail(self, job_id: str, error: JobError, now: datetime, *from_statuses: JobStatus) -> JobRecord:
        placeholders = {f":from{index}": _s(status.value) for index, status in enumerate(from_statuses)}
        return self._update(
            job_id,
            update=(
                "SET #status = :failed, error_json = :error, failure_retryable = :retryable, "
                "updated_at = :now, terminal_event_published = :false REMOVE lease_expires_at"
            ),
            condition=f"#status IN ({', '.join(placeholders)})",
            values={
                ":failed": _s(JobStatus.FAILED.value),
                **placeholders,
                ":error": _json(error.model_dump(mode="json")),
                ":retryable": {"BOOL": error.retryable},
                ":now": _s(now.isoformat()),
                ":false": {"BOOL": False},
            },
        )

    def mark_terminal_event_published(self, job_id: str) -> None:
        self._update(
            job_id,
            update="SET terminal_event_published = :true",
            condition="#status IN (:completed, :failed)",
            values={
                ":true": {"BOOL": True},
                ":completed": _s(JobStatus.COMPLETED.value),
                ":failed": _s(JobStatus.FAILED.value),
            },
        )
