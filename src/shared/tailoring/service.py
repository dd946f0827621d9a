"""The tailoring service: model output (or the offline engine) in, guarded tailored CV and report out."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict

from shared.tailoring.contract import TailoringEdits, parse_edits
from shared.tailoring.guard import build_guard_context
from shared.tailoring.match_report import MatchReport, build_match_report
from shared.tailoring.rebuild import Change, apply_edits
from shared.tailoring.rejections import GuardRejection


class TailoringOutcome(BaseModel):
    """The tailored CV, the applied changes, the guard's rejections and the match report."""

    model_config = ConfigDict(frozen=True)

    tailored_resume: dict[str, Any]
    changes: list[Change]
    rejections: list[GuardRejection]
    match_report: MatchReport


def tailor_with_edits(
    source: Mapping[str, Any], job: Mapping[str, Any], edits: TailoringEdits, *, as_of: date
) -> TailoringOutcome:
    """Guard and apply an already parsed edit set, then report keyword coverage."""
    context = build_guard_context(source, job, as_of=as_of)
    rebuilt = apply_edits(source, edits, job=job, context=context)
    return TailoringOutcome(
        tailored_resume=rebuilt.resume,
        changes=rebuilt.changes,
        rejections=rebuilt.rejections,
        match_report=build_match_report(source, rebuilt.resume, job, vocabulary=context.vocabulary),
    )


def tailor_from_model_output(
    source: Mapping[str, Any], job: Mapping[str, Any], raw_tool_input: object, *, as_of: date
) -> TailoringOutcome:
    """Tailor from the model's tool input. Raises ModelOutputError only when the input is unusable;
    edits that break the rules are rejected one by one and reported, never raised."""
    return tailor_with_edits(source, job, parse_edits(raw_tool_input), as_of=as_of)


def tailor_offline(source: Mapping[str, Any], job: Mapping[str, Any], *, as_of: date) -> TailoringOutcome:
    """Tailor with the deterministic engine instead of a model."""
    # Imported here: the worker never runs the offline engine, so its cold start should not load it.
    from shared.tailoring.engine import propose_edits  # noqa: PLC0415

    return tailor_with_edits(source, job, propose_edits(source, job, as_of=as_of), as_of=as_of)


__all__ = [
    "TailoringOutcome",
    "tailor_from_model_output",
    "tailor_offline",
    "tailor_with_edits",
]
