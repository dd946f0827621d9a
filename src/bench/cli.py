"""``python -m bench``: run the figures, print a table, write ``build/bench.json``."""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, TextIO

from bench import bundles, cold_start, goodput, guard_time, latency, warm_path
from bench.paths import default_report_path
from bench.report import FigureResult, Status, build_report, command_line, render_table, write_report

FIGURES: Final = {
    "a": "cold start",
    "b": "API warm path",
    "c": "goodput under a Bedrock quota",
    "d": "local end-to-end latency",
    "e": "bundle size",
    "f": "guard time on a crafted maximum-size request",
}
EXIT_OK: Final = 0
EXIT_MISSED: Final = 1
EXIT_ERROR: Final = 2


@dataclass(frozen=True)
class RunOptions:
    quick: bool
    quota_rpm: int
    concurrency: int | None
    retry_delay_seconds: int | None

    def cold_start(self) -> cold_start.ColdStartOptions:
        if self.quick:
            return cold_start.ColdStartOptions(repetitions=1, no_bytecode_repetitions=0, importtime_runs=1)
        return cold_start.ColdStartOptions()

    def warm_path(self) -> warm_path.WarmPathOptions:
        if self.quick:
            return warm_path.WarmPathOptions(requests=100, block_size=25, warm_up=10)
        return warm_path.WarmPathOptions()

    def goodput(self) -> goodput.GoodputOptions:
        defaults = goodput.GoodputOptions()
        concurrency = self.concurrency or (2 if self.quick else defaults.concurrency)
        return goodput.GoodputOptions(
            quota_rpm=self.quota_rpm,
            concurrency=concurrency,
            # The quota is a 60-second sliding window: a shorter measurement window could exceed Q.
            warm_up_seconds=5.0 if self.quick else defaults.warm_up_seconds,
            window_seconds=defaults.window_seconds,
            retry_delay_seconds=self.retry_delay_seconds,
        )

    def latency(self) -> latency.LatencyOptions:
        if self.quick:
            return latency.LatencyOptions(jobs=10, warm_up_jobs=1)
        return latency.LatencyOptions()


def _runners(options: RunOptions) -> dict[str, Callable[[], FigureResult]]:
    return {
        "a": lambda: cold_start.run_figure(options.cold_start()),
        "b": lambda: warm_path.run_figure(options.warm_path()),
        "c": lambda: goodput.run_figure(options.goodput()),
        "d": lambda: latency.run_figure(options.latency()),
        "e": bundles.run_figure,
        "f": lambda: guard_time.run_figure(1 if options.quick else guard_time.REPETITIONS),
    }


def parse_figures(value: str) -> list[str]:
    """``a,c`` -> ``["a", "c"]`` in the canonical order; unknown letters are an error."""
    chosen = {part.strip().lower() for part in value.split(",") if part.strip()}
    unknown = sorted(chosen - FIGURES.keys())
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(
            f"choose among {', '.join(FIGURES)} (comma-separated); got {value!r}"
        )
    return [figure for figure in FIGURES if figure in chosen]


def _retry_delay(value: str) -> int | None:
    if value.strip().lower() == "none":
        return None
    try:
        seconds = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError("a whole number of seconds, or 'none'") from None
    if not 0 <= seconds <= 43_200:
        raise argparse.ArgumentTypeError("between 0 and 43200 seconds (the SQS limit)")
    return seconds


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError("a positive whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError("a positive whole number")
    return number


def parser() -> argparse.ArgumentParser:
    figures = "; ".join(f"{letter}) {title}" for letter, title in FIGURES.items())
    result = argparse.ArgumentParser(
        prog="python -m bench",
        description=f"Benchmarks as side-by-side ratios. Figures: {figures}.",
    )
    result.add_argument("--only", type=parse_figures, default=list(FIGURES), help="figures to run, e.g. a,b")
    result.add_argument("--quick", action="store_true", help="fewer repetitions and shorter windows (smoke)")
    result.add_argument("--out", type=Path, default=default_report_path(), help="JSON report path")
    result.add_argument("--quota-rpm", type=_positive, default=60, help="(c) Bedrock requests per minute, Q")
    result.add_argument(
        "--worker-concurrency",
        type=_positive,
        default=None,
        help="(c) worker processes (default: the stack's DEFAULT_WORKER_MAX_CONCURRENCY; 2 with --quick)",
    )
    result.add_argument(
        "--retry-delay",
        type=_retry_delay,
        default=None,
        help="(c) seconds before a failed delivery returns; default none: the queue's visibility timeout",
    )
    result.add_argument("--fail-on-miss", action="store_true", help="exit 1 when a figure misses its target")
    return result


def _notes(figures: Sequence[FigureResult]) -> list[str]:
    """Short explanations under the table: where cold-start time goes, what the goodput run saw."""
    lines: list[str] = []
    for figure in figures:
        if figure.error is not None:
            continue
        if figure.figure == "a":
            lines.extend(_cold_start_notes(figure.details))
        if figure.figure == "c":
            details = figure.details
            lines.append(
                "(c) offered {offered}, accepted {accepted}, completed {completed} ({window} in the window); "
                "deliveries returned to the queue {returned}; model calls throttled by the quota "
                "{throttled}; left in the queue {left}; most claims of one job {claims} "
                "(the DLQ takes it after {limit})".format(
                    offered=details["offered"],
                    accepted=details["accepted"],
                    completed=details["events"]["completed"],
                    window=details["completed_in_window"],
                    returned=details["deliveries_returned_to_queue"],
                    throttled=details["emulator_total"]["quota_throttled"],
                    left=details["queue"]["visible"] + details["queue"]["in_flight"],
                    claims=details["max_claims_per_job"],
                    limit=details["max_receive_count"],
                )
            )
    return lines


def _cold_start_notes(details: Mapping[str, Any]) -> list[str]:
    lines: list[str] = []
    for module, handler in details.get("handlers", {}).items():
        extra = handler.get("where_the_extra_time_goes")
        if not extra:
            continue
        own = ", ".join(f"{entry['module']} {entry['self_ms']:.0f}" for entry in extra["project_modules"][:4])
        others = ", ".join(
            f"{entry['package']} {entry['self_ms']:.0f}" for entry in extra["other_packages"][:4]
        )
        lines.append(
            f"(a) {module}: {handler['handler_median_ms']:.0f} ms vs {handler['baseline_median_ms']:.0f} ms; "
            f"beyond the deps (ms, -X importtime): own modules {own}; other packages {others}"
        )
    return lines


def _shown(path: Path) -> str:
    """The path relative to the working directory when it lies below it (as the docs quote it)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def run(arguments: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    stdout = sys.stdout if out is None else out
    stderr = sys.stderr if err is None else err
    args = parser().parse_args(arguments)
    options = RunOptions(
        quick=args.quick,
        quota_rpm=args.quota_rpm,
        concurrency=args.worker_concurrency,
        retry_delay_seconds=args.retry_delay,
    )
    runners = _runners(options)
    results: list[FigureResult] = []
    for letter in args.only:
        print(f"running ({letter}) {FIGURES[letter]}...", file=stderr, flush=True)
        started = time.monotonic()
        try:
            result = runners[letter]()
        except Exception as error:
            traceback.print_exc(file=stderr)
            result = FigureResult(
                figure=letter, title=FIGURES[letter], error=f"{type(error).__name__}: {error}"
            )
        results.append(
            FigureResult(
                figure=result.figure,
                title=result.title,
                measurements=result.measurements,
                details=result.details,
                error=result.error,
                seconds=time.monotonic() - started,
            )
        )
    report = build_report(
        results,
        command=command_line(),
        options={
            "only": args.only,
            "quick": args.quick,
            "quota_rpm": args.quota_rpm,
            "worker_concurrency": args.worker_concurrency,
            "retry_delay_seconds": args.retry_delay,
        },
    )
    write_report(report, args.out)
    print(render_table(results), file=stdout)
    for line in _notes(results):
        print(line, file=stdout)
    print(f"report: {_shown(args.out)}", file=stdout)
    if any(result.status is Status.ERROR for result in results):
        return EXIT_ERROR
    if args.fail_on_miss and any(result.status is Status.MISS for result in results):
        return EXIT_MISSED
    return EXIT_OK
