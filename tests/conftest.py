"""Fixtures shared by every tier."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from aws_lambda_powertools import Logger

from shared.clients import aws
from shared.observability import logger
from shared.settings import clear_settings_cache


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test reaches a real AWS account, and no cached client or settings leak between tests."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "CareerVP")
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    monkeypatch.setenv("POWERTOOLS_DEV", "false")
    for variable in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(variable, raising=False)
    _clear_caches()
    yield
    _clear_caches()


def _clear_caches() -> None:
    clear_settings_cache()
    for factory in (aws.dynamodb_client, aws.sqs_client, aws.events_client, aws.bedrock_runtime_client):
        factory.cache_clear()


@contextmanager
def capturing(powertools_logger: Logger) -> Iterator[io.StringIO]:
    """Every line ``powertools_logger`` writes, at DEBUG level, while the block runs."""
    buffer = io.StringIO()
    handler = powertools_logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    previous_stream = handler.setStream(buffer)
    previous_level = powertools_logger.log_level
    powertools_logger.setLevel("DEBUG")
    try:
        yield buffer
    finally:
        powertools_logger.setLevel(previous_level)
        handler.setStream(previous_stream)


@pytest.fixture
def captured_logs() -> Iterator[io.StringIO]:
    """Every line the service's Powertools logger writes, at DEBUG level, during the test."""
    with capturing(logger) as buffer:
        yield buffer
