"""Drive the API Lambda end to end (decorators included) with its ports replaced by in-memory fakes."""

from __future__ import annotations

import dataclasses
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from api.dependencies import clear_port_cache, providers
from api.handler import lambda_handler
from tests.support.fakes import InMemoryJobQueue, InMemoryJobRepository
from tests.unit.api.rest_events import (
    OWNER,
    ApiResponse,
    LambdaContextStub,
    get_event,
    parse_response,
    post_event,
)

FIXED_NOW = datetime(2025, 3, 14, 9, 26, 53, tzinfo=UTC)
TEST_TABLE = "careervp-jobs-unit"
TEST_QUEUE_URL = "https://sqs.eu-west-1.amazonaws.com/123456789012/careervp-cv-tailor-unit"


def invoke(event: dict[str, Any]) -> ApiResponse:
    return parse_response(lambda_handler(event, LambdaContextStub()))


def set_api_environment(
    monkeypatch: pytest.MonkeyPatch, table: str = TEST_TABLE, queue: str = TEST_QUEUE_URL
) -> None:
    monkeypatch.setenv("TABLE_NAME", table)
    monkeypatch.setenv("QUEUE_URL", queue)
    monkeypatch.delenv("JOB_TTL_DAYS", raising=False)


@dataclass(frozen=True)
class LogCapture:
    buffer: io.StringIO

    @property
    def text(self) -> str:
        return self.buffer.getvalue()

    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.text.splitlines() if line.strip()]

    def first(self, message_prefix: str) -> dict[str, Any]:
        matches = [line for line in self.lines() if str(line.get("message", "")).startswith(message_prefix)]
        assert matches, f"no log line starts with {message_prefix!r}"
        return matches[0]


@dataclass
class ApiHarness:
    repository: InMemoryJobRepository = field(default_factory=InMemoryJobRepository)
    queue: InMemoryJobQueue = field(default_factory=InMemoryJobQueue)
    now: datetime = FIXED_NOW

    def call(self, event: dict[str, Any]) -> ApiResponse:
        return invoke(event)

    def submit(self, document: Any, *, key: str | None = None, owner: str = OWNER) -> ApiResponse:
        headers = {} if key is None else {"Idempotency-Key": key}
        return invoke(post_event(document, headers=headers, owner=owner))

    def status(self, job_id: str, *, owner: str = OWNER) -> ApiResponse:
        return invoke(get_event(job_id, owner=owner))

    def nothing_kept(self) -> bool:
        return not self.repository.records and not self.queue.sent


@contextmanager
def overridden_ports(harness: ApiHarness) -> Iterator[ApiHarness]:
    """Route the handler's providers to the harness's fakes and clock, restoring them afterwards."""
    saved = dataclasses.replace(providers)
    providers.repository = lambda: harness.repository
    providers.queue = lambda: harness.queue
    providers.clock = lambda: harness.now
    try:
        yield harness
    finally:
        for provider in dataclasses.fields(providers):
            setattr(providers, provider.name, getattr(saved, provider.name))
        clear_port_cache()
