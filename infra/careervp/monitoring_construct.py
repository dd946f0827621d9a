"""Dashboard and alarms for the API, both functions, the queues and the model; alarms notify SNS."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from careervp import constants
from careervp.nag import acknowledge
from careervp.settings import DeploymentSettings

_PERIOD = Duration.minutes(constants.ALARM_PERIOD_MINUTES)
_MODEL_METRICS = (
    constants.METRIC_JOBS_ACCEPTED,
    constants.METRIC_JOBS_COMPLETED,
    constants.METRIC_JOBS_FAILED,
    constants.METRIC_MODEL_THROTTLED,
    constants.METRIC_MODEL_RETRIES,
    constants.METRIC_GUARD_REJECTIONS,
)
_TOKEN_METRICS = (constants.METRIC_INPUT_TOKENS, constants.METRIC_OUTPUT_TOKENS)


def service_metric(metric_name: str) -> cloudwatch.Metric:
    """A custom metric the handlers publish with Powertools (EMF), summed per alarm period."""
    return cloudwatch.Metric(
        namespace=constants.METRICS_NAMESPACE,
        metric_name=metric_name,
        dimensions_map={constants.METRICS_SERVICE_DIMENSION: constants.POWERTOOLS_SERVICE_NAME},
        statistic=cloudwatch.Stats.SUM,
        period=_PERIOD,
    )


class MonitoringConstruct(Construct):
    """One dashboard, seven alarms and the KMS-encrypted topic they notify."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: DeploymentSettings,
        rest_api: apigateway.RestApi,
        api_function: lambda_.IFunction,
        worker_function: lambda_.IFunction,
        queue: sqs.IQueue,
        dead_letter_queue: sqs.IQueue,
    ) -> None:
        super().__init__(scope, construct_id)
        self._names = settings.naming
        service = settings.naming.service_names()

        self.topic_key = kms.Key(
            self,
            "AlarmTopicKey",
            description=f"Encrypts the alarm notifications of {service.stack}",
            enable_key_rotation=True,
            pending_window=Duration.days(constants.KMS_KEY_PENDING_WINDOW_DAYS),
            removal_policy=RemovalPolicy.RETAIN if settings.is_production else RemovalPolicy.DESTROY,
        )
        # CloudWatch publishes alarm notifications to the encrypted topic, so it needs the data key.
        self.topic_key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowCloudWatchAlarmsToPublish",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["kms:Decrypt", "kms:GenerateDataKey"],
                resources=["*"],
                conditions={"StringEquals": {"aws:SourceAccount": Stack.of(self).account}},
            )
        )
        self.topic = sns.Topic(
            self, "AlarmTopic", topic_name=service.alarm_topic, master_key=self.topic_key, enforce_ssl=True
        )
        if settings.alarm_email:
            subscription = sns.Subscription(
                self,
                "AlarmEmail",
                topic=self.topic,
                endpoint=settings.alarm_email,
                protocol=sns.SubscriptionProtocol.EMAIL,
            )
            acknowledge(
                subscription,
                "Serverless-SNSRedrivePolicy",
                "Email to a human is a best-effort copy: SNS retries delivery and the alarm "
                "state stays in CloudWatch, so an unread DLQ of failed emails would add nothing.",
            )

        self.alarms = self._create_alarms(rest_api, worker_function, queue, dead_letter_queue)
        action = cloudwatch_actions.SnsAction(self.topic)
        for alarm in self.alarms.values():
            alarm.add_alarm_action(action)
            alarm.add_ok_action(action)

        self.dashboard = self._create_dashboard(
            dashboard_name=service.dashboard,
            rest_api=rest_api,
            api_function=api_function,
            worker=worker_function,
            queue=queue,
            dead_letter_queue=dead_letter_queue,
        )

    def _alarm(
        self,
        short_name: str,
        *,
        metric: cloudwatch.IMetric,
        threshold: float,
        comparison: cloudwatch.ComparisonOperator,
        description: str,
        evaluation_periods: int = 1,
    ) -> cloudwatch.Alarm:
        return cloudwatch.Alarm(
            self,
            f"Alarm-{short_name}",
            alarm_name=self._names.alarm_name(short_name),
            alarm_description=description,
            metric=metric,
            threshold=threshold,
            comparison_operator=comparison,
            evaluation_periods=evaluation_periods,
            datapoints_to_alarm=evaluation_periods,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )

    def _create_alarms(
        self,
        rest_api: apigateway.RestApi,
        worker: lambda_.IFunction,
        queue: sqs.IQueue,
        dead_letter_queue: sqs.IQueue,
    ) -> dict[str, cloudwatch.Alarm]:
        at_least = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD
        above = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD
        return {
            constants.ERRORS_ALARM: self._alarm(
                constants.ERRORS_ALARM,
                metric=worker.metric_errors(period=_PERIOD, statistic=cloudwatch.Stats.SUM),
                threshold=constants.ERRORS_ALARM_THRESHOLD,
                comparison=at_least,
                description="CVTailor worker invocations failed repeatedly: check its logs and the DLQ.",
            ),
            constants.DURATION_ALARM: self._alarm(
                constants.DURATION_ALARM,
                metric=worker.metric_duration(period=_PERIOD, statistic=cloudwatch.Stats.MAXIMUM),
                threshold=constants.DURATION_ALARM_THRESHOLD_MS,
                comparison=at_least,
                evaluation_periods=constants.DURATION_ALARM_EVALUATION_PERIODS,
                description="CVTailor worker runs close to its 60 s timeout: Bedrock is slow or throttled.",
            ),
            constants.DLQ_DEPTH_ALARM: self._alarm(
                constants.DLQ_DEPTH_ALARM,
                metric=dead_letter_queue.metric_approximate_number_of_messages_visible(
                    period=_PERIOD, statistic=cloudwatch.Stats.MAXIMUM
                ),
                threshold=constants.DLQ_DEPTH_ALARM_THRESHOLD,
                comparison=above,
                description="Jobs reached the dead-letter queue: inspect them, fix the cause, then redrive.",
            ),
            constants.QUEUE_AGE_ALARM: self._alarm(
                constants.QUEUE_AGE_ALARM,
                metric=queue.metric_approximate_age_of_oldest_message(
                    period=_PERIOD, statistic=cloudwatch.Stats.MAXIMUM
                ),
                threshold=constants.QUEUE_AGE_ALARM_THRESHOLD_SECONDS,
                comparison=above,
                description="Jobs wait too long in the queue: the worker is failing, throttled or too few.",
            ),
            constants.API_5XX_ALARM: self._alarm(
                constants.API_5XX_ALARM,
                # 5XXError averaged over requests is the fraction of requests answered 5xx.
                metric=rest_api.metric_server_error(period=_PERIOD, statistic=cloudwatch.Stats.AVERAGE),
                threshold=constants.API_5XX_RATE_ALARM_THRESHOLD,
                comparison=above,
                description="More than 5% of API requests were answered with a 5xx status.",
            ),
            constants.WORKER_THROTTLES_ALARM: self._alarm(
                constants.WORKER_THROTTLES_ALARM,
                metric=worker.metric_throttles(period=_PERIOD, statistic=cloudwatch.Stats.SUM),
                threshold=constants.WORKER_THROTTLES_ALARM_THRESHOLD,
                comparison=at_least,
                description="Lambda throttled the CVTailor worker: account concurrency is exhausted.",
            ),
            constants.MODEL_THROTTLED_ALARM: self._alarm(
                constants.MODEL_THROTTLED_ALARM,
                metric=service_metric(constants.METRIC_MODEL_THROTTLED),
                threshold=constants.MODEL_THROTTLED_ALARM_THRESHOLD,
                comparison=at_least,
                description="Bedrock throttled model calls: lower worker_max_concurrency or raise the quota.",
            ),
        }

    def _create_dashboard(
        self,
        *,
        dashboard_name: str,
        rest_api: apigateway.RestApi,
        api_function: lambda_.IFunction,
        worker: lambda_.IFunction,
        queue: sqs.IQueue,
        dead_letter_queue: sqs.IQueue,
    ) -> cloudwatch.Dashboard:
        def graph(title: str, metrics: list[cloudwatch.IMetric], width: int = 8) -> cloudwatch.GraphWidget:
            return cloudwatch.GraphWidget(title=title, left=metrics, width=width, height=6)

        def lambda_widgets(label: str, function: lambda_.IFunction) -> list[cloudwatch.IWidget]:
            return [
                graph(
                    f"{label}: invocations, errors, throttles",
                    [
                        function.metric_invocations(period=_PERIOD),
                        function.metric_errors(period=_PERIOD),
                        function.metric_throttles(period=_PERIOD),
                    ],
                    width=12,
                ),
                graph(
                    f"{label}: duration (ms)",
                    [
                        function.metric_duration(period=_PERIOD, statistic=stat)
                        for stat in (cloudwatch.Stats.p(50), cloudwatch.Stats.p(99), cloudwatch.Stats.MAXIMUM)
                    ],
                    width=12,
                ),
            ]

        dashboard = cloudwatch.Dashboard(self, "Dashboard", dashboard_name=dashboard_name)
        dashboard.add_widgets(
            graph(
                "API: requests and errors",
                [
                    rest_api.metric_count(period=_PERIOD),
                    rest_api.metric_client_error(period=_PERIOD),
                    rest_api.metric_server_error(period=_PERIOD),
                ],
            ),
            graph(
                "API: latency (ms)",
                [
                    rest_api.metric_latency(period=_PERIOD, statistic=cloudwatch.Stats.p(90)),
                    rest_api.metric_integration_latency(period=_PERIOD, statistic=cloudwatch.Stats.p(90)),
                ],
            ),
            cloudwatch.AlarmStatusWidget(
                alarms=list(self.alarms.values()), title="Alarms", width=8, height=6
            ),
        )
        dashboard.add_widgets(*lambda_widgets("API function", api_function))
        dashboard.add_widgets(*lambda_widgets("CVTailor worker", worker))
        dashboard.add_widgets(
            graph(
                "Queue: depth and oldest message age (s)",
                [
                    queue.metric_approximate_number_of_messages_visible(period=_PERIOD),
                    queue.metric_approximate_number_of_messages_not_visible(period=_PERIOD),
                    queue.metric_approximate_age_of_oldest_message(period=_PERIOD),
                ],
            ),
            graph(
                "Dead-letter queue: visible messages",
                [dead_letter_queue.metric_approximate_number_of_messages_visible(period=_PERIOD)],
            ),
            graph(
                "Model: jobs, throttles, retries, guard rejections",
                [service_metric(m) for m in _MODEL_METRICS],
            ),
        )
        dashboard.add_widgets(graph("Model: tokens", [service_metric(m) for m in _TOKEN_METRICS], width=24))
        return dashboard
