"""JSON responses and the error body every 4xx/5xx shares.

Error body: ``{"error": {"code": str, "message": str, "fields": [{"path": str, "message": str}]}}``.
Every response is ``application/json`` with ``X-Content-Type-Options: nosniff`` and
``Cache-Control: no-store``, and ``<``, ``>`` and ``&`` are escaped inside JSON strings, so nothing reflected
can run in a browser.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types

from shared.resume.models import PATTERN_MESSAGES

RETRY_AFTER_SECONDS = 5
MAX_FIELD_PROBLEMS = 50
MAX_PATH_SEGMENT_CHARS = 64
# JSON Resume lets a field be left out, never null; pydantic would say "Input should be a valid string".
NULL_MESSAGE = "must not be null"
SECURITY_HEADERS: Mapping[str, str] = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}

_HTML_SENSITIVE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})
_IDENTIFIER = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")
_PYDANTIC_VALUE_ERROR_PREFIX = "Value error, "


class ApiRequestError(Exception):
    """A request the API refuses before any write; carries its HTTP status and error code."""

    status: HTTPStatus = HTTPStatus.BAD_REQUEST
    code: str = "bad_request"

    def __init__(
        self, message: str, *, code: str | None = None, fields: Sequence[Mapping[str, str]] = ()
    ) -> None:
        super().__init__(message)
        self.message = message
        self.fields = list(fields)
        if code is not None:
            self.code = code


class ForbiddenError(ApiRequestError):
    status = HTTPStatus.FORBIDDEN
    code = "forbidden"


class PayloadTooLargeError(ApiRequestError):
    status = HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    code = "payload_too_large"


class UnsupportedMediaTypeError(ApiRequestError):
    status = HTTPStatus.UNSUPPORTED_MEDIA_TYPE
    code = "unsupported_media_type"


class SchemaViolationError(ApiRequestError):
    status = HTTPStatus.UNPROCESSABLE_ENTITY
    code = "validation_failed"


def serialize_json(value: Any) -> str:
    """Compact JSON with the HTML-sensitive characters escaped (they only ever occur inside strings)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).translate(_HTML_SENSITIVE)


def json_response(
    status: int, body: Mapping[str, Any], headers: Mapping[str, str] | None = None
) -> Response[Any]:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=serialize_json(body),
        headers={**SECURITY_HEADERS, **(headers or {})},
    )


def error_response(
    status: int,
    code: str,
    message: str,
    fields: Sequence[Mapping[str, str]] = (),
    headers: Mapping[str, str] | None = None,
) -> Response[Any]:
    return json_response(
        status, {"error": {"code": code, "message": message, "fields": list(fields)}}, headers=headers
    )


def api_error_response(error: ApiRequestError) -> Response[Any]:
    return error_response(error.status, error.code, error.message, error.fields)


def unavailable_response(message: str) -> Response[Any]:
    return error_response(
        HTTPStatus.SERVICE_UNAVAILABLE,
        "service_unavailable",
        message,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def field_problems(errors: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """``{path, message}`` for each pydantic error; the offending input is never echoed back."""
    return [{"path": error_path(error.get("loc", ())), "message": _clear_message(error)} for error in errors]


def error_path(location: Sequence[Any]) -> str:
    """``("body", "resume", "work", 0, "startDate")`` -> ``body.resume.work[0].startDate``."""
    if not location:
        return "body"
    head, *rest = location
    if head == "header" and rest:
        return "header." + "-".join(part.capitalize() for part in str(rest[0]).split("-"))
    path = str(head)
    for part in rest:
        if isinstance(part, int):
            path += f"[{part}]"
        elif _IDENTIFIER.match(str(part)):
            path += f".{part}"
        else:
            path += f"[{json.dumps(str(part)[:MAX_PATH_SEGMENT_CHARS], ensure_ascii=True)}]"
    return path


def _clear_message(error: Mapping[str, Any]) -> str:
    message = str(error.get("msg", "is invalid"))
    error_type = str(error.get("type", ""))
    if error_type == "extra_forbidden":
        return "is not an allowed field"
    if error_type == "missing":
        return "is required"
    # A null where a value of some type was expected: "Input should be a valid string" would not say why.
    if error.get("input", ...) is None and (error_type.endswith("_type") or error_type == "literal_error"):
        return NULL_MESSAGE
    if error_type == "string_pattern_mismatch":
        pattern = (error.get("ctx") or {}).get("pattern")
        return PATTERN_MESSAGES.get(str(pattern), message)
    return message.removeprefix(_PYDANTIC_VALUE_ERROR_PREFIX)
