"""Where the CLI finds the API, queues, table and bus: flags, then CAREERVP_*, then stack outputs or local."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from careervp_cli.target import TargetError, TargetOptions, resolve_target

OUTPUTS = {
    "ApiUrl": "https://abc123.execute-api.eu-west-1.amazonaws.com/v1/",
    "QueueUrl": "https://sqs.eu-west-1.amazonaws.com/111122223333/careervp-cv-tailor-queue-dev",
    "DeadLetterQueueUrl": "https://sqs.eu-west-1.amazonaws.com/111122223333/careervp-cv-tailor-dlq-dev",
    "TableName": "careervp-cv-tailor-jobs-table-dev",
    "EventBusName": "careervp-cv-tailor-bus-dev",
}


class OutputsSpy:
    def __init__(self, outputs: Mapping[str, str]) -> None:
        self.outputs = outputs
        self.stacks: list[str] = []

    def __call__(self, stack_name: str) -> Mapping[str, str]:
        self.stacks.append(stack_name)
        return self.outputs


def test_with_nothing_configured_the_cli_targets_the_local_stack() -> None:
    # Given no flags and no variables
    spy = OutputsSpy(OUTPUTS)

    # When the target is resolved
    target = resolve_target(TargetOptions(), spy, environ={})

    # Then it is the local stack, with make run's ports and names, and no CloudFormation call
    assert target.kind == "local"
    assert target.api_url == "http://127.0.0.1:3000"
    assert target.endpoint_url == "http://127.0.0.1:4566"
    assert target.region == "us-east-1"
    assert target.dead_letter_queue.name == "careervp-cv-tailor-dlq-dev"
    assert target.table_name == "careervp-cv-tailor-jobs-table-dev"
    assert target.events_queue is not None
    assert target.events_queue.name == "careervp-cv-tailor-events-queue-dev"
    assert spy.stacks == []


def test_local_ports_follow_the_same_variables_as_make_run() -> None:
    # Given the local stack started on other ports
    environ = {"CAREERVP_API_PORT": "13000", "CAREERVP_AWS_PORT": "14566"}

    # When the target is resolved
    target = resolve_target(TargetOptions(), OutputsSpy({}), environ=environ)

    # Then the CLI finds it there
    assert target.api_url == "http://127.0.0.1:13000"
    assert target.endpoint_url == "http://127.0.0.1:14566"


def test_a_stack_name_selects_aws_and_reads_the_names_from_its_outputs() -> None:
    # Given a deployed stack's name
    spy = OutputsSpy(OUTPUTS)

    # When the target is resolved
    target = resolve_target(TargetOptions(stack_name="careervp-cv-tailor-stack-prod"), spy, environ={})

    # Then every name comes from the stack outputs, and endpoints stay AWS's own
    assert target.kind == "aws"
    assert spy.stacks == ["careervp-cv-tailor-stack-prod"]
    assert target.api_url == OUTPUTS["ApiUrl"]
    assert target.queue.url == OUTPUTS["QueueUrl"]
    assert target.dead_letter_queue.url == OUTPUTS["DeadLetterQueueUrl"]
    assert target.table_name == OUTPUTS["TableName"]
    assert target.event_bus_name == OUTPUTS["EventBusName"]
    assert target.endpoint_url is None
    assert target.events_queue is None


def test_target_aws_without_a_stack_name_uses_the_stack_named_by_env() -> None:
    # Given --target aws and --env prod
    spy = OutputsSpy(OUTPUTS)

    # When the target is resolved
    resolve_target(TargetOptions(target="aws", deploy_env="prod"), spy, environ={})

    # Then the outputs of the stack the naming scheme gives that env are read
    assert spy.stacks == ["careervp-cv-tailor-stack-prod"]


def test_flags_win_over_variables_which_win_over_outputs() -> None:
    # Given a DLQ URL as a flag, a table as a variable, and the rest in the outputs
    spy = OutputsSpy(OUTPUTS)
    options = TargetOptions(target="aws", dlq_url="https://sqs/flag-dlq")
    environ = {"CAREERVP_TABLE_NAME": "table-from-env", "CAREERVP_DLQ_URL": "https://sqs/env-dlq"}

    # When the target is resolved
    target = resolve_target(options, spy, environ=environ)

    # Then each name comes from the first source that has it
    assert target.dead_letter_queue.url == "https://sqs/flag-dlq"
    assert target.table_name == "table-from-env"
    assert target.queue.url == OUTPUTS["QueueUrl"]


def test_no_outputs_are_read_when_every_name_is_given() -> None:
    # Given every name as a flag
    spy = OutputsSpy(OUTPUTS)
    options = TargetOptions(
        target="aws",
        api_url="https://api",
        queue_url="https://q",
        dlq_url="https://dlq",
        table_name="t",
        event_bus_name="b",
    )

    # When the target is resolved
    resolve_target(options, spy, environ={})

    # Then CloudFormation is not asked
    assert spy.stacks == []


def test_a_missing_name_is_reported_with_where_to_set_it() -> None:
    # Given a stack without an ApiUrl output
    target = resolve_target(TargetOptions(stack_name="s"), OutputsSpy({}), environ={})

    # When the API URL is required
    with pytest.raises(TargetError) as error:
        target.require("API URL", target.api_url)

    # Then the message names the flag/variable route and the stack
    assert "API URL" in str(error.value)
    assert "stack s" in str(error.value)


def test_an_unknown_target_kind_is_refused() -> None:
    # Given CAREERVP_TARGET=staging
    # When the target is resolved
    with pytest.raises(TargetError):
        resolve_target(TargetOptions(), OutputsSpy({}), environ={"CAREERVP_TARGET": "staging"})
