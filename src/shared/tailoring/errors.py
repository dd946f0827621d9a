"""Errors raised by the tailoring core."""

from __future__ import annotations

from enum import StrEnum


class ModelOutputCode(StrEnum):
    """Why a model response could not be used; the worker retries once with a corrective message."""

    EMPTY_OUTPUT = "empty_output"
    MALFORMED_OUTPUT = "malformed_output"
    TRUNCATED_OUTPUT = "truncated_output"


class TailoringError(Exception):
    """Base class of the tailoring core's errors."""


class ModelOutputError(TailoringError):
    """The model's tool input is unusable as an edit set. The message never quotes CV or job text."""

    def __init__(self, code: ModelOutputCode, message: str) -> None:
        super().__init__(f"{code.value}: {message}")
        self.code = code
        self.message = message
