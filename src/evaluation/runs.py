"""One evaluated tailoring: a corpus pair tailored by the offline engine or by a recorded model response."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from evaluation.checks import (
    CoreAudit,
    KeywordCoverage,
    SimpleAudit,
    core_audit,
    fabrication_audit,
    hand_coverage,
    simple_audit,
)
from evaluation.corpus import CorpusPair, RecordedResponse
from evaluation.independent_audit import IndependentAudit
from evaluation.schema_checks import resume_schema_errors
from evaluation.tokens import TokenBudget, compact_json, estimate_tokens
from shared.tailoring import (
    ModelOutputError,
    TailoringOutcome,
    build_prompt,
    edit_tool_spec,
    propose_edits,
    tailor_from_model_output,
    tailor_with_edits,
    tailoring_vocabulary,
)

TRUNCATED_STOP_REASON = "max_tokens"


class Engine(StrEnum):
    OFFLINE = "offline"
    RECORDED = "recorded"


@dataclass(frozen=True)
class Rejection:
    ref: str
    reason: str


@dataclass(frozen=True)
class RunResult:
    """Everything measured for one tailoring of one pair."""

    engine: Engine
    pair: str
    response_id: str
    schema_errors: tuple[str, ...]
    independent: IndependentAudit
    core: CoreAudit
    simple: SimpleAudit
    coverage_before: KeywordCoverage
    coverage_after: KeywordCoverage
    engine_coverage_before: float | None
    engine_coverage_after: float | None
    tokens: TokenBudget
    changes: int
    rejections: tuple[Rejection, ...]

    @property
    def label(self) -> str:
        return self.pair if self.engine is Engine.OFFLINE else f"{self.pair}/{self.response_id}"

    @property
    def fabricated(self) -> int:
        """Suspected fabrications by the independent audit, which shares no code with the guard."""
        return self.independent.fabricated

    @property
    def core_fabricated(self) -> int:
        """Fabricated facts by the core's own extractor: the guard's notion of a fact, as a cross-check."""
        return len(self.core.fabricated)

    @property
    def silently_dropped(self) -> int:
        return len(self.core.silently_dropped) + len(self.simple.silently_dropped_numbers)

    @property
    def declared_dropped(self) -> int:
        return len(self.core.declared_dropped) + len(self.simple.declared_dropped_numbers)

    @property
    def coverage_regressed(self) -> bool:
        """Fewer evidenced keywords on the first page than before, by either measure."""
        hand = len(self.coverage_after.covered) < len(self.coverage_before.covered)
        before, after = self.engine_coverage_before, self.engine_coverage_after
        return hand or (before is not None and after is not None and after < before)


@dataclass(frozen=True)
class UnusableResponse:
    """A recorded response the real parse path refused: the worker would retry it, then fail the job."""

    pair: str
    response_id: str
    code: str


def prompt_tokens(pair: CorpusPair, as_of: date) -> int:
    """Estimated input tokens of one call: the system prompt, the user message and the tool spec."""
    prompt = build_prompt(pair.resume, pair.job, as_of=as_of)
    return sum(estimate_tokens(part) for part in (prompt.system, prompt.user, compact_json(edit_tool_spec())))


def measure(
    engine: Engine,
    pair: CorpusPair,
    outcome: TailoringOutcome,
    *,
    response_id: str,
    edit_output: object,
    as_of: date,
    input_tokens: int,
) -> RunResult:
    """Measure one outcome against its source CV and the pair's hand-written expectations."""
    source, tailored = pair.resume, outcome.tailored_resume
    vocabulary = tailoring_vocabulary(source, pair.job)
    report = outcome.match_report
    return RunResult(
        engine=engine,
        pair=pair.name,
        response_id=response_id,
        schema_errors=tuple(resume_schema_errors(tailored)),
        independent=fabrication_audit(source, tailored, pair.expectations),
        core=core_audit(source, tailored, outcome.changes, vocabulary, as_of),
        simple=simple_audit(source, tailored, outcome.changes, pair.expectations),
        coverage_before=hand_coverage(source, pair.expectations),
        coverage_after=hand_coverage(tailored, pair.expectations),
        engine_coverage_before=report.coverage_before.ratio,
        engine_coverage_after=report.coverage_after.ratio,
        tokens=TokenBudget(
            input_tokens=input_tokens,
            edit_output_tokens=estimate_tokens(compact_json(edit_output)),
            full_output_tokens=estimate_tokens(compact_json(tailored)),
        ),
        changes=len(outcome.changes),
        rejections=tuple(
            Rejection(rejection.ref, rejection.reason.value) for rejection in outcome.rejections
        ),
    )


def run_offline(pair: CorpusPair, as_of: date, input_tokens: int) -> RunResult:
    """The offline engine: ``tailor_offline`` in its two steps, so the proposed edits can be measured."""
    edits = propose_edits(pair.resume, pair.job, as_of=as_of)
    outcome = tailor_with_edits(pair.resume, pair.job, edits, as_of=as_of)
    edit_output: dict[str, Any] = edits.model_dump(mode="json", exclude_defaults=True)
    return measure(
        Engine.OFFLINE,
        pair,
        outcome,
        response_id="engine",
        edit_output=edit_output,
        as_of=as_of,
        input_tokens=input_tokens,
    )


def run_recorded(
    pair: CorpusPair, response: RecordedResponse, as_of: date, input_tokens: int
) -> RunResult | UnusableResponse:
    """A recorded response through the worker's path: stop reason check, parse, guard, rebuild."""
    if response.stop_reason == TRUNCATED_STOP_REASON:
        return UnusableResponse(pair.name, response.response_id, "truncated_output")
    try:
        outcome = tailor_from_model_output(pair.resume, pair.job, response.tool_input, as_of=as_of)
    except ModelOutputError as error:
        return UnusableResponse(pair.name, response.response_id, error.code.value)
    return measure(
        Engine.RECORDED,
        pair,
        outcome,
        response_id=response.response_id,
        edit_output=response.tool_input,
        as_of=as_of,
        input_tokens=input_tokens,
    )
