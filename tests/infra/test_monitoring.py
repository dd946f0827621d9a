"""Alarms, their encrypted topic and the dashboard."""

from __future__ import annotations

import json
from typing import Any

import pytest

from careervp import constants
from careervp.naming_utils import NamingUtils
from tests.infra.conftest import TEST_ALARM_EMAIL, TEST_ENV
from tests.infra.template_reader import SynthesizedStack, render

pytestmark = pytest.mark.infra

NAMING = NamingUtils(env=TEST_ENV)
NAMES = NAMING.service_names()


def _alarm(synthesized: SynthesizedStack, short_name: str) -> dict[str, Any]:
    _, alarm = synthesized.one("AWS::CloudWatch::Alarm", AlarmName=NAMING.alarm_name(short_name))
    properties: dict[str, Any] = alarm["Properties"]
    return properties


def _dimension(properties: dict[str, Any]) -> Any:
    [dimension] = properties["Dimensions"]
    return dimension["Name"], render(dimension["Value"])


def test_errors_alarm_fires_at_five_worker_errors_in_one_period(synthesized: SynthesizedStack) -> None:
    # Given the worker
    worker_id, _ = synthesized.one("AWS::Lambda::Function", FunctionName=NAMES.worker_function)
    # When the cv-tailor-errors alarm is read
    alarm = _alarm(synthesized, "cv-tailor-errors")
    # Then it sums the worker's Errors and fires at >= 5 in one 5-minute period
    assert (alarm["Namespace"], alarm["MetricName"], alarm["Statistic"]) == ("AWS/Lambda", "Errors", "Sum")
    assert _dimension(alarm) == ("FunctionName", f"${{{worker_id}}}")
    assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert (alarm["Threshold"], alarm["EvaluationPeriods"], alarm["Period"]) == (5, 1, 300)


def test_duration_alarm_fires_at_55_seconds_for_two_periods(synthesized: SynthesizedStack) -> None:
    # Given the worker
    worker_id, _ = synthesized.one("AWS::Lambda::Function", FunctionName=NAMES.worker_function)
    # When the cv-tailor-duration alarm is read
    alarm = _alarm(synthesized, "cv-tailor-duration")
    # Then it watches the worker's maximum Duration and fires at >= 55,000 ms in two consecutive periods
    assert (alarm["MetricName"], alarm["Statistic"]) == ("Duration", "Maximum")
    assert _dimension(alarm) == ("FunctionName", f"${{{worker_id}}}")
    assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert (alarm["Threshold"], alarm["EvaluationPeriods"], alarm["DatapointsToAlarm"]) == (55_000, 2, 2)


def test_dlq_alarm_fires_on_any_visible_message(synthesized: SynthesizedStack) -> None:
    # Given the DLQ
    dlq_id, _ = synthesized.one("AWS::SQS::Queue", QueueName=NAMES.dead_letter_queue)
    # When the DLQ depth alarm is read
    alarm = _alarm(synthesized, "cv-tailor-dlq-depth")
    # Then one visible message is enough
    assert (alarm["Namespace"], alarm["MetricName"]) == ("AWS/SQS", "ApproximateNumberOfMessagesVisible")
    assert _dimension(alarm) == ("QueueName", f"${{{dlq_id}.QueueName}}")
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("GreaterThanThreshold", 0)


def test_queue_age_alarm_fires_when_the_oldest_job_waits_over_15_minutes(
    synthesized: SynthesizedStack,
) -> None:
    # Given the jobs queue
    queue_id, _ = synthesized.one("AWS::SQS::Queue", QueueName=NAMES.queue)
    # When the queue age alarm is read
    alarm = _alarm(synthesized, "cv-tailor-queue-age")
    # Then it fires when the oldest message is older than the threshold
    assert (alarm["MetricName"], alarm["Statistic"]) == ("ApproximateAgeOfOldestMessage", "Maximum")
    assert _dimension(alarm) == ("QueueName", f"${{{queue_id}.QueueName}}")
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("GreaterThanThreshold", 900)


def test_api_alarm_fires_above_a_five_percent_5xx_rate(synthesized: SynthesizedStack) -> None:
    # Given the REST API
    # When the API 5xx alarm is read
    alarm = _alarm(synthesized, "cv-tailor-api-5xx")
    # Then it averages 5XXError (the fraction of requests answered 5xx) and fires above 5%
    assert (alarm["Namespace"], alarm["MetricName"], alarm["Statistic"]) == (
        "AWS/ApiGateway",
        "5XXError",
        "Average",
    )
    assert _dimension(alarm) == ("ApiName", NAMES.rest_api)
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("GreaterThanThreshold", 0.05)


def test_throttles_alarm_fires_at_five_worker_throttles(synthesized: SynthesizedStack) -> None:
    # Given the worker
    worker_id, _ = synthesized.one("AWS::Lambda::Function", FunctionName=NAMES.worker_function)
    # When the worker throttles alarm is read
    alarm = _alarm(synthesized, "cv-tailor-throttles")
    # Then it sums Throttles and fires at >= 5
    assert (alarm["MetricName"], alarm["Statistic"]) == ("Throttles", "Sum")
    assert _dimension(alarm) == ("FunctionName", f"${{{worker_id}}}")
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("GreaterThanOrEqualToThreshold", 5)


def test_model_throttled_alarm_watches_the_custom_metric(synthesized: SynthesizedStack) -> None:
    # Given the Powertools metrics namespace and service dimension
    # When the ModelThrottled alarm is read
    alarm = _alarm(synthesized, "cv-tailor-model-throttled")
    # Then it sums CareerVP/ModelThrottled for service=cv-tailor and fires at >= 10
    assert (alarm["Namespace"], alarm["MetricName"], alarm["Statistic"]) == (
        "CareerVP",
        "ModelThrottled",
        "Sum",
    )
    assert _dimension(alarm) == ("service", "cv-tailor")
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("GreaterThanOrEqualToThreshold", 10)


def test_every_alarm_notifies_the_kms_encrypted_topic(synthesized: SynthesizedStack) -> None:
    # Given the alarm topic and its key
    topic_id, topic = synthesized.one("AWS::SNS::Topic", TopicName=NAMES.alarm_topic)
    key_id = topic["Properties"]["KmsMasterKeyId"]["Fn::GetAtt"][0]
    key = synthesized.resources[key_id]["Properties"]
    # When every alarm's actions are read
    alarms = synthesized.of_type("AWS::CloudWatch::Alarm").values()
    # Then each alarm notifies the topic on ALARM and on OK, the key rotates, and CloudWatch may use it
    assert {alarm["Properties"]["AlarmName"] for alarm in alarms} == set(NAMES.alarms.values())
    for alarm in alarms:
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": topic_id}]
        assert alarm["Properties"]["OKActions"] == [{"Ref": topic_id}]
    assert key["EnableKeyRotation"] is True
    cloudwatch = [
        s for s in key["KeyPolicy"]["Statement"] if s.get("Sid") == "AllowCloudWatchAlarmsToPublish"
    ]
    assert cloudwatch[0]["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert cloudwatch[0]["Action"] == ["kms:Decrypt", "kms:GenerateDataKey"]


def test_topic_denies_publishing_without_tls_and_emails_the_context_address(
    synthesized: SynthesizedStack,
) -> None:
    # Given the alarm topic
    topic_id, _ = synthesized.one("AWS::SNS::Topic", TopicName=NAMES.alarm_topic)
    # When its policy and subscriptions are read
    _, policy = synthesized.one("AWS::SNS::TopicPolicy")
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    # Then non-TLS publishing is denied and the alarm_email context value is subscribed
    assert [(s["Effect"], s["Condition"]) for s in statements] == [
        ("Deny", {"Bool": {"aws:SecureTransport": "false"}})
    ]
    synthesized.template.has_resource_properties(
        "AWS::SNS::Subscription",
        {"TopicArn": {"Ref": topic_id}, "Protocol": "email", "Endpoint": TEST_ALARM_EMAIL},
    )


def test_dashboard_covers_api_functions_queues_and_model_metrics(synthesized: SynthesizedStack) -> None:
    # Given the dashboard named by the scheme
    _, dashboard = synthesized.one("AWS::CloudWatch::Dashboard", DashboardName=NAMES.dashboard)
    # When its body is rendered to text
    body = json.dumps(render(dashboard["Properties"]["DashboardBody"]))
    # Then it graphs the API, both functions, both queues and every custom service metric
    api_function_id, _ = synthesized.one("AWS::Lambda::Function", FunctionName=NAMES.api_function)
    worker_id, _ = synthesized.one("AWS::Lambda::Function", FunctionName=NAMES.worker_function)
    queue_id, _ = synthesized.one("AWS::SQS::Queue", QueueName=NAMES.queue)
    dlq_id, _ = synthesized.one("AWS::SQS::Queue", QueueName=NAMES.dead_letter_queue)
    expected = [
        "AWS/ApiGateway",
        NAMES.rest_api,
        f"${{{api_function_id}}}",
        f"${{{worker_id}}}",
        f"${{{queue_id}.QueueName}}",
        f"${{{dlq_id}.QueueName}}",
        constants.METRICS_NAMESPACE,
        *(
            constants.METRIC_JOBS_ACCEPTED,
            constants.METRIC_JOBS_COMPLETED,
            constants.METRIC_JOBS_FAILED,
            constants.METRIC_MODEL_THROTTLED,
            constants.METRIC_MODEL_RETRIES,
            constants.METRIC_GUARD_REJECTIONS,
            constants.METRIC_INPUT_TOKENS,
            constants.METRIC_OUTPUT_TOKENS,
        ),
    ]
    assert [item for item in expected if item not in body] == []
