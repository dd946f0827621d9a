"""The evaluation's measures catch what they claim to: fabricated and dropped facts, keyword coverage."""

from __future__ import annotations

import copy
from typing import Any

from evaluation.checks import core_audit, hand_coverage, mentions, simple_audit
from evaluation.corpus import Expectations
from evaluation.report import DEFAULT_AS_OF
from shared.tailoring import Change, ChangeKind, tailoring_vocabulary

from .conftest import corpus_pair

PAIR = "01-backend-software-engineer"


def _source() -> dict[str, Any]:
    return copy.deepcopy(corpus_pair(PAIR).resume)


def _audits(tailored: dict[str, Any], changes: list[Change] | None = None) -> tuple[Any, Any]:
    pair = corpus_pair(PAIR)
    vocabulary = tailoring_vocabulary(pair.resume, pair.job)
    applied = changes or []
    return (
        core_audit(pair.resume, tailored, applied, vocabulary, DEFAULT_AS_OF),
        simple_audit(pair.resume, tailored, applied, pair.expectations),
    )


def test_an_untouched_cv_has_nothing_fabricated_or_dropped() -> None:
    # Given a "tailored" CV identical to its source
    tailored = _source()

    # When both audits run
    core, simple = _audits(tailored)

    # Then they find nothing
    assert core.fabricated == core.silently_dropped == core.declared_dropped == ()
    assert simple.fabricated == 0
    assert simple.silently_dropped_numbers == ()


def test_an_inflated_number_and_a_job_keyword_are_fabrications_for_both_audits() -> None:
    # Given a highlight that inflates a team and adds the job's Kubernetes
    tailored = _source()
    tailored["work"][0]["highlights"][1] = "Led a team of 14 engineers on Kubernetes through the upgrade"

    # When both audits run
    core, simple = _audits(tailored)

    # Then the core extractor and the simple checker both see the new number and the technology
    assert {(fact.kind, fact.surface) for fact in core.fabricated} >= {
        ("number", "14"),
        ("technology", "Kubernetes"),
    }
    assert "14" in simple.new_numbers
    assert "Kubernetes" in simple.forbidden_terms


def test_a_renamed_employer_or_moved_date_breaks_the_protected_skeleton() -> None:
    # Given a CV whose employer, start date and email were rewritten
    tailored = _source()
    tailored["work"][0]["name"] = "Stripe"
    tailored["work"][1]["startDate"] = "2018-06"
    tailored["basics"]["email"] = "someone@elsewhere.example.net"

    # When the simple checker compares skeletons
    _, simple = _audits(tailored)

    # Then each rewritten field is named
    assert set(simple.protected_changes) >= {"basics.email", "work[0].name", "work[1].startDate"}


def test_reordering_and_rewording_keep_the_skeleton_but_dropping_a_highlight_does_not() -> None:
    # Given one CV with reordered skills and a reworded highlight, and one with a highlight removed
    reordered = _source()
    reordered["skills"].reverse()
    reordered["work"][0]["highlights"][3] = reordered["work"][0]["highlights"][3].replace(
        "Postgres", "PostgreSQL"
    )
    shortened = _source()
    del shortened["work"][1]["highlights"][4]

    # When the simple checker compares each with the source
    _, simple_reordered = _audits(reordered)
    _, simple_shortened = _audits(shortened)

    # Then only the removal is flagged
    assert simple_reordered.protected_changes == ()
    assert simple_shortened.protected_changes == ("work[1].highlights",)


def test_a_fact_only_in_the_replaced_summary_is_a_declared_drop() -> None:
    # Given a new summary that leaves out "API design", which only the old summary states
    tailored = _source()
    tailored["basics"]["summary"] = (
        "Backend engineer with seven years of experience building Python services for freight logistics "
        "and healthcare billing, owning services from data model to on-call and cost reviews."
    )
    summary_change = Change(kind=ChangeKind.SUMMARY, ref="basics.summary", sources=["basics.summary"])

    # When the audit runs with and without the change that replaced the summary
    declared, _ = _audits(tailored, [summary_change])
    undeclared, _ = _audits(tailored)

    # Then the loss is declared when the change list records the new summary, and silent otherwise
    assert [fact.surface for fact in declared.declared_dropped] == ["API design"]
    assert declared.silently_dropped == ()
    assert [fact.surface for fact in undeclared.silently_dropped] == ["API design"]


def test_a_number_dropped_from_a_highlight_is_silent_even_with_a_summary_change() -> None:
    # Given a highlight that lost its figure, alongside a replaced summary
    tailored = _source()
    tailored["work"][1]["highlights"][0] = "Maintained the claims-processing pipeline"
    summary_change = Change(kind=ChangeKind.SUMMARY, ref="basics.summary")

    # When both audits run
    core, simple = _audits(tailored, [summary_change])

    # Then the lost number is a silent drop for both
    assert "250000" in simple.silently_dropped_numbers
    assert any(fact.kind == "number" for fact in core.silently_dropped)


def test_coverage_counts_hand_written_keywords_and_their_aliases_as_whole_terms() -> None:
    # Given expectations with an alias, and a CV whose first page says "Postgres" and "JavaScript"
    expectations = Expectations(
        evidenced_keywords=("PostgreSQL", "Java", "Redis"),
        missing_keywords=(),
        aliases={"PostgreSQL": ("Postgres",)},
    )
    resume = {"basics": {"summary": "Tuned Postgres for a JavaScript team."}, "skills": []}

    # When coverage is computed
    coverage = hand_coverage(resume, expectations)

    # Then the alias counts, Java is not found inside JavaScript, and Redis is uncovered
    assert coverage.covered == ("PostgreSQL",)
    assert coverage.uncovered == ("Java", "Redis")
    assert coverage.ratio == 1 / 3
    assert mentions("CI/CD pipelines", "CI/CD")
    assert not mentions("JavaScript", "Java")


def test_coverage_only_looks_at_the_first_page_region() -> None:
    # Given the backend CV, whose CI/CD highlight is the 4th of its role
    pair = corpus_pair(PAIR)
    moved = copy.deepcopy(pair.resume)
    highlights = moved["work"][1]["highlights"]
    highlights.insert(0, highlights.pop(3))

    # When coverage is computed before and after moving it to the top
    before = hand_coverage(pair.resume, pair.expectations)
    after = hand_coverage(moved, pair.expectations)

    # Then CI/CD counts only once it is in the top three
    assert "CI/CD" in before.uncovered
    assert "CI/CD" in after.covered
