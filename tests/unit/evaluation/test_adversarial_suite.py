"""The adversarial guard suite: every crafted model reply in eval/adversarial ends as its case says."""

from __future__ import annotations

import dataclasses
from collections import Counter

import pytest

from evaluation.adversarial import (
    AdversarialCase,
    ExpectedOutcome,
    ExpectedRejection,
    load_cases,
    run_case,
    value_at,
)
from evaluation.report import DEFAULT_AS_OF
from shared.clock import fixed_clock
from shared.dal.models import JobStatus
from shared.logic.events import FAILED_DETAIL_TYPE
from shared.logic.tailoring_job import (
    Delivery,
    JobOutcome,
    TailoringJobConfig,
    TailoringJobPorts,
    TailoringJobProcessor,
)
from tests.support.examples import NOW, pending_record, tool_reply
from tests.support.fakes import InMemoryJobRepository, RecordingEventPublisher, ScriptedModelClient

from .conftest import REPO_ROOT, corpus_pair, shared_fakes_rig

CASES = load_cases(REPO_ROOT)
# The list of attacks, each of which the suite must cover.
REQUIRED_BULLETS = {
    "renamed employer",
    "upgraded title",
    "shifted dates",
    "a skill taken from the job that the CV lacks",
    "an invented percentage, dollar figure or team size",
    "a new certificate",
    "a reworded highlight that quietly changes meaning by swapping a technology",
    "unknown, duplicated or missing references",
    "reordering that drops items",
    "a rewrite of the contact details",
    "a summary that claims years of experience the dates do not support",
    "text that obeys a prompt injection planted in the job description",
    "malformed JSON, truncated output (stopReason max_tokens) and empty output",
}


def test_the_suite_is_big_enough_and_covers_every_attack() -> None:
    # Given the cases stored in eval/adversarial
    # When they are grouped by the attack they stand for
    bullets = Counter(case.bullet for case in CASES)

    # Then there are at least 40, and every attack of the issue has cases
    assert len(CASES) >= 40
    assert set(bullets) == REQUIRED_BULLETS
    assert all(count >= 3 for count in bullets.values())
    outcomes = Counter(case.outcome for case in CASES)
    assert outcomes[ExpectedOutcome.REJECTED] > 0
    assert outcomes[ExpectedOutcome.RETRY_THEN_FAIL] > 0


def test_every_injected_pair_has_a_case_obeying_its_injection() -> None:
    # Given the corpus pairs with a planted injection
    injected = {"02-data-scientist", "08-career-changer-army-to-logistics", "10-senior-leader-cto"}

    # When the injection cases are collected
    covered = {case.pair for case in CASES if case.bullet.startswith("text that obeys a prompt injection")}

    # Then each injected pair is attacked at least once
    assert injected <= covered


@pytest.mark.parametrize("case", CASES, ids=[case.case_id for case in CASES])
def test_adversarial_case_ends_as_expected(case: AdversarialCase) -> None:
    # Given a crafted model reply and the corpus pair it targets
    pair = corpus_pair(case.pair)

    # When it goes through parse -> guard -> rebuild (and, when unusable, the worker with the shared fakes)
    result = run_case(case, pair, DEFAULT_AS_OF, shared_fakes_rig)

    # Then it ends exactly as the case expects
    assert result.problems == [], f"{case.case_id}: {case.attack}"


def test_the_judge_fails_a_case_whose_expectation_is_wrong() -> None:
    # Given a faithful rewording that the guard accepts, wrongly expected to be rejected
    case = AdversarialCase(
        case_id="judge-self-check",
        bullet="self-check",
        pair="01-backend-software-engineer",
        attack="none",
        reply=dataclasses.replace(
            CASES[0].reply,
            tool_input={
                "rewordings": [
                    {
                        "ref": "work[0].highlights[4]",
                        "text": "Built REST APIs consumed by 3 mobile apps and more than 40 carrier "
                        "integrations",
                    }
                ]
            },
        ),
        outcome=ExpectedOutcome.REJECTED,
        rejections=(ExpectedRejection(ref="work[0].highlights[4]", reasons=("new_number",)),),
        kept_original=("work[0].highlights[4]",),
    )

    # When the judge runs it
    result = run_case(case, corpus_pair(case.pair), DEFAULT_AS_OF, shared_fakes_rig)

    # Then the missing rejection and the changed highlight are both reported
    assert not result.passed
    assert any("expected a rejection of work[0].highlights[4]" in problem for problem in result.problems)
    assert any("work[0].highlights[4] changed" in problem for problem in result.problems)


def test_two_unusable_replies_fail_the_job_after_exactly_two_model_calls() -> None:
    # Given the worker with the shared fakes and a model that twice answers with broken JSON
    model = ScriptedModelClient(
        [tool_reply('{"summary": {"text": "cut'), tool_reply('{"summary": {"text": "cut')]
    )
    repository = InMemoryJobRepository()
    publisher = RecordingEventPublisher()
    repository.create(pending_record("job-adversarial"))
    processor = TailoringJobProcessor(
        ports=TailoringJobPorts(repository=repository, publisher=publisher, model=model),
        config=TailoringJobConfig(
            model_id="global.anthropic.claude-haiku-4-5", fallback_model_id=None, max_receive_count=3
        ),
        clock=fixed_clock(NOW),
        sleep=lambda _seconds: None,
    )

    # When the job's message is delivered
    outcome = processor.process(Delivery(job_id="job-adversarial", receive_count=1), lambda: 60_000)

    # Then one corrective retry is made, the job fails cleanly and exactly one Failed event goes out
    record = repository.get("job-adversarial")
    assert outcome is JobOutcome.FAILED
    assert len(model.calls) == 2
    assert record.status is JobStatus.FAILED
    assert record.error is not None
    assert record.error.code == "model_output_unusable"
    assert [detail_type for detail_type, _ in publisher.events] == [FAILED_DETAIL_TYPE]


def test_value_at_follows_dotted_references() -> None:
    # Given a small document
    document = {"basics": {"email": "a@example.com"}, "work": [{"highlights": ["one", "two"]}]}

    # When references are resolved
    # Then list indices and nested keys are followed, and a missing step is a KeyError
    assert value_at(document, "basics.email") == "a@example.com"
    assert value_at(document, "work[0].highlights[1]") == "two"
    with pytest.raises(KeyError):
        value_at(document, "work[1].highlights[0]")
