"""End-to-end tier: the whole local stack in this process, on free ports, driven over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from local_stack.config import LocalStackConfig
from local_stack.stack import LocalStack
from shared.logic import model_invocation
from tests.e2e.support import EventLog, local_services

# Model retries back off in milliseconds here, so a fully throttled job reaches the DLQ in seconds.
FAST_BACKOFF_MULTIPLIER_SECONDS = 0.001
FAST_BACKOFF_MAX_SECONDS = 0.005


def e2e_config() -> LocalStackConfig:
    """Free ports; failed records retried at once (the local retry delay), and quiet handler logs."""
    return LocalStackConfig(retry_delay_seconds=0, poll_wait_seconds=1, log_level="WARNING").with_free_ports()


@pytest.fixture(autouse=True)
def _isolated_environment() -> None:
    """Replaces the root fixture: here the running stack owns the AWS variables of this process."""


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(model_invocation, "BACKOFF_MULTIPLIER_SECONDS", FAST_BACKOFF_MULTIPLIER_SECONDS)
        patch.setattr(model_invocation, "BACKOFF_MAX_SECONDS", FAST_BACKOFF_MAX_SECONDS)
        local_stack = LocalStack(e2e_config())
        local_stack.start()
        try:
            yield local_stack
        finally:
            local_stack.stop()


@pytest.fixture(scope="module")
def event_log(stack: LocalStack) -> EventLog:
    endpoints = stack.endpoints
    return EventLog(local_services(endpoints), endpoints.resources.events_queue_url)
