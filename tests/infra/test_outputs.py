"""The stack outputs the careervp CLI reads to operate a deployed stack."""

from __future__ import annotations

import pytest

from careervp import constants
from tests.infra.template_reader import SynthesizedStack

pytestmark = pytest.mark.infra


@pytest.mark.parametrize(
    ("output", "resource_type", "attribute"),
    [
        (constants.OUTPUT_QUEUE_URL, "AWS::SQS::Queue", "Ref"),
        (constants.OUTPUT_DLQ_URL, "AWS::SQS::Queue", "Ref"),
        (constants.OUTPUT_TABLE_NAME, "AWS::DynamoDB::Table", "Ref"),
        (constants.OUTPUT_EVENT_BUS_NAME, "AWS::Events::EventBus", "Ref"),
    ],
)
def test_each_resource_output_points_at_its_resource(
    synthesized: SynthesizedStack, output: str, resource_type: str, attribute: str
) -> None:
    # Given the synthesised template
    outputs = synthesized.template_json["Outputs"]
    # When the output is read
    value = outputs[output]["Value"]
    # Then it references a resource of the right type
    referenced = value[attribute] if attribute in value else value["Fn::GetAtt"][0]
    assert synthesized.resources[referenced]["Type"] == resource_type


def test_the_dead_letter_queue_output_is_not_the_jobs_queue(synthesized: SynthesizedStack) -> None:
    # Given the two queue outputs / Then they name different queues
    outputs = synthesized.template_json["Outputs"]
    assert outputs[constants.OUTPUT_QUEUE_URL]["Value"] != outputs[constants.OUTPUT_DLQ_URL]["Value"]


def test_the_api_url_output_is_the_stage_url(synthesized: SynthesizedStack) -> None:
    # Given the synthesised template / When the API URL output is read
    value = synthesized.template_json["Outputs"][constants.OUTPUT_API_URL]["Value"]
    # Then it is an execute-api URL of the REST API's stage
    parts = value["Fn::Join"][1]
    rest_api_ref = parts[1]["Ref"]
    assert synthesized.resources[rest_api_ref]["Type"] == "AWS::ApiGateway::RestApi"
    assert any(isinstance(part, str) and ".execute-api." in part for part in parts)
