"""Calling the model under a tenacity retry policy, with a fallback model and a time budget.

tenacity owns every retry: botocore's own retries are off for bedrock-runtime (see ``shared.clients.aws``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_random_exponential,
)
from tenacity.stop import stop_base

from shared.clients.model_types import ConverseRequest, ModelError, ModelReply, ModelThrottledError
from shared.clients.ports import ModelClient
from shared.observability import MetricName, logger, metrics

MAX_MODEL_ATTEMPTS = 6
BACKOFF_MULTIPLIER_SECONDS = 0.5
BACKOFF_MAX_SECONDS = 8.0
# Consecutive throttles or outages on the primary model before the fallback model takes over.
FALLBACK_AFTER_FAILURES = 2
# Time kept back to record the outcome (DynamoDB write, event) after the last attempt.
OUTCOME_RESERVE_MS = 5_000
# Shortest time worth starting another model call with.
MIN_ATTEMPT_MS = 10_000


class ModelBudgetExhaustedError(Exception):
    """Every attempt the time budget allowed failed with a retryable error."""

    def __init__(self, last_error: ModelError, attempts: int) -> None:
        super().__init__(f"model still failing after {attempts} attempts: {last_error.code}")
        self.last_error = last_error
        self.attempts = attempts


@dataclass
class ModelRoute:
    """Which model to ask next: the primary until it keeps failing, then the fallback."""

    primary_model_id: str
    fallback_model_id: str | None
    consecutive_failures: int = 0
    model_id: str = field(init=False)

    def __post_init__(self) -> None:
        self.model_id = self.primary_model_id

    def record_failure(self) -> None:
        self.consecutive_failures += 1
        if (
            self.fallback_model_id
            and self.model_id == self.primary_model_id
            and self.consecutive_failures >= FALLBACK_AFTER_FAILURES
        ):
            logger.warning(
                "switching to the fallback model",
                extra={"from_model": self.model_id, "to_model": self.fallback_model_id},
            )
            self.model_id = self.fallback_model_id


class InvocationResult(NamedTuple):
    reply: ModelReply
    model_id: str
    attempts: int


def _is_retryable(error: BaseException) -> bool:
    return isinstance(error, ModelError) and error.retryable


class _OutOfTime(stop_base):
    """Stop when the next attempt, after its backoff, could not finish before the outcome must be recorded."""

    def __init__(self, remaining_ms: Callable[[], int]) -> None:
        self._remaining_ms = remaining_ms

    def __call__(self, retry_state: RetryCallState) -> bool:
        upcoming_sleep_ms = int((retry_state.upcoming_sleep or 0) * 1000)
        return self._remaining_ms() - upcoming_sleep_ms < OUTCOME_RESERVE_MS + MIN_ATTEMPT_MS


def invoke_model(
    client: ModelClient,
    request: ConverseRequest,
    route: ModelRoute,
    remaining_ms: Callable[[], int],
    sleep: Callable[[float], None] = time.sleep,
) -> InvocationResult:
    """Call the model until it answers, a non-retryable error occurs, or the attempts or time run out.

    Raises ``ModelBudgetExhaustedError`` when retryable failures outlast the budget, and the ``ModelError``
    itself when it is not retryable.
    """

    def before_sleep(state: RetryCallState) -> None:
        metrics.add_metric(name=MetricName.MODEL_RETRIES, unit="Count", value=1)
        error = state.outcome.exception() if state.outcome else None
        logger.info(
            "retrying the model call",
            extra={
                "attempt": state.attempt_number,
                "error_code": getattr(error, "code", type(error).__name__),
                "sleep_seconds": round(state.upcoming_sleep or 0, 3),
            },
        )

    def attempt() -> ModelReply:
        try:
            return client.converse(route.model_id, request)
        except ModelError as error:
            if isinstance(error, ModelThrottledError):
                metrics.add_metric(name=MetricName.MODEL_THROTTLED, unit="Count", value=1)
            if error.retryable:
                route.record_failure()
            raise

    retrying = Retrying(
        retry=retry_if_exception(_is_retryable),
        stop=stop_after_attempt(MAX_MODEL_ATTEMPTS) | _OutOfTime(remaining_ms),
        wait=wait_random_exponential(multiplier=BACKOFF_MULTIPLIER_SECONDS, max=BACKOFF_MAX_SECONDS),
        before_sleep=before_sleep,
        reraise=True,
        sleep=sleep,
    )
    attempts = 0
    try:
        for attempt_state in retrying:
            with attempt_state:
                attempts = attempt_state.retry_state.attempt_number
                model_id = route.model_id
                reply = attempt()
    except ModelError as error:
        if error.retryable:
            raise ModelBudgetExhaustedError(error, attempts) from error
        raise
    return InvocationResult(reply=reply, model_id=model_id, attempts=attempts)
