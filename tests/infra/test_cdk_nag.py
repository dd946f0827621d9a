"""cdk-nag's AwsSolutions and Serverless packs run as validation plugins: no unacknowledged finding."""

from __future__ import annotations

from collections import Counter

import pytest

from careervp.naming_utils import NamingUtils
from tests.infra.conftest import TEST_ENV
from tests.infra.template_reader import SynthesizedStack

pytestmark = pytest.mark.infra

NAMES = NamingUtils(env=TEST_ENV).service_names()
MIN_REASON_LENGTH = 80  # characters: a reason must say why, not just "suppressed"


def _acknowledgements(synthesized: SynthesizedStack) -> list[tuple[str, str, str, str]]:
    """(logical id, resource type, ``Pack::Rule``, reason), as cdk-nag writes them into the template."""
    return [
        (logical_id, resource["Type"], rule["id"], rule["reason"])
        for logical_id, resource in synthesized.resources.items()
        for rule in resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", [])
    ]


def test_synthesis_passes_both_rule_packs(synthesized: SynthesizedStack) -> None:
    # Given the app synthesised with AwsSolutionsChecks and ServerlessChecks registered as plugins
    # When the validation outcome is read
    findings = [
        (violation["ruleName"], construct["constructPath"])
        for report in synthesized.validation_report.get("pluginReports", [])
        for violation in report.get("violations", [])
        for construct in violation["violatingConstructs"]
    ]
    # Then synthesis did not fail and no plugin reported a finding
    assert synthesized.validation_error is None, synthesized.validation_error
    assert findings == []


def test_each_acknowledgement_sits_on_the_one_resource_it_excuses(synthesized: SynthesizedStack) -> None:
    # Given the acknowledgements cdk-nag wrote into the template (which also shows the packs ran)
    acknowledgements = _acknowledgements(synthesized)
    # When they are counted per rule and resource type
    placed = Counter((rule, resource_type) for _, resource_type, rule, _ in acknowledgements)
    # Then each rule is excused only where docs/deployment.md says, never on a whole subtree
    assert placed == Counter(
        {
            ("AwsSolutions::AwsSolutions-IAM5[Resource::*]", "AWS::IAM::Policy"): 2,
            ("AwsSolutions::AwsSolutions-L1", "AWS::Lambda::Function"): 2,
            ("Serverless::Serverless-LambdaLatestVersion", "AWS::Lambda::Function"): 2,
            ("Serverless::Serverless-LambdaDLQ", "AWS::Lambda::Function"): 2,
            (
                "Serverless::Serverless-LambdaEventSourceMappingDestination",
                "AWS::Lambda::EventSourceMapping",
            ): 1,
            ("Serverless::Serverless-SQSRedrivePolicy", "AWS::SQS::Queue"): 1,
            ("AwsSolutions::AwsSolutions-APIG2", "AWS::ApiGateway::RestApi"): 1,
            ("AwsSolutions::AwsSolutions-APIG3", "AWS::ApiGateway::Stage"): 1,
            ("AwsSolutions::AwsSolutions-APIG6", "AWS::ApiGateway::Stage"): 1,
            ("AwsSolutions::AwsSolutions-COG4", "AWS::ApiGateway::Method"): 2,
            ("Serverless::Serverless-SNSRedrivePolicy", "AWS::SNS::Subscription"): 1,
        }
    )


def test_only_the_dead_letter_queue_is_excused_from_having_a_dlq(synthesized: SynthesizedStack) -> None:
    # Given the DLQ
    dlq_id, _ = synthesized.one("AWS::SQS::Queue", QueueName=NAMES.dead_letter_queue)
    # When the queues excused from Serverless-SQSRedrivePolicy are listed
    excused = [
        logical_id
        for logical_id, _, rule, _ in _acknowledgements(synthesized)
        if rule == "Serverless::Serverless-SQSRedrivePolicy"
    ]
    # Then it is the DLQ alone; the jobs queue must have its redrive policy
    assert excused == [dlq_id]


def test_every_acknowledgement_gives_a_specific_reason(synthesized: SynthesizedStack) -> None:
    # Given every acknowledgement
    acknowledgements = _acknowledgements(synthesized)
    # When their reasons are measured
    short = [
        (logical_id, rule)
        for logical_id, _, rule, reason in acknowledgements
        if len(reason) < MIN_REASON_LENGTH
    ]
    # Then every one explains itself
    assert acknowledgements
    assert short == []
