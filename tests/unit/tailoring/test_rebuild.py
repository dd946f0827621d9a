"""The rebuild: a copy of the source with only guarded edits applied; facts are copied, never generated."""

from __future__ import annotations

import copy
from typing import Any

from jsonschema import Draft7Validator

from shared.tailoring import ChangeKind, GuardReason, apply_edits, parse_edits

from .conftest import AS_OF, protected_fields

HOSTILE_EDITS: dict[str, Any] = {
    "summary": {
        "text": "Google CTO since 2005 with a PhD and 25 years in Rust.",
        "sources": ["basics.summary"],
    },
    "highlight_orders": [{"work": "work[0]", "order": ["work[0].highlights[4]"]}],
    "project_order": ["projects[1]", "projects[1]"],
    "skill_order": ["skills[9]"],
    "rewordings": [
        {"ref": "work[0].highlights[2]", "text": "Migrated 40 services from EC2 to k8s at Amazon in 2015"},
        {"ref": "basics.email", "text": "attacker@example.com"},
        {"ref": "work[0].position", "text": "Chief Technology Officer"},
    ],
}


def test_hostile_edits_leave_every_fact_byte_identical(
    engineer_cv: dict[str, Any], engineer_job: dict[str, Any], resume_validator: Draft7Validator
) -> None:
    # Given edits that try to rewrite the employer, title, dates, contact details and metrics
    source = copy.deepcopy(engineer_cv)

    # When they are applied
    result = apply_edits(engineer_cv, parse_edits(HOSTILE_EDITS), job=engineer_job, as_of=AS_OF)

    # Then every edit is rejected, the CV is unchanged, and it still validates
    assert result.changes == []
    assert len(result.rejections) == 7
    assert result.resume == source
    assert protected_fields(result.resume) == protected_fields(source)
    assert list(resume_validator.iter_errors(result.resume)) == []
    assert engineer_cv == source


def test_accepted_edits_are_applied_and_facts_still_copied(
    engineer_cv: dict[str, Any], engineer_job: dict[str, Any], resume_validator: Draft7Validator
) -> None:
    # Given a valid mix: new summary, a highlight reorder, a skill reorder and an alias rewording
    highlights = engineer_cv["work"][0]["highlights"]
    raw = {
        "summary": {
            "text": "Senior software engineer who builds reliable backend services.",
            "sources": ["basics.summary"],
        },
        "highlight_orders": [
            {"work": "work[0]", "order": [f"work[0].highlights[{i}]" for i in (4, 1, 2, 0, 3)]}
        ],
        "skill_order": ["skills[1]", "skills[2]", "skills[3]", "skills[0]"],
        "rewordings": [
            {"ref": "work[0].highlights[1]", "text": highlights[1].replace("Postgres", "PostgreSQL")}
        ],
    }

    # When they are applied
    result = apply_edits(engineer_cv, parse_edits(raw), job=engineer_job, as_of=AS_OF)
    tailored = result.resume

    # Then the summary, orders and rewording are in place, rewording before reordering
    assert result.rejections == []
    assert tailored["basics"]["summary"].startswith("Senior software engineer")
    assert tailored["work"][0]["highlights"][0] == highlights[4]
    assert tailored["work"][0]["highlights"][1] == highlights[1].replace("Postgres", "PostgreSQL")
    assert sorted(tailored["work"][0]["highlights"]) == sorted(
        [*highlights[:1], *highlights[2:], tailored["work"][0]["highlights"][1]]
    )
    assert [skill["name"] for skill in tailored["skills"]] == [
        "Backend",
        "Infrastructure",
        "Data",
        "Frontend",
    ]
    # And everything the contract cannot express is copied unchanged
    assert protected_fields(tailored) == protected_fields(engineer_cv)
    assert list(resume_validator.iter_errors(tailored)) == []
    # And the change list names each change by reference
    assert [(change.kind, change.ref) for change in result.changes] == [
        (ChangeKind.SUMMARY, "basics.summary"),
        (ChangeKind.REORDER, "work[0]"),
        (ChangeKind.REORDER, "skills"),
        (ChangeKind.REWORD, "work[0].highlights[1]"),
    ]


def test_a_rejected_order_keeps_the_original_order(
    engineer_cv: dict[str, Any], engineer_job: dict[str, Any]
) -> None:
    # Given an order that drops two highlights
    raw = {
        "highlight_orders": [{"work": "work[1]", "order": ["work[1].highlights[3]", "work[1].highlights[0]"]}]
    }

    # When it is applied
    result = apply_edits(engineer_cv, parse_edits(raw), job=engineer_job, as_of=AS_OF)

    # Then no bullet is lost and the order is the source's
    assert result.resume["work"][1]["highlights"] == engineer_cv["work"][1]["highlights"]
    assert [rejection.reason for rejection in result.rejections] == [GuardReason.MISSING_REF]


def test_a_summary_is_added_when_the_source_has_none(resume_validator: Draft7Validator) -> None:
    # Given a CV with no basics at all
    cv = {
        "work": [
            {"name": "Acme", "position": "Nurse", "startDate": "2020-01", "highlights": ["Gave IV therapy"]}
        ]
    }

    # When a guarded summary is applied
    result = apply_edits(
        cv,
        parse_edits({"summary": {"text": "Nurse giving IV therapy.", "sources": ["work[0]"]}}),
        as_of=AS_OF,
    )

    # Then basics.summary is created, flagged as added, and the CV validates
    assert result.resume["basics"] == {"summary": "Nurse giving IV therapy."}
    assert result.changes[0].added is True
    assert list(resume_validator.iter_errors(result.resume)) == []


def test_changes_carry_no_cv_text(engineer_cv: dict[str, Any], engineer_job: dict[str, Any]) -> None:
    # Given an applied rewording
    text = engineer_cv["work"][0]["highlights"][2].replace("k8s", "Kubernetes")
    result = apply_edits(
        engineer_cv,
        parse_edits({"rewordings": [{"ref": "work[0].highlights[2]", "text": text}]}),
        as_of=AS_OF,
    )

    # When the change is serialised
    dumped = str([change.model_dump(mode="json") for change in result.changes])

    # Then it names the reference only
    assert "work[0].highlights[2]" in dumped
    assert "Migrated" not in dumped
