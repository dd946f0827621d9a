"""Run the whole evaluation, check the targets, and present the result as a table and as JSON."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from evaluation.adversarial import SuiteResult, run_suite
from evaluation.corpus import CorpusPair, load_corpus, load_responses
from evaluation.runs import Engine, RunResult, UnusableResponse, prompt_tokens, run_offline, run_recorded
from evaluation.tokens import INPUT_USD_PER_MILLION, OUTPUT_USD_PER_MILLION, TOKEN_METHOD, cost_usd

# A fixed date keeps every figure reproducible: experience years are counted up to it.
DEFAULT_AS_OF = date(2026, 11, 1)
COVERAGE_TARGET = 0.90
TOKEN_RATIO_TARGET = 0.35


@dataclass(frozen=True)
class Totals:
    """One engine's runs summed up."""

    runs: int
    schema_valid: int
    fabricated: int
    silently_dropped: int
    declared_dropped: int
    coverage_before: float
    coverage_after: float
    engine_coverage_before: float
    engine_coverage_after: float
    coverage_regressions: int
    input_tokens: int
    edit_output_tokens: int
    full_output_tokens: int
    rejections: int
    unusable: int
    # The core extractor's count, a cross-check beside ``fabricated`` (the independent audit's).
    core_fabricated: int = 0

    @property
    def schema_valid_rate(self) -> float:
        return self.schema_valid / self.runs if self.runs else 0.0

    @property
    def token_ratio(self) -> float:
        return self.edit_output_tokens / self.full_output_tokens if self.full_output_tokens else 0.0

    @property
    def edit_cost_per_tailoring(self) -> float:
        return cost_usd(self.input_tokens, self.edit_output_tokens) / self.runs if self.runs else 0.0

    @property
    def full_cost_per_tailoring(self) -> float:
        return cost_usd(self.input_tokens, self.full_output_tokens) / self.runs if self.runs else 0.0


def _mean(values: Sequence[float | None]) -> float:
    present = [value for value in values if value is not None]
    return sum(present) / len(present) if present else 0.0


def totals(runs: Sequence[RunResult], unusable: int = 0) -> Totals:
    return Totals(
        runs=len(runs),
        schema_valid=sum(1 for run in runs if not run.schema_errors),
        fabricated=sum(run.fabricated for run in runs),
        silently_dropped=sum(run.silently_dropped for run in runs),
        declared_dropped=sum(run.declared_dropped for run in runs),
        coverage_before=_mean([run.coverage_before.ratio for run in runs]),
        coverage_after=_mean([run.coverage_after.ratio for run in runs]),
        engine_coverage_before=_mean([run.engine_coverage_before for run in runs]),
        engine_coverage_after=_mean([run.engine_coverage_after for run in runs]),
        coverage_regressions=sum(1 for run in runs if run.coverage_regressed),
        input_tokens=sum(run.tokens.input_tokens for run in runs),
        edit_output_tokens=sum(run.tokens.edit_output_tokens for run in runs),
        full_output_tokens=sum(run.tokens.full_output_tokens for run in runs),
        rejections=sum(len(run.rejections) for run in runs),
        unusable=unusable,
        core_fabricated=sum(run.core_fabricated for run in runs),
    )


@dataclass(frozen=True)
class TargetCheck:
    name: str
    engine: str
    value: float
    target: str
    met: bool

    def describe(self) -> str:
        return f"{self.engine}: {self.name} = {self.value:g} (target {self.target})"


def check_targets(engine: str, total: Totals) -> list[TargetCheck]:
    """The issue's targets for one engine; an engine with no usable runs is judged on usability only."""
    checks = (
        []
        if total.runs == 0
        else [
            TargetCheck(
                "schema-valid rate", engine, total.schema_valid_rate, "= 1", total.schema_valid_rate == 1.0
            ),
            TargetCheck("fabricated facts", engine, total.fabricated, "= 0", total.fabricated == 0),
            TargetCheck(
                "fabricated facts (core extractor, cross-check)",
                engine,
                total.core_fabricated,
                "= 0",
                total.core_fabricated == 0,
            ),
            TargetCheck(
                "silently dropped facts", engine, total.silently_dropped, "= 0", total.silently_dropped == 0
            ),
            TargetCheck(
                "evidenced-keyword coverage after (hand-written, mean)",
                engine,
                round(total.coverage_after, 4),
                f">= {COVERAGE_TARGET}",
                total.coverage_after >= COVERAGE_TARGET,
            ),
            TargetCheck(
                "runs with lower coverage than before",
                engine,
                total.coverage_regressions,
                "= 0",
                total.coverage_regressions == 0,
            ),
            TargetCheck(
                "edit/full output token ratio",
                engine,
                round(total.token_ratio, 4),
                f"<= {TOKEN_RATIO_TARGET}",
                total.token_ratio <= TOKEN_RATIO_TARGET,
            ),
        ]
    )
    if engine == Engine.RECORDED:
        checks.append(
            TargetCheck("unusable recorded responses", engine, total.unusable, "= 0", total.unusable == 0)
        )
    return checks


@dataclass
class Evaluation:
    as_of: date
    runs: list[RunResult] = field(default_factory=list)
    unusable: list[UnusableResponse] = field(default_factory=list)
    suite: SuiteResult | None = None

    def runs_of(self, engine: Engine) -> list[RunResult]:
        return [run for run in self.runs if run.engine is engine]

    def totals_of(self, engine: Engine) -> Totals:
        unusable = len(self.unusable) if engine is Engine.RECORDED else 0
        return totals(self.runs_of(engine), unusable)

    def targets(self) -> list[TargetCheck]:
        # An engine with nothing to measure (no recorded responses for the chosen pairs) has no targets.
        measured = [
            engine for engine in Engine if self.totals_of(engine).runs or self.totals_of(engine).unusable
        ]
        checks = [
            check for engine in measured for check in check_targets(engine.value, self.totals_of(engine))
        ]
        if self.suite is not None:
            checks.append(
                TargetCheck(
                    "adversarial cases handled as expected",
                    "guard",
                    round(self.suite.passed / self.suite.total, 4) if self.suite.total else 0.0,
                    "= 1",
                    self.suite.all_passed and self.suite.total > 0,
                )
            )
        return checks

    @property
    def missed(self) -> list[TargetCheck]:
        return [check for check in self.targets() if not check.met]


def evaluate(
    root: Path,
    as_of: date,
    pairs: tuple[str, ...] | None = None,
    with_suite: bool = True,
    progress: Callable[[str], None] | None = None,
) -> Evaluation:
    """Tailor every pair with the offline engine and every recorded response, then run the guard suite."""
    evaluation = Evaluation(as_of=as_of)
    corpus: list[CorpusPair] = load_corpus(root, pairs)
    for pair in corpus:
        if progress is not None:
            progress(pair.name)
        input_tokens = prompt_tokens(pair, as_of)
        evaluation.runs.append(run_offline(pair, as_of, input_tokens))
        for response in load_responses(root, pair.name):
            result = run_recorded(pair, response, as_of, input_tokens)
            if isinstance(result, UnusableResponse):
                evaluation.unusable.append(result)
            else:
                evaluation.runs.append(result)
    if with_suite:
        if progress is not None:
            progress("adversarial suite")
        evaluation.suite = run_suite(root, as_of)
    return evaluation


# --------------------------------------------------------------------------------------------- output


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.0f}%"


_COLUMNS = (
    ("engine", 8),
    ("pair / response", 60),
    ("schema", 6),
    ("fab", 4),
    ("core", 4),
    ("drop s/d", 8),
    ("cov hand", 11),
    ("cov engine", 11),
    ("edit tok", 8),
    ("full tok", 8),
    ("ratio", 5),
    ("$/tailor", 8),
    ("rej", 3),
)


def _row(cells: Sequence[str]) -> str:
    return "  ".join(
        cell.ljust(width) if index < 2 else cell.rjust(width)
        for index, (cell, (_, width)) in enumerate(zip(cells, _COLUMNS, strict=True))
    )


def _run_cells(run: RunResult) -> list[str]:
    return [
        run.engine.value,
        run.label,
        "ok" if not run.schema_errors else "FAIL",
        str(run.fabricated),
        str(run.core_fabricated),
        f"{run.silently_dropped}/{run.declared_dropped}",
        f"{_percent(run.coverage_before.ratio)}>{_percent(run.coverage_after.ratio)}",
        f"{_percent(run.engine_coverage_before)}>{_percent(run.engine_coverage_after)}",
        str(run.tokens.edit_output_tokens),
        str(run.tokens.full_output_tokens),
        f"{run.tokens.ratio:.2f}",
        f"{run.tokens.edit_cost_usd:.4f}",
        str(len(run.rejections)),
    ]


def _total_cells(engine: Engine, total: Totals) -> list[str]:
    return [
        engine.value,
        f"TOTAL ({total.runs} runs)",
        f"{total.schema_valid}/{total.runs}",
        str(total.fabricated),
        str(total.core_fabricated),
        f"{total.silently_dropped}/{total.declared_dropped}",
        f"{_percent(total.coverage_before)}>{_percent(total.coverage_after)}",
        f"{_percent(total.engine_coverage_before)}>{_percent(total.engine_coverage_after)}",
        str(total.edit_output_tokens),
        str(total.full_output_tokens),
        f"{total.token_ratio:.2f}",
        f"{total.edit_cost_per_tailoring:.4f}",
        str(total.rejections),
    ]


def format_table(evaluation: Evaluation) -> str:
    lines = [
        f"Tailoring evaluation as of {evaluation.as_of.isoformat()}; tokens: {TOKEN_METHOD}; "
        f"prices: ${INPUT_USD_PER_MILLION:g}/M in, ${OUTPUT_USD_PER_MILLION:g}/M out (Haiku 4.5).",
        "fab = suspected fabrications by the independent audit; core = by the core's extractor; "
        "drop s/d = silent/declared;",
        "cov = evidenced keywords in the first-page region, before>after; rej = guard rejections.",
        _row([name for name, _ in _COLUMNS]),
    ]
    for engine in Engine:
        runs = evaluation.runs_of(engine)
        if not runs:
            continue
        lines.extend(_row(_run_cells(run)) for run in runs)
        total = evaluation.totals_of(engine)
        lines.append(_row(_total_cells(engine, total)))
        lines.append(
            f"{engine.value}: full-document regeneration would cost ${total.full_cost_per_tailoring:.4f} "
            f"per tailoring against ${total.edit_cost_per_tailoring:.4f} for the edit contract."
        )
    flagged = [f"{run.label}: {finding}" for run in evaluation.runs for finding in run.independent.findings()]
    if flagged:
        lines.append(
            "Independent audit findings (a fabrication the guard let through, or an audit false positive):"
        )
        lines.extend(f"  {entry}" for entry in flagged)
    rejected = [
        f"{run.label}: {rejection.ref} ({rejection.reason})"
        for run in evaluation.runs_of(Engine.RECORDED)
        for rejection in run.rejections
    ]
    if rejected:
        lines.append(
            "Guard rejections of recorded responses (each one is a guard false positive or an untrue reply):"
        )
        lines.extend(f"  {entry}" for entry in rejected)
    for unusable in evaluation.unusable:
        lines.append(f"recorded response {unusable.pair}/{unusable.response_id} is unusable: {unusable.code}")
    if evaluation.suite is not None:
        suite = evaluation.suite
        lines.append(f"Adversarial cases handled as expected: {suite.passed}/{suite.total}")
        for result in suite.results:
            if not result.passed:
                lines.append(
                    f"  FAILED {result.case.case_id} ({result.case.pair}): {'; '.join(result.problems)}"
                )
    missed = evaluation.missed
    lines.append("All targets met." if not missed else "Targets missed:")
    lines.extend(f"  - {check.describe()}" for check in missed)
    return "\n".join(lines)


def _run_json(run: RunResult) -> dict[str, Any]:
    return {
        "engine": run.engine.value,
        "pair": run.pair,
        "response": run.response_id,
        "schema_valid": not run.schema_errors,
        "schema_errors": list(run.schema_errors),
        "fabricated": run.fabricated,
        "core_fabricated": run.core_fabricated,
        "silently_dropped": run.silently_dropped,
        "declared_dropped": run.declared_dropped,
        "independent_audit": {**asdict(run.independent), "findings": run.independent.findings()},
        "core_audit": asdict(run.core),
        "simple_audit": asdict(run.simple),
        "coverage_hand": {
            "before": run.coverage_before.ratio,
            "after": run.coverage_after.ratio,
            "covered_after": list(run.coverage_after.covered),
            "uncovered_after": list(run.coverage_after.uncovered),
        },
        "coverage_engine": {"before": run.engine_coverage_before, "after": run.engine_coverage_after},
        "coverage_regressed": run.coverage_regressed,
        "tokens": {
            "input": run.tokens.input_tokens,
            "edit_output": run.tokens.edit_output_tokens,
            "full_output": run.tokens.full_output_tokens,
            "ratio": round(run.tokens.ratio, 4),
        },
        "cost_usd": {"edit": round(run.tokens.edit_cost_usd, 6), "full": round(run.tokens.full_cost_usd, 6)},
        "changes": run.changes,
        "rejections": [asdict(rejection) for rejection in run.rejections],
    }


def to_json(evaluation: Evaluation) -> dict[str, Any]:
    totals_json = {}
    for engine in Engine:
        total = evaluation.totals_of(engine)
        totals_json[engine.value] = {
            **asdict(total),
            "schema_valid_rate": total.schema_valid_rate,
            "token_ratio": round(total.token_ratio, 4),
            "edit_cost_per_tailoring_usd": round(total.edit_cost_per_tailoring, 6),
            "full_cost_per_tailoring_usd": round(total.full_cost_per_tailoring, 6),
        }
    suite = evaluation.suite
    return {
        "as_of": evaluation.as_of.isoformat(),
        "token_method": TOKEN_METHOD,
        "prices_usd_per_million": {"input": INPUT_USD_PER_MILLION, "output": OUTPUT_USD_PER_MILLION},
        "targets": [asdict(check) for check in evaluation.targets()],
        "ok": not evaluation.missed,
        "totals": totals_json,
        "runs": [_run_json(run) for run in evaluation.runs],
        "unusable_responses": [asdict(unusable) for unusable in evaluation.unusable],
        "adversarial": None
        if suite is None
        else {
            "passed": suite.passed,
            "total": suite.total,
            "cases": [
                {
                    "id": result.case.case_id,
                    "bullet": result.case.bullet,
                    "pair": result.case.pair,
                    "expected": result.case.outcome.value,
                    "passed": result.passed,
                    "problems": result.problems,
                    "observed": result.observed,
                }
                for result in suite.results
            ],
        },
    }
