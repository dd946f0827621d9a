"""The tenacity policy: which errors are retried, when the fallback takes over, when the budget stops."""

from __future__ import annotations

import pytest

from shared.clients.model_types import (
    ConverseRequest,
    ModelError,
    ModelReply,
    ModelRequestError,
    ModelThrottledError,
    ModelUnavailableError,
)
from shared.logic.model_invocation import (
    MAX_MODEL_ATTEMPTS,
    ModelBudgetExhaustedError,
    ModelRoute,
    invoke_model,
)
from tests.support.fakes import ScriptedModelClient

PRIMARY = "global.anthropic.claude-haiku-4-5-20251001-v1:0"
FALLBACK = "global.anthropic.claude-sonnet-4-5-20250929-v1:0"
REQUEST = ConverseRequest(system="s", messages=[], tool_spec={"name": "t"}, max_tokens=10, temperature=0.1)
REPLY = ModelReply(tool_input={"ok": True}, stop_reason="tool_use", input_tokens=10, output_tokens=5)
PLENTY_OF_TIME_MS = 55_000

RETRIED = [
    ModelThrottledError("t", "ThrottlingException"),
    ModelUnavailableError("u", "ServiceUnavailableException"),
    ModelUnavailableError("u", "InternalServerException"),
    ModelUnavailableError("u", "ModelNotReadyException"),
    ModelUnavailableError("u", "ModelTimeoutException"),
    ModelUnavailableError("u", "Timeout"),
]
NOT_RETRIED = [
    ModelRequestError("v", "ValidationException"),
    ModelRequestError("a", "AccessDeniedException"),
    ModelRequestError("r", "ResourceNotFoundException"),
]


def _no_sleep(_: float) -> None:
    return None


@pytest.mark.parametrize("error", RETRIED, ids=lambda error: error.code)
def test_transient_errors_are_retried_until_the_model_answers(error: ModelError) -> None:
    # Given a model that fails once with a transient error, then answers
    client = ScriptedModelClient([error, REPLY])
    # When it is invoked
    result = invoke_model(
        client, REQUEST, ModelRoute(PRIMARY, FALLBACK), lambda: PLENTY_OF_TIME_MS, _no_sleep
    )
    # Then the answer comes back on the second attempt
    assert result.reply == REPLY
    assert result.attempts == 2
    assert len(client.calls) == 2


@pytest.mark.parametrize("error", NOT_RETRIED, ids=lambda error: error.code)
def test_request_errors_are_not_retried(error: ModelError) -> None:
    # Given a model that rejects the request
    client = ScriptedModelClient([error, REPLY])
    # When it is invoked
    # Then the error surfaces after exactly one call
    with pytest.raises(ModelRequestError):
        invoke_model(client, REQUEST, ModelRoute(PRIMARY, FALLBACK), lambda: PLENTY_OF_TIME_MS, _no_sleep)
    assert len(client.calls) == 1


def test_the_fallback_model_takes_over_while_the_primary_stays_throttled() -> None:
    # Given a primary model that throttles twice
    throttle = ModelThrottledError("t", "ThrottlingException")
    client = ScriptedModelClient([throttle, throttle, REPLY])
    # When it is invoked
    result = invoke_model(
        client, REQUEST, ModelRoute(PRIMARY, FALLBACK), lambda: PLENTY_OF_TIME_MS, _no_sleep
    )
    # Then the third call goes to the fallback model, which answers
    assert [model for model, _ in client.calls] == [PRIMARY, PRIMARY, FALLBACK]
    assert result.model_id == FALLBACK


def test_without_a_fallback_the_primary_is_retried() -> None:
    # Given no fallback model and a primary that throttles twice
    throttle = ModelThrottledError("t", "ThrottlingException")
    client = ScriptedModelClient([throttle, throttle, REPLY])
    # When it is invoked
    result = invoke_model(client, REQUEST, ModelRoute(PRIMARY, None), lambda: PLENTY_OF_TIME_MS, _no_sleep)
    # Then every call goes to the primary
    assert {model for model, _ in client.calls} == {PRIMARY}
    assert result.model_id == PRIMARY


def test_attempts_are_capped() -> None:
    # Given a model that never stops throttling
    client = ScriptedModelClient([ModelThrottledError("t", "ThrottlingException")] * (MAX_MODEL_ATTEMPTS + 2))
    # When it is invoked with plenty of time
    # Then it gives up after the maximum number of attempts
    with pytest.raises(ModelBudgetExhaustedError) as raised:
        invoke_model(client, REQUEST, ModelRoute(PRIMARY, FALLBACK), lambda: PLENTY_OF_TIME_MS, _no_sleep)
    assert raised.value.attempts == MAX_MODEL_ATTEMPTS
    assert len(client.calls) == MAX_MODEL_ATTEMPTS


def test_the_budget_stops_while_time_is_left_to_record_the_outcome() -> None:
    # Given a Lambda with 16 s left that loses 5 s per failed call
    remaining = [16_000]

    def failing(_: ConverseRequest) -> ModelReply:
        remaining[0] -= 5_000
        raise ModelUnavailableError("u", "ModelTimeoutException")

    client = ScriptedModelClient([failing] * MAX_MODEL_ATTEMPTS)
    # When it is invoked
    # Then it stops before the remaining time drops under the outcome reserve
    with pytest.raises(ModelBudgetExhaustedError):
        invoke_model(client, REQUEST, ModelRoute(PRIMARY, FALLBACK), lambda: remaining[0], _no_sleep)
    assert len(client.calls) < MAX_MODEL_ATTEMPTS
    assert remaining[0] > 5_000


def test_backoff_sleeps_are_jittered_and_bounded() -> None:
    # Given a model that throttles three times
    throttle = ModelThrottledError("t", "ThrottlingException")
    client = ScriptedModelClient([throttle, throttle, throttle, REPLY])
    sleeps: list[float] = []
    # When it is invoked
    invoke_model(client, REQUEST, ModelRoute(PRIMARY, FALLBACK), lambda: PLENTY_OF_TIME_MS, sleeps.append)
    # Then it slept between attempts, within the exponential ceiling
    assert len(sleeps) == 3
    assert all(0 <= pause <= 8.0 for pause in sleeps)
