"""One way to build the stack's Python functions: own role, own log group, arm64, X-Ray active."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from careervp import constants
from careervp.nag import acknowledge
from careervp.settings import DeploymentSettings

_RETENTION_BY_DAYS = {
    7: logs.RetentionDays.ONE_WEEK,
    14: logs.RetentionDays.TWO_WEEKS,
    30: logs.RetentionDays.ONE_MONTH,
    90: logs.RetentionDays.THREE_MONTHS,
}


class LambdaAssetError(FileNotFoundError):
    """The Lambda bundle directory is missing or does not hold the handler module."""


def retention(days: int) -> logs.RetentionDays:
    """The CloudWatch Logs retention setting for a number of days."""
    try:
        return _RETENTION_BY_DAYS[days]
    except KeyError as error:
        raise ValueError(f"no CloudWatch Logs retention setting of {days} days is mapped") from error


def bundle_code(settings: DeploymentSettings, bundle_dir: str, handler: str) -> lambda_.Code:
    """The asset for one bundle, after checking that it holds the handler's module."""
    bundle = settings.lambda_asset_dir / bundle_dir
    module_file = Path(bundle, *handler.split(".")[:-1]).with_suffix(".py")
    if not module_file.is_file():
        raise LambdaAssetError(
            f"{module_file} not found: build the Lambda bundles first (make build), "
            f"or point CDK context 'lambda_asset_dir' at a directory holding {bundle_dir}/"
        )
    return lambda_.Code.from_asset(str(bundle))


@dataclass(frozen=True)
class FunctionSpec:
    """What differs between the API function and the worker."""

    function_name: str
    handler: str
    bundle_dir: str
    memory_mb: int
    timeout_seconds: int
    description: str
    environment: dict[str, str]


class PythonFunctionConstruct(Construct):
    """A Python 3.12 arm64 function whose role starts with nothing but writing its own logs."""

    def __init__(
        self, scope: Construct, construct_id: str, *, settings: DeploymentSettings, spec: FunctionSpec
    ) -> None:
        super().__init__(scope, construct_id)
        self.log_group = logs.LogGroup(
            self,
            "LogGroup",
            log_group_name=settings.naming.lambda_log_group_name(spec.function_name),
            retention=retention(constants.LOG_RETENTION_DAYS),
            removal_policy=RemovalPolicy.RETAIN if settings.is_production else RemovalPolicy.DESTROY,
        )
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Execution role of {spec.function_name}",
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="WriteOwnLogs",
                actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[self.log_group.log_group_arn],
            )
        )
        self.function = lambda_.Function(
            self,
            "Function",
            function_name=spec.function_name,
            description=spec.description,
            runtime=lambda_.Runtime.PYTHON_3_12,
            architecture=lambda_.Architecture.ARM_64,
            handler=spec.handler,
            code=bundle_code(settings, spec.bundle_dir, spec.handler),
            memory_size=spec.memory_mb,
            timeout=Duration.seconds(spec.timeout_seconds),
            tracing=lambda_.Tracing.ACTIVE,
            log_group=self.log_group,
            role=self.role,
            environment={
                "POWERTOOLS_SERVICE_NAME": constants.POWERTOOLS_SERVICE_NAME,
                "POWERTOOLS_METRICS_NAMESPACE": constants.METRICS_NAMESPACE,
                "LOG_LEVEL": settings.log_level,
                "PYDANTIC_DISABLE_PLUGINS": constants.PYDANTIC_DISABLE_PLUGINS,
                **spec.environment,
            },
        )
        acknowledge(
            self.role.node.find_child("DefaultPolicy"),
            "AwsSolutions-IAM5[Resource::*]",
            "Only the statement Lambda adds for active tracing uses Resource '*': "
            "xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions.",
        )
        runtime_reason = (
            f"Python {constants.LAMBDA_PYTHON_VERSION} is the runtime contract: the bundle's binary "
            "wheels (pydantic-core) are built for it from uv.lock, so moving runtime is a planned "
            "change of the contract, the bundle build and the tests together."
        )
        acknowledge(self.function, "AwsSolutions-L1", runtime_reason)
        acknowledge(self.function, "Serverless-LambdaLatestVersion", runtime_reason)
