"""The REST API: routes, IAM authorisation, Lambda proxy, CORS preflight, stage logging and throttling."""

from __future__ import annotations

import json
from typing import Any

import pytest

from api.responses import SECURITY_HEADERS
from careervp import constants
from careervp.naming_utils import NamingUtils
from tests.infra.conftest import TEST_ALLOWED_ORIGINS, TEST_ENV
from tests.infra.template_reader import SynthesizedStack, render

pytestmark = pytest.mark.infra

NAMES = NamingUtils(env=TEST_ENV).service_names()


def _resource_id(synthesized: SynthesizedStack, path_part: str) -> str:
    logical_id, _ = synthesized.one("AWS::ApiGateway::Resource", PathPart=path_part)
    return logical_id


def _methods(synthesized: SynthesizedStack, resource_id: str) -> dict[str, dict[str, Any]]:
    return {
        method["Properties"]["HttpMethod"]: method["Properties"]
        for method in synthesized.of_type("AWS::ApiGateway::Method").values()
        if method["Properties"]["ResourceId"] == {"Ref": resource_id}
    }


def test_routes_are_api_tailor_cv_and_its_job_id_child(synthesized: SynthesizedStack) -> None:
    # Given the API's resources
    api_id = _resource_id(synthesized, "api")
    tailor_id = _resource_id(synthesized, "tailor-cv")
    job_id = _resource_id(synthesized, "{job_id}")
    # When their parents are read
    resources = synthesized.resources
    # Then the tree is /api/tailor-cv/{job_id}
    assert resources[tailor_id]["Properties"]["ParentId"] == {"Ref": api_id}
    assert resources[job_id]["Properties"]["ParentId"] == {"Ref": tailor_id}
    assert constants.GW_RESOURCE_TAILOR == "tailor-cv"


@pytest.mark.parametrize(("path_part", "http_method"), [("tailor-cv", "POST"), ("{job_id}", "GET")])
def test_methods_use_iam_authorisation_and_lambda_proxy_to_the_api_function(
    synthesized: SynthesizedStack, path_part: str, http_method: str
) -> None:
    # Given the API function
    function_id, _ = synthesized.one("AWS::Lambda::Function", FunctionName=NAMES.api_function)
    # When the method on the resource is read
    method = _methods(synthesized, _resource_id(synthesized, path_part))[http_method]
    # Then it requires SigV4 (AWS_IAM) and proxies the request to the API function
    assert method["AuthorizationType"] == "AWS_IAM"
    assert method["Integration"]["Type"] == "AWS_PROXY"
    assert method["Integration"]["IntegrationHttpMethod"] == "POST"
    assert f"${{{function_id}.Arn}}" in render(method["Integration"]["Uri"])


def test_get_requires_the_job_id_path_parameter(synthesized: SynthesizedStack) -> None:
    # Given the GET method
    method = _methods(synthesized, _resource_id(synthesized, "{job_id}"))["GET"]
    validator_id = method["RequestValidatorId"]["Ref"]
    # When its parameters and validator are read
    validator = synthesized.resources[validator_id]["Properties"]
    # Then API Gateway rejects a request without job_id before invoking the function
    assert method["RequestParameters"] == {"method.request.path.job_id": True}
    assert validator["ValidateRequestParameters"] is True


@pytest.mark.parametrize(
    ("path_part", "allowed_methods"), [("tailor-cv", "POST,OPTIONS"), ("{job_id}", "GET,OPTIONS")]
)
def test_preflight_allows_the_context_origins_and_the_signing_headers(
    synthesized: SynthesizedStack, path_part: str, allowed_methods: str
) -> None:
    # Given the CORS origins set in context
    origins = TEST_ALLOWED_ORIGINS.split(",")
    # When the OPTIONS method on the resource is read
    preflight = _methods(synthesized, _resource_id(synthesized, path_part))["OPTIONS"]
    response = preflight["Integration"]["IntegrationResponses"][0]
    text = json.dumps(preflight)
    # Then it is an unauthenticated mock that answers with the methods, the SigV4 and Idempotency-Key
    # headers, and only the configured origins
    assert preflight["AuthorizationType"] == "NONE"
    assert preflight["Integration"]["Type"] == "MOCK"
    headers = response["ResponseParameters"]
    assert headers["method.response.header.Access-Control-Allow-Methods"] == f"'{allowed_methods}'"
    allowed_headers = headers["method.response.header.Access-Control-Allow-Headers"]
    for header in ("Content-Type", "Authorization", "X-Amz-Date", "X-Amz-Security-Token", "Idempotency-Key"):
        assert header in allowed_headers
    for origin in origins:
        assert origin in text
    assert "'*'" not in headers.get("method.response.header.Access-Control-Allow-Origin", "")


def test_stage_has_json_access_logs_tracing_and_throttling(synthesized: SynthesizedStack) -> None:
    # Given the access log group named by the scheme
    log_group_id, log_group = synthesized.one("AWS::Logs::LogGroup", LogGroupName=NAMES.api_access_log_group)
    # When the stage is read
    _, stage = synthesized.one("AWS::ApiGateway::Stage", StageName=constants.API_STAGE_NAME)
    properties = stage["Properties"]
    # Then it logs one JSON object per request to that group, traces with X-Ray and throttles the stage
    assert log_group["Properties"]["RetentionInDays"] == constants.API_ACCESS_LOG_RETENTION_DAYS
    assert f"${{{log_group_id}}}" in render(properties["AccessLogSetting"]["DestinationArn"])
    access_log = json.loads(properties["AccessLogSetting"]["Format"])
    assert access_log["requestId"] == "$context.requestId"
    assert access_log["userArn"] == "$context.identity.userArn"
    assert properties["TracingEnabled"] is True
    [settings] = properties["MethodSettings"]
    assert (settings["HttpMethod"], settings["ResourcePath"]) == ("*", "/*")
    assert settings["ThrottlingRateLimit"] == constants.API_THROTTLING_RATE_LIMIT
    assert settings["ThrottlingBurstLimit"] == constants.API_THROTTLING_BURST_LIMIT
    assert settings["DataTraceEnabled"] is False


@pytest.mark.parametrize("response_type", ["DEFAULT_4XX", "DEFAULT_5XX"])
def test_gateway_refusals_carry_the_functions_security_headers(
    synthesized: SynthesizedStack, response_type: str
) -> None:
    # Given the synthesised stack
    # When API Gateway's own response of this type is looked up
    _, response = synthesized.one("AWS::ApiGateway::GatewayResponse", ResponseType=response_type)

    # Then it sends nosniff and no-store, exactly the headers the function sends
    parameters = response["Properties"]["ResponseParameters"]
    assert parameters == {
        f"gatewayresponse.header.{name}": f"'{value}'" for name, value in SECURITY_HEADERS.items()
    }


def test_rest_api_is_regional_and_named_by_the_scheme(synthesized: SynthesizedStack) -> None:
    # Given the synthesised stack
    # When the REST API is looked up
    # Then it carries the scheme's name and a regional endpoint
    synthesized.template.has_resource_properties(
        "AWS::ApiGateway::RestApi",
        {"Name": NAMES.rest_api, "EndpointConfiguration": {"Types": ["REGIONAL"]}},
    )
