"""A fast subset of `make eval` as ordinary tests: the targets hold for both engines."""

from __future__ import annotations

from datetime import date

import pytest

from evaluation.checks import hand_coverage
from evaluation.corpus import FAST_PAIRS, load_responses
from evaluation.report import DEFAULT_AS_OF, TOKEN_RATIO_TARGET, Evaluation, evaluate
from evaluation.runs import Engine, run_offline
from evaluation.tokens import compact_json, estimate_tokens
from shared.tailoring import tailor_offline

from .conftest import REPO_ROOT, corpus_pair


@pytest.fixture(scope="module")
def fast_evaluation() -> Evaluation:
    return evaluate(REPO_ROOT, DEFAULT_AS_OF, FAST_PAIRS, with_suite=False)


@pytest.mark.parametrize("engine", list(Engine))
def test_every_output_is_schema_valid(fast_evaluation: Evaluation, engine: Engine) -> None:
    # Given the fast subset tailored by one engine
    runs = fast_evaluation.runs_of(engine)

    # When each tailored CV is validated against JSON Resume schema.json
    # Then every one is valid
    assert runs
    assert {run.label: run.schema_errors for run in runs if run.schema_errors} == {}


@pytest.mark.parametrize("engine", list(Engine))
def test_no_fact_is_fabricated(fast_evaluation: Evaluation, engine: Engine) -> None:
    # Given the fast subset tailored by one engine
    # When the tailored CVs are audited by the core extractor and by the independent checker
    fabricated = {
        run.label: (run.core.fabricated, run.simple)
        for run in fast_evaluation.runs_of(engine)
        if run.fabricated
    }

    # Then neither finds a fact the source CV lacks
    assert fabricated == {}


@pytest.mark.parametrize("engine", list(Engine))
def test_no_fact_is_dropped_silently(fast_evaluation: Evaluation, engine: Engine) -> None:
    # Given the fast subset tailored by one engine
    # When the source CVs are audited against the tailored ones
    dropped = {
        run.label: (run.core.silently_dropped, run.simple.silently_dropped_numbers)
        for run in fast_evaluation.runs_of(engine)
        if run.silently_dropped
    }

    # Then nothing is lost that no change accounts for
    assert dropped == {}


@pytest.mark.parametrize("engine", list(Engine))
def test_coverage_never_falls_below_the_source(fast_evaluation: Evaluation, engine: Engine) -> None:
    # Given the fast subset tailored by one engine
    runs = fast_evaluation.runs_of(engine)

    # When first-page coverage is compared before and after, by the hand-written and the engine's keywords
    regressed = [run.label for run in runs if run.coverage_regressed]

    # Then no tailoring shows fewer evidenced keywords on the first page than the source did
    assert regressed == []


def test_recorded_responses_reach_the_coverage_target(fast_evaluation: Evaluation) -> None:
    # Given the recorded model responses of the fast subset
    total = fast_evaluation.totals_of(Engine.RECORDED)

    # When their hand-written keyword coverage is averaged
    # Then it reaches 90% and every recorded response was usable
    assert total.coverage_after >= 0.90
    assert total.unusable == 0


@pytest.mark.parametrize("engine", list(Engine))
def test_edits_cost_a_fraction_of_a_full_regeneration(fast_evaluation: Evaluation, engine: Engine) -> None:
    # Given the fast subset tailored by one engine
    total = fast_evaluation.totals_of(engine)

    # When the edit contract's output tokens are set against the whole tailored CV's
    # Then they stay within the target ratio and cost less per tailoring
    assert 0 < total.token_ratio <= TOKEN_RATIO_TARGET
    assert total.edit_cost_per_tailoring < total.full_cost_per_tailoring


def test_every_pair_has_a_recorded_response() -> None:
    # Given the corpus
    names = sorted(path.name for path in (REPO_ROOT / "eval" / "corpus").iterdir() if path.is_dir())

    # When the recorded responses are loaded
    counts = {name: len(load_responses(REPO_ROOT, name)) for name in names}

    # Then every pair has at least one, and some reword highlights
    assert len(counts) >= 12
    assert all(count >= 1 for count in counts.values()), counts
    reworded = [
        response
        for name in names
        for response in load_responses(REPO_ROOT, name)
        if isinstance(response.tool_input, dict) and response.tool_input.get("rewordings")
    ]
    assert len(reworded) >= 8


def test_the_offline_run_measures_what_tailor_offline_produces() -> None:
    # Given a pair and a date
    pair = corpus_pair("13-unicode-mechanical-engineer")
    as_of = date(2026, 11, 1)

    # When it is tailored by the evaluation's offline run and by tailor_offline
    measured = run_offline(pair, as_of, input_tokens=0)
    outcome = tailor_offline(pair.resume, pair.job, as_of=as_of)

    # Then the measured CV is tailor_offline's CV: same changes, same coverage, same serialised size
    assert measured.changes == len(outcome.changes) > 0
    assert measured.coverage_after == hand_coverage(outcome.tailored_resume, pair.expectations)
    assert measured.tokens.full_output_tokens == estimate_tokens(compact_json(outcome.tailored_resume))
