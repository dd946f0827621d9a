"""The match report: evidenced and missing job keywords, and first-page coverage before and after."""

from __future__ import annotations

import json
from typing import Any

import pytest

from shared.tailoring import (
    FIRST_PAGE_SKILL_COUNT,
    apply_edits,
    build_match_report,
    extract_job_keywords,
    parse_edits,
    propose_edits,
    tailoring_vocabulary,
)

from .conftest import AS_OF


@pytest.fixture
def analyst_cv() -> dict[str, Any]:
    return {
        "basics": {"name": "Lena Fischer", "summary": "Analyst who likes tidy processes."},
        "work": [
            {
                "name": "Kontor GmbH",
                "position": "Operations Analyst",
                "startDate": "2020-01",
                "highlights": [
                    "Ran weekly stand-ups for the operations team",
                    "Wrote onboarding guides for new joiners",
                    "Organised quarterly team offsites",
                    "Built executive dashboards in Tableau",
                    "Tuned slow SQL queries in Snowflake",
                ],
            }
        ],
        "skills": [
            {"name": "Writing", "keywords": ["Microsoft Word"]},
            {"name": "Speaking", "keywords": ["public speaking"]},
            {"name": "Planning", "keywords": ["event management"]},
            {"name": "Languages", "keywords": ["German", "English"]},
            {"name": "Design", "keywords": ["Canva"]},
            {"name": "Data", "keywords": ["Python"]},
        ],
    }


@pytest.fixture
def analyst_job() -> dict[str, Any]:
    return {
        "title": "Data Analyst",
        "skills": [{"name": "Analytics", "keywords": ["Tableau", "SQL", "Snowflake", "Python", "dbt"]}],
    }


REORDER = {
    "highlight_orders": [{"work": "work[0]", "order": [f"work[0].highlights[{i}]" for i in (3, 4, 0, 1, 2)]}],
    "skill_order": [f"skills[{i}]" for i in (5, 0, 1, 2, 3, 4)],
}


def test_coverage_before_and_after_on_a_small_example(
    analyst_cv: dict[str, Any], analyst_job: dict[str, Any]
) -> None:
    # Given a CV whose job-relevant items all sit below the first page
    tailored = apply_edits(analyst_cv, parse_edits(REORDER), job=analyst_job, as_of=AS_OF).resume

    # When the match report compares the source and the reordered CV
    report = build_match_report(analyst_cv, tailored, analyst_job)

    # Then 4 of 5 keywords are evidenced, none on the first page before and all four after
    assert report.job_keyword_count == 5
    assert [match.keyword for match in report.evidenced_keywords] == ["Tableau", "SQL", "Snowflake", "Python"]
    assert report.missing_keywords == ["dbt"]
    assert (report.coverage_before.in_first_page, report.coverage_before.ratio) == (0, 0.0)
    assert (report.coverage_after.in_first_page, report.coverage_after.ratio) == (4, 1.0)
    # And locations point into the tailored CV
    python = next(match for match in report.evidenced_keywords if match.keyword == "Python")
    assert python.locations == ["skills[0]"]
    assert (python.first_page_before, python.first_page_after) == (False, True)
    assert FIRST_PAGE_SKILL_COUNT == report.first_page_skill_count == 5


def test_missing_keywords_are_advice_and_never_added(
    analyst_cv: dict[str, Any], analyst_job: dict[str, Any]
) -> None:
    # Given a job asking for dbt, which the CV lacks
    # When the offline engine tailors the CV
    edits = propose_edits(analyst_cv, analyst_job, as_of=AS_OF)
    tailored = apply_edits(analyst_cv, edits, job=analyst_job, as_of=AS_OF).resume
    report = build_match_report(analyst_cv, tailored, analyst_job)

    # Then dbt is reported missing and appears nowhere in the tailored CV
    assert report.missing_keywords == ["dbt"]
    assert "dbt" not in json.dumps(tailored)
    assert report.coverage_after.ratio == 1.0


def test_a_plain_text_job_is_matched_through_the_vocabulary(
    nurse_cv: dict[str, Any], nurse_job: dict[str, Any]
) -> None:
    # Given a plain-text job description
    # When the report is built on the untailored CV
    report = build_match_report(nurse_cv, nurse_cv, nurse_job)

    # Then keywords are found in the prose, with alias-aware evidence (EHR = electronic health records)
    evidenced = {match.keyword for match in report.evidenced_keywords}
    assert {"IV therapy", "electronic health records", "wound care", "multidisciplinary team"} <= evidenced
    assert {"triage", "ACLS"} <= set(report.missing_keywords)
    assert report.coverage_before == report.coverage_after


def test_job_keywords_come_from_skills_first_then_text(
    engineer_job: dict[str, Any], engineer_cv: dict[str, Any]
) -> None:
    # Given a JSON Resume job with skills, qualifications and responsibilities
    vocabulary = tailoring_vocabulary(engineer_cv, engineer_job)

    # When its keywords are extracted
    keywords = extract_job_keywords(engineer_job, vocabulary)

    # Then skill keywords lead, skill headings are not keywords, and text terms follow
    names = [keyword.name for keyword in keywords]
    assert names[:7] == ["Go", "Python", "PostgreSQL", "Kafka", "Kubernetes", "Terraform", "AWS"]
    assert "Backend" not in names
    assert "Platform" not in names
    assert {"Redis", "on-call"} <= set(names)


def test_the_report_serialises_to_json_and_summarises_without_keywords(
    engineer_cv: dict[str, Any], engineer_job: dict[str, Any]
) -> None:
    # Given a report
    report = build_match_report(engineer_cv, engineer_cv, engineer_job)

    # When it is dumped and summarised
    dumped = json.loads(json.dumps(report.model_dump(mode="json")))
    summary = report.summary().model_dump(mode="json")

    # Then the dump round-trips and the summary holds counts only
    assert dumped["missing_keywords"] == ["Terraform"]
    assert summary == {
        "job_keywords": report.job_keyword_count,
        "evidenced": len(report.evidenced_keywords),
        "missing": 1,
        "coverage_before": report.coverage_before.ratio,
        "coverage_after": report.coverage_after.ratio,
    }


def test_a_job_with_no_evidenced_keywords_has_no_ratio(nurse_cv: dict[str, Any]) -> None:
    # Given a job the CV shares no keyword with
    job = {"skills": [{"name": "Rust"}, {"name": "Terraform"}]}

    # When the report is built
    report = build_match_report(nurse_cv, nurse_cv, job)

    # Then coverage has no ratio rather than a misleading zero, and both keywords are missing
    assert report.coverage_before.ratio is None
    assert report.missing_keywords == ["Rust", "Terraform"]
