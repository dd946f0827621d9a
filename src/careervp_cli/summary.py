"""Short, human-readable views of a tailoring result and of outcome events (used by the CLI and the demo)."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import Any, Final

TOP_ROLES: Final = 2
TOP_HIGHLIGHTS_PER_ROLE: Final = 3
WRAP_WIDTH: Final = 100
_INDENT: Final = "    "


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _sequence(value: object) -> Sequence[Any]:
    return value if isinstance(value, list) else []


def percent(ratio: object) -> str:
    return f"{float(ratio) * 100:.0f}%" if isinstance(ratio, int | float) else "n/a"


def _wrapped(text: str, indent: str = _INDENT, hanging: str = "") -> list[str]:
    lines = textwrap.wrap(text, width=WRAP_WIDTH, initial_indent=indent, subsequent_indent=indent + hanging)
    return lines or [indent]


def result_summary(result: Mapping[str, Any]) -> list[str]:
    """Headline, summary, top highlights, match report, missing keywords and guard rejections."""
    resume = _mapping(result.get("resume"))
    basics = _mapping(resume.get("basics"))
    lines = [f"Headline: {basics.get('label') or '(none)'}", "Summary:"]
    lines += _wrapped(str(basics.get("summary") or "(none)"))
    lines.append("Top highlights:")
    for role in _sequence(resume.get("work"))[:TOP_ROLES]:
        entry = _mapping(role)
        lines.append(f"  {entry.get('position', '?')} at {entry.get('name', '?')}")
        for highlight in _sequence(entry.get("highlights"))[:TOP_HIGHLIGHTS_PER_ROLE]:
            lines += _wrapped(f"- {highlight}", _INDENT, hanging="  ")
    lines += match_report_lines(_mapping(result.get("match_report")))
    lines += rejection_lines(_sequence(result.get("rejections")))
    changes = _sequence(result.get("changes"))
    kinds: dict[str, int] = {}
    for change in changes:
        kind = str(_mapping(change).get("kind", "?"))
        kinds[kind] = kinds.get(kind, 0) + 1
    described = ", ".join(f"{count} {kind}" for kind, count in sorted(kinds.items()))
    lines.append(f"Changes applied: {len(changes)}" + (f" ({described})" if described else ""))
    return lines


def match_report_lines(report: Mapping[str, Any]) -> list[str]:
    before = _mapping(report.get("coverage_before"))
    after = _mapping(report.get("coverage_after"))
    evidenced = _sequence(report.get("evidenced_keywords"))
    missing = [str(keyword) for keyword in _sequence(report.get("missing_keywords"))]
    lines = [
        "Match report:",
        f"{_INDENT}first-page coverage of the job keywords the CV evidences: "
        f"{percent(before.get('ratio'))} before -> {percent(after.get('ratio'))} after "
        f"({after.get('in_first_page', '?')} of {after.get('evidenced', len(evidenced))} on the first page)",
        f"{_INDENT}evidenced: "
        + (", ".join(str(_mapping(match).get("keyword", "?")) for match in evidenced) or "none"),
        f"{_INDENT}missing (advice only, never added): " + (", ".join(missing) or "none"),
    ]
    return lines


def rejection_lines(rejections: Sequence[Any]) -> list[str]:
    if not rejections:
        return ["Guard rejections: none"]
    lines = [f"Guard rejections: {len(rejections)}"]
    for rejection in rejections:
        entry = _mapping(rejection)
        tokens = ", ".join(str(token) for token in _sequence(entry.get("tokens")))
        detail = f" [{tokens}]" if tokens else ""
        lines += _wrapped(
            f"- {entry.get('edit', '?')} {entry.get('ref', '?')}: {entry.get('reason', '?')}{detail}",
            hanging="  ",
        )
    return lines


def status_lines(status: Mapping[str, Any]) -> list[str]:
    """A job status response: the state, then the failure or the result summary."""
    lines = [
        f"Job {status.get('job_id', '?')}: {status.get('status', '?')} "
        f"(created {status.get('created_at', '?')}, updated {status.get('updated_at', '?')})"
    ]
    error = _mapping(status.get("error"))
    if error:
        lines.append(f"Failure: {error.get('code', '?')}: {error.get('message', '')}")
    result = status.get("result")
    if isinstance(result, Mapping):
        lines += result_summary(result)
    return lines


def event_line(event: Mapping[str, Any]) -> str:
    """One line for an EventBridge event delivered to a queue."""
    detail = _mapping(event.get("detail"))
    parts = [
        str(event.get("time", "")),
        str(event.get("detail-type", "?")),
        f"job={detail.get('job_id', '?')}",
        f"status={detail.get('status', '?')}",
    ]
    summary = _mapping(detail.get("match_summary"))
    if summary:
        parts.append(
            f"coverage={percent(summary.get('coverage_before'))}->{percent(summary.get('coverage_after'))}"
        )
    if "guard_rejections" in detail:
        parts.append(f"guard_rejections={detail['guard_rejections']}")
    error = _mapping(detail.get("error"))
    if error:
        parts.append(f"error={error.get('code', '?')} retryable={error.get('retryable', '?')}")
    return "  ".join(part for part in parts if part)
