"""Rebuild the tailored CV from the source: a deep copy with only the guarded edits applied."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import date
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict

from shared.tailoring.contract import TailoringEdits
from shared.tailoring.guard import GuardContext, guard_edits
from shared.tailoring.references import PROJECTS_LIST_REF, SKILLS_LIST_REF, SUMMARY_REF, ref_path
from shared.tailoring.rejections import EditKind, GuardRejection

# An applied change has the same three kinds as a proposed edit.
ChangeKind = EditKind


class Change(BaseModel):
    """One applied edit, by reference. It carries no CV text, so it is safe to log or emit."""

    model_config = ConfigDict(frozen=True)

    kind: ChangeKind
    ref: str
    order: list[str] | None = None
    sources: list[str] | None = None
    # For a summary: the entry that backs each sentence, in order (a cited one, or one the guard found).
    backed_by: list[str] | None = None
    added: bool = False


class RebuildResult(NamedTuple):
    """The tailored CV, what changed, and what the guard refused."""

    resume: dict[str, Any]
    changes: list[Change]
    rejections: list[GuardRejection]


def _position(ref: str) -> int:
    """The list index a reference ends in (``work[2]`` -> 2, ``work[0].highlights[3]`` -> 3)."""
    path = ref_path(ref)
    if path is None or not isinstance(path[-1], int):
        raise ValueError(f"not a list reference: {ref!r}")
    return path[-1]


def _set_text(document: dict[str, Any], ref: str, text: str) -> None:
    path = ref_path(ref)
    if path is None:
        raise ValueError(f"unresolvable reference: {ref!r}")
    target: Any = document
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = text


def _reordered(items: list[Any], order: list[str]) -> list[Any]:
    return [items[_position(ref)] for ref in order]


def apply_edits(
    source: Mapping[str, Any],
    edits: TailoringEdits,
    *,
    job: Mapping[str, Any] | None = None,
    as_of: date | None = None,
    context: GuardContext | None = None,
) -> RebuildResult:
    """Guard the edits, then apply the accepted ones to a deep copy of the source.

    Rewordings are applied before reorders because every reference names a source position.
    Everything the contract cannot express (names, dates, titles, education, contact) is copied.
    """
    guarded = guard_edits(source, edits, job=job, as_of=as_of, context=context)
    accepted = guarded.accepted
    tailored: dict[str, Any] = copy.deepcopy(dict(source))
    changes: list[Change] = []

    if accepted.summary is not None:
        basics = tailored.get("basics")
        if not isinstance(basics, dict):
            basics = tailored["basics"] = {}
        added = not isinstance(basics.get("summary"), str)
        basics["summary"] = accepted.summary.text
        changes.append(
            Change(
                kind=ChangeKind.SUMMARY,
                ref=SUMMARY_REF,
                sources=list(accepted.summary.sources),
                backed_by=list(guarded.summary_backing),
                added=added,
            )
        )

    for rewording in accepted.rewordings:
        _set_text(tailored, rewording.ref, rewording.text)

    for highlight_order in accepted.highlight_orders:
        entry = tailored["work"][_position(highlight_order.work)]
        entry["highlights"] = _reordered(entry["highlights"], highlight_order.order)
        changes.append(
            Change(kind=ChangeKind.REORDER, ref=highlight_order.work, order=list(highlight_order.order))
        )
    if accepted.project_order:
        tailored["projects"] = _reordered(tailored["projects"], accepted.project_order)
        changes.append(
            Change(kind=ChangeKind.REORDER, ref=PROJECTS_LIST_REF, order=list(accepted.project_order))
        )
    if accepted.skill_order:
        tailored["skills"] = _reordered(tailored["skills"], accepted.skill_order)
        changes.append(Change(kind=ChangeKind.REORDER, ref=SKILLS_LIST_REF, order=list(accepted.skill_order)))

    changes.extend(Change(kind=ChangeKind.REWORD, ref=rewording.ref) for rewording in accepted.rewordings)
    return RebuildResult(resume=tailored, changes=changes, rejections=guarded.rejections)
