"""The API's OpenAPI document, generated from the resolver's routes and models."""

from __future__ import annotations

import json

from api.handler import app

API_TITLE = "CareerVP CV tailoring API"
API_VERSION = "1.0.0"
API_DESCRIPTION = (
    "Asynchronous, zero-hallucination CV tailoring. POST a JSON Resume CV and a job; poll the returned "
    "status URL for the tailored JSON Resume. Calls are signed with AWS Signature V4 (IAM authorisation); "
    "each caller sees only their own jobs. Errors share one body: "
    '{"error": {"code", "message", "fields": [{"path", "message"}]}}. See docs/api.md.'
)


def openapi_document() -> str:
    """The document as committed in docs/openapi.json (indented, newline-terminated)."""
    schema = app.get_openapi_json_schema(title=API_TITLE, version=API_VERSION, description=API_DESCRIPTION)
    return json.dumps(json.loads(schema), indent=2, ensure_ascii=False) + "\n"
