"""Claims the guard once misjudged: titles outside tech, tier qualifiers, dates tied to the wrong entry,
vendor-prefixed product names, spelled-out acronyms, inflections and certificate names."""

from __future__ import annotations

from typing import Any

import pytest

from shared.tailoring import GuardReason, GuardRejection, guard_edits, parse_edits

from .conftest import AS_OF

KITCHEN_CV: dict[str, Any] = {
    "basics": {"label": "Junior Sous Chef", "summary": "Chef who runs the pass in a busy restaurant."},
    "work": [
        {
            "name": "Ember & Vine",
            "position": "Junior Sous Chef",
            "startDate": "2023-03",
            "highlights": ["Run the pass for up to 180 covers a night"],
        },
        {
            "name": "Galata Meyhanesi",
            "position": "Chef de Partie",
            "startDate": "2019-05",
            "endDate": "2022-12",
        },
    ],
    "certificates": [{"name": "Food Safety Supervisor Certificate", "date": "2023-04"}],
}
SALES_CV: dict[str, Any] = {
    "basics": {"label": "Account Executive, Mid-Market SaaS", "summary": "Quota-carrying account executive."},
    "work": [
        {
            "name": "Quarrystone Software",
            "position": "Account Executive, Mid-Market",
            "startDate": "2022-01",
            "highlights": ["Closed $1.46M in new ARR in FY2025"],
        }
    ],
}
GRADUATE_CV: dict[str, Any] = {
    "basics": {"summary": "May 2026 computer science graduate who likes building whole features."},
    "work": [
        {
            "name": "Pinecrest Analytics",
            "position": "Software Engineering Intern",
            "startDate": "2025-05",
            "endDate": "2025-08",
            "highlights": ["Built a React dashboard page used by 200 internal users"],
        }
    ],
    "education": [
        {
            "institution": "Carolina Piedmont University",
            "area": "Computer Science",
            "studyType": "Bachelor of Science",
            "startDate": "2022-08",
            "endDate": "2026-05",
        }
    ],
}


def guard(
    cv: dict[str, Any], raw: dict[str, Any], job: dict[str, Any] | None = None
) -> tuple[dict[str, Any], list[GuardRejection]]:
    result = guard_edits(cv, parse_edits(raw), job=job or {}, as_of=AS_OF)
    return result.accepted.model_dump(mode="json"), result.rejections


def summary(text: str) -> dict[str, Any]:
    return {"summary": {"text": text, "sources": ["basics.summary"]}}


def reword(ref: str, text: str) -> dict[str, Any]:
    return {"rewordings": [{"ref": ref, "text": text}]}


def reasons(rejections: list[GuardRejection]) -> set[GuardReason]:
    return {reason for rejection in rejections for reason in (rejection.reason, *rejection.other_reasons)}


# ----------------------------------------------------------------------------------------- titles


@pytest.mark.parametrize(
    "text",
    [
        "Head chef who runs the pass in a busy restaurant.",
        "Executive Chef who runs the pass in a busy restaurant.",
        "Sous chef who runs the pass in a busy restaurant.",
        "Chef de Cuisine who runs the pass in a busy restaurant.",
    ],
)
def test_a_kitchen_title_upgrade_is_rejected(text: str) -> None:
    # Given a CV whose highest kitchen title is Junior Sous Chef
    # When the summary claims a higher one (or drops "Junior")
    accepted, rejections = guard(KITCHEN_CV, summary(text))

    # Then it is rejected as a new title and the original summary is kept
    assert [rejection.reason for rejection in rejections] == [GuardReason.NEW_TITLE]
    assert accepted["summary"] is None


@pytest.mark.parametrize(
    "text",
    [
        "Junior sous chef who runs the pass in a busy restaurant.",
        "Former chef de partie, now running the pass in a busy restaurant.",
    ],
)
def test_the_candidates_own_kitchen_titles_are_allowed(text: str) -> None:
    # Given the same CV
    # When the summary uses titles its positions hold
    accepted, rejections = guard(KITCHEN_CV, summary(text))

    # Then the summary is accepted
    assert rejections == []
    assert accepted["summary"]["text"] == text


@pytest.mark.parametrize(
    ("text", "accepted_summary"),
    [
        ("Enterprise Account Executive, quota-carrying.", False),
        ("Strategic account executive, quota-carrying.", False),
        ("Mid-Market Account Executive, quota-carrying.", True),
    ],
)
def test_a_segment_qualifier_is_part_of_the_title(text: str, accepted_summary: bool) -> None:
    # Given a CV whose position is "Account Executive, Mid-Market"
    # When the summary names the title with a segment qualifier
    accepted, rejections = guard(SALES_CV, summary(text))

    # Then only the CV's own segment is accepted; another is a new title
    assert (accepted["summary"] is not None) is accepted_summary
    assert reasons(rejections) == (
        set() if accepted_summary else {GuardReason.NEW_TITLE, GuardReason.NO_PROVENANCE}
    )


def test_a_certificate_name_is_not_a_title_claim() -> None:
    # Given a CV holding a Food Safety Supervisor Certificate but no supervisor position
    # When the summary names the certificate, and then claims the bare title
    _, certificate = guard(KITCHEN_CV, summary("Food Safety Supervisor Certificate, 2023."))
    _, title = guard(KITCHEN_CV, summary("Food Safety Supervisor with a calm brigade."))

    # Then the certificate is accepted and the title is not
    assert certificate == []
    assert reasons(title) == {GuardReason.NEW_TITLE, GuardReason.NO_PROVENANCE}


# ----------------------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "text",
    [
        "May 2025 computer science graduate who likes building whole features.",
        "Graduated from Carolina Piedmont University in May 2025.",
        "Software engineering intern at Pinecrest Analytics in 2026.",
    ],
)
def test_a_date_given_to_the_wrong_entry_is_rejected(text: str) -> None:
    # Given a CV whose degree ends in May 2026 and whose internship starts in May 2025
    # When the summary gives the degree the internship's date, or the internship the degree's year
    accepted, rejections = guard(GRADUATE_CV, summary(text))

    # Then it is rejected though the date exists elsewhere in the CV
    assert reasons(rejections) == {GuardReason.MISATTRIBUTED_DATE, GuardReason.NO_PROVENANCE}
    assert accepted["summary"] is None


@pytest.mark.parametrize(
    "text",
    [
        "May 2026 computer science graduate who likes building whole features.",
        "Software engineering intern at Pinecrest Analytics from May 2025. Bachelor of Science, May 2026.",
        "Bachelor of Science in Computer Science, 2026.",
    ],
)
def test_a_date_given_to_its_own_entry_is_allowed(text: str) -> None:
    # Given the same CV
    # When the summary dates each entry with its own dates
    _, rejections = guard(GRADUATE_CV, summary(text))

    # Then it is accepted
    assert rejections == []


def test_a_position_named_in_part_is_dated_by_every_entry_holding_it() -> None:
    # Given a Project Manager from 2016 promoted to Senior Project Manager in 2021, who studied nursing
    cv = {
        "basics": {"summary": "Project manager."},
        "work": [
            {"name": "Acme", "position": "Senior Project Manager", "startDate": "2021-02"},
            {"name": "Acme", "position": "Project Manager", "startDate": "2016-03", "endDate": "2021-01"},
        ],
        "education": [{"institution": "Hill University", "area": "Nursing", "endDate": "2015-06"}],
    }

    # When the summary dates the project manager title from 2021, and a second sentence names the subject
    _, rejections = guard(cv, summary("Project manager since 2021. Background in nursing."))

    # Then it is accepted: the senior role is a project manager role too, and nursing is the degree's
    assert rejections == []


# ----------------------------------------------------------------------------------------- aliases


@pytest.mark.parametrize(
    ("original", "rewording"),
    [
        ("Deployed scoring endpoints on AWS SageMaker", "Deployed scoring endpoints on Amazon SageMaker"),
        (
            "Built Excel reconciliations for 3 entities",
            "Built Microsoft Excel reconciliations for 3 entities",
        ),
        ("Ran the first workload pilot on GCP", "Ran the first workload pilot on Google Cloud (GCP)"),
        ("Set up GA4 e-commerce tracking", "Set up Google Analytics 4 e-commerce tracking"),
    ],
)
def test_a_vendor_prefixed_product_name_is_the_same_technology(original: str, rewording: str) -> None:
    # Given a highlight naming a product without its vendor, or by a short name
    cv = {"work": [{"name": "Acme", "highlights": [original]}]}

    # When a rewording uses the vendor-prefixed name
    accepted, rejections = guard(cv, reword("work[0].highlights[0]", rewording))

    # Then it is accepted: the vendor is no employer and a product's number is no metric
    assert rejections == []
    assert accepted["rewordings"] == [{"ref": "work[0].highlights[0]", "text": rewording}]


@pytest.mark.parametrize(
    ("rewording", "reason"),
    [
        ("Set up Google Analytics 5 e-commerce tracking", GuardReason.NEW_NUMBER),
        ("Set up GA4 e-commerce tracking at Google", GuardReason.NEW_ORGANISATION),
        ("Set up GA4 and Microsoft Excel e-commerce tracking", GuardReason.NEW_TECHNOLOGY),
    ],
)
def test_a_vendor_name_outside_a_product_name_is_still_a_claim(rewording: str, reason: GuardReason) -> None:
    # Given a highlight naming GA4
    cv = {"work": [{"name": "Acme", "highlights": ["Set up GA4 e-commerce tracking"]}]}

    # When a rewording adds a number, an employer or a product the CV lacks
    _, rejections = guard(cv, reword("work[0].highlights[0]", rewording))

    # Then it is still rejected
    assert reason in reasons(rejections)


def test_a_vendor_named_as_an_employer_is_still_an_organisation() -> None:
    # Given a highlight about services on AWS
    cv = {"work": [{"name": "Acme", "highlights": ["Ran 40 services on AWS"]}]}

    # When a rewording turns the product into an employer
    _, rejections = guard(cv, reword("work[0].highlights[0]", "Ran 40 services for Amazon Web Services"))

    # Then the vendor counts as a new organisation
    assert reasons(rejections) == {GuardReason.NEW_ORGANISATION}


LOGISTICS_JOB: dict[str, Any] = {
    "responsibilities": ["Schedule inbound LTL freight"],
    "skills": [{"name": "Operations", "keywords": ["Less-than-truckload", "Full truckload"]}],
}


@pytest.mark.parametrize(
    ("rewording", "accepted_rewording"),
    [
        ("Schedule 120 inbound less-than-truckload (LTL) shipments a week", True),
        ("Schedule 120 inbound LTL (less-than-truckload) shipments a week", True),
        ("Schedule 120 inbound less-than-truckload shipments a week", False),
        ("Schedule 120 inbound full truckload (LTL) shipments a week", False),
    ],
)
def test_an_acronym_spelled_out_beside_itself_is_the_same_term(
    rewording: str, accepted_rewording: bool
) -> None:
    # Given a highlight using the acronym LTL, and a job using both LTL and its spelled-out form
    cv = {"work": [{"name": "Acme", "highlights": ["Schedule 120 inbound LTL shipments a week"]}]}

    # When a rewording spells it out beside the acronym, alone, or with the wrong expansion
    _, rejections = guard(cv, reword("work[0].highlights[0]", rewording), LOGISTICS_JOB)

    # Then only the expansion that sits beside its own acronym is accepted
    assert (rejections == []) is accepted_rewording


def test_a_two_letter_acronym_does_not_vouch_for_a_spelled_out_term() -> None:
    # Given a CV whose "TF" means TensorFlow, though it never says so
    cv = {"work": [{"name": "Acme", "highlights": ["Trained 12 ranking models in TF"]}]}

    # When a rewording spells "TF" out as Terraform
    _, rejections = guard(cv, reword("work[0].highlights[0]", "Trained 12 ranking models in Terraform (TF)"))

    # Then Terraform is a new technology
    assert reasons(rejections) == {GuardReason.NEW_TECHNOLOGY, GuardReason.NO_PROVENANCE}


def test_an_inflection_of_a_cv_skill_is_the_same_skill() -> None:
    # Given a CV listing the skill "Interviewing" and a highlight saying "Interviewed"
    cv = {
        "work": [{"name": "Acme", "highlights": ["Interviewed 40 students to redesign the portal"]}],
        "skills": [{"name": "Research", "keywords": ["Interviewing"]}],
    }

    # When a rewording uses the gerund
    _, rejections = guard(
        cv, reword("work[0].highlights[0]", "Interviewing 40 students to redesign the portal")
    )

    # Then it is accepted
    assert rejections == []


def test_a_job_skill_is_not_evidenced_by_a_past_tense_in_the_cv() -> None:
    # Given a CV that says "Hired" about the candidate, and a job asking for Hiring
    cv = {
        "basics": {"summary": "Analyst."},
        "work": [{"name": "Acme", "highlights": ["Hired as the first analyst in 2019"]}],
    }
    job = {"skills": [{"name": "People", "keywords": ["Hiring"]}]}

    # When the summary claims hiring
    _, rejections = guard(cv, summary("Analyst experienced in hiring."), job)

    # Then it is rejected as a new skill
    assert reasons(rejections) == {GuardReason.NEW_SKILL, GuardReason.NO_PROVENANCE}
