"""Privacy and access: owner-only reads (404, never 403), no CV or job text in logs, metrics or events, TTL.

The sentinel checks read the fault matrix run (``tests/e2e/fault_matrix.py``): every CV and job there carries
unique sentinel strings (in the name, e-mail, summary, an employer, a highlight, the job's text and some
target keywords), and every line the handlers wrote during the run is searched for them: the Powertools log
lines at DEBUG, the EMF metric lines, the warnings libraries logged, and every event body on the subscriber
queue. The matrix runs first (it needs the process to itself); the tests after it use this module's stack.
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest

from careervp import constants
from careervp_cli.api_client import ApiResponse
from careervp_cli.aws import SigningCredentials
from local_stack.bedrock_emulator import FaultConfig
from local_stack.stack import LocalStack
from tests.e2e.fault_matrix import (
    CALLERS,
    CAROL,
    CRASH_BEFORE_EVENT,
    JOBS,
    MatrixRun,
    fault_matrix_run,
    owner_of,
)
from tests.e2e.observation import StackObserver
from tests.e2e.support import ALICE, BOB, COMPLETED, FAILED, EventLog, api_as

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")
MATRIX_TIMEOUT_SECONDS = 480


@pytest.fixture(scope="module")
def run() -> MatrixRun:
    return fault_matrix_run()


@pytest.mark.timeout(MATRIX_TIMEOUT_SECONDS)
def test_no_sentinel_from_any_cv_or_job_reaches_a_log_line_a_metric_or_an_event(run: MatrixRun) -> None:
    # Given everything the handlers wrote during the fault matrix, and every event subscribers received
    output = run.output
    searched = {
        "log line": output.log_lines,
        "metric": output.metric_lines,
        "other output": output.other_stdout_lines,
        "library log record": output.library_records,
        "event": [json.dumps(event, ensure_ascii=False) for event in run.events],
    }
    # And the capture is not empty: a log line per job completed (but for those whose worker crashed before
    # the event, after the complete write), metrics and events for all jobs
    completion_lines = sum("job completed" in line for line in output.log_lines)
    assert completion_lines >= run.counts().completed - len(CRASH_BEFORE_EVENT)
    assert len(output.metric_lines) >= JOBS
    assert len(run.events) >= JOBS
    # And the sentinels really are in the stored CVs, so a leak would be found
    stored = " ".join(
        item[name]["S"]
        for item in run.final_items.values()
        for name in ("resume_json", "job_json", "options_json")
    )
    assert all(sentinel in stored for sentinel in run.sentinels)

    # When each place is searched for each sentinel
    leaks = {
        place: [sentinel for sentinel in run.sentinels if any(sentinel in line for line in lines)]
        for place, lines in searched.items()
    }

    # Then none appears anywhere
    assert leaks == {place: [] for place in searched}


@pytest.mark.timeout(MATRIX_TIMEOUT_SECONDS)
def test_no_owner_arn_reaches_a_log_line_or_a_metric(run: MatrixRun) -> None:
    # Given the owners of the matrix's jobs (the logs carry a 16-character hash of the owner instead)
    owners = [owner_of(credentials) for credentials in CALLERS]
    lines = run.output.log_lines + run.output.metric_lines + run.output.library_records
    assert any("owner_hash" in line for line in lines)

    # Then no line holds an owner ARN or an access key id
    assert [line for line in lines if any(owner in line for owner in owners)] == []
    assert [line for line in lines if any(caller.access_key in line for caller in CALLERS)] == []


@pytest.mark.timeout(MATRIX_TIMEOUT_SECONDS)
def test_every_record_expires_job_ttl_days_after_it_was_created(run: MatrixRun) -> None:
    # Given every record the matrix left in the table
    ttl = timedelta(days=constants.JOB_TTL_DAYS)
    assert constants.JOB_TTL_DAYS == 7

    # Then each one's expires_at (the table's TTL attribute) is its creation time plus 7 days
    for item in run.final_items.values():
        created = datetime.fromisoformat(item["created_at"]["S"])
        assert int(item["expires_at"]["N"]) == int((created + ttl).timestamp())


def _request(name: str) -> dict[str, Any]:
    return {
        "resume": {
            "basics": {"name": name},
            "work": [
                {"name": "Acme", "position": "Engineer", "startDate": "2020-01", "highlights": ["Built APIs"]}
            ],
        },
        "job": {"description": "Backend engineer: Python and APIs."},
    }


def _accepted(response: ApiResponse) -> str:
    assert response.status == 202, response.text
    return str(response.body["job_id"])


@pytest.fixture(scope="module")
def alices_jobs(stack: LocalStack, event_log: EventLog) -> dict[str, str]:
    """A COMPLETED and a FAILED job of Alice's."""
    api = api_as(stack.endpoints, ALICE)
    completed = _accepted(api.submit(_request("Alice Completed")))
    event_log.wait_for(completed, COMPLETED)
    stack.set_faults(FaultConfig(malformed_rate=1.0))
    try:
        failed = _accepted(api.submit(_request("Alice Failed")))
        event_log.wait_for(failed, FAILED)
    finally:
        stack.set_faults(FaultConfig())
    return {"COMPLETED": completed, "FAILED": failed}


@pytest.mark.parametrize("status", ["COMPLETED", "FAILED"])
@pytest.mark.parametrize("intruder", [BOB, CAROL], ids=["Bob", "Carol"])
def test_another_caller_gets_the_same_404_as_for_a_job_that_does_not_exist(
    stack: LocalStack, alices_jobs: dict[str, str], status: str, intruder: SigningCredentials
) -> None:
    # Given a job of Alice's, and another caller
    job_id = alices_jobs[status]
    api = api_as(stack.endpoints, intruder)

    # When the other caller asks for it, and for an id nobody has
    theirs = api.status(job_id)
    nobodys = api.status(str(uuid.uuid4()))

    # Then both get the same 404 body, never a 403, and nothing about the job
    assert theirs.status == 404
    assert theirs.body == nobodys.body
    assert theirs.body["error"]["code"] == "not_found"
    assert job_id not in theirs.text
    # And Alice, the owner, reads it
    mine = api_as(stack.endpoints, ALICE).status(job_id)
    assert mine.status == 200
    assert mine.body["status"] == status
    assert "resume" not in mine.body
    assert "job" not in mine.body


def test_an_idempotency_key_belongs_to_its_owner(stack: LocalStack, event_log: EventLog) -> None:
    # Given Alice's job submitted with an Idempotency-Key
    key = f"shared-key-{uuid.uuid4().hex[:8]}"
    alice = api_as(stack.endpoints, ALICE).submit(_request("Alice Keyed"), idempotency_key=key)
    assert alice.status == 202

    # When Bob sends the same key with another body
    bob = api_as(stack.endpoints, BOB).submit(_request("Bob Keyed"), idempotency_key=key)

    # Then Bob gets a job of his own (no 409 telling him the key exists, and not Alice's job)
    assert bob.status == 202
    assert bob.body["job_id"] != alice.body["job_id"]
    assert api_as(stack.endpoints, BOB).status(alice.body["job_id"]).status == 404
    for response in (alice, bob):
        event_log.wait_for(str(response.body["job_id"]), COMPLETED)


def test_the_table_expires_records_through_ttl_on_expires_at(stack: LocalStack) -> None:
    # Given the jobs table as provisioned from the CDK constants
    observer = StackObserver(stack.endpoints)
    table = stack.endpoints.resources.table_name

    # When its TTL is read, and a fresh job's record
    ttl = observer.dynamodb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
    before = int(time.time())
    job_id = _accepted(api_as(stack.endpoints, ALICE).submit(_request("Alice TTL")))
    item = observer.item(job_id)

    # Then TTL is on, on expires_at, and the record expires 7 days after it was created
    assert ttl["TimeToLiveStatus"] == "ENABLED"
    assert ttl["AttributeName"] == "expires_at"
    assert item is not None
    created = datetime.fromisoformat(item["created_at"]["S"])
    expires_at = int(item["expires_at"]["N"])
    assert expires_at == int((created + timedelta(days=7)).timestamp())
    assert before <= created.timestamp() <= time.time()
