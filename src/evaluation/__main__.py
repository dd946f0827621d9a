"""``python -m evaluation``: measure tailoring quality; ``python -m evaluation render``: look at a result."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from evaluation.corpus import FAST_PAIRS, CorpusError, find_repo_root
from evaluation.provenance_suite import format_report as format_provenance_report
from evaluation.provenance_suite import run_suite as run_provenance_suite
from evaluation.render import (
    RenderError,
    RenderUnavailableError,
    render_resume_html,
    resume_from_job_result,
)
from evaluation.report import DEFAULT_AS_OF, evaluate, format_table, to_json
from shared.observability import logger

EXIT_TARGETS_MISSED = 1
EXIT_USAGE = 2
EXIT_RENDER_UNAVAILABLE = 3
# The share of the provenance suite's truthful edits the guard must keep (issue 11).
PROVENANCE_KEPT_TARGET = 0.9


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")


def _err(text: str) -> None:
    sys.stderr.write(text + "\n")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m evaluation",
        description="Measure tailoring quality on the corpus; `render` writes a tailored CV as HTML.",
    )
    parser.add_argument("--out", type=Path, default=Path("build/eval.json"), help="JSON report path")
    parser.add_argument("--fast", action="store_true", help=f"only the pairs {', '.join(FAST_PAIRS)}")
    parser.add_argument("--pair", action="append", default=None, help="evaluate only this pair (repeatable)")
    parser.add_argument("--no-adversarial", action="store_true", help="skip the adversarial guard suite")
    parser.add_argument("--as-of", type=date.fromisoformat, default=DEFAULT_AS_OF, help="YYYY-MM-DD")
    parser.add_argument("--repo-root", type=Path, default=None, help="directory holding eval/")
    commands = parser.add_subparsers(dest="command")
    render = commands.add_parser("render", help="render a tailored CV to HTML with a JSON Resume theme")
    render.add_argument("--job-result", type=Path, required=True, help="GET response, stored result or CV")
    render.add_argument("--out", dest="render_out", type=Path, default=Path("build/render/resume.html"))
    render.add_argument("--theme", default="even")
    render.add_argument("--node-prefix", type=Path, default=None, help="directory holding node_modules")
    return parser


def _render(arguments: argparse.Namespace) -> int:
    try:
        document = json.loads(arguments.job_result.read_text(encoding="utf-8"))
        resume = resume_from_job_result(document if isinstance(document, dict) else {})
    except (OSError, json.JSONDecodeError, ValueError) as error:
        _err(f"cannot read a tailored CV from {arguments.job_result}: {error}")
        return EXIT_USAGE
    try:
        rendered = render_resume_html(
            resume, arguments.render_out, arguments.theme, node_prefix=arguments.node_prefix
        )
    except RenderUnavailableError as error:
        _err(f"cannot render: {error}")
        return EXIT_RENDER_UNAVAILABLE
    except RenderError as error:
        _err(f"rendering failed: {error}")
        return EXIT_TARGETS_MISSED
    _out(f"wrote {rendered.path} ({rendered.method})")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    if arguments.command == "render":
        return _render(arguments)
    # The worker's use case logs warnings for every unusable reply the suite feeds it; they are expected here.
    logger.setLevel(logging.CRITICAL)
    pairs = tuple(arguments.pair) if arguments.pair else (FAST_PAIRS if arguments.fast else None)
    try:
        root = find_repo_root(arguments.repo_root)
        evaluation = evaluate(
            root,
            arguments.as_of,
            pairs,
            with_suite=not arguments.no_adversarial,
            progress=lambda step: _err(f"evaluating {step}"),
        )
    except CorpusError as error:
        _err(f"evaluation data problem: {error}")
        return EXIT_USAGE
    _out(format_table(evaluation))
    arguments.out.parent.mkdir(parents=True, exist_ok=True)
    arguments.out.write_text(
        json.dumps(to_json(evaluation), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    _out(f"JSON report: {arguments.out}")
    missed = [check.describe() for check in evaluation.missed]
    if not arguments.no_adversarial:
        missed.extend(_provenance_suite(root, arguments.as_of))
    if missed:
        _err("targets missed: " + "; ".join(missed))
        return EXIT_TARGETS_MISSED
    return 0


def _provenance_suite(root: Path, as_of: date) -> list[str]:
    """Run all of eval/provenance through the guard; the targets missed, if any."""
    report = run_provenance_suite(root, as_of)
    _out(format_provenance_report(report))
    caught, attacks = report.totals("attack")
    kept, truthful = report.totals("truthful")
    missed = []
    if caught < attacks:
        missed.append(f"provenance suite: {attacks - caught}/{attacks} fabrications leaked (target 0)")
    if kept < PROVENANCE_KEPT_TARGET * truthful:
        target = f"{PROVENANCE_KEPT_TARGET:.0%}"
        missed.append(f"provenance suite: kept {kept}/{truthful} truthful edits (target >= {target})")
    return missed


if __name__ == "__main__":
    sys.exit(main())
