"""The wire format against botocore's own service model and parser, request validation, and model ids."""

from __future__ import annotations

import json
from typing import Any, cast

import botocore.session
import pytest
from botocore.awsrequest import HeadersDict
from botocore.exceptions import ClientError
from botocore.model import ServiceModel, Shape, StructureShape
from botocore.parsers import create_parser

from local_stack.bedrock_emulator import ACCEPTED_MODEL_IDS
from local_stack.bedrock_emulator.model_ids import resolve_model_id
from local_stack.bedrock_emulator.wire import (
    ERROR_TYPE_HEADER,
    HTTP_STATUS,
    BedrockApiError,
    ErrorCode,
    ModelAnswer,
    converse_reply,
    error_reply,
    parse_converse_request,
)
from shared.tailoring import edit_tool_config
from worker.settings import HAIKU_4_5_GLOBAL_PROFILE, SONNET_4_5_GLOBAL_PROFILE

MODELLED_ERRORS = [code for code in ErrorCode if code is not ErrorCode.UNKNOWN_OPERATION]


@pytest.fixture(scope="module")
def service_model() -> ServiceModel:
    return botocore.session.get_session().get_service_model("bedrock-runtime")


def _converse_output(service_model: ServiceModel) -> Shape:
    shape = service_model.operation_model("Converse").output_shape
    assert shape is not None
    return shape


def _request(**overrides: Any) -> dict[str, Any]:
    request: dict[str, Any] = {
        "system": [{"text": "rules"}],
        "messages": [{"role": "user", "content": [{"text": "tailor"}]}],
        "inferenceConfig": {"maxTokens": 512, "temperature": 0.1},
        "toolConfig": edit_tool_config(),
    }
    request.update(overrides)
    return {key: value for key, value in request.items() if value is not None}


def _body(document: object) -> bytes:
    return json.dumps(document).encode()


def test_converse_is_the_operation_the_service_model_describes(service_model: ServiceModel) -> None:
    # Given botocore's bundled model of bedrock-runtime
    operation = service_model.operation_model("Converse")

    # When its protocol, route and modelled errors are read
    # Then they are what the emulator serves: restJson1, POST /model/{modelId}/converse, the same errors
    output_shape = operation.output_shape
    assert isinstance(output_shape, StructureShape)
    assert service_model.protocol == "rest-json"
    assert operation.http == {
        "method": "POST",
        "requestUri": "/model/{modelId}/converse",
        "responseCode": 200,
    }
    assert {shape.name for shape in operation.error_shapes} == {code.value for code in MODELLED_ERRORS}
    assert set(output_shape.required_members) == {"output", "stopReason", "usage", "metrics"}


@pytest.mark.parametrize("code", MODELLED_ERRORS, ids=lambda code: code.value)
def test_each_error_has_the_status_of_the_service_model(service_model: ServiceModel, code: ErrorCode) -> None:
    # Given the service model's shape for an error
    shape = service_model.shape_for(code.value)
    assert isinstance(shape, StructureShape)

    # When its HTTP status is compared with the emulator's
    # Then they agree, and the body has exactly the shape's members the emulator fills
    assert shape.metadata["error"]["httpStatusCode"] == HTTP_STATUS[code]
    assert "message" in shape.members


@pytest.mark.parametrize("code", MODELLED_ERRORS, ids=lambda code: code.value)
def test_botocore_reads_each_error_reply_as_its_exception(
    service_model: ServiceModel, code: ErrorCode
) -> None:
    # Given an error reply as the emulator sends it
    reply = error_reply(BedrockApiError(code, "what went wrong"))

    # When botocore's restJson1 parser reads it, and the client picks the exception class
    parsed = create_parser("rest-json").parse(
        {"status_code": reply.status, "headers": HeadersDict(reply.headers), "body": reply.body},
        _converse_output(service_model),
    )
    client = botocore.session.get_session().create_client(
        "bedrock-runtime", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x"
    )

    # Then the code, message and status come through, and name the modelled exception class
    assert parsed["Error"] == {"Code": code.value, "Message": "what went wrong"}
    assert reply.headers[ERROR_TYPE_HEADER] == code.value
    exception_class: type[ClientError] = getattr(client.exceptions, code.value)
    assert exception_class.__name__ == code.value
    # The stubs type from_code as returning an instance; at runtime it returns the class.
    assert cast(object, client.exceptions.from_code(code.value)) is exception_class


def test_botocore_reads_a_converse_reply_field_for_field(service_model: ServiceModel) -> None:
    # Given a reply with a tool call
    answer = ModelAnswer(
        [{"toolUse": {"toolUseId": "tooluse_1", "name": "submit_cv_edits", "input": {"skill_order": []}}}],
        "tool_use",
    )
    reply = converse_reply(answer, input_tokens=120, latency_ms=9)

    # When botocore parses it as a ConverseResponse
    parsed = create_parser("rest-json").parse(
        {"status_code": 200, "headers": HeadersDict(reply.headers), "body": reply.body},
        _converse_output(service_model),
    )

    # Then message, stop reason, usage and metrics come through
    assert parsed["output"]["message"] == {"role": "assistant", "content": answer.content}
    assert parsed["stopReason"] == "tool_use"
    output_tokens = parsed["usage"]["outputTokens"]
    assert output_tokens == -(-answer.output_chars // 4)
    assert parsed["usage"] == {
        "inputTokens": 120,
        "outputTokens": output_tokens,
        "totalTokens": 120 + output_tokens,
    }
    assert parsed["metrics"] == {"latencyMs": 9}


def test_a_valid_request_is_reduced_to_what_the_model_needs() -> None:
    # Given the worker's request shape
    request = _request()

    # When it is parsed
    call = parse_converse_request(_body(request))

    # Then the forced tool, the token limit and an input estimate of about chars/4 come out
    assert call.tool_name == "submit_cv_edits"
    assert call.max_tokens == 512
    assert call.user_texts() == ["tailor"]
    read = len(json.dumps(request["system"])) + len(json.dumps(request["messages"]))
    read += len(json.dumps(request["toolConfig"]))
    assert call.input_tokens == -(-read // 4)


def test_a_corrective_conversation_is_accepted() -> None:
    # Given the worker's corrective retry: the tool call, then its error result
    messages = [
        {"role": "user", "content": [{"text": "tailor"}]},
        {
            "role": "assistant",
            "content": [{"toolUse": {"toolUseId": "t1", "name": "submit_cv_edits", "input": "{"}}],
        },
        {
            "role": "user",
            "content": [{"toolResult": {"toolUseId": "t1", "content": [{"text": "bad"}], "status": "error"}}],
        },
    ]

    # When it is parsed
    call = parse_converse_request(_body(_request(messages=messages)))

    # Then the first user message's text is still there to answer from
    assert call.user_texts() == ["tailor"]


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "must be an object"),
        (_body(_request(messages=[])), "messages"),
        (_body(_request(messages=[{"role": "assistant", "content": [{"text": "hi"}]}])), "start with a user"),
        (_body(_request(messages=[{"role": "user", "content": []}])), "non-empty"),
        (
            _body(_request(messages=[{"role": "user", "content": [{"text": "a", "image": {}}]}])),
            "exactly one",
        ),
        (_body(_request(toolConfig=None)), "toolConfig"),
        (_body(_request(toolConfig={"tools": []})), "at least one tool"),
        (
            _body(_request(toolConfig={**edit_tool_config(), "toolChoice": {"tool": {"name": "other"}}})),
            "toolChoice",
        ),
        (_body(_request(inferenceConfig={"maxTokens": 0})), "maxTokens"),
        (_body(_request(inferenceConfig={"temperature": 3})), "temperature"),
        (
            _body(
                _request(
                    messages=[
                        {"role": "user", "content": [{"text": "a"}]},
                        {
                            "role": "assistant",
                            "content": [{"toolUse": {"toolUseId": "t1", "name": "x", "input": {}}}],
                        },
                        {"role": "user", "content": [{"text": "no result"}]},
                    ]
                )
            ),
            "toolResult",
        ),
    ],
)
def test_invalid_requests_are_validation_errors(body: bytes, problem: str) -> None:
    # Given a request Bedrock would refuse (or the emulator cannot answer)
    # When it is parsed
    # Then it is a ValidationException that says what is wrong
    with pytest.raises(BedrockApiError, match=problem) as raised:
        parse_converse_request(body)
    assert raised.value.code is ErrorCode.VALIDATION
    assert raised.value.status == 400


def test_the_worker_models_and_their_foundation_models_are_served() -> None:
    # Given the worker's primary and fallback model ids
    # When the emulator's accepted ids are listed
    # Then both profiles and both foundation models are there, and nothing else
    assert {
        HAIKU_4_5_GLOBAL_PROFILE,
        SONNET_4_5_GLOBAL_PROFILE,
        "anthropic.claude-haiku-4-5-20251001-v1:0",
        "anthropic.claude-sonnet-4-5-20250929-v1:0",
    } == ACCEPTED_MODEL_IDS


@pytest.mark.parametrize(
    ("model_id", "resolved"),
    [
        (HAIKU_4_5_GLOBAL_PROFILE, HAIKU_4_5_GLOBAL_PROFILE),
        ("anthropic.claude-sonnet-4-5-20250929-v1:0", "anthropic.claude-sonnet-4-5-20250929-v1:0"),
        (
            f"arn:aws:bedrock:eu-west-1:123456789012:inference-profile/{SONNET_4_5_GLOBAL_PROFILE}",
            SONNET_4_5_GLOBAL_PROFILE,
        ),
        (
            "arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0",
            "anthropic.claude-haiku-4-5-20251001-v1:0",
        ),
    ],
)
def test_known_model_ids_and_their_arns_resolve(model_id: str, resolved: str) -> None:
    # Given a served model named by id or ARN
    # When it is resolved
    # Then the canonical id comes back
    assert resolve_model_id(model_id) == resolved


@pytest.mark.parametrize(
    ("model_id", "code"),
    [
        ("anthropic.claude-3-haiku-20240307-v1:0", ErrorCode.VALIDATION),
        ("eu.anthropic.claude-haiku-4-5-20251001-v1:0", ErrorCode.VALIDATION),
        ("not a model", ErrorCode.VALIDATION),
        (
            "arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.anthropic.unknown-v1:0",
            ErrorCode.RESOURCE_NOT_FOUND,
        ),
        (
            "arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0",
            ErrorCode.RESOURCE_NOT_FOUND,
        ),
    ],
)
def test_other_model_ids_are_refused(model_id: str, code: ErrorCode) -> None:
    # Given a model the emulator does not serve
    # When it is resolved
    # Then a bare id is invalid (as Bedrock says) and an ARN names a resource that is not found
    with pytest.raises(BedrockApiError) as raised:
        resolve_model_id(model_id)
    assert raised.value.code is code
