"""What goes to the model and what comes back, independent of the transport."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple


class ConverseRequest(NamedTuple):
    """A forced single-tool call: the model must answer by calling ``tool_spec``."""

    system: str
    messages: list[dict[str, Any]]
    tool_spec: dict[str, Any]
    max_tokens: int
    temperature: float


@dataclass(frozen=True)
class ModelReply:
    tool_input: Any | None
    stop_reason: str
    input_tokens: int
    output_tokens: int
    assistant_message: dict[str, Any] = field(default_factory=dict)


class ModelError(Exception):
    """A model call failed."""

    retryable = False

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


class ModelThrottledError(ModelError):
    """The model's quota was exceeded (ThrottlingException)."""

    retryable = True


class ModelUnavailableError(ModelError):
    """A transient model failure: 5xx, model not ready, model timeout, connection or read timeout."""

    retryable = True


class ModelRequestError(ModelError):
    """The request itself is wrong or not allowed; retrying cannot help."""
