"""References: every editable item of the source has a stable reference that resolves back to it."""

from __future__ import annotations

from typing import Any

from shared.tailoring import ItemKind, index_source, list_items, resolve_ref
from shared.tailoring.references import ref_path


def test_every_highlight_summary_project_and_skill_gets_a_reference(engineer_cv: dict[str, Any]) -> None:
    # Given a CV with a summary, two roles, projects, skills and volunteering
    # When its items are listed
    items = {item.ref: item for item in list_items(engineer_cv)}

    # Then each editable item appears once under its positional reference, with its own text
    assert items["basics.summary"].kind is ItemKind.SUMMARY
    assert items["work[0].highlights[4]"].text == engineer_cv["work"][0]["highlights"][4]
    assert items["work[1].highlights[0]"].kind is ItemKind.WORK_HIGHLIGHT
    assert items["work[0].summary"].text == engineer_cv["work"][0]["summary"]
    assert items["projects[1]"].text.startswith("queue-lens")
    assert items["projects[1].highlights[1]"].text == "120 GitHub stars"
    assert items["skills[1]"].text == "Backend: Python, Go, Django, Postgres"
    assert items["volunteer[0].highlights[0]"].kind is ItemKind.VOLUNTEER_HIGHLIGHT
    assert len(items) == len(list_items(engineer_cv))


def test_only_free_text_items_are_rewordable(engineer_cv: dict[str, Any]) -> None:
    # Given the indexed CV
    index = index_source(engineer_cv)

    # When rewordability is read per item
    rewordable = {ref for ref, item in index.items.items() if item.rewordable}

    # Then highlights and descriptions are rewordable, skills, projects and the summary are not
    assert "work[0].highlights[0]" in rewordable
    assert "projects[0].description" in rewordable
    assert "skills[0]" not in rewordable
    assert "projects[0]" not in rewordable
    assert "basics.summary" not in rewordable


def test_orderable_lists_are_indexed_in_source_order(engineer_cv: dict[str, Any]) -> None:
    # Given the indexed CV
    index = index_source(engineer_cv)

    # When the orderable lists are read
    # Then they hold every entry in document order
    assert index.highlight_groups["work[1]"] == [f"work[1].highlights[{i}]" for i in range(4)]
    assert index.project_refs == ["projects[0]", "projects[1]"]
    assert index.skill_refs == [f"skills[{i}]" for i in range(4)]
    assert index.is_known("work[0]")
    assert index.is_known("education[0]")
    assert not index.is_known("work[7]")


def test_unknown_and_malformed_references_resolve_to_nothing(engineer_cv: dict[str, Any]) -> None:
    # Given references that name nothing editable
    refs = [
        "work[9].highlights[0]",
        "work[0].name",
        "work[0].highlights[01]",
        "basics.email",
        "",
        "skills[-1]",
    ]

    # When they are resolved
    resolved = [resolve_ref(engineer_cv, ref) for ref in refs]

    # Then none resolves
    assert resolved == [None] * len(refs)


def test_reference_paths_parse_into_json_paths() -> None:
    # Given well-formed and malformed references
    # When they are parsed
    # Then well-formed ones give JSON paths and malformed ones give None
    assert ref_path("work[1].highlights[3]") == ("work", 1, "highlights", 3)
    assert ref_path("basics.summary") == ("basics", "summary")
    assert ref_path("skills[2]") == ("skills", 2)
    assert ref_path("work[1].highlights") == ("work", 1, "highlights")
    assert ref_path("work[a]") is None
    assert ref_path("work[1]]") is None
