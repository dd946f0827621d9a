"""Stable references to the editable items of a JSON Resume document.

A reference names an item by its position in the *source* CV, e.g. ``work[1].highlights[3]``.
The model sees items by reference and proposes edits by reference; the rebuild resolves them
against the source, so the model never re-emits a fact.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple

SUMMARY_REF = "basics.summary"
LABEL_REF = "basics.label"
PROJECTS_LIST_REF = "projects"
SKILLS_LIST_REF = "skills"

_REF_RE = re.compile(
    r"^(?:basics\.(summary|label)|([a-z]+)\[(0|[1-9]\d*)\](?:\.([a-z]+)(?:\[(0|[1-9]\d*)\])?)?)$"
)
_REF_SHAPE_RE = re.compile(r"^[A-Za-z$]+(?:\[\d{1,4}\])?(?:\.[A-Za-z]+(?:\[\d{1,4}\])?){0,3}$")
_CONTEXT_SECTIONS = ("work", "volunteer", "education", "certificates", "awards", "projects", "publications")


class ItemKind(StrEnum):
    SUMMARY = "summary"
    WORK_SUMMARY = "work_summary"
    WORK_HIGHLIGHT = "work_highlight"
    PROJECT = "project"
    PROJECT_DESCRIPTION = "project_description"
    PROJECT_HIGHLIGHT = "project_highlight"
    SKILL = "skill"
    VOLUNTEER_SUMMARY = "volunteer_summary"
    VOLUNTEER_HIGHLIGHT = "volunteer_highlight"


REWORDABLE_KINDS = frozenset(
    {
        ItemKind.WORK_SUMMARY,
        ItemKind.WORK_HIGHLIGHT,
        ItemKind.PROJECT_DESCRIPTION,
        ItemKind.PROJECT_HIGHLIGHT,
        ItemKind.VOLUNTEER_SUMMARY,
        ItemKind.VOLUNTEER_HIGHLIGHT,
    }
)


class SourceItem(NamedTuple):
    """One item the model may see and act on: its reference, kind and text."""

    ref: str
    kind: ItemKind
    text: str

    @property
    def rewordable(self) -> bool:
        return self.kind in REWORDABLE_KINDS


@dataclass(frozen=True)
class SourceIndex:
    """Every editable item of a source CV, plus the orderable lists they belong to."""

    items: dict[str, SourceItem] = field(default_factory=dict)
    highlight_groups: dict[str, list[str]] = field(default_factory=dict)
    project_refs: list[str] = field(default_factory=list)
    skill_refs: list[str] = field(default_factory=list)
    context_refs: frozenset[str] = frozenset()

    def resolve(self, ref: str) -> SourceItem | None:
        return self.items.get(ref)

    def is_known(self, ref: str) -> bool:
        """True for item references and for read-only entries a summary may cite (``work[0]``)."""
        return ref in self.items or ref in self.context_refs


def _entries(resume: Mapping[str, Any], section: str) -> list[tuple[int, Mapping[str, Any]]]:
    value = resume.get(section)
    if not isinstance(value, list):
        return []
    return [(index, entry) for index, entry in enumerate(value) if isinstance(entry, Mapping)]


def _strings(value: object) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _joined(*parts: object) -> str:
    return ": ".join(part.strip() for part in parts if isinstance(part, str) and part.strip())


def _add_highlights(
    items: dict[str, SourceItem], entry: Mapping[str, Any], parent: str, kind: ItemKind
) -> list[str] | None:
    highlights = entry.get("highlights")
    if not isinstance(highlights, list):
        return None
    refs = []
    for index, text in enumerate(highlights):
        if isinstance(text, str):
            ref = f"{parent}.highlights[{index}]"
            items[ref] = SourceItem(ref, kind, text)
            refs.append(ref)
    # A list holding anything but strings cannot be reordered by reference.
    return refs if len(refs) == len(highlights) else None


def index_source(resume: Mapping[str, Any]) -> SourceIndex:
    """Reference every editable item of a CV, in document order."""
    items: dict[str, SourceItem] = {}
    highlight_groups: dict[str, list[str]] = {}
    project_refs: list[str] = []
    skill_refs: list[str] = []
    basics = resume.get("basics")
    if isinstance(basics, Mapping) and isinstance(basics.get("summary"), str):
        items[SUMMARY_REF] = SourceItem(SUMMARY_REF, ItemKind.SUMMARY, basics["summary"])

    for position, entry in _entries(resume, "work"):
        parent = f"work[{position}]"
        if isinstance(entry.get("summary"), str):
            items[f"{parent}.summary"] = SourceItem(
                f"{parent}.summary", ItemKind.WORK_SUMMARY, entry["summary"]
            )
        highlight_refs = _add_highlights(items, entry, parent, ItemKind.WORK_HIGHLIGHT)
        if highlight_refs:
            highlight_groups[parent] = highlight_refs

    projects = resume.get("projects")
    project_entries = _entries(resume, "projects")
    for position, entry in project_entries:
        parent = f"projects[{position}]"
        items[parent] = SourceItem(
            parent, ItemKind.PROJECT, _joined(entry.get("name"), entry.get("description"))
        )
        if isinstance(entry.get("description"), str):
            ref = f"{parent}.description"
            items[ref] = SourceItem(ref, ItemKind.PROJECT_DESCRIPTION, entry["description"])
        _add_highlights(items, entry, parent, ItemKind.PROJECT_HIGHLIGHT)
    if isinstance(projects, list) and len(project_entries) == len(projects):
        project_refs.extend(f"projects[{position}]" for position, _ in project_entries)

    skills = resume.get("skills")
    skill_entries = _entries(resume, "skills")
    for position, entry in skill_entries:
        ref = f"skills[{position}]"
        items[ref] = SourceItem(
            ref, ItemKind.SKILL, _joined(entry.get("name"), ", ".join(_strings(entry.get("keywords"))))
        )
    if isinstance(skills, list) and len(skill_entries) == len(skills):
        skill_refs.extend(f"skills[{position}]" for position, _ in skill_entries)

    for position, entry in _entries(resume, "volunteer"):
        parent = f"volunteer[{position}]"
        if isinstance(entry.get("summary"), str):
            ref = f"{parent}.summary"
            items[ref] = SourceItem(ref, ItemKind.VOLUNTEER_SUMMARY, entry["summary"])
        _add_highlights(items, entry, parent, ItemKind.VOLUNTEER_HIGHLIGHT)

    context = {LABEL_REF} if isinstance(basics, Mapping) and isinstance(basics.get("label"), str) else set()
    for section in _CONTEXT_SECTIONS:
        context.update(f"{section}[{position}]" for position, _ in _entries(resume, section))
    return SourceIndex(
        items=items,
        highlight_groups=highlight_groups,
        project_refs=project_refs,
        skill_refs=skill_refs,
        context_refs=frozenset(context),
    )


def list_items(resume: Mapping[str, Any]) -> list[SourceItem]:
    """The items shown to the model, each with its reference and text."""
    return list(index_source(resume).items.values())


def resolve_ref(resume: Mapping[str, Any], ref: str) -> SourceItem | None:
    """The item a reference names in this CV, or None when it names nothing editable."""
    return index_source(resume).resolve(ref)


def ref_path(ref: str) -> tuple[str | int, ...] | None:
    """The JSON path of a reference (``work[1].highlights[3]`` -> ``("work", 1, "highlights", 3)``)."""
    match = _REF_RE.match(ref)
    if match is None:
        return None
    basics_field, section, position, field_name, sub_position = match.groups()
    if basics_field:
        return ("basics", basics_field)
    path: list[str | int] = [section, int(position)]
    if field_name:
        path.append(field_name)
        if sub_position is not None:
            path.append(int(sub_position))
    return tuple(path)


def looks_like_ref(text: str) -> bool:
    """True when a string has the shape of a reference, whether or not it names anything."""
    return bool(_REF_SHAPE_RE.match(text))
