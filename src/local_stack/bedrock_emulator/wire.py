"""The bedrock-runtime Converse wire format: request validation, answers and restJson1 error replies.

Status codes and error names follow botocore's bundled service model (``bedrock-runtime/2023-09-30``):
botocore picks the exception class from the ``x-amzn-ErrorType`` header and the message from the body's
``message`` member.
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

JSON_CONTENT_TYPE = "application/json"
ERROR_TYPE_HEADER = "x-amzn-ErrorType"
REQUEST_ID_HEADER = "x-amzn-RequestId"
CHARS_PER_TOKEN = 4
MAX_BODY_BYTES = 20 * 1024 * 1024

_ROLES = ("user", "assistant")
# The members of the ContentBlock union in the service model; each block sets exactly one of them.
_CONTENT_BLOCK_MEMBERS = frozenset(
    {
        "text",
        "image",
        "document",
        "video",
        "audio",
        "toolUse",
        "toolResult",
        "guardContent",
        "cachePoint",
        "reasoningContent",
        "citationsContent",
        "searchResult",
    }
)


class ErrorCode(StrEnum):
    """Converse's modelled errors, by the name botocore maps to an exception class."""

    VALIDATION = "ValidationException"
    ACCESS_DENIED = "AccessDeniedException"
    RESOURCE_NOT_FOUND = "ResourceNotFoundException"
    MODEL_TIMEOUT = "ModelTimeoutException"
    THROTTLING = "ThrottlingException"
    MODEL_NOT_READY = "ModelNotReadyException"
    MODEL_ERROR = "ModelErrorException"
    INTERNAL_SERVER = "InternalServerException"
    SERVICE_UNAVAILABLE = "ServiceUnavailableException"
    # Not a Converse error: what an AWS endpoint answers for a route it does not serve.
    UNKNOWN_OPERATION = "UnknownOperationException"


HTTP_STATUS = {
    ErrorCode.VALIDATION: 400,
    ErrorCode.ACCESS_DENIED: 403,
    ErrorCode.RESOURCE_NOT_FOUND: 404,
    ErrorCode.MODEL_TIMEOUT: 408,
    ErrorCode.THROTTLING: 429,
    ErrorCode.MODEL_NOT_READY: 429,
    ErrorCode.MODEL_ERROR: 424,
    ErrorCode.INTERNAL_SERVER: 500,
    ErrorCode.SERVICE_UNAVAILABLE: 503,
    ErrorCode.UNKNOWN_OPERATION: 404,
}


class BedrockApiError(Exception):
    """An error answer: its code picks the HTTP status and the exception class botocore raises."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(f"{code.value}: {message}")
        self.code = code
        self.message = message

    @property
    def status(self) -> int:
        return HTTP_STATUS[self.code]


@dataclass(frozen=True)
class HttpReply:
    """Status, headers and body of one HTTP answer."""

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body)


def new_request_id() -> str:
    return str(uuid.uuid4())


def json_reply(status: int, document: object, headers: Mapping[str, str] | None = None) -> HttpReply:
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return HttpReply(
        status=status,
        body=body,
        headers={"Content-Type": JSON_CONTENT_TYPE, REQUEST_ID_HEADER: new_request_id(), **(headers or {})},
    )


def error_reply(error: BedrockApiError) -> HttpReply:
    """A restJson1 error: the status, the error name in ``x-amzn-ErrorType``, and ``{"message": ...}``."""
    return json_reply(error.status, {"message": error.message}, {ERROR_TYPE_HEADER: error.code.value})


def estimate_tokens(chars: int) -> int:
    """Roughly four characters per token, and never less than one."""
    return max(1, math.ceil(chars / CHARS_PER_TOKEN))


@dataclass(frozen=True)
class ConverseCall:
    """A validated Converse request, reduced to what the emulated model needs."""

    system_texts: list[str]
    messages: list[dict[str, Any]]
    tool_name: str
    max_tokens: int | None
    input_tokens: int

    def user_texts(self) -> list[str]:
        """Every text block of every user message, in order."""
        return [
            block["text"]
            for message in self.messages
            if message["role"] == "user"
            for block in message["content"]
            if isinstance(block.get("text"), str)
        ]


def _invalid(message: str) -> BedrockApiError:
    return BedrockApiError(ErrorCode.VALIDATION, message)


def _object(value: object, name: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _invalid(f"{name} must be an object.")
    return value


def _decode(body: bytes) -> dict[str, Any]:
    try:
        document = json.loads(body.decode("utf-8")) if body.strip() else {}
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise _invalid("The request body is not valid JSON.") from error
    return _object(document, "The request body")


def _validate_content(position: int, message: dict[str, Any]) -> list[dict[str, Any]]:
    content = message.get("content")
    if not isinstance(content, list) or not content:
        raise _invalid(f"messages.{position}.content must be a non-empty list of content blocks.")
    blocks = [_object(block, f"messages.{position}.content item") for block in content]
    for block in blocks:
        if len(block) != 1 or next(iter(block)) not in _CONTENT_BLOCK_MEMBERS:
            raise _invalid(f"Each block of messages.{position}.content must set exactly one known member.")
        if "text" in block and not isinstance(block["text"], str):
            raise _invalid(f"A text block of messages.{position} must hold a string.")
    return blocks


def _tool_ids(blocks: list[dict[str, Any]], member: str, position: int) -> set[str]:
    ids: set[str] = set()
    for block in blocks:
        if member in block:
            part = _object(block[member], f"messages.{position} {member}")
            tool_use_id = part.get("toolUseId")
            if not isinstance(tool_use_id, str) or not tool_use_id:
                raise _invalid(f"Every {member} block of messages.{position} needs a toolUseId.")
            ids.add(tool_use_id)
    return ids


def _validate_messages(raw: object) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or not raw:
        raise _invalid("The messages field is required and must not be empty.")
    messages = [_object(message, "Each message") for message in raw]
    previous_tool_uses: set[str] = set()
    for position, message in enumerate(messages):
        role = message.get("role")
        if role not in _ROLES:
            raise _invalid(f"messages.{position}.role must be one of: user, assistant.")
        expected = _ROLES[position % 2]
        if role != expected:
            raise _invalid(
                "A conversation must start with a user message and alternate user and assistant roles."
            )
        blocks = _validate_content(position, message)
        if role == "assistant":
            if _tool_ids(blocks, "toolResult", position):
                raise _invalid(f"messages.{position}: only a user message may carry toolResult blocks.")
            previous_tool_uses = _tool_ids(blocks, "toolUse", position)
            continue
        if _tool_ids(blocks, "toolUse", position):
            raise _invalid(f"messages.{position}: only an assistant message may carry toolUse blocks.")
        results = _tool_ids(blocks, "toolResult", position)
        if results != previous_tool_uses:
            raise _invalid(
                f"messages.{position} must answer each toolUse of the previous message with one toolResult."
            )
        previous_tool_uses = set()
    if messages[-1]["role"] != "user":
        raise _invalid("The emulator needs the conversation to end with a user message.")
    return messages


def _validate_system(raw: object) -> list[str]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise _invalid("system must be a list of system content blocks.")
    texts = []
    for block in raw:
        text = _object(block, "Each system block").get("text")
        if text is not None:
            if not isinstance(text, str) or not text:
                raise _invalid("A system text block must hold a non-empty string.")
            texts.append(text)
    return texts


def _validate_inference(raw: object) -> int | None:
    if raw is None:
        return None
    config = _object(raw, "inferenceConfig")
    max_tokens = config.get("maxTokens")
    if max_tokens is not None and (
        isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 1
    ):
        raise _invalid("inferenceConfig.maxTokens must be a positive integer.")
    for name in ("temperature", "topP"):
        value = config.get(name)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1
        ):
            raise _invalid(f"inferenceConfig.{name} must be a number from 0 to 1.")
    return max_tokens


def _validate_tools(raw: object) -> str:
    """The name of the tool the model must call."""
    if raw is None:
        raise _invalid("The emulator answers only through a tool: toolConfig with one tool is required.")
    config = _object(raw, "toolConfig")
    tools = config.get("tools")
    if not isinstance(tools, list) or not tools:
        raise _invalid("toolConfig.tools must list at least one tool.")
    names = []
    for tool in tools:
        spec = _object(_object(tool, "Each tool").get("toolSpec"), "toolSpec")
        name = spec.get("name")
        if not isinstance(name, str) or not name:
            raise _invalid("Every toolSpec needs a name.")
        if not isinstance(spec.get("inputSchema"), dict):
            raise _invalid("Every toolSpec needs an inputSchema.")
        names.append(name)
    if len(set(names)) != len(names):
        raise _invalid("Tool names must be unique.")
    choice = config.get("toolChoice")
    if choice is None:
        return names[0]
    choice = _object(choice, "toolChoice")
    if "tool" not in choice:
        return names[0]
    chosen = _object(choice["tool"], "toolChoice.tool").get("name")
    if chosen not in names:
        raise _invalid("toolChoice.tool.name must name one of the tools in toolConfig.tools.")
    assert isinstance(chosen, str)
    return chosen


def parse_converse_request(body: bytes) -> ConverseCall:
    """Validate a Converse request body. Raises a ValidationException ``BedrockApiError``."""
    if len(body) > MAX_BODY_BYTES:
        raise _invalid("The request body is too large.")
    request = _decode(body)
    messages = _validate_messages(request.get("messages"))
    system_texts = _validate_system(request.get("system"))
    max_tokens = _validate_inference(request.get("inferenceConfig"))
    tool_name = _validate_tools(request.get("toolConfig"))
    # The model reads the system prompt, the conversation and the tool definitions.
    read = [request.get("system"), messages, request.get("toolConfig")]
    chars = sum(len(json.dumps(part, ensure_ascii=False)) for part in read if part is not None)
    return ConverseCall(
        system_texts=system_texts,
        messages=messages,
        tool_name=tool_name,
        max_tokens=max_tokens,
        input_tokens=estimate_tokens(chars),
    )


@dataclass(frozen=True)
class ModelAnswer:
    """What the emulated model says: its content blocks and why it stopped."""

    content: list[dict[str, Any]]
    stop_reason: str

    @property
    def output_chars(self) -> int:
        return len(json.dumps(self.content, ensure_ascii=False))


def tool_use_block(tool_name: str, tool_input: object) -> dict[str, Any]:
    return {
        "toolUse": {"toolUseId": f"tooluse_{uuid.uuid4().hex[:22]}", "name": tool_name, "input": tool_input}
    }


def converse_reply(answer: ModelAnswer, input_tokens: int, latency_ms: int) -> HttpReply:
    """The ConverseResponse document: output.message, stopReason, usage and metrics."""
    output_tokens = estimate_tokens(answer.output_chars)
    return json_reply(
        200,
        {
            "output": {"message": {"role": "assistant", "content": answer.content}},
            "stopReason": answer.stop_reason,
            "usage": {
                "inputTokens": input_tokens,
                "outputTokens": output_tokens,
                "totalTokens": input_tokens + output_tokens,
            },
            "metrics": {"latencyMs": latency_ms},
        },
    )
