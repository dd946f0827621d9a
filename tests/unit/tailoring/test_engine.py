"""The offline engine: relevance ordering, CV-only summaries and alias alignment that the guard accepts."""

from __future__ import annotations

import json
from typing import Any

import pytest
from jsonschema import Draft7Validator

from shared.tailoring import (
    apply_edits,
    build_match_report,
    extract_facts,
    guard_edits,
    propose_edits,
    resolve_ref,
    resume_facts,
    tailoring_vocabulary,
)
from shared.tailoring.facts import FactKind

from .conftest import AS_OF, load_fixture, protected_fields

PAIRS = [
    ("backend_engineer_cv.json", "backend_engineer_job.json"),
    ("ward_nurse_cv.json", "ward_nurse_job.json"),
    ("account_executive_cv.json", "account_executive_job.json"),
    ("teacher_cv.json", "teacher_job.json"),
]
CHECKED_KINDS = [
    FactKind.NUMBER,
    FactKind.DATE,
    FactKind.TECHNOLOGY,
    FactKind.SKILL,
    FactKind.CREDENTIAL,
    FactKind.ORGANISATION,
    FactKind.LINK,
]


@pytest.mark.parametrize(("cv_file", "job_file"), PAIRS)
def test_the_engines_edits_pass_the_guard_untouched(
    cv_file: str, job_file: str, resume_validator: Draft7Validator
) -> None:
    # Given an ordinary CV and job from one of four professions
    cv, job = load_fixture(cv_file), load_fixture(job_file)

    # When the engine proposes edits and the guard checks them
    edits = propose_edits(cv, job, as_of=AS_OF)
    guarded = guard_edits(cv, edits, job=job, as_of=AS_OF)
    tailored = apply_edits(cv, edits, job=job, as_of=AS_OF).resume

    # Then nothing is rejected, something changed, and the result validates with its facts copied
    assert guarded.rejections == []
    assert guarded.accepted == edits
    assert not edits.is_empty
    assert list(resume_validator.iter_errors(tailored)) == []
    assert protected_fields(tailored) == protected_fields(cv)


@pytest.mark.parametrize(("cv_file", "job_file"), PAIRS)
def test_the_engine_adds_no_fact_and_drops_none(cv_file: str, job_file: str) -> None:
    # Given an ordinary CV and job
    cv, job = load_fixture(cv_file), load_fixture(job_file)
    vocabulary = tailoring_vocabulary(cv, job)

    # When it is tailored offline
    tailored = apply_edits(cv, propose_edits(cv, job, as_of=AS_OF), job=job, as_of=AS_OF).resume

    # Then the tailored CV states exactly the source's facts, kind by kind
    before, after = resume_facts(cv, vocabulary).all, resume_facts(tailored, vocabulary).all
    for kind in CHECKED_KINDS:
        assert after.keys(kind) == before.keys(kind), kind


@pytest.mark.parametrize(("cv_file", "job_file"), PAIRS)
def test_first_page_coverage_never_falls(cv_file: str, job_file: str) -> None:
    # Given an ordinary CV and job
    cv, job = load_fixture(cv_file), load_fixture(job_file)

    # When it is tailored offline and reported on
    tailored = apply_edits(cv, propose_edits(cv, job, as_of=AS_OF), job=job, as_of=AS_OF).resume
    report = build_match_report(cv, tailored, job)

    # Then every evidenced keyword reaches the first page, never fewer than before
    assert report.coverage_after.in_first_page >= report.coverage_before.in_first_page
    assert report.coverage_after.ratio == 1.0


def test_relevant_highlights_move_up(engineer_cv: dict[str, Any], engineer_job: dict[str, Any]) -> None:
    # Given a role whose first highlight mentions no job keyword
    # When the engine orders it
    edits = propose_edits(engineer_cv, engineer_job, as_of=AS_OF)
    order = next(order.order for order in edits.highlight_orders if order.work == "work[0]")

    # Then keyword-rich highlights lead and the keyword-free ones follow in source order
    assert order[0] in {"work[0].highlights[1]", "work[0].highlights[2]", "work[0].highlights[4]"}
    assert order[-2:] == ["work[0].highlights[0]", "work[0].highlights[3]"]
    assert sorted(order) == sorted(
        engineer_cv["work"][0]["highlights"] and [f"work[0].highlights[{i}]" for i in range(5)]
    )


def test_aliases_align_to_the_jobs_wording_only(
    engineer_cv: dict[str, Any], engineer_job: dict[str, Any]
) -> None:
    # Given a CV saying "Postgres" and "k8s" and a job saying "PostgreSQL" and "Kubernetes"
    # When the engine rewords
    rewordings = {
        edit.ref: edit.text for edit in propose_edits(engineer_cv, engineer_job, as_of=AS_OF).rewordings
    }

    # Then exactly those names change, and nothing else in the sentence
    highlights = engineer_cv["work"][0]["highlights"]
    assert rewordings == {
        "work[0].highlights[1]": highlights[1].replace("Postgres", "PostgreSQL"),
        "work[0].highlights[2]": highlights[2].replace("k8s", "Kubernetes"),
    }


def test_the_summary_is_built_from_the_cvs_own_sentences(
    engineer_cv: dict[str, Any], engineer_job: dict[str, Any]
) -> None:
    # Given the engine's summary for a CV with a summary of its own
    edit = propose_edits(engineer_cv, engineer_job, as_of=AS_OF).summary
    assert edit is not None

    # When its sentences are compared with the cited items
    cited_items = [resolve_ref(engineer_cv, ref) for ref in edit.sources]
    cited = " ".join(item.text for item in cited_items if item is not None)
    vocabulary = tailoring_vocabulary(engineer_cv, engineer_job)

    # Then it keeps the original summary first and states no fact its sources lack
    assert None not in cited_items
    assert edit.text.startswith(engineer_cv["basics"]["summary"])
    summary_facts, cited_facts = extract_facts(edit.text, vocabulary), extract_facts(cited, vocabulary)
    for kind in CHECKED_KINDS:
        assert summary_facts.keys(kind) <= cited_facts.keys(kind), kind


def test_the_engine_never_writes_a_missing_keyword(
    engineer_cv: dict[str, Any], engineer_job: dict[str, Any]
) -> None:
    # Given a job asking for Terraform, which the CV lacks
    # When the engine proposes edits
    edits = propose_edits(engineer_cv, engineer_job, as_of=AS_OF)

    # Then Terraform appears nowhere in them
    assert "terraform" not in json.dumps(edits.model_dump(mode="json")).lower()


def test_the_engine_is_deterministic(nurse_cv: dict[str, Any], nurse_job: dict[str, Any]) -> None:
    # Given the same inputs twice
    # When edits are proposed
    first, second = (
        propose_edits(nurse_cv, nurse_job, as_of=AS_OF),
        propose_edits(nurse_cv, nurse_job, as_of=AS_OF),
    )

    # Then they are identical
    assert first == second


def test_a_job_with_nothing_in_common_changes_nothing_risky(engineer_cv: dict[str, Any]) -> None:
    # Given a job the CV shares no keyword with
    job = {"description": "Pastry chef wanted for a busy bakery."}

    # When the engine proposes edits
    edits = propose_edits(engineer_cv, job, as_of=AS_OF)

    # Then it proposes no reorder, rewording or summary
    assert edits.is_empty
