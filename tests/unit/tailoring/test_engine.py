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


def _cited_text(resume: dict[str, Any], ref: str) -> str:
    """An item's text, or every string of a read-only entry (``education[0]``) a summary may cite."""
    item = resolve_ref(resume, ref)
    if item is not None:
        return item.text
    section, _, position = ref.rstrip("]").partition("[")
    entry = resume[section][int(position)]
    return " ".join(value for value in entry.values() if isinstance(value, str))


def test_the_summary_is_built_from_the_cvs_own_sentences(
    engineer_cv: dict[str, Any], engineer_job: dict[str, Any]
) -> None:
    # Given the engine's summary for a CV with a summary of its own, and a job asking for its degree
    job = {**engineer_job, "qualifications": [*engineer_job["qualifications"], "BSc in Computer Science"]}
    edit = propose_edits(engineer_cv, job, as_of=AS_OF).summary
    assert edit is not None

    # When its sentences are compared with the cited items and entries
    cited = " ".join(_cited_text(engineer_cv, ref) for ref in edit.sources)
    vocabulary = tailoring_vocabulary(engineer_cv, job)

    # Then it keeps the original summary first and states no fact its sources lack
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


def test_the_summary_names_the_cvs_own_qualifications_that_the_job_asks_for(
    nurse_cv: dict[str, Any],
) -> None:
    # Given a job asking for Basic Life Support and a nursing degree, which the CV lists only under
    # certificates and education
    job = {"description": "Staff Nurse wanted. BLS certification and a BSc in Nursing are required."}

    # When the engine proposes edits
    edits = propose_edits(nurse_cv, job, as_of=AS_OF)

    # Then the summary names both exactly as the CV does, cites them, and the guard accepts it
    assert edits.summary is not None
    assert "Basic Life Support (BLS)" in edits.summary.text
    assert "BSc in General Nursing" in edits.summary.text
    assert {"certificates[0]", "education[0]"} <= set(edits.summary.sources)
    assert guard_edits(nurse_cv, edits, job=job, as_of=AS_OF).rejections == []


def test_the_summary_leaves_out_qualifications_the_job_does_not_ask_for(nurse_cv: dict[str, Any]) -> None:
    # Given a job that mentions neither the CV's certificate nor its degree
    job = {"description": "Staff Nurse wanted for patient education on an acute medical ward."}

    # When the engine proposes edits
    summary = propose_edits(nurse_cv, job, as_of=AS_OF).summary

    # Then no qualification is added to the summary
    assert summary is None or "Basic Life Support" not in summary.text


def test_the_summary_carries_the_keywords_reordering_leaves_off_the_first_page() -> None:
    # Given one role with five highlights, each evidencing a different job keyword
    tools = ["Python", "Redis", "Docker", "Kafka", "Terraform"]
    cv = {
        "basics": {"summary": "Backend engineer."},
        "work": [
            {
                "name": "Acme",
                "position": "Engineer",
                "highlights": [f"Ran services on {tool}" for tool in tools],
            }
        ],
    }
    job = {"skills": [{"name": "Backend", "keywords": tools}]}

    # When the engine tailors the CV
    edits = propose_edits(cv, job, as_of=AS_OF)
    tailored = apply_edits(cv, edits, job=job, as_of=AS_OF).resume

    # Then every keyword reaches the first page: three through the highlights, two through the summary
    report = build_match_report(cv, tailored, job)
    assert report.coverage_after.ratio == 1.0
    assert report.coverage_before.ratio is not None
    assert report.coverage_before.ratio < 1.0


def test_alignment_to_a_vendor_prefixed_name_fixes_the_article_and_spares_compounds() -> None:
    # Given a CV saying "an Excel scorecard" and "PMP-certified", and a job saying "Microsoft Excel" and
    # "Project Management Professional"
    cv = {
        "work": [
            {
                "name": "Acme",
                "highlights": [
                    "Built an Excel scorecard for 6 carriers",
                    "PMP-certified lead for 4 projects",
                ],
            }
        ]
    }
    job = {"skills": [{"name": "Tools", "keywords": ["Microsoft Excel", "Project Management Professional"]}]}

    # When the engine aligns the wording
    rewordings = {edit.ref: edit.text for edit in propose_edits(cv, job, as_of=AS_OF).rewordings}

    # Then "an Excel" becomes "a Microsoft Excel", and the hyphenated compound is left alone
    assert rewordings == {"work[0].highlights[0]": "Built a Microsoft Excel scorecard for 6 carriers"}


def test_an_acronym_is_not_realigned_to_its_plural() -> None:
    # Given a CV saying "rating API cost" and a job asking for "APIs"
    resume = {
        "work": [
            {
                "name": "Tallgrass",
                "position": "Engineer",
                "startDate": "2020-01",
                "highlights": ["Halved rating API cost with Redis", "Built APIs for carriers"],
            }
        ]
    }
    job = {"title": "Engineer", "skills": [{"name": "Backend", "keywords": ["APIs", "Redis"]}]}
    # When the engine proposes edits
    edits = propose_edits(resume, job, as_of=AS_OF)
    # Then no rewording merely pluralises the acronym
    assert all("rating APIs cost" not in rewording.text for rewording in edits.rewordings)
