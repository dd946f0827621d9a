"""The report: statuses against targets, the JSON shape of build/bench.json, and the table."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from bench.report import (
    REPORT_SCHEMA_VERSION,
    FigureResult,
    Measurement,
    Status,
    at_least,
    at_most,
    build_report,
    render_table,
    write_report,
)

ENVIRONMENT = {"python": "3.11.7", "cpu_count": 2}


def _figures() -> list[FigureResult]:
    return [
        FigureResult(
            figure="a",
            title="Cold start",
            measurements=(Measurement("cold start api.handler / deps", 1.08, "ratio", at_most(1.15)),),
            details={"repetitions": 7},
        ),
        FigureResult(
            figure="c",
            title="Goodput",
            measurements=(
                Measurement("goodput", 0.95, "ratio", at_least(0.9), {"zero DLQ messages": False}),
                Measurement("jobs completed per minute", 57.0, "jobs/min"),
            ),
        ),
        FigureResult(figure="d", title="Latency", measurements=(Measurement("p50", 290.0, "ms"),)),
        FigureResult(figure="e", title="Bundles", error="RuntimeError: no uv"),
    ]


def test_a_target_is_met_on_its_own_side_of_the_threshold() -> None:
    # Given an upper and a lower bound
    # When values on either side are compared
    # Then the bound itself still passes
    assert at_most(1.15).met_by(1.15)
    assert not at_most(1.15).met_by(1.151)
    assert at_least(0.9).met_by(0.9)
    assert not at_least(0.9).met_by(0.89)


def test_a_measurement_without_a_target_is_only_reported() -> None:
    # Given a latency figure
    measurement = Measurement("p99", 310.0, "ms")

    # Then it neither passes nor misses
    assert measurement.status is Status.REPORTED


def test_a_measurement_misses_when_a_required_condition_fails_even_if_the_value_passes() -> None:
    # Given goodput above its target but with a message in the DLQ
    measurement = Measurement("goodput", 1.0, "ratio", at_least(0.9), {"zero DLQ messages": False})

    # Then the figure misses
    assert measurement.status is Status.MISS


def test_a_figure_takes_the_worst_status_of_its_measurements() -> None:
    # Given the example figures
    a, c, d, e = _figures()

    # Then a passing, a missing, a reported-only and a crashed figure are told apart
    assert (a.status, c.status, d.status, e.status) == (
        Status.PASS,
        Status.MISS,
        Status.REPORTED,
        Status.ERROR,
    )


def test_the_json_report_has_one_entry_per_figure_and_a_summary(tmp_path: Path) -> None:
    # Given a finished run
    report = build_report(
        _figures(),
        command="python -m bench --only a,c,d,e",
        options={"quick": False},
        generated_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        environment=ENVIRONMENT,
    )
    path = tmp_path / "build" / "bench.json"

    # When it is written and read back
    write_report(report, path)
    loaded = json.loads(path.read_text(encoding="utf-8"))

    # Then the top level says what ran, when, how and on what
    assert loaded["schema_version"] == REPORT_SCHEMA_VERSION
    assert loaded["generated_at"] == "2026-01-02T03:04:05+00:00"
    assert loaded["command"] == "python -m bench --only a,c,d,e"
    assert loaded["environment"] == ENVIRONMENT
    assert loaded["summary"] == {"pass": 1, "miss": 1, "reported": 1, "error": 1}
    # And each figure carries its measurements with their targets and statuses
    assert [figure["figure"] for figure in loaded["figures"]] == ["a", "c", "d", "e"]
    goodput = loaded["figures"][1]
    assert goodput["status"] == "miss"
    assert goodput["measurements"][0] == {
        "name": "goodput",
        "value": 0.95,
        "unit": "ratio",
        "target": {"comparison": ">=", "threshold": 0.9},
        "conditions": {"zero DLQ messages": False},
        "status": "miss",
    }
    assert goodput["measurements"][1]["target"] is None
    assert loaded["figures"][0]["details"] == {"repetitions": 7}
    assert loaded["figures"][3]["error"] == "RuntimeError: no uv"


def test_the_table_shows_each_measurement_with_its_target_and_status() -> None:
    # Given the example figures
    # When they are rendered
    table = render_table(_figures())
    lines = table.splitlines()

    # Then there is a header, a rule, and one line per measurement or failed figure
    assert lines[0].split() == ["Fig", "Measurement", "Value", "Target", "Status"]
    assert len(lines) == 2 + 4 + 1
    cold_start = next(line for line in lines if "api.handler" in line)
    assert "1.08" in cold_start
    assert "<= 1.15" in cold_start
    assert cold_start.endswith("pass")
    goodput = next(line for line in lines if line.startswith("c    goodput "))
    assert goodput.endswith("miss (zero DLQ messages)")
    assert any("290.0 ms" in line and line.endswith("reported") for line in lines)
    assert lines[-1].endswith("error: RuntimeError: no uv")
