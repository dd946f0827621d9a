"""Checks on the raw API Gateway (REST, Lambda proxy) event that run before routing and schema validation.

Powertools' validation parses the body first thing, so anything that could make parsing slow, wrong or crash
(no identity, oversize or non-JSON bodies, bad base64, deep nesting, NaN, lone surrogates) is refused here,
in this order: identity (403), content type (415), size (413), empty/undecodable/malformed body (400), and a
body that is not a JSON object (422).
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections.abc import Mapping
from typing import Any

from api.responses import (
    ApiRequestError,
    ForbiddenError,
    PayloadTooLargeError,
    SchemaViolationError,
    UnsupportedMediaTypeError,
)

MAX_BODY_BYTES = 102_400
MAX_JSON_DEPTH = 32
JSON_MEDIA_TYPE = "application/json"

_IDENTITY_FIELDS = ("userArn", "caller", "accessKey")
COGNITO_OWNER_PREFIX = "cognito:"
COGNITO_AUTHENTICATED = "authenticated"
_METHODS_WITH_BODY = frozenset({"POST", "PUT", "PATCH"})
# Base64 carries 3 bytes in 4 characters; anything longer than this decodes to more than the limit.
_MAX_BASE64_CHARS = 4 * math.ceil(MAX_BODY_BYTES / 3)
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SAFE_PATH_PREFIX = re.compile(r"^(/[A-Za-z0-9._~-]+)+$")


def caller_identity(event: Mapping[str, Any]) -> str | None:
    """The owner of a request: the strongest identity in its authorised request context, or None.

    - A Cognito identity-pool caller is its identity id (``cognito:<region>:<uuid>``). Every user of a pool
      signs with the pool's role, so the user ARN names that role, not the user. An unauthenticated
      (guest) identity is refused with ``ForbiddenError``: it has no stable owner to scope its jobs to.
    - Otherwise the user ARN: an IAM user, or an assumed role *and its session name*
      (``arn:aws:sts::…:assumed-role/<role>/<session>``). Callers that choose their own session name can
      share an owner by choosing the same one; ``docs/security.md`` says so.
    - Failing those, the caller id, then the access key.
    """
    request_context = event.get("requestContext")
    identity = request_context.get("identity") if isinstance(request_context, Mapping) else None
    if not isinstance(identity, Mapping):
        return None
    cognito_id = identity.get("cognitoIdentityId")
    if isinstance(cognito_id, str) and cognito_id.strip():
        if identity.get("cognitoAuthenticationType") != COGNITO_AUTHENTICATED:
            raise ForbiddenError(
                "Unauthenticated Cognito identities cannot use this API; sign in through the identity pool."
            )
        return f"{COGNITO_OWNER_PREFIX}{cognito_id}"
    for field in _IDENTITY_FIELDS:
        value = identity.get(field)
        if isinstance(value, str) and value.strip():
            return value
    return None


def admit_request(event: dict[str, Any]) -> None:
    """Raise the ``ApiRequestError`` for the first transport-level problem; return when the request is fit.

    An admitted body's Content-Type header is rewritten to plain ``application/json``: media types are
    case-insensitive, but Powertools recognises JSON only by that exact lower-case prefix.
    """
    if caller_identity(event) is None:
        raise ForbiddenError("The request carries no IAM caller identity; sign it with AWS Signature V4.")
    method = event.get("httpMethod")
    if not isinstance(method, str) or not isinstance(event.get("path"), str):
        raise ApiRequestError("The event is not an API Gateway REST proxy request.", code="bad_request")
    method = method.upper()
    raw_body = event.get("body")
    if raw_body is None or raw_body == "":
        if method in _METHODS_WITH_BODY:
            raise ApiRequestError("The request body is empty; send a JSON object.", code="empty_body")
        return
    if not isinstance(raw_body, str):
        raise ApiRequestError("The request body is not text.", code="invalid_body")
    _check_content_type(_header(event, "content-type"))
    text = _decoded_body(raw_body, base64_encoded=bool(event.get("isBase64Encoded")))
    if not text.strip():
        raise ApiRequestError("The request body is empty; send a JSON object.", code="empty_body")
    _check_json(text)
    _normalise_content_type(event)


def status_path(event: Mapping[str, Any], resource_path: str) -> str:
    """``resource_path`` as the client reaches it, with the stage or custom-domain base path in front."""
    request_context = event.get("requestContext")
    full_path = request_context.get("path") if isinstance(request_context, Mapping) else None
    routed_path = event.get("path")
    if not (isinstance(full_path, str) and isinstance(routed_path, str) and routed_path):
        return resource_path
    if not full_path.endswith(routed_path):
        return resource_path
    prefix = full_path[: -len(routed_path)].rstrip("/")
    return prefix + resource_path if _SAFE_PATH_PREFIX.match(prefix) else resource_path


def _header(event: Mapping[str, Any], name: str) -> str | None:
    headers = event.get("headers")
    if not isinstance(headers, Mapping):
        return None
    for key, value in headers.items():
        if isinstance(key, str) and key.lower() == name and isinstance(value, str):
            return value
    return None


def _normalise_content_type(event: dict[str, Any]) -> None:
    for field in ("headers", "multiValueHeaders"):
        headers = event.get(field)
        if not isinstance(headers, dict):
            continue
        for key in [key for key in headers if isinstance(key, str) and key.lower() == "content-type"]:
            headers[key] = [JSON_MEDIA_TYPE] if field == "multiValueHeaders" else JSON_MEDIA_TYPE


def _decoded_body(raw_body: str, *, base64_encoded: bool) -> str:
    if base64_encoded:
        if len(raw_body) > _MAX_BASE64_CHARS:
            raise _too_large()
        try:
            data = base64.b64decode(raw_body, validate=True)
        except (binascii.Error, ValueError):
            raise ApiRequestError("The request body is not valid base64.", code="invalid_body") from None
        if len(data) > MAX_BODY_BYTES:
            raise _too_large()
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise ApiRequestError("The request body is not UTF-8 text.", code="invalid_body") from None
    # Every character is at least one byte, so a long string is oversize without encoding it.
    if len(raw_body) > MAX_BODY_BYTES:
        raise _too_large()
    try:
        size = len(raw_body.encode("utf-8"))
    except UnicodeEncodeError:
        raise ApiRequestError("The request body is not UTF-8 text.", code="invalid_body") from None
    if size > MAX_BODY_BYTES:
        raise _too_large()
    return raw_body


def _too_large() -> PayloadTooLargeError:
    return PayloadTooLargeError(f"The request body is larger than {MAX_BODY_BYTES} bytes.")


def _check_content_type(content_type: str | None) -> None:
    if content_type is None or not content_type.strip():
        raise UnsupportedMediaTypeError("Send the body with Content-Type: application/json.")
    media_type, *parameters = (part.strip() for part in content_type.split(";"))
    if media_type.lower() != JSON_MEDIA_TYPE:
        raise UnsupportedMediaTypeError("Only application/json bodies are accepted.")
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in {"utf-8", "utf8"}:
            raise UnsupportedMediaTypeError("Only UTF-8 JSON is accepted (charset=utf-8).")


def _check_json(text: str) -> None:
    try:
        document = json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except RecursionError:
        raise _too_deep() from None
    except json.JSONDecodeError as error:
        raise ApiRequestError(
            f"The request body is not valid JSON: {error.msg} at line {error.lineno} column {error.colno}.",
            code="malformed_json",
        ) from None
    except ValueError:
        # Non-finite numbers, NaN/Infinity and integers beyond Python's digit limit.
        raise ApiRequestError(
            "The request body is not valid JSON: it holds a number out of range.", code="malformed_json"
        ) from None
    if _bracket_depth_bound(text) > MAX_JSON_DEPTH and _depth(document) > MAX_JSON_DEPTH:
        raise _too_deep()
    if not isinstance(document, dict):
        # Checked here because Powertools would validate the first element of an array body as the body.
        raise SchemaViolationError(
            "The request body does not match the schema: 1 problem(s).",
            fields=[{"path": "body", "message": "must be a JSON object"}],
        )
    if _SURROGATE_ESCAPE.search(text) and not _encodable(document):
        raise ApiRequestError(
            "The request body holds an unpaired UTF-16 surrogate escape (\\uD800-\\uDFFF).",
            code="invalid_body",
        )


def _too_deep() -> ApiRequestError:
    return ApiRequestError(f"The JSON body nests deeper than {MAX_JSON_DEPTH} levels.", code="json_too_deep")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite_float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise ValueError("number out of range")
    return value


def _bracket_depth_bound(text: str) -> int:
    """An upper bound of the nesting depth (brackets inside strings count too), computed at C speed."""
    depth = deepest = 0
    for bracket in _NOT_A_BRACKET.sub("", text):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _depth(document: Any) -> int:
    """Exact nesting depth of a parsed document, without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        node, level = stack.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else None
        if children is None:
            continue
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children if isinstance(child, dict | list))
    return deepest


def _encodable(document: Any) -> bool:
    try:
        json.dumps(document, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def cors_headers(event: Mapping[str, Any], allowed_origins: tuple[str, ...]) -> dict[str, str]:
    """The CORS response headers for this request's Origin; API Gateway answers the preflight itself."""
    if "*" in allowed_origins:
        return {"Access-Control-Allow-Origin": "*"}
    origin = _header(event, "origin")
    if origin is not None and origin in allowed_origins:
        return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
    return {}
