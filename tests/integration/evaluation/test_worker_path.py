"""Recorded and adversarial model replies through the real worker use case and the real job store on moto."""

from __future__ import annotations

import json

import pytest

from evaluation.adversarial import (
    AdversarialCase,
    ExpectedOutcome,
    check_worker_keeps_originals,
    load_cases,
    run_case,
)
from evaluation.corpus import load_pair, load_responses
from evaluation.report import DEFAULT_AS_OF
from evaluation.worker_rig import Rig, RigFactory, model_reply, run_worker
from shared.clients.model_types import ModelReply
from shared.dal.dynamodb_jobs import DynamoDBJobRepository
from shared.logic.tailoring_job import JobOutcome
from shared.tailoring import tailor_from_model_output
from tests.support.aws import AwsResources
from tests.support.examples import REPO_ROOT
from tests.support.fakes import RecordingEventPublisher, ScriptedModelClient

CASES = load_cases(REPO_ROOT)
# One rejected case per kind of attack that a completed job can carry.
WORKER_CASE_IDS = {
    "employer-famous-name-in-highlight",
    "metric-yuan-figure-scaled",
    "contact-reword-email-ref",
    "injection-10-summary-500-people-mba",
    "reorder-keeps-only-top-highlights",
}
WORKER_CASES = [case for case in CASES if case.case_id in WORKER_CASE_IDS]
UNUSABLE_CASES = [case for case in CASES if case.outcome is ExpectedOutcome.RETRY_THEN_FAIL][:3]
# A renamed or removed case would silently drop its test from the parametrisation.
assert {case.case_id for case in WORKER_CASES} == WORKER_CASE_IDS, "a named adversarial case is missing"
assert len(UNUSABLE_CASES) == 3, "fewer than three retry-then-fail adversarial cases"


@pytest.fixture
def dynamodb_rig(aws_resources: AwsResources) -> RigFactory:
    def factory(replies: list[ModelReply]) -> Rig:
        return Rig(
            repository=DynamoDBJobRepository(aws_resources.table_name, client=aws_resources.dynamodb),
            publisher=RecordingEventPublisher(),
            model=ScriptedModelClient(script=[*replies]),
        )

    return factory


@pytest.mark.parametrize("case", WORKER_CASES, ids=[case.case_id for case in WORKER_CASES])
def test_a_rejected_edit_is_reported_and_the_original_stored(
    case: AdversarialCase, dynamodb_rig: RigFactory
) -> None:
    # Given an adversarial reply that the guard rejects, and the real job store
    pair = load_pair(REPO_ROOT, case.pair)

    # When the worker processes a job answered by that reply
    problems = check_worker_keeps_originals(case, pair, DEFAULT_AS_OF, dynamodb_rig)

    # Then the stored result keeps the originals and lists the rejection, with one Completed event
    assert problems == []


@pytest.mark.parametrize("case", UNUSABLE_CASES, ids=[case.case_id for case in UNUSABLE_CASES])
def test_an_unusable_reply_fails_the_stored_job_after_one_retry(
    case: AdversarialCase, dynamodb_rig: RigFactory
) -> None:
    # Given an unusable reply and the real job store
    pair = load_pair(REPO_ROOT, case.pair)

    # When the case runs through the worker
    result = run_case(case, pair, DEFAULT_AS_OF, dynamodb_rig)

    # Then the job is stored as FAILED after two model calls
    assert result.problems == []
    assert result.observed["worker"]["status"] == "FAILED"


def test_a_recorded_response_is_stored_as_the_evaluation_measured_it(dynamodb_rig: RigFactory) -> None:
    # Given a recorded response with rewordings of right-to-left text
    pair = load_pair(REPO_ROOT, "15-unicode-rtl-construction-pm")
    response = load_responses(REPO_ROOT, pair.name)[0]

    # When the worker processes a job answered by it
    run = run_worker(
        pair.resume, pair.job, [model_reply(response.tool_input)], dynamodb_rig, as_of=DEFAULT_AS_OF
    )

    # Then the stored CV is byte for byte the one the evaluation measured
    expected = tailor_from_model_output(pair.resume, pair.job, response.tool_input, as_of=DEFAULT_AS_OF)
    stored = (run.record.result or {})["resume"]
    assert run.outcome is JobOutcome.COMPLETED
    assert json.dumps(stored, ensure_ascii=False, sort_keys=True) == json.dumps(
        expected.tailored_resume, ensure_ascii=False, sort_keys=True
    )
    assert "«مشروع النخيل»" in json.dumps(stored, ensure_ascii=False)
