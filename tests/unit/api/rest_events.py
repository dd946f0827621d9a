"""API Gateway REST (Lambda proxy) events, a Lambda context, and a parsed view of the handler's response."""

from __future__ import annotations

import base64
import copy
import json
from dataclasses import dataclass, field
from typing import Any

OWNER = "arn:aws:iam::123456789012:user/alice"
OTHER_OWNER = "arn:aws:iam::123456789012:user/mallory"
STAGE = "prod"
DOMAIN = "abc123defg.execute-api.eu-west-1.amazonaws.com"
TAILOR_PATH = "/api/tailor-cv"
# Planted in every sample document: it must never show up in a log line, a message or a status response.
SENTINEL = "SENTINEL-7f3c-do-not-leak"

_UNSET: Any = object()


def sample_resume() -> dict[str, Any]:
    return {
        "basics": {
            "name": "Alice Example",
            "label": "Data Engineer",
            "summary": f"Builds pipelines. {SENTINEL}",
        },
        "work": [
            {
                "name": "Acme Analytics",
                "position": "Data Engineer",
                "startDate": "2019-04",
                "highlights": ["Cut batch runtime by 40% with Spark", f"Owned the Airflow estate {SENTINEL}"],
            }
        ],
        "skills": [{"name": "Data", "keywords": ["Python", "Spark", "Airflow"]}],
    }


def sample_job() -> dict[str, Any]:
    return {
        "title": "Senior Data Engineer",
        "skills": [{"name": "Spark"}],
        "description": f"Spark {SENTINEL}",
    }


def sample_request(**overrides: Any) -> dict[str, Any]:
    document: dict[str, Any] = {"resume": sample_resume(), "job": sample_job()}
    document.update(copy.deepcopy(overrides))
    return document


def rest_event(
    method: str,
    path: str,
    *,
    json_body: Any = _UNSET,
    body: str | None = None,
    headers: dict[str, str] | None = None,
    owner: str | None = OWNER,
    identity: dict[str, Any] | None = None,
    base64_encoded: bool = False,
    resource: str | None = None,
    path_parameters: dict[str, str] | None = None,
    with_stage_path: bool = True,
) -> dict[str, Any]:
    """A REST API proxy event. ``json_body`` is serialised and sent as application/json unless headers say
    otherwise; ``body`` is sent verbatim."""
    all_headers: dict[str, str] = {}
    if json_body is not _UNSET:
        body = json.dumps(json_body)
        all_headers["Content-Type"] = "application/json"
    all_headers.update(headers or {})
    if base64_encoded and body is not None:
        body = base64.b64encode(body.encode("utf-8")).decode("ascii")
    caller_identity = identity if identity is not None else ({"userArn": owner} if owner else {})
    request_context: dict[str, Any] = {
        "accountId": "123456789012",
        "apiId": "abc123defg",
        "domainName": DOMAIN,
        "httpMethod": method,
        "identity": {"sourceIp": "203.0.113.7", **caller_identity},
        "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
        "resourcePath": resource or path,
        "stage": STAGE,
    }
    if with_stage_path:
        request_context["path"] = f"/{STAGE}{path}"
    return {
        "resource": resource or path,
        "path": path,
        "httpMethod": method,
        "headers": all_headers or None,
        "multiValueHeaders": {name: [value] for name, value in all_headers.items()} or None,
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": path_parameters,
        "stageVariables": None,
        "requestContext": request_context,
        "body": body,
        "isBase64Encoded": base64_encoded,
    }


def post_event(json_body: Any = _UNSET, **kwargs: Any) -> dict[str, Any]:
    return rest_event("POST", TAILOR_PATH, json_body=json_body, **kwargs)


def get_event(job_id: str, **kwargs: Any) -> dict[str, Any]:
    return rest_event(
        "GET",
        f"{TAILOR_PATH}/{job_id}",
        resource=f"{TAILOR_PATH}/{{job_id}}",
        path_parameters={"job_id": job_id},
        **kwargs,
    )


@dataclass
class LambdaContextStub:
    function_name: str = "careervp-api"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:eu-west-1:123456789012:function:careervp-api"
    aws_request_id: str = "4d1b3e54-0c1c-4a57-bc0c-3a0c5d1e9f11"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


@dataclass
class ApiResponse:
    status: int
    headers: dict[str, str]
    raw_body: str
    body: Any = field(default=None)

    def header(self, name: str) -> str | None:
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return None

    @property
    def error_code(self) -> str | None:
        error = self.body.get("error") if isinstance(self.body, dict) else None
        return None if error is None else str(error["code"])


def parse_response(response: dict[str, Any]) -> ApiResponse:
    headers: dict[str, str] = {}
    for name, values in (response.get("multiValueHeaders") or {}).items():
        headers[name] = ", ".join(values)
    for name, value in (response.get("headers") or {}).items():
        headers[name] = value
    raw_body = response.get("body") or ""
    return ApiResponse(
        status=int(response["statusCode"]),
        headers=headers,
        raw_body=raw_body,
        body=json.loads(raw_body) if raw_body else None,
    )
