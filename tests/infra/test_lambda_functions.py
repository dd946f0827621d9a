"""Both functions: runtime, size, architecture, tracing, handlers, environment and log groups."""

from __future__ import annotations

import pytest
from aws_cdk.assertions import Match

from careervp import constants
from careervp.naming_utils import NamingUtils
from tests.infra.conftest import TEST_ALLOWED_ORIGINS, TEST_ENV
from tests.infra.template_reader import SynthesizedStack

pytestmark = pytest.mark.infra

NAMES = NamingUtils(env=TEST_ENV).service_names()


@pytest.mark.parametrize(
    ("function_name", "handler", "memory", "timeout"),
    [
        (NAMES.worker_function, "worker.handler.lambda_handler", 512, 60),
        (
            NAMES.api_function,
            "api.handler.lambda_handler",
            constants.API_MEMORY_MB,
            constants.API_TIMEOUT_SECONDS,
        ),
    ],
)
def test_function_runs_python_312_on_arm64_with_active_tracing(
    synthesized: SynthesizedStack, function_name: str, handler: str, memory: int, timeout: int
) -> None:
    # Given the synthesised stack
    # When the function is looked up by its scheme name
    # Then it runs the contract's handler on Python 3.12, arm64, with X-Ray active
    synthesized.template.has_resource_properties(
        "AWS::Lambda::Function",
        {
            "FunctionName": function_name,
            "Handler": handler,
            "Runtime": "python3.12",
            "Architectures": ["arm64"],
            "MemorySize": memory,
            "Timeout": timeout,
            "TracingConfig": {"Mode": "Active"},
        },
    )


def test_worker_is_the_cvtailor_function_of_the_spec(synthesized: SynthesizedStack) -> None:
    # Given the spec's constants
    # When the worker function is read from the template
    _, worker = synthesized.one("AWS::Lambda::Function", FunctionName=NAMES.worker_function)
    # Then it has the spec's 512 MB and 60 s
    assert constants.CV_TAILOR_LAMBDA == "CVTailor"
    assert worker["Properties"]["MemorySize"] == constants.CV_TAILOR_MEMORY_MB == 512
    assert worker["Properties"]["Timeout"] == constants.CV_TAILOR_TIMEOUT_SECONDS == 60


def test_worker_environment_matches_the_runtime_settings(synthesized: SynthesizedStack) -> None:
    # Given the queue and the worker
    _, queue = synthesized.one("AWS::SQS::Queue", QueueName=NAMES.queue)
    _, worker = synthesized.one("AWS::Lambda::Function", FunctionName=NAMES.worker_function)
    table_id, _ = synthesized.one("AWS::DynamoDB::Table", TableName=NAMES.table)
    bus_id, _ = synthesized.one("AWS::Events::EventBus", Name=NAMES.event_bus)
    # When the worker's environment is read
    variables = worker["Properties"]["Environment"]["Variables"]
    # Then it names the table and bus, the default models, and the queue's own maxReceiveCount
    assert variables == {
        "TABLE_NAME": {"Ref": table_id},
        "EVENT_BUS_NAME": {"Ref": bus_id},
        "MODEL_ID": "global.anthropic.claude-haiku-4-5-20251001-v1:0",
        "FALLBACK_MODEL_ID": "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
        "MAX_RECEIVE_COUNT": str(queue["Properties"]["RedrivePolicy"]["maxReceiveCount"]),
        "JOB_TTL_DAYS": str(constants.JOB_TTL_DAYS),
        "POWERTOOLS_SERVICE_NAME": "cv-tailor",
        "POWERTOOLS_METRICS_NAMESPACE": "CareerVP",
        "LOG_LEVEL": "INFO",
        "PYDANTIC_DISABLE_PLUGINS": "__all__",
    }


def test_api_environment_matches_the_runtime_settings(synthesized: SynthesizedStack) -> None:
    # Given the queue, the table and the API function
    queue_id, _ = synthesized.one("AWS::SQS::Queue", QueueName=NAMES.queue)
    table_id, _ = synthesized.one("AWS::DynamoDB::Table", TableName=NAMES.table)
    _, api = synthesized.one("AWS::Lambda::Function", FunctionName=NAMES.api_function)
    # When the API function's environment is read
    variables = api["Properties"]["Environment"]["Variables"]
    # Then it names the table and the queue URL, and carries the configured CORS origins
    assert variables == {
        "TABLE_NAME": {"Ref": table_id},
        "QUEUE_URL": {"Ref": queue_id},
        "JOB_TTL_DAYS": str(constants.JOB_TTL_DAYS),
        "ALLOWED_ORIGINS": TEST_ALLOWED_ORIGINS,
        "POWERTOOLS_SERVICE_NAME": "cv-tailor",
        "POWERTOOLS_METRICS_NAMESPACE": "CareerVP",
        "LOG_LEVEL": "INFO",
        "PYDANTIC_DISABLE_PLUGINS": "__all__",
    }


@pytest.mark.parametrize("function_name", [NAMES.worker_function, NAMES.api_function])
def test_each_function_logs_to_its_own_one_week_log_group(
    synthesized: SynthesizedStack, function_name: str
) -> None:
    # Given the function and the log group the scheme names for it
    _, function = synthesized.one("AWS::Lambda::Function", FunctionName=function_name)
    log_group_id, log_group = synthesized.one(
        "AWS::Logs::LogGroup", LogGroupName=f"/aws/lambda/{function_name}"
    )
    # When the function's logging configuration is read
    logging = function["Properties"]["LoggingConfig"]
    # Then the function writes to that group, which keeps logs for one week
    assert logging["LogGroup"] == {"Ref": log_group_id}
    assert log_group["Properties"]["RetentionInDays"] == 7


def test_code_assets_come_from_the_asset_directory(synthesized: SynthesizedStack) -> None:
    # Given the stack synthesised with lambda_asset_dir pointing at copied source bundles
    # When the functions' code is read
    # Then both are S3 assets (bundled directories), not inline code
    synthesized.template.all_resources_properties(
        "AWS::Lambda::Function",
        {"Code": {"S3Bucket": Match.any_value(), "S3Key": Match.string_like_regexp(r"^[0-9a-f]{64}\.zip$")}},
    )
