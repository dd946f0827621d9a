"""The benchmark report: each figure's measurements against their targets, as a table and as JSON."""

from __future__ import annotations

import json
import os
import platform
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Final

REPORT_SCHEMA_VERSION: Final = 1


class Status(StrEnum):
    PASS = "pass"  # noqa: S105 (a status, not a password)
    MISS = "miss"
    REPORTED = "reported"
    ERROR = "error"


class Comparison(StrEnum):
    AT_MOST = "<="
    AT_LEAST = ">="


@dataclass(frozen=True)
class Target:
    comparison: Comparison
    threshold: float

    def met_by(self, value: float) -> bool:
        if self.comparison is Comparison.AT_MOST:
            return value <= self.threshold
        return value >= self.threshold

    def as_dict(self) -> dict[str, Any]:
        return {"comparison": self.comparison.value, "threshold": self.threshold}

    def __str__(self) -> str:
        return f"{self.comparison.value} {self.threshold:g}"


def at_most(threshold: float) -> Target:
    return Target(Comparison.AT_MOST, threshold)


def at_least(threshold: float) -> Target:
    return Target(Comparison.AT_LEAST, threshold)


@dataclass(frozen=True)
class Measurement:
    """One number of a figure; with a target it passes or misses, without one it is only reported."""

    name: str
    value: float
    unit: str
    target: Target | None = None
    # Conditions besides the value that the target requires (e.g. "zero DLQ messages"); all must hold.
    conditions: Mapping[str, bool] = field(default_factory=dict)

    @property
    def status(self) -> Status:
        if self.target is None:
            return Status.REPORTED
        if self.target.met_by(self.value) and all(self.conditions.values()):
            return Status.PASS
        return Status.MISS

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": round(self.value, 4),
            "unit": self.unit,
            "target": None if self.target is None else self.target.as_dict(),
            "conditions": dict(self.conditions),
            "status": self.status.value,
        }


@dataclass(frozen=True)
class FigureResult:
    figure: str
    title: str
    measurements: tuple[Measurement, ...] = ()
    details: Mapping[str, Any] = field(default_factory=dict)
    error: str | None = None
    seconds: float = 0.0

    @property
    def status(self) -> Status:
        if self.error is not None:
            return Status.ERROR
        statuses = {measurement.status for measurement in self.measurements}
        if Status.MISS in statuses:
            return Status.MISS
        if Status.PASS in statuses:
            return Status.PASS
        return Status.REPORTED

    def as_dict(self) -> dict[str, Any]:
        return {
            "figure": self.figure,
            "title": self.title,
            "status": self.status.value,
            "measurements": [measurement.as_dict() for measurement in self.measurements],
            "details": dict(self.details),
            "error": self.error,
            "seconds": round(self.seconds, 1),
        }


def environment_facts() -> dict[str, Any]:
    """What the numbers were measured on: they are ratios, but the machine still colours them."""
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "load_average": None if load is None else [round(value, 2) for value in load],
    }


def build_report(
    figures: Sequence[FigureResult],
    *,
    command: str,
    options: Mapping[str, Any],
    generated_at: datetime | None = None,
    environment: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    moment = generated_at or datetime.now(UTC)
    counts = {status.value: 0 for status in Status}
    for figure in figures:
        counts[figure.status.value] += 1
    return {
        "schema_version": REPORT_SCHEMA_VERSION,
        "generated_at": moment.astimezone(UTC).isoformat(timespec="seconds"),
        "command": command,
        "options": dict(options),
        "environment": dict(environment_facts() if environment is None else environment),
        "figures": [figure.as_dict() for figure in figures],
        "summary": counts,
    }


def write_report(report: Mapping[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, sort_keys=False) + "\n", encoding="utf-8")


def _format_value(measurement: Measurement) -> str:
    value = measurement.value
    if measurement.unit == "ratio":
        return f"{value:.2f}"
    if measurement.unit in {"ms", "MB"}:
        return f"{value:,.1f} {measurement.unit}"
    if float(value).is_integer():
        return f"{int(value):,} {measurement.unit}"
    return f"{value:,.2f} {measurement.unit}"


def render_table(figures: Sequence[FigureResult]) -> str:
    """A fixed-width table of every measurement (and one line per figure that failed to run)."""
    header = ("Fig", "Measurement", "Value", "Target", "Status")
    rows: list[tuple[str, str, str, str, str]] = []
    for figure in figures:
        if figure.error is not None:
            rows.append((figure.figure, figure.title, "-", "-", f"error: {figure.error}"))
            continue
        for measurement in figure.measurements:
            target = "reported" if measurement.target is None else str(measurement.target)
            failed_conditions = [name for name, held in measurement.conditions.items() if not held]
            status = measurement.status.value
            if failed_conditions:
                status += " (" + ", ".join(failed_conditions) + ")"
            rows.append((figure.figure, measurement.name, _format_value(measurement), target, status))
    widths = [max(len(row[column]) for row in [header, *rows]) for column in range(len(header))]
    # The status column is last and may be long: it is not padded.
    widths[-1] = 0

    def line(cells: Sequence[str]) -> str:
        return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()

    rule = "  ".join("-" * max(width, len(header[index])) for index, width in enumerate(widths))
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


def command_line() -> str:
    """How this run was started, for the report (``python -m bench`` plus its arguments)."""
    return " ".join(["python -m bench", *sys.argv[1:]])
