"""The provenance check (shared/tailoring/provenance.py) and its suite (eval/provenance)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from evaluation.provenance_suite import load_cases, run_suite
from shared.tailoring import tailor_from_model_output
from shared.tailoring.provenance import rewording_gaps, source_entries, summary_gaps
from tests.support.examples import REPO_ROOT

AS_OF = date(2026, 11, 1)
ITEM = "Helped migrate 14 services to Kubernetes, cutting cloud spend by roughly 12% a month"


def test_a_tightened_rewording_of_the_same_words_traces_whole() -> None:
    # Given a highlight and a rewording that puts the key fact first with inflections of its own words
    text = "Cut cloud spend by about 12% a month by helping migrate 14 services to Kubernetes"
    # When it is checked
    # Then every word traces to the item
    assert rewording_gaps(ITEM, text) == []


def test_a_stronger_verb_a_new_scope_or_a_dropped_hedge_has_no_provenance() -> None:
    # Given rewordings that each plant one inflation
    cases = {
        "Led the migration of 14 services to Kubernetes, cutting cloud spend by roughly 12% a month": "Led",
        "Helped migrate 14 services to Kubernetes, cutting global cloud spend by roughly 12% a month": (
            "global"
        ),
        "Migrated 14 services to Kubernetes, cutting cloud spend by roughly 12% a month": "-helped",
        "Helped migrate 14 services to Kubernetes, cutting cloud spend by roughly 12% a week": "12 per week",
        "Helped migrate 14 clusters to Kubernetes, cutting cloud spend by roughly 12% a month": "clusters",
    }
    for text, planted in cases.items():
        # When each is checked
        gaps = rewording_gaps(ITEM, text)
        # Then the planted word is what lacks provenance
        assert planted in gaps, (text, gaps)


def test_a_summary_sentence_must_be_bound_to_one_entry() -> None:
    # Given a CV with two jobs and a summary that moves one job's title onto the other employer
    cv = {
        "work": [
            {"name": "Acme", "position": "Data Analyst", "startDate": "2019-01", "endDate": "2021-12"},
            {"name": "Globex", "position": "Junior Engineer", "startDate": "2022-01"},
        ]
    }
    entries = source_entries(cv, AS_OF, Decimal("7.8"))
    # When a true sentence and a transferred one are checked
    true = summary_gaps("Junior engineer at Globex.", entries, ["work[1]"], Decimal("7.8"))
    transferred = summary_gaps("Data analyst at Globex.", entries, ["work[1]"], Decimal("7.8"))
    # Then the true one is bound to its entry and the transferred one is not bound at all
    assert true.gaps == []
    assert true.bound == ["work[1]"]
    assert transferred.gaps != []


def test_a_crafted_maximum_size_input_is_checked_and_its_plant_found() -> None:
    # Given the 64,000-character "one-one-…" poison that cost the old extractor 84 s per delivery
    poison = "-".join(["one"] * 16_000)
    # When it is checked as a rewording of itself plus one planted word
    gaps = rewording_gaps(poison, poison + " patented")
    # Then the plant is found (its time is a benchmark figure, not asserted here)
    assert "patented" in gaps


def test_the_fast_subset_of_the_suite_keeps_the_measured_figures() -> None:
    # Given every fifth case of eval/provenance (the whole suite runs in make eval's figures)
    assert len(load_cases(REPO_ROOT)) >= 400
    # When the subset goes through the guard
    report = run_suite(REPO_ROOT, AS_OF, every=5)
    caught, attacks = report.totals("attack")
    kept, truthful = report.totals("truthful")
    # Then no sampled attack gets past it, and it keeps at least 85% of the sampled truthful edits
    assert attacks >= 60
    assert truthful >= 20
    assert caught == attacks
    assert kept / truthful >= 0.85


def test_an_accepted_summary_reports_the_entry_behind_each_sentence() -> None:
    # Given a CV with one job and a summary citing nothing for its second sentence
    cv = {
        "basics": {"label": "Data Analyst", "summary": "Analyst who builds dashboards."},
        "work": [
            {
                "name": "Acme",
                "position": "Data Analyst",
                "startDate": "2019-01",
                "highlights": ["Built 12 Tableau dashboards for the sales team"],
            }
        ],
    }
    raw = {
        "summary": {
            "text": "Data analyst who builds dashboards. Built 12 Tableau dashboards at Acme.",
            "sources": [],
        }
    }

    # When it is tailored
    outcome = tailor_from_model_output(cv, {}, raw, as_of=AS_OF)

    # Then it is accepted, and the change names the headline and the job it found behind each sentence
    assert outcome.rejections == []
    (change,) = [change for change in outcome.changes if change.ref == "basics.summary"]
    assert change.backed_by == ["basics", "work[0]"]


def test_a_number_the_entry_counts_something_with_is_no_length_of_experience() -> None:
    # Given an entry that says "14 services" and a career of about 7.8 years (found by the property test)
    cv = {
        "work": [
            {"name": "Acme", "startDate": "2019-01", "highlights": ["Migrated 14 services to Kubernetes"]}
        ]
    }
    entries = source_entries(cv, AS_OF, Decimal("7.8"))

    # When a summary claims "14 years" of the same entry
    verdict = summary_gaps(
        "Migrated 14 services to Kubernetes with 14 years experience.", entries, [], Decimal("7.8")
    )

    # Then the claim has no provenance: the entry never says "14 years", and its dates give fewer
    assert "14 years" in verdict.gaps


def test_a_number_keeps_its_magnitude_and_a_range_shares_its_unit() -> None:
    # Given highlights with a magnitude and a range (the first case was found by the property test)
    events = "Built an event pipeline on Kafka that processes 2 million shipment events a day"
    recovery = "Reduced mean time to recovery from 74 minutes to 19 minutes over 2 years"

    # When one is cut before its magnitude, and the other's range is tightened to one unit
    # Then the cut has no provenance, and the tightened range does
    assert "2 without its magnitude" in rewording_gaps(
        events, "Built an event pipeline on Kafka that processes 2"
    )
    assert rewording_gaps(recovery, "Reduced mean time to recovery from 74 to 19 minutes over 2 years") == []
