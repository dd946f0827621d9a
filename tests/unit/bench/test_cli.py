"""``python -m bench``: figure selection, the table on stdout, the JSON file, and the exit code."""

from __future__ import annotations

import argparse
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from bench import cli
from bench.cli import EXIT_ERROR, EXIT_MISSED, EXIT_OK, RunOptions, parse_figures
from bench.report import FigureResult, Measurement, at_most


def test_only_accepts_known_letters_in_any_order_and_case() -> None:
    # Given a selection written loosely
    # When it is parsed
    # Then it comes back in the canonical order, once each
    assert parse_figures(" C,a,A ") == ["a", "c"]


@pytest.mark.parametrize("value", ["a,z", "", " , "])
def test_only_refuses_unknown_or_empty_selections(value: str) -> None:
    # Given a selection naming no known figure
    # When it is parsed
    # Then it is refused with the valid letters
    with pytest.raises(argparse.ArgumentTypeError, match="a, b, c, d, e"):
        parse_figures(value)


def test_quick_runs_fewer_repetitions_but_keeps_a_full_quota_window() -> None:
    # Given quick and full options
    quick = RunOptions(quick=True, quota_rpm=60, concurrency=None, retry_delay_seconds=None)
    full = RunOptions(quick=False, quota_rpm=60, concurrency=None, retry_delay_seconds=None)

    # Then quick repeats less, but the goodput window still spans the 60 s quota window
    assert quick.cold_start().repetitions < full.cold_start().repetitions
    assert full.cold_start().repetitions >= 5
    assert quick.warm_path().requests < full.warm_path().requests
    assert full.warm_path().requests >= 500
    assert quick.goodput().window_seconds == full.goodput().window_seconds == 60.0
    assert quick.latency().jobs < full.latency().jobs == 50


def _fake_runners(
    figures: dict[str, FigureResult],
) -> Callable[[RunOptions], dict[str, Callable[[], FigureResult]]]:
    def runners(_: RunOptions) -> dict[str, Callable[[], FigureResult]]:
        def crash() -> FigureResult:
            raise RuntimeError("emulator did not start")

        return {letter: (lambda figure=figure: figure) for letter, figure in figures.items()} | {"c": crash}

    return runners


def test_a_run_prints_the_table_writes_the_json_and_exits_by_outcome(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a passing figure (a), a missing figure (b), and a figure (c) that crashes
    figures = {
        "a": FigureResult("a", "Cold start", (Measurement("ratio a", 1.1, "ratio", at_most(1.15)),)),
        "b": FigureResult("b", "Warm path", (Measurement("ratio b", 1.4, "ratio", at_most(1.3)),)),
    }
    monkeypatch.setattr(cli, "_runners", _fake_runners(figures))
    out_path = tmp_path / "bench.json"
    out, err = io.StringIO(), io.StringIO()

    # When only a and b run
    exit_code = cli.run(["--only", "a,b", "--out", str(out_path)], out=out, err=err)

    # Then the table shows both, the JSON holds both, and a miss alone does not fail the run
    assert exit_code == EXIT_OK
    assert "ratio a" in out.getvalue()
    assert "ratio b" in out.getvalue()
    report = json.loads(out_path.read_text(encoding="utf-8"))
    assert [figure["status"] for figure in report["figures"]] == ["pass", "miss"]
    assert report["options"]["only"] == ["a", "b"]
    assert figures["a"].seconds == 0.0  # the CLI adds the duration to a copy
    assert report["figures"][0]["seconds"] >= 0.0

    # When the run must fail on a miss
    # Then it exits 1
    assert (
        cli.run(["--only", "a,b", "--out", str(out_path), "--fail-on-miss"], out=out, err=err) == EXIT_MISSED
    )

    # When a figure crashes
    exit_code = cli.run(["--only", "a,c", "--out", str(out_path)], out=out, err=err)

    # Then the others still report, the crash is recorded, and the run exits 2
    assert exit_code == EXIT_ERROR
    report = json.loads(out_path.read_text(encoding="utf-8"))
    assert report["figures"][1]["error"] == "RuntimeError: emulator did not start"
    assert "emulator did not start" in err.getvalue()
