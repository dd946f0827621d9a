"""BedrockModelClient with botocore Stubber: the request shape and the error mapping."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ReadTimeoutError
from botocore.stub import ANY, Stubber
from mypy_boto3_bedrock_runtime import BedrockRuntimeClient

from shared.clients.bedrock import BedrockModelClient
from shared.clients.model_types import (
    ConverseRequest,
    ModelError,
    ModelRequestError,
    ModelThrottledError,
    ModelUnavailableError,
)

MODEL_ID = "global.anthropic.claude-haiku-4-5-20251001-v1:0"
TOOL_SPEC = {
    "name": "submit_cv_edits",
    "description": "Submit edits.",
    "inputSchema": {"json": {"type": "object", "properties": {"x": {"type": "integer"}}}},
}
REQUEST = ConverseRequest(
    system="rules",
    messages=[{"role": "user", "content": [{"text": "tailor"}]}],
    tool_spec=TOOL_SPEC,
    max_tokens=512,
    temperature=0.1,
)


@pytest.fixture
def runtime() -> BedrockRuntimeClient:
    return boto3.client("bedrock-runtime", region_name="eu-west-1")


def _response(content: list[dict[str, object]], stop_reason: str = "tool_use") -> dict[str, object]:
    return {
        "output": {"message": {"role": "assistant", "content": content}},
        "stopReason": stop_reason,
        "usage": {"inputTokens": 120, "outputTokens": 30, "totalTokens": 150},
        "metrics": {"latencyMs": 42},
    }


def test_converse_forces_the_tool_and_returns_its_input(runtime: BedrockRuntimeClient) -> None:
    # Given Bedrock answering with a tool call
    stubber = Stubber(runtime)
    stubber.add_response(
        "converse",
        _response([{"toolUse": {"toolUseId": "t1", "name": "submit_cv_edits", "input": {"x": 1}}}]),
        expected_params={
            "modelId": MODEL_ID,
            "system": [{"text": "rules"}],
            "messages": REQUEST.messages,
            "inferenceConfig": {"maxTokens": 512, "temperature": 0.1},
            "toolConfig": {
                "tools": [{"toolSpec": TOOL_SPEC}],
                "toolChoice": {"tool": {"name": "submit_cv_edits"}},
            },
        },
    )
    # When the client converses
    with stubber:
        reply = BedrockModelClient(client=runtime).converse(MODEL_ID, REQUEST)
    # Then the tool input, stop reason and usage come back
    assert reply.tool_input == {"x": 1}
    assert reply.stop_reason == "tool_use"
    assert (reply.input_tokens, reply.output_tokens) == (120, 30)


def test_a_reply_without_the_tool_call_has_no_tool_input(runtime: BedrockRuntimeClient) -> None:
    # Given Bedrock answering with text only, cut off at the token limit
    stubber = Stubber(runtime)
    stubber.add_response(
        "converse",
        _response([{"text": "Sure"}], stop_reason="max_tokens"),
        {"modelId": ANY, **dict.fromkeys(("system", "messages", "inferenceConfig", "toolConfig"), ANY)},
    )
    # When the client converses
    with stubber:
        reply = BedrockModelClient(client=runtime).converse(MODEL_ID, REQUEST)
    # Then there is no tool input and the stop reason says why
    assert reply.tool_input is None
    assert reply.stop_reason == "max_tokens"


@pytest.mark.parametrize(
    ("code", "status", "expected"),
    [
        ("ThrottlingException", 429, ModelThrottledError),
        ("ServiceUnavailableException", 503, ModelUnavailableError),
        ("InternalServerException", 500, ModelUnavailableError),
        ("ModelNotReadyException", 429, ModelUnavailableError),
        ("ModelTimeoutException", 408, ModelUnavailableError),
        ("ValidationException", 400, ModelRequestError),
        ("AccessDeniedException", 403, ModelRequestError),
        ("ResourceNotFoundException", 404, ModelRequestError),
    ],
)
def test_bedrock_errors_map_to_retry_classes(
    runtime: BedrockRuntimeClient, code: str, status: int, expected: type[ModelError]
) -> None:
    # Given Bedrock failing with an error code
    stubber = Stubber(runtime)
    stubber.add_client_error("converse", service_error_code=code, http_status_code=status)
    # When the client converses / Then the error carries the code and the right retry class
    with stubber, pytest.raises(expected) as raised:
        BedrockModelClient(client=runtime).converse(MODEL_ID, REQUEST)
    assert raised.value.code == code


def test_a_read_timeout_is_retryable(runtime: BedrockRuntimeClient, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the HTTP read timing out
    def timeout(**_: object) -> object:
        raise ReadTimeoutError(endpoint_url="https://bedrock-runtime.eu-west-1.amazonaws.com")

    monkeypatch.setattr(runtime, "converse", timeout)
    # When the client converses / Then the error is a retryable unavailability
    with pytest.raises(ModelUnavailableError) as raised:
        BedrockModelClient(client=runtime).converse(MODEL_ID, REQUEST)
    assert raised.value.retryable


def test_bedrock_client_makes_no_botocore_retries() -> None:
    # Given the cached factory's client
    from shared.clients.aws import bedrock_runtime_client

    client = bedrock_runtime_client()
    # Then botocore makes one attempt only, so tenacity alone decides retries
    assert client.meta.config.retries["total_max_attempts"] == 1  # type: ignore[attr-defined]
