"""The jobs table and the event bus with its archive."""

from __future__ import annotations

import pytest

from careervp.naming_utils import NamingUtils
from tests.infra.conftest import TEST_ENV
from tests.infra.template_reader import SynthesizedStack

pytestmark = pytest.mark.infra

NAMES = NamingUtils(env=TEST_ENV).service_names()


def test_jobs_table_is_keyed_by_job_id_on_demand_with_ttl_pitr_and_encryption(
    synthesized: SynthesizedStack,
) -> None:
    # Given the synthesised stack
    # When the jobs table is looked up by its scheme name
    # Then it has a String partition key job_id and no sort key, TTL on expires_at, on-demand billing,
    # point-in-time recovery and server-side encryption
    synthesized.template.has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "TableName": NAMES.table,
            "KeySchema": [{"AttributeName": "job_id", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "job_id", "AttributeType": "S"}],
            "BillingMode": "PAY_PER_REQUEST",
            "TimeToLiveSpecification": {"AttributeName": "expires_at", "Enabled": True},
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
            "SSESpecification": {"SSEEnabled": True},
        },
    )


def test_non_production_table_is_deleted_with_the_stack(synthesized: SynthesizedStack) -> None:
    # Given a stack for the "test" env
    # When the table's deletion settings are read
    _, table = synthesized.one("AWS::DynamoDB::Table", TableName=NAMES.table)
    # Then it goes with the stack, so a redeploy can reuse the name
    assert table["DeletionPolicy"] == "Delete"
    assert table["Properties"]["DeletionProtectionEnabled"] is False


def test_event_bus_is_named_by_the_scheme_and_archived_for_replay(synthesized: SynthesizedStack) -> None:
    # Given the event bus
    bus_id, _ = synthesized.one("AWS::Events::EventBus", Name=NAMES.event_bus)
    # When its archive is read
    # Then the archive keeps both outcome detail-types from the service's source for 30 days
    synthesized.template.has_resource_properties(
        "AWS::Events::Archive",
        {
            "ArchiveName": NAMES.event_archive,
            "SourceArn": {"Fn::GetAtt": [bus_id, "Arn"]},
            "RetentionDays": 30,
            "EventPattern": {
                "source": ["careervp.cv-tailor"],
                "detail-type": ["CV Tailoring Completed", "CV Tailoring Failed"],
            },
        },
    )
