"""The local API gateway: routing, IAM-style auth and the REST proxy event, without sockets."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from local_stack.gateway import ApiGatewayEmulator, HttpRequest, HttpResponse

BASE = "http://127.0.0.1:3000"


@dataclass
class RecordingHandler:
    """An API handler that records each event and context and answers 200 (or what it is told)."""

    events: list[dict[str, Any]] = field(default_factory=list)
    contexts: list[Any] = field(default_factory=list)
    answer: Any = None
    error: Exception | None = None

    def __call__(self, event: dict[str, Any], context: Any) -> Any:
        self.events.append(event)
        self.contexts.append(context)
        if self.error is not None:
            raise self.error
        if self.answer is not None:
            return self.answer
        return {
            "statusCode": 200,
            "multiValueHeaders": {"Content-Type": ["application/json"], "X-Multi": ["a", "b"]},
            "headers": {"X-Single": "1"},
            "body": json.dumps({"ok": True}),
            "isBase64Encoded": False,
        }


def signed(
    method: str,
    path: str,
    *,
    access_key: str = "AKIAALICE",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> HttpRequest:
    """A request as a SigV4 client sends it (botocore signs it; the secret is irrelevant locally)."""
    request = AWSRequest(method=method, url=BASE + path, data=body, headers=headers or {})
    SigV4Auth(Credentials(access_key, "secret"), "execute-api", "us-east-1").add_auth(request)
    all_headers = [("Host", "127.0.0.1:3000"), *request.headers.items()]
    return HttpRequest(method, path, tuple(all_headers), body or b"", "198.51.100.7")


def unsigned(method: str, path: str, body: bytes = b"") -> HttpRequest:
    return HttpRequest(method, path, (("Host", "127.0.0.1:3000"),), body, "198.51.100.7")


def gateway(handler: RecordingHandler) -> ApiGatewayEmulator:
    return ApiGatewayEmulator(handler, function_name="careervp-cv-tailor-api-lambda-dev", region="us-east-1")


def body_of(response: HttpResponse) -> Any:
    return json.loads(response.body)


def header(response: HttpResponse, name: str) -> list[str]:
    return [value for key, value in response.headers if key.lower() == name.lower()]


def test_a_signed_post_becomes_a_rest_proxy_event_with_the_callers_iam_identity() -> None:
    # Given a signed POST with a JSON body, sent to the stage URL
    handler = RecordingHandler()
    body = json.dumps({"resume": {}, "job": {}}).encode()
    request = signed(
        "POST", "/v1/api/tailor-cv?dry=1&dry=2", body=body, headers={"Content-Type": "application/json"}
    )

    # When the gateway handles it
    gateway(handler).handle(request)

    # Then the handler gets the REST API proxy event API Gateway would send
    event = handler.events[0]
    assert event["resource"] == "/api/tailor-cv"
    assert event["path"] == "/api/tailor-cv"
    assert event["httpMethod"] == "POST"
    assert event["body"] == body.decode()
    assert event["isBase64Encoded"] is False
    assert event["pathParameters"] is None
    assert event["headers"]["Content-Type"] == "application/json"
    assert event["multiValueHeaders"]["Content-Type"] == ["application/json"]
    assert event["queryStringParameters"] == {"dry": "2"}
    assert event["multiValueQueryStringParameters"] == {"dry": ["1", "2"]}
    context = event["requestContext"]
    assert context["stage"] == "v1"
    assert context["path"] == "/v1/api/tailor-cv"
    assert context["resourcePath"] == "/api/tailor-cv"
    assert context["domainName"] == "127.0.0.1:3000"
    assert context["requestId"]
    identity = context["identity"]
    assert identity["userArn"] == "arn:aws:iam::000000000000:user/AKIAALICE"
    assert identity["accessKey"] == "AKIAALICE"
    assert identity["caller"] == "AKIAALICE"
    assert identity["sourceIp"] == "198.51.100.7"


def test_a_get_without_the_stage_prefix_carries_the_job_id_as_a_path_parameter() -> None:
    # Given a signed GET of a job, without the /v1 prefix
    handler = RecordingHandler()

    # When the gateway handles it
    gateway(handler).handle(signed("GET", "/api/tailor-cv/job%2D42"))

    # Then the resource, the decoded path parameter and the request path are those of the job resource
    event = handler.events[0]
    assert event["resource"] == "/api/tailor-cv/{job_id}"
    assert event["pathParameters"] == {"job_id": "job-42"}
    assert event["requestContext"]["path"] == "/api/tailor-cv/job-42"
    assert event["body"] is None


def test_two_access_keys_are_two_different_owners() -> None:
    # Given the same request signed with two different access keys
    handler = RecordingHandler()
    emulator = gateway(handler)

    # When both are handled
    emulator.handle(signed("GET", "/api/tailor-cv/1", access_key="AKIAALICE"))
    emulator.handle(signed("GET", "/api/tailor-cv/1", access_key="AKIABOB"))

    # Then the handler sees two different IAM users
    arns = [event["requestContext"]["identity"]["userArn"] for event in handler.events]
    assert arns == ["arn:aws:iam::000000000000:user/AKIAALICE", "arn:aws:iam::000000000000:user/AKIABOB"]


@pytest.mark.parametrize(
    "request_",
    [
        unsigned("POST", "/api/tailor-cv", b"{}"),
        signed("DELETE", "/api/tailor-cv/1"),
        signed("GET", "/api/tailor-cv"),
        signed("GET", "/api/elsewhere"),
        signed("GET", "/v2/api/tailor-cv/1"),
    ],
    ids=["unsigned", "method-not-on-resource", "get-on-collection", "unknown-resource", "other-stage"],
)
def test_unsigned_requests_and_unknown_routes_get_api_gateways_403(request_: HttpRequest) -> None:
    # Given a request API Gateway would refuse before the Lambda
    handler = RecordingHandler()

    # When the gateway handles it
    response = gateway(handler).handle(request_)

    # Then it answers 403 Missing Authentication Token, and the handler never runs
    assert response.status == 403
    assert body_of(response) == {"message": "Missing Authentication Token"}
    assert header(response, "x-amzn-ErrorType") == ["MissingAuthenticationTokenException"]
    assert handler.events == []


def test_a_request_signed_for_another_service_is_refused() -> None:
    # Given a request signed for S3 instead of execute-api
    request = AWSRequest(method="GET", url=BASE + "/api/tailor-cv/1")
    SigV4Auth(Credentials("AKIAALICE", "secret"), "s3", "us-east-1").add_auth(request)
    handler = RecordingHandler()

    # When the gateway handles it
    response = gateway(handler).handle(
        HttpRequest("GET", "/api/tailor-cv/1", tuple(request.headers.items()), b"", "127.0.0.1")
    )

    # Then it is a 403 naming the right service
    assert response.status == 403
    assert "execute-api" in body_of(response)["message"]
    assert handler.events == []


def test_the_handlers_headers_and_body_reach_the_client() -> None:
    # Given a handler answering with single and multi-value headers
    handler = RecordingHandler()

    # When a signed request goes through
    response = gateway(handler).handle(signed("GET", "/api/tailor-cv/1"))

    # Then the status, every header value and the body are passed on, with a request id
    assert response.status == 200
    assert header(response, "X-Multi") == ["a", "b"]
    assert header(response, "X-Single") == ["1"]
    assert header(response, "x-amzn-RequestId")
    assert body_of(response) == {"ok": True}


def test_a_base64_encoded_proxy_result_is_decoded() -> None:
    # Given a handler answering with a base64 body
    handler = RecordingHandler(
        answer={
            "statusCode": 200,
            "headers": {},
            "body": base64.b64encode(b"\x00\x01").decode(),
            "isBase64Encoded": True,
        }
    )

    # When a signed request goes through
    response = gateway(handler).handle(signed("GET", "/api/tailor-cv/1"))

    # Then the client gets the bytes
    assert response.body == b"\x00\x01"


def test_a_body_that_is_not_utf8_is_passed_base64_encoded() -> None:
    # Given a signed POST whose body is not UTF-8
    handler = RecordingHandler()

    # When the gateway handles it
    gateway(handler).handle(signed("POST", "/api/tailor-cv", body=b"\xff\xfe{}"))

    # Then the event flags it as base64
    event = handler.events[0]
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"\xff\xfe{}"


@pytest.mark.parametrize(
    "handler",
    [RecordingHandler(error=RuntimeError("boom")), RecordingHandler(answer={"body": "no status"})],
    ids=["handler-raises", "malformed-result"],
)
def test_a_crashing_or_malformed_integration_is_a_502(handler: RecordingHandler) -> None:
    # Given a handler that raises or answers without a status code
    # When a signed request goes through
    response = gateway(handler).handle(signed("GET", "/api/tailor-cv/1"))

    # Then the client gets API Gateway's 502
    assert response.status == 502
    assert body_of(response) == {"message": "Internal server error"}


def test_a_cors_preflight_is_answered_without_auth_or_the_handler() -> None:
    # Given an unsigned OPTIONS on the submit resource
    handler = RecordingHandler()

    # When the gateway handles it
    response = gateway(handler).handle(unsigned("OPTIONS", "/api/tailor-cv"))

    # Then it answers the preflight itself
    assert response.status == 204
    assert header(response, "Access-Control-Allow-Methods") == ["OPTIONS,POST"]
    assert "Authorization" in header(response, "Access-Control-Allow-Headers")[0]
    assert handler.events == []


def test_the_lambda_context_is_the_api_functions_with_its_ten_second_timeout() -> None:
    # Given a handler recording its context
    handler = RecordingHandler()

    # When a signed request goes through
    gateway(handler).handle(signed("GET", "/api/tailor-cv/1"))

    # Then the context names the API function and counts down from its timeout
    context = handler.contexts[0]
    assert context.function_name == "careervp-cv-tailor-api-lambda-dev"
    assert 9_000 < context.get_remaining_time_in_millis() <= 10_000
    assert context.invoked_function_arn.endswith(":function:careervp-cv-tailor-api-lambda-dev")
