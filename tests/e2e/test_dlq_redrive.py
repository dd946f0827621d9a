"""A job the model keeps throttling ends FAILED in the DLQ; `careervp dlq redrive` brings it to COMPLETED."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from local_stack.bedrock_emulator import FaultConfig
from local_stack.demo import example_documents
from local_stack.stack import LocalStack
from tests.e2e.support import (
    ALICE,
    COMPLETED,
    FAILED,
    EventLog,
    api_as,
    local_services,
    run_cli,
    submit,
    wait_until,
)
from tests.support.examples import event_schema_errors

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")

DEAD_LETTER_TIMEOUT_SECONDS = 60.0
# Long enough for a stray second Completed event (a duplicate delivery) to have arrived.
SETTLE_SECONDS = 2.0


@pytest.fixture
def throttled_stack(stack: LocalStack) -> Iterator[LocalStack]:
    """The stack with the Bedrock emulator throttling every call; faults cleared afterwards."""
    stack.set_faults(FaultConfig(throttle_rate=1.0))
    yield stack
    stack.set_faults(FaultConfig())


def _dead_lettered_job(stack: LocalStack, event_log: EventLog) -> str:
    """Submit a job while every model call is throttled; return its id once it sits in the DLQ."""
    resume, job = example_documents()
    job_id = submit(api_as(stack.endpoints, ALICE), resume, job)
    event_log.wait_for(job_id, FAILED, timeout_seconds=DEAD_LETTER_TIMEOUT_SECONDS)
    services = local_services(stack.endpoints)
    dlq_url = stack.endpoints.resources.dead_letter_queue_url
    assert wait_until(lambda: services.approximate_message_count(dlq_url) >= 1, 10), "message not in the DLQ"
    return job_id


def _redrive_and_expect_one_completion(
    stack: LocalStack, event_log: EventLog, job_id: str, *redrive_args: str
) -> None:
    # Given the model answers again
    stack.set_faults(FaultConfig())

    # When ops redrive the DLQ with the CLI
    redrive = run_cli(stack.endpoints, "dlq", "redrive", *redrive_args)

    # Then the message moves back, the job completes and exactly one Completed event is emitted
    assert redrive.exit_code == 0, redrive.err
    assert "moved 1, skipped 0, failed 0" in redrive.out
    event_log.wait_for(job_id, COMPLETED)
    status = api_as(stack.endpoints, ALICE).status(job_id)
    assert status.body["status"] == "COMPLETED"
    assert "error" not in status.body
    time.sleep(SETTLE_SECONDS)
    assert len(event_log.of(job_id, COMPLETED)) == 1
    services = local_services(stack.endpoints)
    assert services.approximate_message_count(stack.endpoints.resources.dead_letter_queue_url) == 0


def test_a_throttled_job_fails_into_the_dlq_and_a_selective_redrive_completes_it(
    throttled_stack: LocalStack, event_log: EventLog
) -> None:
    # Given a job whose every model call was throttled, on each of its five deliveries
    job_id = _dead_lettered_job(throttled_stack, event_log)

    # Then the job is FAILED with a retryable error, and its Failed event says so
    status = api_as(throttled_stack.endpoints, ALICE).status(job_id)
    assert status.body["status"] == "FAILED"
    assert status.body["error"]["code"] == "model_unavailable"
    failed = event_log.of(job_id, FAILED)
    assert len(failed) == 1
    assert failed[0]["detail"]["error"]["retryable"] is True
    assert event_schema_errors(FAILED, failed[0]["detail"]) == []
    # And `careervp dlq inspect` lists the message with its receive count and the recorded failure
    inspect = run_cli(throttled_stack.endpoints, "dlq", "inspect")
    assert inspect.exit_code == 0, inspect.err
    assert f"job {job_id}" in inspect.out
    assert "model_unavailable" in inspect.out
    assert "status=FAILED" in inspect.out

    # When the faults clear and ops redrive this one job, it completes exactly once
    _redrive_and_expect_one_completion(throttled_stack, event_log, job_id, "--job-id", job_id)


def test_redrive_all_falls_back_to_moving_messages_where_sqs_lacks_message_move_tasks(
    throttled_stack: LocalStack, event_log: EventLog
) -> None:
    # Given a dead-lettered job, on an endpoint (moto) without StartMessageMoveTask
    job_id = _dead_lettered_job(throttled_stack, event_log)

    # When ops redrive everything, the CLI says it fell back, and the job completes exactly once
    _redrive_and_expect_one_completion(throttled_stack, event_log, job_id, "--all")
