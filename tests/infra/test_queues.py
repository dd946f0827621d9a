"""The jobs queue, its dead-letter queue and the event source mapping that feeds the worker."""

from __future__ import annotations

from typing import Any

import pytest

from careervp import constants
from careervp.naming_utils import NamingUtils
from tests.infra.conftest import TEST_ENV, TEST_WORKER_MAX_CONCURRENCY
from tests.infra.template_reader import SynthesizedStack, render

pytestmark = pytest.mark.infra

NAMES = NamingUtils(env=TEST_ENV).service_names()
SECONDS_PER_DAY = 86_400


def _queue(synthesized: SynthesizedStack, name: str) -> tuple[str, dict[str, Any]]:
    logical_id, queue = synthesized.one("AWS::SQS::Queue", QueueName=name)
    return logical_id, queue["Properties"]


def test_visibility_timeout_is_at_least_six_worker_timeouts(synthesized: SynthesizedStack) -> None:
    # Given the worker's timeout
    _, worker = synthesized.one("AWS::Lambda::Function", FunctionName=NAMES.worker_function)
    # When the queue's visibility timeout is read
    _, queue = _queue(synthesized, NAMES.queue)
    # Then it covers six timeouts, so a message is never redelivered while an invocation still runs
    assert queue["VisibilityTimeout"] >= 6 * worker["Properties"]["Timeout"]
    assert queue["VisibilityTimeout"] == constants.QUEUE_VISIBILITY_TIMEOUT_SECONDS == 360


def test_queue_redrives_to_the_dlq_after_at_least_five_receives(synthesized: SynthesizedStack) -> None:
    # Given both queues
    dlq_id, _ = _queue(synthesized, NAMES.dead_letter_queue)
    _, queue = _queue(synthesized, NAMES.queue)
    # When the queue's redrive policy is read
    redrive = queue["RedrivePolicy"]
    # Then failed messages move to the DLQ after maxReceiveCount (>= 5) receives
    assert redrive == {"deadLetterTargetArn": {"Fn::GetAtt": [dlq_id, "Arn"]}, "maxReceiveCount": 5}
    assert redrive["maxReceiveCount"] >= 5


def test_dlq_keeps_messages_14_days_longer_than_the_queue(synthesized: SynthesizedStack) -> None:
    # Given both queues
    _, dlq = _queue(synthesized, NAMES.dead_letter_queue)
    _, queue = _queue(synthesized, NAMES.queue)
    # When their retention periods are compared
    # Then the DLQ keeps 14 days, more than the source queue (a moved message keeps its enqueue time)
    assert dlq["MessageRetentionPeriod"] == 14 * SECONDS_PER_DAY
    assert queue["MessageRetentionPeriod"] == 4 * SECONDS_PER_DAY
    assert dlq["MessageRetentionPeriod"] > queue["MessageRetentionPeriod"]


def test_dlq_accepts_redrive_only_from_the_jobs_queue(synthesized: SynthesizedStack) -> None:
    # Given the DLQ
    _, dlq = _queue(synthesized, NAMES.dead_letter_queue)
    _, queue = _queue(synthesized, NAMES.queue)
    # When the redrive allow policies are read
    # Then only the jobs queue may use the DLQ, and nothing may use the jobs queue as a DLQ
    assert render(dlq["RedriveAllowPolicy"]) == {
        "redrivePermission": "byQueue",
        "sourceQueueArns": [
            f"arn:${{AWS::Partition}}:sqs:${{AWS::Region}}:${{AWS::AccountId}}:{NAMES.queue}"
        ],
    }
    assert queue["RedriveAllowPolicy"] == {"redrivePermission": "denyAll"}


@pytest.mark.parametrize("queue_name", [NAMES.queue, NAMES.dead_letter_queue])
def test_queue_is_encrypted_and_denies_requests_without_tls(
    synthesized: SynthesizedStack, queue_name: str
) -> None:
    # Given a queue
    queue_id, queue = _queue(synthesized, queue_name)
    # When its encryption and its queue policy are read
    policies = [
        policy["Properties"]
        for policy in synthesized.of_type("AWS::SQS::QueuePolicy").values()
        if {"Ref": queue_id} in policy["Properties"]["Queues"]
    ]
    # Then SQS-managed SSE is on and the only statement denies every non-TLS request
    assert queue["SqsManagedSseEnabled"] is True
    assert len(policies) == 1
    assert policies[0]["PolicyDocument"]["Statement"] == [
        {
            "Action": "sqs:*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Resource": {"Fn::GetAtt": [queue_id, "Arn"]},
        }
    ]


def test_event_source_mapping_reports_batch_item_failures_one_job_at_a_time(
    synthesized: SynthesizedStack,
) -> None:
    # Given the queue and the worker
    queue_id, _ = _queue(synthesized, NAMES.queue)
    worker_id, _ = synthesized.one("AWS::Lambda::Function", FunctionName=NAMES.worker_function)
    # When the mapping between them is read
    # Then it reports partial batch failures, takes one job per invocation and caps concurrency from context
    synthesized.template.has_resource_properties(
        "AWS::Lambda::EventSourceMapping",
        {
            "EventSourceArn": {"Fn::GetAtt": [queue_id, "Arn"]},
            "FunctionName": {"Ref": worker_id},
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "BatchSize": 1,
            "MaximumBatchingWindowInSeconds": 0,
            "ScalingConfig": {"MaximumConcurrency": TEST_WORKER_MAX_CONCURRENCY},
        },
    )


def test_a_batch_fits_within_the_worker_timeout(synthesized: SynthesizedStack) -> None:
    # Given the mapping and the worker
    _, mapping = synthesized.one("AWS::Lambda::EventSourceMapping")
    _, worker = synthesized.one("AWS::Lambda::Function", FunctionName=NAMES.worker_function)
    # When batch size and batching window are combined
    batch_size = mapping["Properties"]["BatchSize"]
    window = mapping["Properties"]["MaximumBatchingWindowInSeconds"]
    # Then each job in a batch gets the whole 60 s budget, and nothing waits for a batch to fill
    assert batch_size * worker["Properties"]["Timeout"] <= constants.CV_TAILOR_TIMEOUT_SECONDS
    assert window == 0
