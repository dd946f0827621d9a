"""Interfaces of the queue, the event bus and the model. Logic depends on these, never on boto3."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from shared.clients.model_types import ConverseRequest, ModelReply


class JobQueue(Protocol):
    def enqueue(self, job_id: str, group: str) -> None:
        """Queue the job for the worker in its owner's message group (SQS fair queues share the workers out
        by group). ``ThrottledError`` / ``DependencyUnavailableError`` on failure."""


class EventPublisher(Protocol):
    def publish(self, detail_type: str, detail: Mapping[str, Any]) -> None:
        """Put one event on the bus. ``ThrottledError`` / ``DependencyUnavailableError`` on failure."""


class ModelClient(Protocol):
    def converse(self, model_id: str, request: ConverseRequest) -> ModelReply:
        """One model call, no retries.

        Raises ``ModelThrottledError`` or ``ModelUnavailableError`` for failures worth retrying and
        ``ModelRequestError`` for those that are not.
        """
