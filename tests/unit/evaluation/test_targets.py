"""The issue's targets are checked per engine, and a miss is named."""

from __future__ import annotations

import dataclasses

from evaluation.report import Totals, check_targets

GOOD = Totals(
    runs=4,
    schema_valid=4,
    fabricated=0,
    silently_dropped=0,
    declared_dropped=1,
    coverage_before=0.7,
    coverage_after=0.95,
    engine_coverage_before=0.7,
    engine_coverage_after=0.9,
    coverage_regressions=0,
    input_tokens=8_000,
    edit_output_tokens=300,
    full_output_tokens=3_000,
    rejections=2,
    unusable=0,
)


def _missed(total: Totals, engine: str = "offline") -> list[str]:
    return [check.name for check in check_targets(engine, total) if not check.met]


def test_a_run_within_every_target_misses_nothing() -> None:
    # Given totals within every target, with a declared drop and some guard rejections
    # When the targets are checked
    # Then none is missed
    assert _missed(GOOD) == []


def test_each_target_is_missed_on_its_own_measure() -> None:
    # Given totals that each break one target
    broken = {
        "schema-valid rate": dataclasses.replace(GOOD, schema_valid=3),
        "fabricated facts": dataclasses.replace(GOOD, fabricated=1),
        "silently dropped facts": dataclasses.replace(GOOD, silently_dropped=1),
        "evidenced-keyword coverage after (hand-written, mean)": dataclasses.replace(
            GOOD, coverage_after=0.89
        ),
        "runs with lower coverage than before": dataclasses.replace(GOOD, coverage_regressions=1),
        "edit/full output token ratio": dataclasses.replace(GOOD, edit_output_tokens=1_100),
    }

    # When the targets are checked
    # Then exactly the broken one is named
    for name, total in broken.items():
        assert _missed(total) == [name]


def test_recorded_responses_must_all_be_usable() -> None:
    # Given recorded responses of which one was unusable and none measured
    total = dataclasses.replace(GOOD, runs=0, schema_valid=0, unusable=1)

    # When the targets are checked
    # Then only usability is judged, and it is missed
    assert _missed(total, "recorded") == ["unusable recorded responses"]
