"""The DynamoDB table holding one item per tailoring job."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from careervp import constants
from careervp.settings import DeploymentSettings


class JobsTableConstruct(Construct):
    """Jobs keyed by ``job_id`` alone: every access is a point read or write of one job."""

    def __init__(self, scope: Construct, construct_id: str, *, settings: DeploymentSettings) -> None:
        super().__init__(scope, construct_id)
        self.table = dynamodb.Table(
            self,
            "JobsTable",
            table_name=settings.naming.service_names().table,
            partition_key=dynamodb.Attribute(
                name=constants.TABLE_PARTITION_KEY, type=dynamodb.AttributeType.STRING
            ),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            time_to_live_attribute=constants.TABLE_TTL_ATTRIBUTE,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            # The AWS managed key encrypts at rest without a key policy the functions must be granted.
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            deletion_protection=settings.is_production,
            removal_policy=RemovalPolicy.RETAIN if settings.is_production else RemovalPolicy.DESTROY,
        )
