"""The fault matrix (``tests/e2e/fault_matrix.py``): 200 jobs under every fault, then a DLQ redrive.

"Exactly one terminal event", precisely, for every job the API accepted (answered 202):

- a job that ends COMPLETED has exactly one ``CV Tailoring Completed`` event, and no Failed event, unless it
  was FAILED with a retryable error before the redrive: then exactly one Failed event (``retryable: true``)
  as well, and the redrive is what completed it;
- a job that ends FAILED has exactly one ``CV Tailoring Failed`` event, with a non-retryable error, and no
  Completed event;
- no job stays PENDING or PROCESSING, neither once the faults have played out nor after the redrive.

The matrix runs once and every test here reads it; the outbox regression test at the end uses the module's
own stack, which starts only after the matrix's stack has stopped.
"""

from __future__ import annotations

import re
import sys
import time
from collections import Counter
from typing import Any

import pytest

from local_stack.stack import LocalStack
from shared.logic.submission import derived_job_id
from tests.e2e.aws_faults import AwsFaults
from tests.e2e.fault_matrix import (
    CRASH_AT_MODEL_CALL,
    CRASH_BEFORE_EVENT,
    ENQUEUE_FAILURE,
    JOBS,
    MODEL_OUTAGE,
    SECOND_MESSAGE,
    MatrixRun,
    fault_matrix_run,
    owner_of,
)
from tests.e2e.observation import TERMINAL, StackObserver
from tests.e2e.support import ALICE, COMPLETED, FAILED, EventLog, api_as, wait_until

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")
# The matrix itself takes 1.5 to 3 minutes on a shared 2-core machine.
MATRIX_TIMEOUT_SECONDS = 480


@pytest.fixture(scope="module")
def run() -> MatrixRun:
    return fault_matrix_run()


def _kinds(events: list[dict[str, Any]]) -> Counter[str]:
    return Counter(event["detail-type"] for event in events)


def _redriven_job_ids(run: MatrixRun) -> set[str]:
    return set(re.findall(r"- moved: job (\S+) message", run.redrive.out))


@pytest.mark.timeout(MATRIX_TIMEOUT_SECONDS)
def test_every_accepted_job_ends_completed_or_failed_with_exactly_one_terminal_event(
    run: MatrixRun, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given 200 jobs submitted and processed under every fault, then the DLQ redriven with the faults off

    # When the outcome is counted
    counts = run.counts()
    report = [
        f"fault matrix: {counts.line()}",
        "fault matrix seconds: " + ", ".join(f"{name} {value:.1f}" for name, value in run.seconds.items()),
        f"fault matrix injected: {dict(run.injected)}; runner {run.runner_stats}",
        f"fault matrix Bedrock emulator: {run.bedrock_stats}",
    ]
    with capsys.disabled():
        sys.stdout.write("\n" + "\n".join(report) + "\n")

    # Then every submission was accepted in the end, and no accepted job is left PENDING or PROCESSING
    assert counts.accepted == JOBS
    assert counts.stuck == 0
    assert all(run.statuses_before_redrive.get(job_id) in TERMINAL for job_id in run.accepted_ids)
    assert counts.completed + counts.failed == JOBS
    # And no job has a second Completed (or Failed) event
    assert counts.duplicate_events == 0
    by_job = run.events_by_job()
    redriven = _redriven_job_ids(run)
    for job_id in run.accepted_ids:
        kinds = _kinds(by_job.get(job_id, []))
        item = run.final_items[job_id]
        if run.status(job_id) == "COMPLETED":
            expected = {COMPLETED: 1, FAILED: 1} if job_id in redriven else {COMPLETED: 1}
            assert kinds == expected, (job_id, kinds)
        else:
            assert kinds == {FAILED: 1}, (job_id, kinds)
            assert item["failure_retryable"]["BOOL"] is False
        assert {event["detail"]["owner"] for event in by_job[job_id]} == {item["owner"]["S"]}
    # And no event names a job that was not accepted
    assert set(by_job) <= run.accepted_ids


@pytest.mark.timeout(MATRIX_TIMEOUT_SECONDS)
def test_every_fault_of_the_matrix_really_happened(run: MatrixRun) -> None:
    # When the matrix has run
    bedrock = run.bedrock_stats

    # Then the emulator throttled, failed and garbled calls in about the planned shares
    assert 0.2 < bedrock["throttled"] / bedrock["calls"] < 0.4
    assert bedrock["server_errors"] > 0
    assert bedrock["malformed"] > 0
    # And DynamoDB throttled attempts, the worker crashed as planned, messages came twice
    assert run.injected["dynamodb_throttles"] > 0
    planned_crashes = len(CRASH_AT_MODEL_CALL) + len(CRASH_BEFORE_EVENT)
    assert run.runner_stats["crashes"] == planned_crashes
    assert len(run.crashed_jobs) == planned_crashes
    assert run.runner_stats["duplicate_deliveries"] > 0
    assert run.injected["enqueue_failures"] == len(ENQUEUE_FAILURE)
    assert run.injected["model_outage_throttles"] > 0
    # And the worker's clock was fast-forwarded past the leases of crashed and retried jobs
    assert run.worker_clock_offset_seconds > 0


@pytest.mark.timeout(MATRIX_TIMEOUT_SECONDS)
def test_a_job_whose_worker_crashed_is_recovered_through_its_lease_and_completes_once(run: MatrixRun) -> None:
    # Given jobs whose worker died at the model call, after claiming them
    crashed_mid_job = run.job_ids_at(CRASH_AT_MODEL_CALL)
    crashed_before_event = run.job_ids_at(CRASH_BEFORE_EVENT)
    assert len(crashed_mid_job) == len(CRASH_AT_MODEL_CALL)
    assert len(crashed_before_event) == len(CRASH_BEFORE_EVENT)
    assert crashed_mid_job | crashed_before_event <= run.crashed_jobs

    # Then the next delivery claimed each again once its lease had expired, and it completed once
    by_job = run.events_by_job()
    for job_id in crashed_mid_job:
        assert run.status(job_id) == "COMPLETED"
        assert int(run.final_items[job_id]["attempts"]["N"]) >= 2
        assert _kinds(by_job[job_id]) == {COMPLETED: 1}
    # And a job whose worker died after the complete write, before the event, got its event from the next
    # delivery, through the outbox flag, without a second model call
    for job_id in crashed_before_event:
        assert run.status(job_id) == "COMPLETED"
        assert run.final_items[job_id]["terminal_event_published"]["BOOL"] is True
        assert _kinds(by_job[job_id]) == {COMPLETED: 1}


@pytest.mark.timeout(MATRIX_TIMEOUT_SECONDS)
def test_an_enqueue_failure_refuses_the_job_with_503_and_retry_after_and_keeps_no_pending_record(
    run: MatrixRun,
) -> None:
    # Given the submissions whose first SendMessage failed after their record was written
    refused = [outcome for outcome in run.submissions if outcome.planned.index in ENQUEUE_FAILURE]

    # Then the client got 503 with Retry-After, and right after it no record of the job existed
    for outcome in refused:
        assert outcome.responses[0] == 503
        assert outcome.retry_after[0] == "5"
        assert outcome.record_after_refusal[0] is None
        # And the client's retry with the same Idempotency-Key was accepted and processed normally
        assert outcome.responses[-1] == 202
        assert outcome.job_id == outcome.refused_job_ids[0]
        assert run.status(outcome.job_id) in TERMINAL
    # And no refused submission left a PENDING record behind (the rollback deleted or failed each)
    for outcome in run.submissions:
        for record in outcome.record_after_refusal:
            assert record != "PENDING"
    # And no message ever named a job without a record
    assert not [line for line in run.output.log_lines if "job not found" in line]


@pytest.mark.timeout(MATRIX_TIMEOUT_SECONDS)
def test_duplicate_deliveries_make_no_second_event(run: MatrixRun) -> None:
    # Given jobs that had a second message in the queue, and the runner's duplicate deliveries
    doubled = run.job_ids_at(SECOND_MESSAGE)
    assert len(doubled) == len(SECOND_MESSAGE)
    assert run.runner_stats["duplicate_deliveries"] > 0

    # Then each such job completed with one Completed event; the extra deliveries were acknowledged
    by_job = run.events_by_job()
    for job_id in doubled:
        assert _kinds(by_job[job_id]) == {COMPLETED: 1}
    stats = run.runner_stats
    assert stats["records"] >= JOBS + stats["duplicate_deliveries"] + stats["crashes"]
    assert run.final_jobs_queue_depth == 0


@pytest.mark.timeout(MATRIX_TIMEOUT_SECONDS)
def test_every_dead_lettered_message_redrives_to_completed_once_the_faults_are_off(run: MatrixRun) -> None:
    # Given the jobs an outage kept failing on all five deliveries, FAILED (retryable) with the DLQ holding
    # their messages
    outage = run.job_ids_at(MODEL_OUTAGE)
    assert {run.statuses_before_redrive[job_id] for job_id in outage} == {"FAILED"}
    assert run.dead_letters_before_redrive >= len(outage)

    # When `careervp dlq redrive --all` ran with the faults off
    redriven = _redriven_job_ids(run)

    # Then it moved every dead-lettered message, and each job completed, with one Failed then one Completed
    assert run.redrive.exit_code == 0, run.redrive.err
    assert f"moved {run.dead_letters_before_redrive}, skipped 0, failed 0" in run.redrive.out
    assert outage <= redriven
    by_job = run.events_by_job()
    for job_id in redriven:
        assert run.status(job_id) == "COMPLETED"
        failed = [event for event in by_job[job_id] if event["detail-type"] == FAILED]
        assert [event["detail"]["error"]["retryable"] for event in failed] == [True]
        assert _kinds(by_job[job_id])[COMPLETED] == 1
    # And the DLQ and the jobs queue are empty
    assert run.final_dead_letter_depth == 0
    assert run.final_jobs_queue_depth == 0


def test_an_event_published_but_not_recorded_is_not_published_again(
    stack: LocalStack, event_log: EventLog
) -> None:
    """Regression: a failed ``mark terminal event published`` write used to fail the record, and every
    redelivery then published the Completed event again (five events for one job)."""
    # Given a job whose outbox-flag write DynamoDB throttles on every attempt
    faults = AwsFaults()
    faults.install()
    api = api_as(stack.endpoints, ALICE)
    key = "outbox-flag-throttled"
    job_id = derived_job_id(owner_of(ALICE), key)
    faults.throttle_outbox_flag_of.add(job_id)
    records_before = stack.runner.stats.snapshot()["records"]
    try:
        # When it is submitted and processed
        response = api.submit(_small_request(), idempotency_key=key)
        assert response.status == 202, response.text
        event_log.wait_for(job_id, COMPLETED)
        # botocore makes three attempts with jittered backoff (up to about 3 s in all); the faults stay in
        # place until all three were refused and the record was handled, or the last attempt could succeed.
        assert wait_until(lambda: faults.injected.counts["dynamodb_throttles"] >= 3, 15)
        assert wait_until(lambda: stack.runner.stats.snapshot()["records"] >= records_before + 1, 15)
        time.sleep(0.5)
    finally:
        faults.uninstall()

    # Then its one delivery was acknowledged and exactly one Completed event went out
    assert len(event_log.of(job_id)) == 1
    assert stack.runner.stats.snapshot()["records"] == records_before + 1
    observer = StackObserver(stack.endpoints)
    assert wait_until(lambda: observer.jobs_queue_depth() == 0, 5)
    assert observer.dead_letter_depth() == 0
    # And the flag write really failed (the fault hit)
    item = observer.item(job_id)
    assert item is not None
    assert item["terminal_event_published"]["BOOL"] is False
    assert faults.injected.counts["dynamodb_throttles"] >= 3


def _small_request() -> dict[str, Any]:
    return {
        "resume": {
            "basics": {"name": "Alice Example"},
            "work": [
                {"name": "Acme", "position": "Engineer", "startDate": "2020-01", "highlights": ["Built APIs"]}
            ],
            "skills": [{"name": "Backend", "keywords": ["Python"]}],
        },
        "job": {"description": "Backend engineer: Python."},
    }
