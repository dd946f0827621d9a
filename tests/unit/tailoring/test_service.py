"""The service entry points the worker and the emulator call."""

from __future__ import annotations

import json
from typing import Any

import pytest

from shared.tailoring import (
    GuardReason,
    ModelOutputCode,
    ModelOutputError,
    propose_edits,
    tailor_from_model_output,
    tailor_offline,
)

from .conftest import AS_OF


def test_model_output_becomes_a_guarded_outcome(
    engineer_cv: dict[str, Any], engineer_job: dict[str, Any]
) -> None:
    # Given model output with one good and one fabricated edit
    raw = {
        "skill_order": ["skills[1]", "skills[2]", "skills[3]", "skills[0]"],
        "rewordings": [
            {
                "ref": "work[0].highlights[4]",
                "text": "Built an event pipeline on Flink that processes 2 million events a day",
            }
        ],
    }

    # When it is turned into an outcome
    outcome = tailor_from_model_output(engineer_cv, engineer_job, raw, as_of=AS_OF)

    # Then the good edit is applied, the bad one reported, and the whole thing serialises to JSON
    assert [change.ref for change in outcome.changes] == ["skills"]
    assert [rejection.reason for rejection in outcome.rejections] == [GuardReason.NEW_TECHNOLOGY]
    assert outcome.tailored_resume["work"][0]["highlights"][4] == engineer_cv["work"][0]["highlights"][4]
    dumped = json.loads(json.dumps(outcome.model_dump(mode="json")))
    assert set(dumped) == {"tailored_resume", "changes", "rejections", "match_report"}


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (None, ModelOutputCode.EMPTY_OUTPUT),
        ("{not json", ModelOutputCode.MALFORMED_OUTPUT),
        ({"cv": {}}, ModelOutputCode.MALFORMED_OUTPUT),
    ],
)
def test_unusable_model_output_raises_for_a_corrective_retry(
    engineer_cv: dict[str, Any], engineer_job: dict[str, Any], raw: object, code: ModelOutputCode
) -> None:
    # Given empty, malformed or mis-shaped model output
    # When it is turned into an outcome
    with pytest.raises(ModelOutputError) as raised:
        tailor_from_model_output(engineer_cv, engineer_job, raw, as_of=AS_OF)

    # Then ModelOutputError tells the worker to retry once
    assert raised.value.code is code


def test_all_edits_rejected_is_an_outcome_not_an_error(
    engineer_cv: dict[str, Any], engineer_job: dict[str, Any]
) -> None:
    # Given well-formed output whose only edit fabricates a fact
    raw = {"summary": {"text": "Google engineer since 2010.", "sources": []}}

    # When it is turned into an outcome
    outcome = tailor_from_model_output(engineer_cv, engineer_job, raw, as_of=AS_OF)

    # Then the original CV comes back with the rejection reported
    assert outcome.tailored_resume == engineer_cv
    assert outcome.changes == []
    assert len(outcome.rejections) == 1


def test_the_engines_output_replays_through_the_model_path(
    nurse_cv: dict[str, Any], nurse_job: dict[str, Any]
) -> None:
    # Given the engine's edits serialised as a model's tool input would be (as the emulator returns them)
    tool_input = json.dumps(propose_edits(nurse_cv, nurse_job, as_of=AS_OF).model_dump(mode="json"))

    # When they replay through the model path and through the offline shortcut
    replayed = tailor_from_model_output(nurse_cv, nurse_job, tool_input, as_of=AS_OF)
    offline = tailor_offline(nurse_cv, nurse_job, as_of=AS_OF)

    # Then both give the same outcome, with no rejection
    assert replayed == offline
    assert replayed.rejections == []
    assert replayed.match_report.coverage_after.ratio == 1.0
