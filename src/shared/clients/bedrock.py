"""Amazon Bedrock Converse as a ``ModelClient``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import BotoCoreError, ClientError, ConnectionError, ReadTimeoutError

from shared.clients.aws import LazyClient, bedrock_runtime_client
from shared.clients.model_types import (
    ConverseRequest,
    ModelError,
    ModelReply,
    ModelRequestError,
    ModelThrottledError,
    ModelUnavailableError,
)

if TYPE_CHECKING:
    from mypy_boto3_bedrock_runtime import BedrockRuntimeClient

_THROTTLED_CODES = frozenset({"ThrottlingException", "TooManyRequestsException"})
_UNAVAILABLE_CODES = frozenset(
    {
        "ServiceUnavailableException",
        "InternalServerException",
        "ModelNotReadyException",
        "ModelTimeoutException",
    }
)


def _model_error(error: ClientError) -> ModelError:
    code = error.response.get("Error", {}).get("Code", "Unknown")
    if code in _THROTTLED_CODES:
        return ModelThrottledError("the model throttled the call", code)
    if code in _UNAVAILABLE_CODES:
        return ModelUnavailableError("the model is temporarily unavailable", code)
    return ModelRequestError("the model rejected the call", code)


class BedrockModelClient(LazyClient["BedrockRuntimeClient"]):
    """Calls ``converse`` with the tool forced; botocore retries are off, so each call is one attempt."""

    def __init__(
        self,
        client: BedrockRuntimeClient | None = None,
        client_factory: Callable[[], BedrockRuntimeClient] = bedrock_runtime_client,
    ) -> None:
        super().__init__(client, client_factory)

    def converse(self, model_id: str, request: ConverseRequest) -> ModelReply:
        tool_name = request.tool_spec["name"]
        try:
            response = self.client.converse(
                modelId=model_id,
                system=[{"text": request.system}],
                messages=cast(Any, request.messages),
                inferenceConfig={"maxTokens": request.max_tokens, "temperature": request.temperature},
                toolConfig={
                    "tools": [{"toolSpec": cast(Any, request.tool_spec)}],
                    "toolChoice": {"tool": {"name": tool_name}},
                },
            )
        except ClientError as error:
            raise _model_error(error) from error
        except (ReadTimeoutError, ConnectionError) as error:
            raise ModelUnavailableError("the model call timed out or could not connect", "Timeout") from error
        except BotoCoreError as error:
            raise ModelUnavailableError("the model call failed in transport", type(error).__name__) from error

        message = cast(dict[str, Any], response.get("output", {}).get("message", {}))
        tool_input = next(
            (
                block["toolUse"].get("input")
                for block in message.get("content", [])
                if "toolUse" in block and block["toolUse"].get("name") == tool_name
            ),
            None,
        )
        usage = response.get("usage", {})
        return ModelReply(
            tool_input=tool_input,
            stop_reason=str(response.get("stopReason", "")),
            input_tokens=int(usage.get("inputTokens", 0)),
            output_tokens=int(usage.get("outputTokens", 0)),
            assistant_message=message,
        )
