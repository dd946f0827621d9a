"""Fixtures of the API unit tests: the handler with in-memory ports and a complete environment."""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator

import pytest

from tests.unit.api.harness import ApiHarness, LogCapture, overridden_ports, set_api_environment


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> Iterator[ApiHarness]:
    set_api_environment(monkeypatch)
    with overridden_ports(ApiHarness()) as harness:
        yield harness


@pytest.fixture
def logs(captured_logs: io.StringIO) -> LogCapture:
    """Every line the service's Powertools logger writes, exactly as it would reach CloudWatch."""
    return LogCapture(captured_logs)


@pytest.fixture(autouse=True)
def _quiet_empty_metrics_warning() -> Iterator[None]:
    """Refusals publish no metric; Powertools warns about that on every such invocation."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="No application metrics to publish")
        yield
