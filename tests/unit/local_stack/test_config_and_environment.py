"""Local stack settings and the handler environment the stack sets (and restores)."""

from __future__ import annotations

import os

import pytest

from careervp import constants
from local_stack.__main__ import build_parser, stack_config
from local_stack.config import LocalConfigError, LocalStackConfig
from local_stack.environment import ProcessEnvironment, handler_environment
from local_stack.provision import LocalResources

RESOURCES = LocalResources(
    table_name="careervp-cv-tailor-jobs-table-dev",
    queue_url="http://127.0.0.1:4566/123456789012/careervp-cv-tailor-queue-dev",
    queue_arn="arn:aws:sqs:us-east-1:123456789012:careervp-cv-tailor-queue-dev",
    dead_letter_queue_url="http://127.0.0.1:4566/123456789012/careervp-cv-tailor-dlq-dev",
    dead_letter_queue_arn="arn:aws:sqs:us-east-1:123456789012:careervp-cv-tailor-dlq-dev",
    event_bus_name="careervp-cv-tailor-bus-dev",
    events_queue_url="http://127.0.0.1:4566/123456789012/careervp-cv-tailor-events-queue-dev",
    events_queue_arn="arn:aws:sqs:us-east-1:123456789012:careervp-cv-tailor-events-queue-dev",
    events_rule_name="careervp-cv-tailor-events-rule-dev",
)


def test_the_default_ports_are_the_documented_ones() -> None:
    # Given no configuration
    config = LocalStackConfig.from_environment({})

    # Then moto, the Bedrock emulator and the gateway listen where the docs say, on loopback
    assert (config.host, config.aws_port, config.bedrock_port, config.api_port) == (
        "127.0.0.1",
        4566,
        4567,
        3000,
    )


def test_every_port_and_timing_can_be_overridden_from_the_environment() -> None:
    # Given CAREERVP_* variables
    environ = {
        "CAREERVP_HOST": "192.0.2.1",
        "CAREERVP_AWS_PORT": "14566",
        "CAREERVP_BEDROCK_PORT": "14567",
        "CAREERVP_API_PORT": "13000",
        "CAREERVP_RETRY_DELAY_SECONDS": "none",
        "CAREERVP_POLL_WAIT_SECONDS": "5",
    }

    # When the config is read
    config = LocalStackConfig.from_environment(environ)

    # Then they win over the defaults
    assert (config.aws_port, config.bedrock_port, config.api_port) == (14566, 14567, 13000)
    assert config.retry_delay_seconds is None
    assert config.poll_wait_seconds == 5


@pytest.mark.parametrize(
    "environ",
    [{"CAREERVP_API_PORT": "http"}, {"CAREERVP_API_PORT": "70000"}, {"CAREERVP_POLL_WAIT_SECONDS": "21"}],
    ids=["not-a-number", "port-out-of-range", "poll-wait-over-sqs-limit"],
)
def test_an_unusable_setting_names_itself(environ: dict[str, str]) -> None:
    # Given a bad variable
    # When the config is read
    with pytest.raises(LocalConfigError) as error:
        LocalStackConfig.from_environment(environ)

    # Then the error says which setting is wrong
    assert any(word in str(error.value) for word in ("CAREERVP_API_PORT", "port", "poll wait"))


def test_flags_win_over_the_environment_and_fault_flags_reach_the_emulator_config() -> None:
    # Given environment defaults and command-line flags
    environ = {
        "CAREERVP_API_PORT": "13000",
        "BEDROCK_EMULATOR_THROTTLE_RATE": "0.1",
        "BEDROCK_EMULATOR_RPM": "60",
    }
    args = build_parser(LocalStackConfig.from_environment(environ)).parse_args(
        [
            "--api-port",
            "0",
            "--throttle-rate",
            "0.3",
            "--5xx-rate",
            "0.1",
            "--latency-ms",
            "25",
            "--retry-delay-seconds",
            "none",
        ]
    )

    # When the stack config is built
    config = stack_config(args, environ)

    # Then flags win, and unflagged faults come from the emulator's own variables
    assert config.api_port == 0
    assert config.retry_delay_seconds is None
    assert config.faults is not None
    assert (config.faults.throttle_rate, config.faults.server_error_rate, config.faults.latency_ms) == (
        0.3,
        0.1,
        25,
    )
    assert config.faults.requests_per_minute == 60


def test_the_handlers_get_the_cdk_variables_and_the_standard_endpoint_variables() -> None:
    # Given the provisioned resources and the local endpoints
    # When the handler environment is built
    environment = handler_environment(
        LocalStackConfig(), RESOURCES, aws_url="http://127.0.0.1:4566", bedrock_url="http://127.0.0.1:4567"
    )

    # Then the names are the resources', the numbers the constants', and endpoints use boto3's variables
    assert environment["TABLE_NAME"] == RESOURCES.table_name
    assert environment["QUEUE_URL"] == RESOURCES.queue_url
    assert environment["EVENT_BUS_NAME"] == RESOURCES.event_bus_name
    assert environment["MAX_RECEIVE_COUNT"] == str(constants.MAX_RECEIVE_COUNT)
    assert environment["JOB_TTL_DAYS"] == str(constants.JOB_TTL_DAYS)
    assert environment["MODEL_ID"] == constants.MODEL_ID
    assert environment["PYDANTIC_DISABLE_PLUGINS"] == "__all__"
    for service in ("DYNAMODB", "SQS", "EVENTBRIDGE"):
        assert environment[f"AWS_ENDPOINT_URL_{service}"] == "http://127.0.0.1:4566"
    assert environment["AWS_ENDPOINT_URL_BEDROCK_RUNTIME"] == "http://127.0.0.1:4567"


def test_the_environment_is_restored_exactly(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a process with a profile and a table name of its own
    monkeypatch.setenv("AWS_PROFILE", "someone")
    monkeypatch.setenv("TABLE_NAME", "mine")
    monkeypatch.delenv("QUEUE_URL", raising=False)
    before = dict(os.environ)
    environment = ProcessEnvironment()

    # When the handler environment is applied
    environment.apply({"TABLE_NAME": "local-table", "QUEUE_URL": "http://queue"})
    applied = dict(os.environ)
    environment.restore()

    # Then it was in force (without the profile), and afterwards everything is as before
    assert applied["TABLE_NAME"] == "local-table"
    assert "AWS_PROFILE" not in applied
    assert dict(os.environ) == before
