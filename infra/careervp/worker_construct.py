"""The CVTailor worker: its queue and dead-letter queue, the function, and the mapping between them."""

from __future__ import annotations

from aws_cdk import Duration, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from careervp import constants
from careervp.bedrock_access import global_profile_statements
from careervp.lambda_function import FunctionSpec, PythonFunctionConstruct
from careervp.nag import acknowledge
from careervp.settings import DeploymentSettings


class WorkerConstruct(Construct):
    """Queue-driven tailoring: one job per invocation, partial batch responses, bounded concurrency."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: DeploymentSettings,
        table: dynamodb.ITable,
        bus: events.IEventBus,
    ) -> None:
        super().__init__(scope, construct_id)
        names = settings.naming.service_names()
        stack = Stack.of(self)

        # The DLQ names its one source queue by ARN, built from the queue's name: referencing the queue
        # construct instead would make the two queues depend on each other.
        source_queue_arn = stack.format_arn(service="sqs", resource=names.queue)
        self.dead_letter_queue = sqs.Queue(
            self,
            "DeadLetterQueue",
            queue_name=names.dead_letter_queue,
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=Duration.days(constants.DLQ_RETENTION_DAYS),
            redrive_allow_policy=sqs.RedriveAllowPolicy(
                redrive_permission=sqs.RedrivePermission.BY_QUEUE,
                source_queues=[sqs.Queue.from_queue_arn(self, "SourceQueueRef", source_queue_arn)],
            ),
        )
        self.queue = sqs.Queue(
            self,
            "JobsQueue",
            queue_name=names.queue,
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            visibility_timeout=Duration.seconds(constants.QUEUE_VISIBILITY_TIMEOUT_SECONDS),
            retention_period=Duration.days(constants.QUEUE_RETENTION_DAYS),
            dead_letter_queue=sqs.DeadLetterQueue(
                queue=self.dead_letter_queue, max_receive_count=constants.MAX_RECEIVE_COUNT
            ),
            redrive_allow_policy=sqs.RedriveAllowPolicy(redrive_permission=sqs.RedrivePermission.DENY_ALL),
        )

        worker = PythonFunctionConstruct(
            self,
            constants.CV_TAILOR_LAMBDA,
            settings=settings,
            spec=FunctionSpec(
                function_name=names.worker_function,
                handler=constants.WORKER_HANDLER,
                bundle_dir=constants.WORKER_BUNDLE_DIR,
                memory_mb=constants.CV_TAILOR_MEMORY_MB,
                timeout_seconds=constants.CV_TAILOR_TIMEOUT_SECONDS,
                description="CVTailor: tailors one queued CV to its job with Claude on Amazon Bedrock",
                environment={
                    "TABLE_NAME": table.table_name,
                    "EVENT_BUS_NAME": bus.event_bus_name,
                    "MODEL_ID": constants.MODEL_ID,
                    "FALLBACK_MODEL_ID": constants.FALLBACK_MODEL_ID,
                    "MAX_RECEIVE_COUNT": str(constants.MAX_RECEIVE_COUNT),
                    "JOB_TTL_DAYS": str(constants.JOB_TTL_DAYS),
                },
            ),
        )
        self.function = worker.function
        self.role = worker.role
        self.log_group = worker.log_group

        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="ReadAndUpdateJobs",
                actions=["dynamodb:GetItem", "dynamodb:UpdateItem"],
                resources=[table.table_arn],
            )
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="PublishJobEvents", actions=["events:PutEvents"], resources=[bus.event_bus_arn]
            )
        )
        for profile_id, sid_prefix in (
            (constants.MODEL_ID, "InvokeHaiku"),
            (constants.FALLBACK_MODEL_ID, "InvokeSonnetFallback"),
        ):
            for statement in global_profile_statements(stack, profile_id, sid_prefix):
                self.role.add_to_policy(statement)

        # What the mapping's poller does as the role: receive, delete, change visibility, read attributes.
        self.queue.grant_consume_messages(self.function)
        self.event_source_mapping = self.function.add_event_source_mapping(
            "JobsQueueMapping",
            event_source_arn=self.queue.queue_arn,
            batch_size=constants.WORKER_BATCH_SIZE,
            max_batching_window=Duration.seconds(constants.WORKER_MAX_BATCHING_WINDOW_SECONDS),
            report_batch_item_failures=True,
            max_concurrency=settings.worker_max_concurrency,
        )
        self._acknowledge_findings()

    def _acknowledge_findings(self) -> None:
        acknowledge(
            self.function,
            "Serverless-LambdaDLQ",
            "The worker is invoked synchronously by its SQS event source mapping, never "
            "asynchronously; failed jobs reach the queue's redrive DLQ after maxReceiveCount deliveries.",
        )
        acknowledge(
            self.event_source_mapping,
            "Serverless-LambdaEventSourceMappingDestination",
            "Lambda supports on-failure destinations for stream and Kafka mappings, not SQS; a job "
            "that keeps failing moves to the queue's dead-letter queue through its redrive policy.",
        )
        acknowledge(
            self.dead_letter_queue,
            "Serverless-SQSRedrivePolicy",
            "This queue is itself the dead-letter queue of the jobs queue; operators redrive its "
            "messages back to the source queue, so it has no DLQ of its own.",
        )
