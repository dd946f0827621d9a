"""Fact extraction: numbers, dates, technologies, skills, credentials, names, titles and aliases."""

from __future__ import annotations

import copy
import json
from datetime import date
from decimal import Decimal
from importlib import resources
from typing import Any

import pytest

from shared.tailoring import (
    FactAudit,
    FactKind,
    audit_facts,
    base_vocabulary,
    experience_years,
    extract_facts,
    facts_diff,
    tailoring_vocabulary,
)
from shared.tailoring.vocabulary import TermKind


def keys(text: str, kind: FactKind) -> set[str]:
    return set(extract_facts(text, base_vocabulary()).keys(kind))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Grew revenue 40%", {"40%"}),
        ("Grew revenue 40 percent", {"40%"}),
        ("Saved $1.2M a year", {"$1200000"}),
        ("Saved $1,200,000 a year", {"$1200000"}),
        ("Managed a £250k budget", {"£250000"}),
        ("Served 10k users at 3x the throughput", {"10000", "3x"}),
        ("Led a team of five and later twelve", {"5", "12"}),
        ("Hired a dozen engineers", {"12"}),
        ("Twenty-five percent faster", {"25%"}),
        ("Doubled conversion", {"2x"}),
        ("Supported dozens of clinics", {"dozens"}),
        ("Raised NPS from 3.50 to 4.2", {"3.5", "4.2"}),
        ("Ranked 1st of 30", {"1", "30"}),
    ],
)
def test_numbers_are_normalised(text: str, expected: set[str]) -> None:
    # Given a text stating numbers in one of many forms
    # When its numbers are extracted
    found = keys(text, FactKind.NUMBER)

    # Then each is normalised so that equivalent forms compare equal
    assert found == expected


@pytest.mark.parametrize("text", ["Deployed on EC2 and S3", "Built with HTML5 and Python 3", "p99 latency"])
def test_digits_inside_names_are_not_numbers(text: str) -> None:
    # Given digits that belong to a product or metric name
    # When numbers are extracted
    found = keys(text, FactKind.NUMBER) - {"3"}

    # Then no number is reported for them
    assert found == set()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Launched in March 2021", {"2021-03", "2021"}),
        ("Launched 2021-03", {"2021-03", "2021"}),
        ("Launched 03/2021", {"2021-03", "2021"}),
        ("From 2018 to 2021", {"2018", "2021"}),
        ("Shipped in Q3 2020", {"2020-Q3", "2020"}),
        ("Every September", {"month-09"}),
    ],
)
def test_dates_are_normalised(text: str, expected: set[str]) -> None:
    # Given a text stating a date in one of several forms
    # When dates are extracted
    found = keys(text, FactKind.DATE)

    # Then the date is keyed from year down to its stated precision
    assert found == expected


def test_years_are_dates_not_numbers() -> None:
    # Given a sentence with a year and a count
    # When facts are extracted
    facts = extract_facts("In 2019 we served 2,000 users", base_vocabulary())

    # Then the year is a date and the count a number
    assert facts.keys(FactKind.DATE) == {"2019"}
    assert facts.keys(FactKind.NUMBER) == {"2000"}


@pytest.mark.parametrize(
    ("alias", "canonical"),
    [
        ("Postgres", "PostgreSQL"),
        ("JS", "JavaScript"),
        ("k8s", "Kubernetes"),
        ("Golang", "Go"),
        ("sklearn", "scikit-learn"),
        ("Amazon Web Services", "AWS"),
        ("NodeJS", "Node.js"),
        ("ML", "machine learning"),
    ],
)
def test_aliases_share_one_key(alias: str, canonical: str) -> None:
    # Given a technology named by an alias and by its canonical name
    vocabulary = base_vocabulary()

    # When both are looked up
    alias_term, canonical_term = vocabulary.lookup(alias), vocabulary.lookup(canonical)

    # Then they are the same term
    assert alias_term is not None
    assert alias_term == canonical_term


def test_ambiguous_words_only_count_in_their_technical_spelling() -> None:
    # Given common words that are also technology names
    # When technologies are extracted from everyday and technical uses
    everyday = keys("We go to clients to excel and react fast", FactKind.TECHNOLOGY)
    technical = keys("Wrote Go services and an Excel model with a React front end", FactKind.TECHNOLOGY)

    # Then only the capitalised technical spellings count
    assert everyday == set()
    assert technical == {"go", "excel", "react"}


def test_longest_phrase_wins_and_nested_terms_still_count() -> None:
    # Given a certificate name that contains a technology
    facts = extract_facts("Holds the AWS Certified Developer credential", base_vocabulary())

    # When facts are extracted
    # Then the certificate, the generic credential and the nested technology are all facts
    assert "aws certified developer" in facts.keys(FactKind.CREDENTIAL)
    assert "certified" in facts.keys(FactKind.CREDENTIAL)
    assert "aws" in facts.keys(FactKind.TECHNOLOGY)


def test_skills_and_credentials_span_professions() -> None:
    # Given texts from nursing, finance, teaching and sales
    text = (
        "Registered Nurse giving IV therapy; CPA leading month-end close under IFRS; "
        "PGCE teacher doing lesson planning; SDR running lead generation in Salesforce"
    )

    # When facts are extracted
    facts = extract_facts(text, base_vocabulary())

    # Then each profession's terms are recognised with their kind
    assert {"rn", "cpa", "pgce"} <= facts.keys(FactKind.CREDENTIAL)
    assert {"iv therapy", "month-end close", "ifrs", "lesson planning", "lead generation"} <= facts.keys(
        FactKind.SKILL
    )
    assert "salesforce" in facts.keys(FactKind.TECHNOLOGY)


def test_names_are_capitalised_words_away_from_sentence_starts() -> None:
    # Given a sentence naming a team, an organisation and an acronym mid-sentence, in title case
    text = "Partnered with the Finance team at Globex and the NHS. Managed The Rollout With Them"

    # When names are extracted
    names = {fact.surface for fact in extract_facts(text, base_vocabulary()).of_kind(FactKind.ORGANISATION)}

    # Then mid-sentence capitalised words and acronyms count; sentence starts and function words do not
    assert names == {"Finance", "Globex", "NHS", "Rollout"}


def test_known_organisations_count_even_at_a_sentence_start() -> None:
    # Given a well-known employer opening a sentence
    # When names are extracted
    found = keys("Google acquired the team", FactKind.ORGANISATION)

    # Then it is still a name
    assert found == {"google"}


@pytest.mark.parametrize(
    ("text", "ranks", "roles"),
    [
        ("Senior Backend Software Engineer", {"senior"}, {"engineer"}),
        ("Engineering Manager", {"manager"}, set()),
        ("Assistant Manager", {"assistant", "manager"}, set()),
        ("Tech Lead", {"lead"}, set()),
        ("Head of Nursing", {"head"}, set()),
        ("VP of Sales", {"vp"}, set()),
        ("Sr. Data Analyst", {"senior"}, {"analyst"}),
        ("Head Chef", {"head"}, {"chef"}),
        ("Chef de Partie", {"de-partie"}, {"chef"}),
        ("Chef de Cuisine", {"head"}, {"chef"}),
        ("Charge Nurse", {"charge"}, {"nurse"}),
        ("Staff Sergeant", {"staff"}, {"sergeant"}),
        ("Vice President of Sales", {"vp"}, set()),
        ("Department Head", {"head"}, set()),
        ("Mid-Market Account Executive", {"mid-market"}, {"executive"}),
    ],
)
def test_title_claims_carry_ranks_and_roles(text: str, ranks: set[str], roles: set[str]) -> None:
    # Given a job title
    # When title claims are extracted
    claims = extract_facts(text, base_vocabulary()).titles

    # Then one claim holds its rank and role words
    assert [(set(claim.ranks), set(claim.roles)) for claim in claims] == [(ranks, roles)]


@pytest.mark.parametrize(
    "text",
    [
        "Presented to senior stakeholders",
        "Led five engineers",
        "Lead the migration",
        "Trained 30 junior soldiers",
        "Supported junior doctors on night shifts",
        "Sold to mid-market companies",
    ],
)
def test_seniority_words_without_a_role_are_not_titles(text: str) -> None:
    # Given seniority words used outside a job title
    # When title claims are extracted
    claims = extract_facts(text, base_vocabulary()).titles

    # Then none is claimed
    assert claims == ()


@pytest.mark.parametrize(
    ("text", "years"),
    [("8+ years of experience", 8), ("five years in retail", 5), ("over a decade of teaching", 10)],
)
def test_years_of_experience_claims_are_found(text: str, years: int) -> None:
    # Given a stated length of experience
    # When facts are extracted
    claims = extract_facts(text, base_vocabulary()).years_claims

    # Then the claim's length is read
    assert [claim.years for claim in claims] == [Decimal(years)]


def test_links_and_emails_are_facts() -> None:
    # Given a text with a URL and an email address
    # When links are extracted
    found = keys("See https://example.com/work or mail me@example.org", FactKind.LINK)

    # Then both are facts
    assert found == {"example.com/work", "me@example.org"}


def test_experience_merges_overlapping_roles_and_counts_open_roles_to_today() -> None:
    # Given two overlapping roles and an open-ended one
    work = [
        {"startDate": "2015-01", "endDate": "2017-12"},
        {"startDate": "2017-01", "endDate": "2018-12"},
        {"startDate": "2021-01"},
        {"startDate": "not a date"},
    ]

    # When experience is computed as of mid-2025
    years = experience_years(work, date(2025, 1, 1))

    # Then overlaps count once: 4 years, plus 4 years open-ended
    assert Decimal("7.9") < years < Decimal("8.1")


def test_facts_diff_reports_added_and_removed_facts_by_key() -> None:
    # Given an original and a changed sentence
    vocabulary = base_vocabulary()
    before = extract_facts("Moved 14 services to Kafka", vocabulary)
    after = extract_facts("Moved 15 services to Spark", vocabulary)

    # When they are compared
    diff = facts_diff(before, after, [FactKind.NUMBER, FactKind.TECHNOLOGY])

    # Then additions and removals are listed with their surfaces
    assert {(fact.kind, fact.surface) for fact in diff.added} == {
        (FactKind.NUMBER, "15"),
        (FactKind.TECHNOLOGY, "Spark"),
    }
    assert {(fact.kind, fact.surface) for fact in diff.removed} == {
        (FactKind.NUMBER, "14"),
        (FactKind.TECHNOLOGY, "Kafka"),
    }


def test_the_shipped_vocabulary_is_broad_and_unambiguous() -> None:
    # Given the vocabulary data file
    raw = json.loads(resources.files("shared.tailoring").joinpath("data/vocabulary.json").read_text("utf-8"))

    # When it is loaded (loading fails on an alias that names two terms)
    vocabulary = base_vocabulary()
    kinds = {term.kind for term in vocabulary.terms}

    # Then it holds 400+ terms across every kind, from the file's own entries
    entries = sum(len(raw[kind.value]) for kind in TermKind)
    assert entries >= 400
    assert len(vocabulary.terms) >= 400
    assert kinds == set(TermKind)


def test_cv_and_job_skills_extend_the_vocabulary() -> None:
    # Given phrases unknown to the curated vocabulary
    vocabulary = base_vocabulary().with_terms(["Shipment orchestration", "Python 3", "The Best"])

    # When they are looked up
    # Then a new skill phrase is added, while a phrase holding a known term or a common word is not
    assert vocabulary.lookup("shipment orchestration") is not None
    assert vocabulary.lookup("Python 3") is None
    assert vocabulary.lookup("The Best") is None
    assert base_vocabulary().lookup("shipment orchestration") is None


def test_the_audit_counts_what_a_full_regeneration_invents_and_loses(engineer_cv: dict[str, Any]) -> None:
    # Given a "tailored" CV written by a full-document regeneration that embellished it
    tailored = copy.deepcopy(engineer_cv)
    tailored["work"][0]["name"] = "Northwind Global"
    tailored["work"][0]["position"] = "Principal Software Engineer"
    tailored["work"][0]["highlights"][2] = "Migrated 41 services from EC2 to k8s and Terraform"
    tailored["work"][1]["highlights"].pop()
    tailored["basics"]["summary"] = "Software engineer with 12 years of experience."
    vocabulary = tailoring_vocabulary(engineer_cv, None)

    # When the two CVs are audited
    audit = audit_facts(engineer_cv, tailored, vocabulary, as_of=date(2025, 6, 1))

    # Then each invention and each loss is listed by kind
    fabricated = {(fact.kind, fact.surface) for fact in audit.fabricated}
    dropped = {(fact.kind, fact.surface) for fact in audit.dropped}
    assert fabricated == {
        (FactKind.ORGANISATION, "Global"),
        (FactKind.TITLE, "Principal Software Engineer"),
        (FactKind.NUMBER, "41"),
        (FactKind.TECHNOLOGY, "Terraform"),
        (FactKind.NUMBER, "12 years"),
    }
    assert {(FactKind.NUMBER, "14"), (FactKind.NUMBER, "6")} <= dropped


def test_the_audit_of_an_untouched_cv_is_clean(engineer_cv: dict[str, Any]) -> None:
    # Given a CV compared with itself
    vocabulary = tailoring_vocabulary(engineer_cv, None)

    # When it is audited
    audit = audit_facts(engineer_cv, copy.deepcopy(engineer_cv), vocabulary, as_of=date(2025, 6, 1))

    # Then nothing is fabricated or dropped
    assert audit == FactAudit(fabricated=(), dropped=())
