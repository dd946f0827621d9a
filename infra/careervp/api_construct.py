"""The public face: an IAM-authorised REST API in front of the API function."""

from __future__ import annotations

import json

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from careervp import constants
from careervp.lambda_function import FunctionSpec, PythonFunctionConstruct, retention
from careervp.nag import acknowledge
from careervp.settings import DeploymentSettings

# One JSON object per request; API Gateway substitutes the $context variables.
_ACCESS_LOG_FIELDS = {
    "requestId": "$context.requestId",
    "extendedRequestId": "$context.extendedRequestId",
    "requestTime": "$context.requestTime",
    "httpMethod": "$context.httpMethod",
    "resourcePath": "$context.resourcePath",
    "path": "$context.path",
    "status": "$context.status",
    "protocol": "$context.protocol",
    "responseLength": "$context.responseLength",
    "responseLatency": "$context.responseLatency",
    "integrationLatency": "$context.integration.latency",
    "integrationStatus": "$context.integration.status",
    "integrationError": "$context.integration.error",
    "errorMessage": "$context.error.message",
    "sourceIp": "$context.identity.sourceIp",
    "caller": "$context.identity.caller",
    "userArn": "$context.identity.userArn",
    "xrayTraceId": "$context.xrayTraceId",
}


class ApiConstruct(Construct):
    """REST API with ``POST /api/tailor-cv`` and ``GET /api/tailor-cv/{job_id}``, both IAM-authorised."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: DeploymentSettings,
        table: dynamodb.ITable,
        queue: sqs.IQueue,
    ) -> None:
        super().__init__(scope, construct_id)
        self._settings = settings
        self._names = settings.naming.service_names()
        self.access_log_group = logs.LogGroup(
            self,
            "AccessLogs",
            log_group_name=self._names.api_access_log_group,
            retention=retention(constants.API_ACCESS_LOG_RETENTION_DAYS),
            removal_policy=RemovalPolicy.RETAIN if settings.is_production else RemovalPolicy.DESTROY,
        )
        self.rest_api = apigateway.RestApi(
            self,
            "RestApi",
            rest_api_name=self._names.rest_api,
            description="CareerVP CV tailoring: accept tailoring jobs and report their outcome",
            endpoint_types=[apigateway.EndpointType.REGIONAL],
            cloud_watch_role=False,
            deploy_options=apigateway.StageOptions(
                stage_name=constants.API_STAGE_NAME,
                tracing_enabled=True,
                metrics_enabled=True,
                data_trace_enabled=False,
                throttling_rate_limit=constants.API_THROTTLING_RATE_LIMIT,
                throttling_burst_limit=constants.API_THROTTLING_BURST_LIMIT,
                access_log_destination=apigateway.LogGroupLogDestination(self.access_log_group),
                access_log_format=apigateway.AccessLogFormat.custom(json.dumps(_ACCESS_LOG_FIELDS)),
            ),
        )
        self.request_validator = self.rest_api.add_request_validator(
            "RequestParametersValidator", validate_request_parameters=True
        )
        self.function, self.role = self._add_cv_tailor_lambda_integration(table=table, queue=queue)
        self._add_gateway_response_headers()
        self._acknowledge_findings()

    def _add_cv_tailor_lambda_integration(
        self, *, table: dynamodb.ITable, queue: sqs.IQueue
    ) -> tuple[lambda_.Function, iam.Role]:
        """Create the API function and route ``/api/tailor-cv`` (POST) and ``/{job_id}`` (GET) to it."""
        api_function = PythonFunctionConstruct(
            self,
            constants.CV_TAILOR_API_LAMBDA,
            settings=self._settings,
            spec=FunctionSpec(
                function_name=self._names.api_function,
                handler=constants.API_HANDLER,
                bundle_dir=constants.API_BUNDLE_DIR,
                memory_mb=constants.API_MEMORY_MB,
                timeout_seconds=constants.API_TIMEOUT_SECONDS,
                description="CV tailoring API: validates and enqueues jobs, reports their status",
                environment={
                    "TABLE_NAME": table.table_name,
                    "QUEUE_URL": queue.queue_url,
                    "JOB_TTL_DAYS": str(constants.JOB_TTL_DAYS),
                    "ALLOWED_ORIGINS": ",".join(self._settings.allowed_origins),
                },
            ),
        )
        role = api_function.role
        role.add_to_policy(
            iam.PolicyStatement(
                sid="WriteReadAndRollBackJobs",
                actions=["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:DeleteItem"],
                resources=[table.table_arn],
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(sid="EnqueueJobs", actions=["sqs:SendMessage"], resources=[queue.queue_arn])
        )

        integration = apigateway.LambdaIntegration(api_function.function, proxy=True, allow_test_invoke=False)
        tailor = self.rest_api.root.add_resource(constants.GW_RESOURCE_API).add_resource(
            constants.GW_RESOURCE_TAILOR
        )
        job = tailor.add_resource(f"{{{constants.GW_PATH_PARAM_JOB_ID}}}")
        post_job = tailor.add_method("POST", integration, authorization_type=apigateway.AuthorizationType.IAM)
        get_job = job.add_method(
            "GET",
            integration,
            authorization_type=apigateway.AuthorizationType.IAM,
            request_parameters={f"method.request.path.{constants.GW_PATH_PARAM_JOB_ID}": True},
            request_validator=self.request_validator,
        )
        self.authorised_methods = [post_job, get_job]
        self._add_preflight(tailor, ["POST", "OPTIONS"])
        self._add_preflight(job, ["GET", "OPTIONS"])
        return api_function.function, role

    def _add_gateway_response_headers(self) -> None:
        """API Gateway's own answers (no signature, throttled, too large) carry the service's headers."""
        headers = {name: f"'{value}'" for name, value in constants.GATEWAY_RESPONSE_HEADERS.items()}
        for response_type in (apigateway.ResponseType.DEFAULT_4_XX, apigateway.ResponseType.DEFAULT_5_XX):
            self.rest_api.add_gateway_response(
                f"GatewayResponse{response_type.response_type}", type=response_type, response_headers=headers
            )

    def _add_preflight(self, resource: apigateway.Resource, methods: list[str]) -> apigateway.Method:
        return resource.add_cors_preflight(
            allow_origins=list(self._settings.allowed_origins),
            allow_methods=methods,
            allow_headers=list(constants.CORS_ALLOWED_HEADERS),
            max_age=Duration.seconds(constants.CORS_MAX_AGE_SECONDS),
        )

    def _acknowledge_findings(self) -> None:
        acknowledge(
            self.rest_api.deployment_stage,
            "AwsSolutions-APIG3",
            "Every non-preflight method requires SigV4 (IAM) authorisation and the stage is "
            "throttled; a WAFv2 web ACL is attached centrally (Firewall Manager), not per service stack.",
        )
        acknowledge(
            self.rest_api,
            "AwsSolutions-APIG2",
            "Bodies are validated in the API function (pydantic, against the JSON Resume types) because "
            "the contract answers 400/413/415/422 with field-level messages; the validator checks path "
            "parameters.",
        )
        acknowledge(
            self.rest_api.deployment_stage,
            "AwsSolutions-APIG6",
            "Structured JSON access logs are on. Execution logging needs the Region-wide API "
            "Gateway CloudWatch role, an account setting this stack must not own, and would log CV bodies.",
        )
        acknowledge(
            self.function,
            "Serverless-LambdaDLQ",
            "Invoked synchronously by API Gateway only; a failure is returned to the caller as a "
            "5xx response, so there is no asynchronous event to dead-letter.",
        )
        for method in self.authorised_methods:
            acknowledge(
                method,
                "AwsSolutions-COG4",
                "The spec chooses IAM (SigV4) authorisation: callers are CareerVP services and "
                "signed clients with IAM identities, and the owner of a job is the IAM caller identity.",
            )
