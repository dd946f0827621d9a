"""Least privilege: one role per function, and every statement's exact actions and resources."""

from __future__ import annotations

import json
from typing import Any

import pytest

from careervp.naming_utils import NamingUtils
from tests.infra.conftest import TEST_ENV
from tests.infra.template_reader import SynthesizedStack, as_list

pytestmark = pytest.mark.infra

NAMES = NamingUtils(env=TEST_ENV).service_names()
REGION = "${AWS::Region}"
ACCOUNT = "${AWS::AccountId}"
PARTITION = "${AWS::Partition}"
HAIKU = "anthropic.claude-haiku-4-5-20251001-v1:0"
SONNET = "anthropic.claude-sonnet-4-5-20250929-v1:0"
XRAY_STATEMENT = {
    "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
    "Effect": "Allow",
    "Resource": "*",
}


def _ids(synthesized: SynthesizedStack) -> dict[str, str]:
    return {
        "table": synthesized.one("AWS::DynamoDB::Table", TableName=NAMES.table)[0],
        "queue": synthesized.one("AWS::SQS::Queue", QueueName=NAMES.queue)[0],
        "bus": synthesized.one("AWS::Events::EventBus", Name=NAMES.event_bus)[0],
        "api_logs": synthesized.one("AWS::Logs::LogGroup", LogGroupName=NAMES.api_log_group)[0],
        "worker_logs": synthesized.one("AWS::Logs::LogGroup", LogGroupName=NAMES.worker_log_group)[0],
    }


def _profile_statements(sid_prefix: str, model: str) -> list[dict[str, Any]]:
    profile_arn = f"arn:{PARTITION}:bedrock:{REGION}:{ACCOUNT}:inference-profile/global.{model}"
    return [
        {
            "Sid": f"{sid_prefix}Profile",
            "Action": "bedrock:InvokeModel",
            "Effect": "Allow",
            "Resource": profile_arn,
            "Condition": {"StringEquals": {"aws:RequestedRegion": REGION}},
        },
        {
            "Sid": f"{sid_prefix}RegionalModel",
            "Action": "bedrock:InvokeModel",
            "Effect": "Allow",
            "Resource": f"arn:{PARTITION}:bedrock:{REGION}::foundation-model/{model}",
            "Condition": {
                "StringEquals": {"aws:RequestedRegion": REGION, "bedrock:InferenceProfileArn": profile_arn}
            },
        },
        {
            "Sid": f"{sid_prefix}GlobalModel",
            "Action": "bedrock:InvokeModel",
            "Effect": "Allow",
            "Resource": f"arn:{PARTITION}:bedrock:::foundation-model/{model}",
            "Condition": {
                "StringEquals": {
                    "aws:RequestedRegion": "unspecified",
                    "bedrock:InferenceProfileArn": profile_arn,
                }
            },
        },
    ]


def _sorted(statements: list[dict[str, Any]]) -> list[str]:
    return sorted(json.dumps(statement, sort_keys=True) for statement in statements)


def test_api_role_has_exactly_the_statements_it_needs(synthesized: SynthesizedStack) -> None:
    # Given the API function's role
    ids = _ids(synthesized)
    role_id = synthesized.role_of_function(NAMES.api_function)
    # When every statement granted to it is collected
    statements = synthesized.role_statements(role_id)
    # Then it may write its logs and traces, put/get/delete job items, and send to the queue: nothing else
    assert _sorted(statements) == _sorted(
        [
            {
                "Sid": "WriteOwnLogs",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Effect": "Allow",
                "Resource": f"${{{ids['api_logs']}.Arn}}",
            },
            XRAY_STATEMENT,
            {
                "Sid": "WriteReadAndRollBackJobs",
                "Action": ["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:DeleteItem"],
                "Effect": "Allow",
                "Resource": f"${{{ids['table']}.Arn}}",
            },
            {
                "Sid": "EnqueueJobs",
                "Action": "sqs:SendMessage",
                "Effect": "Allow",
                "Resource": f"${{{ids['queue']}.Arn}}",
            },
        ]
    )


def test_api_role_has_no_bedrock_access(synthesized: SynthesizedStack) -> None:
    # Given the API function's role
    role_id = synthesized.role_of_function(NAMES.api_function)
    # When its actions are listed
    actions = [action for item in synthesized.role_statements(role_id) for action in as_list(item["Action"])]
    # Then none is a Bedrock action
    assert actions
    assert not [action for action in actions if action.startswith("bedrock:")]


def test_worker_role_has_exactly_the_statements_it_needs(synthesized: SynthesizedStack) -> None:
    # Given the worker's role
    ids = _ids(synthesized)
    role_id = synthesized.role_of_function(NAMES.worker_function)
    # When every statement granted to it is collected
    statements = synthesized.role_statements(role_id)
    # Then it may write logs and traces, get/update jobs, consume the queue, put events on its bus,
    # and invoke Haiku 4.5 and Sonnet 4.5 through their global inference profiles only
    assert _sorted(statements) == _sorted(
        [
            {
                "Sid": "WriteOwnLogs",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Effect": "Allow",
                "Resource": f"${{{ids['worker_logs']}.Arn}}",
            },
            XRAY_STATEMENT,
            {
                "Sid": "ReadAndUpdateJobs",
                "Action": ["dynamodb:GetItem", "dynamodb:UpdateItem"],
                "Effect": "Allow",
                "Resource": f"${{{ids['table']}.Arn}}",
            },
            {
                "Sid": "PublishJobEvents",
                "Action": "events:PutEvents",
                "Effect": "Allow",
                "Resource": f"${{{ids['bus']}.Arn}}",
            },
            {
                "Action": [
                    "sqs:ReceiveMessage",
                    "sqs:ChangeMessageVisibility",
                    "sqs:GetQueueUrl",
                    "sqs:DeleteMessage",
                    "sqs:GetQueueAttributes",
                ],
                "Effect": "Allow",
                "Resource": f"${{{ids['queue']}.Arn}}",
            },
            *_profile_statements("InvokeHaiku", HAIKU),
            *_profile_statements("InvokeSonnetFallback", SONNET),
        ]
    )


def test_every_function_has_its_own_role_without_managed_policies(synthesized: SynthesizedStack) -> None:
    # Given both functions
    api_role = synthesized.role_of_function(NAMES.api_function)
    worker_role = synthesized.role_of_function(NAMES.worker_function)
    # When their roles are read
    roles = [synthesized.resources[role_id]["Properties"] for role_id in (api_role, worker_role)]
    # Then the roles differ, only Lambda can assume them, and no AWS managed policy is attached
    assert api_role != worker_role
    for role in roles:
        assert "ManagedPolicyArns" not in role
        assert role["AssumeRolePolicyDocument"]["Statement"] == [
            {"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}}
        ]


def test_no_allow_statement_anywhere_uses_a_wildcard_action(synthesized: SynthesizedStack) -> None:
    # Given every IAM policy in the template
    statements = [
        statement
        for policy in synthesized.of_type("AWS::IAM::Policy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]
    # When their Allow actions are listed
    actions = [
        action for item in statements if item["Effect"] == "Allow" for action in as_list(item["Action"])
    ]
    # Then none contains a wildcard
    assert actions
    assert [action for action in actions if "*" in action] == []


def test_only_the_xray_statement_has_a_wildcard_resource(synthesized: SynthesizedStack) -> None:
    # Given both roles' statements
    statements = [
        statement
        for function_name in (NAMES.api_function, NAMES.worker_function)
        for statement in synthesized.role_statements(synthesized.role_of_function(function_name))
    ]
    # When the statements with a '*' in a resource are picked out
    wildcard = [
        item for item in statements if any("*" in str(resource) for resource in as_list(item["Resource"]))
    ]
    # Then they are the X-Ray statements, whose actions support no resource-level permissions
    assert wildcard == [XRAY_STATEMENT, XRAY_STATEMENT]


def test_template_never_names_the_claude_3_5_haiku_pattern(synthesized: SynthesizedStack) -> None:
    # Given the whole template as text
    text = json.dumps(synthesized.template_json)
    # When it is searched for the old model pattern, which does not match Haiku 4.5
    # Then it is absent, and the Haiku 4.5 id is present
    assert "anthropic.claude-3-5-haiku" not in text
    assert HAIKU in text
