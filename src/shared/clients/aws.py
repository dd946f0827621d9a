"""Cached boto3 client factories (the only place a boto3 client is made).

Clients are built on first use, never at import time. Endpoints come only from boto3's standard
``AWS_ENDPOINT_URL`` / ``AWS_ENDPOINT_URL_<SERVICE>`` variables, so the same code runs on AWS and locally.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Generic, TypeVar

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_bedrock_runtime import BedrockRuntimeClient
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_sqs import SQSClient

ClientT = TypeVar("ClientT")

# Data-plane calls are short; fail fast and let the callers' own retry policies decide.
_DATA_PLANE_CONFIG = Config(
    connect_timeout=2,
    read_timeout=5,
    retries={"total_max_attempts": 3, "mode": "standard"},
)
# tenacity owns model retries, so botocore makes one attempt (total_max_attempts counts the first call).
# An edit-contract answer is a few hundred tokens; a read that takes longer than this is better retried.
_MODEL_CONFIG = Config(
    connect_timeout=3,
    read_timeout=25,
    retries={"total_max_attempts": 1, "mode": "standard"},
)


@cache
def dynamodb_client() -> DynamoDBClient:
    return boto3.session.Session().client("dynamodb", config=_DATA_PLANE_CONFIG)


@cache
def sqs_client() -> SQSClient:
    return boto3.session.Session().client("sqs", config=_DATA_PLANE_CONFIG)


@cache
def events_client() -> EventBridgeClient:
    return boto3.session.Session().client("events", config=_DATA_PLANE_CONFIG)


@cache
def bedrock_runtime_client() -> BedrockRuntimeClient:
    return boto3.session.Session().client("bedrock-runtime", config=_MODEL_CONFIG)


class LazyClient(Generic[ClientT]):
    """Base of the adapters: an injected boto3 client, or one from the cached factory on first use."""

    def __init__(self, client: ClientT | None, client_factory: Callable[[], ClientT]) -> None:
        self._client = client
        self._client_factory = client_factory

    @property
    def client(self) -> ClientT:
        if self._client is None:
            self._client = self._client_factory()
        return self._client
