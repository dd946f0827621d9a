"""Figures (b) to (e) computed from their raw results: ratios, windows, conditions, sizes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bench import bundles, goodput, latency, warm_path
from bench.child import RESULT_PREFIX, parse_result
from bench.report import Status


def _goodput_result(**overrides: Any) -> dict[str, Any]:
    result: dict[str, Any] = {
        "options": goodput.GoodputOptions(quota_rpm=60, concurrency=5).as_params(),
        "offered": 180,
        "accepted": 180,
        "refused": {},
        "completed_in_window": 57,
        "events": {"completed": 90, "failed": 0, "duplicate_completed": 0},
        "job_statuses": {"COMPLETED": 90, "PENDING": 80, "PROCESSING": 10},
        "jobs_by_claims": {"0": 80, "1": 95, "2": 5},
        "dlq": {"visible": 0, "in_flight": 0},
        "queue": {"visible": 80, "in_flight": 10},
        "emulator_in_window": {"answered": 57, "quota_throttled": 120},
        "emulator_total": {"answered": 90, "quota_throttled": 200},
        "workers": {"invocations": 100, "succeeded": 90, "failed": 10},
        "workers_reporting": 5,
    }
    result.update(overrides)
    return result


def test_goodput_is_completions_per_minute_in_the_window_over_the_quota() -> None:
    # Given 57 completions in a 60 s window under a 60 requests/min quota, nothing failed
    # When the figure is computed
    figure = goodput.figure_from(_goodput_result())

    # Then goodput is 0.95 and passes the 0.9 target with both conditions held
    ratio = figure.measurements[0]
    assert ratio.value == pytest.approx(0.95)
    assert ratio.conditions == {"zero DLQ messages": True, "zero failed jobs": True}
    assert figure.status is Status.PASS
    assert figure.details["deliveries_returned_to_queue"] == 10
    assert figure.details["max_claims_per_job"] == 2


def test_goodput_scales_a_longer_window_to_one_minute() -> None:
    # Given 90 completions over a 90 s window
    options = goodput.GoodputOptions(quota_rpm=60, window_seconds=90.0).as_params()

    # When the figure is computed
    figure = goodput.figure_from(_goodput_result(options=options, completed_in_window=90))

    # Then it is 60 per minute: exactly the quota
    assert figure.measurements[1].value == pytest.approx(60.0)
    assert figure.measurements[0].value == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("overrides", "broken"),
    [
        ({"dlq": {"visible": 1, "in_flight": 0}}, "zero DLQ messages"),
        ({"job_statuses": {"COMPLETED": 90, "FAILED": 1}}, "zero failed jobs"),
        ({"events": {"completed": 90, "failed": 2, "duplicate_completed": 0}}, "zero failed jobs"),
    ],
)
def test_goodput_misses_with_a_dlq_message_or_a_failed_job(overrides: dict[str, Any], broken: str) -> None:
    # Given full goodput but a message in the DLQ or a failed job
    # When the figure is computed
    figure = goodput.figure_from(_goodput_result(completed_in_window=60, **overrides))

    # Then it misses, naming the broken condition
    assert figure.measurements[0].conditions[broken] is False
    assert figure.status is Status.MISS


def test_goodput_refuses_a_window_shorter_than_the_quota_window() -> None:
    # Given a 30 s window, which a 60 s sliding quota could fill twice over
    # When the options are built
    # Then they are refused
    with pytest.raises(ValueError, match="at least 60"):
        goodput.GoodputOptions(window_seconds=30.0)


def test_the_warm_path_ratio_is_the_median_of_block_pair_ratios() -> None:
    # Given three block pairs; the second block was slow on both sides
    result = {
        "options": warm_path.WarmPathOptions(requests=6, block_size=2).as_params(),
        "handler_blocks": [[0.012, 0.012], [0.030, 0.030], [0.011, 0.013]],
        "baseline_blocks": [[0.010, 0.010], [0.025, 0.025], [0.010, 0.010]],
    }

    # When the figure is computed
    figure = warm_path.figure_from(result)

    # Then the ratio is 1.2 (ratios 1.2, 1.2, 1.2), within the 1.3 target
    ratio = figure.measurements[0]
    assert ratio.value == pytest.approx(1.2)
    assert figure.status is Status.PASS
    assert figure.details["requests_per_side"] == 6
    assert figure.details["handler_ms"]["count"] == 6


def test_a_slow_handler_misses_the_warm_path_target() -> None:
    # Given a handler twice as slow as the raw calls
    result = {
        "options": warm_path.WarmPathOptions(requests=2, block_size=2).as_params(),
        "handler_blocks": [[0.02, 0.02]],
        "baseline_blocks": [[0.01, 0.01]],
    }

    # When the figure is computed
    # Then it misses
    assert warm_path.figure_from(result).status is Status.MISS


def test_latency_reports_percentiles_in_milliseconds_without_a_target() -> None:
    # Given end-to-end times from 0.1 s to 1.0 s
    result = {
        "options": latency.LatencyOptions(jobs=10).as_params(),
        "end_to_end": [index / 10 for index in range(1, 11)],
        "accept": [0.05] * 10,
        "missing": 0,
    }

    # When the figure is computed
    figure = latency.figure_from(result)

    # Then p50 and p99 are reported in milliseconds
    p50, p99, accept = figure.measurements
    assert p50.unit == "ms"
    assert p50.value == pytest.approx(550.0)
    assert p99.value == pytest.approx(991.0)
    assert accept.value == pytest.approx(50.0)
    assert figure.status is Status.REPORTED


def _bundle(root: Path, name: str, files: dict[str, int]) -> None:
    for relative, size in files.items():
        path = root / name / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x" * size)


def test_bundle_sizes_add_up_every_file_and_rank_top_level_entries(tmp_path: Path) -> None:
    # Given two bundles on disk
    _bundle(tmp_path, "api", {"boto3/a.py": 3000, "boto3/b.py": 1000, "api/handler.py": 500})
    _bundle(tmp_path, "worker", {"worker/handler.py": 700, "tenacity/__init__.py": 2000, "x.pyc": 10})

    # When figure (e) reads them (no build: both exist)
    figure = bundles.run_figure(root=tmp_path)

    # Then each bundle's size is reported in MB with its file count and largest entries
    api, worker = (figure.details["bundles"][name] for name in ("api", "worker"))
    assert api["bytes"] == 4500
    assert api["files"] == 3
    assert api["largest"][0]["entry"] == "boto3"
    assert worker["bytecode_files"] == 1
    assert figure.measurements[0].value == pytest.approx(4500 / bundles.BYTES_PER_MB)
    assert figure.details["built_by_this_run"] is False
    assert figure.status is Status.REPORTED


def test_a_child_result_is_the_last_prefixed_line_of_its_output() -> None:
    # Given output mixing stray lines and two results
    output = f'noise\n{RESULT_PREFIX}{{"n": 1}}\nmore noise\n{RESULT_PREFIX}{{"n": 2}}\n'

    # When it is parsed
    # Then the last result wins, and output without one has none
    assert parse_result(output) == {"n": 2}
    assert parse_result("nothing here\n") is None
