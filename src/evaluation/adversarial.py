"""The adversarial guard suite: crafted model replies (``eval/adversarial/*.json``) and their expected fate.

Each case names a corpus pair, a model reply (tool input, stop reason, optional text) and what must happen:

* ``rejected``: the reply parses, the guard rejects the named edits with the named reasons, the named refs
  keep their original value, the named good edits still apply, and the rebuilt CV fabricates nothing (by
  the independent audit, and by the core's extractor as a cross-check);
* ``retry_then_fail``: the reply is unusable. The real worker use case asks once more with a corrective
  message, gets the same reply, and fails the job with ``model_output_unusable`` and one Failed event.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

from evaluation.checks import core_audit, fabrication_audit
from evaluation.corpus import ADVERSARIAL_DIR, CorpusError, CorpusPair, load_pair, read_json
from evaluation.runs import TRUNCATED_STOP_REASON
from evaluation.schema_checks import resume_schema_errors
from evaluation.worker_rig import RigFactory, in_memory_rig, model_reply, run_worker
from shared.dal.models import JobStatus
from shared.logic.events import COMPLETED_DETAIL_TYPE, FAILED_DETAIL_TYPE
from shared.logic.tailoring_job import JobOutcome
from shared.tailoring import (
    GuardRejection,
    ModelOutputError,
    TailoringOutcome,
    tailor_from_model_output,
    tailoring_vocabulary,
)

UNUSABLE_JOB_ERROR = "model_output_unusable"
# Words of the corrective user message the worker sends before its single retry.
_CORRECTIVE_MARK = "could not be used"
_SEGMENT_RE = re.compile(r"^(?P<name>[A-Za-z$]+)(?:\[(?P<index>\d+)\])?$")


class ExpectedOutcome(StrEnum):
    REJECTED = "rejected"
    RETRY_THEN_FAIL = "retry_then_fail"


@dataclass(frozen=True)
class ExpectedRejection:
    ref: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class ReplySpec:
    tool_input: object
    stop_reason: str = "tool_use"
    text: str | None = None


@dataclass(frozen=True)
class AdversarialCase:
    case_id: str
    bullet: str
    pair: str
    attack: str
    reply: ReplySpec
    outcome: ExpectedOutcome
    rejections: tuple[ExpectedRejection, ...] = ()
    kept_original: tuple[str, ...] = ()
    applied: tuple[str, ...] = ()
    forbidden: tuple[str, ...] = ()
    error: str | None = None


@dataclass
class CaseResult:
    case: AdversarialCase
    problems: list[str] = field(default_factory=list)
    observed: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class SuiteResult:
    results: list[CaseResult]

    @property
    def passed(self) -> int:
        return sum(1 for result in self.results if result.passed)

    @property
    def total(self) -> int:
        return len(self.results)

    @property
    def all_passed(self) -> bool:
        return self.passed == self.total


# --------------------------------------------------------------------------------------------- loading


def _strings(value: object, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise CorpusError(f"{where}: expected a list of strings")
    return tuple(value)


def _case(raw: Mapping[str, Any], bullet: str, where: str) -> AdversarialCase:
    expect, reply = raw.get("expect"), raw.get("reply")
    if not isinstance(expect, Mapping) or not isinstance(reply, Mapping) or "tool_input" not in reply:
        raise CorpusError(f"{where}: a case needs 'reply' (with 'tool_input') and 'expect'")
    try:
        outcome = ExpectedOutcome(str(expect.get("outcome")))
    except ValueError as error:
        raise CorpusError(f"{where}: unknown outcome {expect.get('outcome')!r}") from error
    rejections = tuple(
        ExpectedRejection(ref=str(entry["ref"]), reasons=_strings(entry.get("reasons"), where))
        for entry in expect.get("rejections", [])
    )
    if outcome is ExpectedOutcome.REJECTED and not rejections:
        raise CorpusError(f"{where}: a rejected case must name the rejections it expects")
    if outcome is ExpectedOutcome.RETRY_THEN_FAIL and not isinstance(expect.get("error"), str):
        raise CorpusError(f"{where}: a retry_then_fail case must name the unusable-output error")
    text = reply.get("text")
    return AdversarialCase(
        case_id=str(raw.get("id")),
        bullet=bullet,
        pair=str(raw.get("pair")),
        attack=str(raw.get("attack", "")),
        reply=ReplySpec(
            tool_input=reply["tool_input"],
            stop_reason=str(reply.get("stop_reason", "tool_use")),
            text=text if isinstance(text, str) else None,
        ),
        outcome=outcome,
        rejections=rejections,
        kept_original=_strings(expect.get("kept_original"), where),
        applied=_strings(expect.get("applied"), where),
        forbidden=_strings(expect.get("forbidden"), where),
        error=expect.get("error") if isinstance(expect.get("error"), str) else None,
    )


def load_cases(root: Path) -> list[AdversarialCase]:
    """Every case of every file in ``eval/adversarial``, in file then case order; ids must be unique."""
    cases: list[AdversarialCase] = []
    for path in sorted((root / ADVERSARIAL_DIR).glob("*.json")):
        raw = read_json(path)
        if not isinstance(raw, Mapping) or not isinstance(raw.get("cases"), list):
            raise CorpusError(f"{path}: expected {{'bullet': ..., 'cases': [...]}}")
        bullet = str(raw.get("bullet", path.stem))
        cases.extend(
            _case(entry, bullet, f"{path.name}[{index}]") for index, entry in enumerate(raw["cases"])
        )
    ids = [case.case_id for case in cases]
    duplicates = sorted({case_id for case_id in ids if ids.count(case_id) > 1})
    if duplicates:
        raise CorpusError(f"duplicate adversarial case ids: {', '.join(duplicates)}")
    return cases


# --------------------------------------------------------------------------------------------- judging


def value_at(document: Any, ref: str) -> Any:
    """The value a dotted reference names (``basics.email``, ``work[0].highlights[1]``); KeyError if none."""
    value = document
    for segment in ref.split("."):
        match = _SEGMENT_RE.match(segment)
        if match is None or not isinstance(value, Mapping) or match["name"] not in value:
            raise KeyError(ref)
        value = value[match["name"]]
        if match["index"] is not None:
            index = int(match["index"])
            if not isinstance(value, list) or index >= len(value):
                raise KeyError(ref)
            value = value[index]
    return value


def _rejection_problems(
    observed: Sequence[GuardRejection], expected: Sequence[ExpectedRejection]
) -> list[str]:
    problems = []
    by_ref: dict[str, set[str]] = {}
    for rejection in observed:
        by_ref.setdefault(rejection.ref, set()).update(
            [rejection.reason.value, *(reason.value for reason in rejection.other_reasons)]
        )
    for wanted in expected:
        reasons = by_ref.get(wanted.ref)
        if reasons is None:
            problems.append(f"expected a rejection of {wanted.ref} ({', '.join(wanted.reasons)}), got none")
        elif not set(wanted.reasons) <= reasons:
            problems.append(
                f"{wanted.ref} rejected for {sorted(reasons)}, expected to include {list(wanted.reasons)}"
            )
    unexpected = sorted(set(by_ref) - {wanted.ref for wanted in expected})
    problems.extend(f"unexpected rejection of {ref} ({sorted(by_ref[ref])})" for ref in unexpected)
    return problems


def _kept_problems(source: Mapping[str, Any], tailored: Mapping[str, Any], refs: Sequence[str]) -> list[str]:
    problems = []
    for ref in refs:
        try:
            original = value_at(source, ref)
        except KeyError:
            problems.append(f"kept_original names {ref}, which the source CV does not have")
            continue
        try:
            kept = value_at(tailored, ref) == original
        except KeyError:
            kept = False
        if not kept:
            problems.append(f"{ref} changed; the original should have been kept")
    return problems


def _integrity_problems(
    pair: CorpusPair, outcome: TailoringOutcome, case: AdversarialCase, as_of: date
) -> list[str]:
    source, tailored = pair.resume, outcome.tailored_resume
    problems = [f"schema: {error}" for error in resume_schema_errors(tailored)[:3]]
    independent = fabrication_audit(source, tailored, pair.expectations, case.forbidden)
    problems.extend(f"independent audit: {finding}" for finding in independent.findings())
    core = core_audit(source, tailored, outcome.changes, tailoring_vocabulary(source, pair.job), as_of)
    problems.extend(f"fabricated {fact.kind}: {fact.surface}" for fact in core.fabricated)
    problems.extend(f"silently dropped {fact.kind}: {fact.surface}" for fact in core.silently_dropped)
    return problems


def _judge_rejected(case: AdversarialCase, pair: CorpusPair, result: CaseResult, as_of: date) -> None:
    if case.reply.stop_reason == TRUNCATED_STOP_REASON:
        result.problems.append("a truncated reply is unusable; the case should expect retry_then_fail")
        return
    try:
        outcome = tailor_from_model_output(pair.resume, pair.job, case.reply.tool_input, as_of=as_of)
    except ModelOutputError as error:
        result.observed["error"] = error.code.value
        result.problems.append(f"the reply was unusable ({error.code.value}); expected guard rejections")
        return
    result.observed["rejections"] = [
        {
            "ref": rejection.ref,
            "reasons": [rejection.reason.value, *(r.value for r in rejection.other_reasons)],
        }
        for rejection in outcome.rejections
    ]
    result.observed["applied"] = [change.ref for change in outcome.changes]
    result.problems.extend(_rejection_problems(outcome.rejections, case.rejections))
    result.problems.extend(_kept_problems(pair.resume, outcome.tailored_resume, case.kept_original))
    applied = {change.ref for change in outcome.changes}
    result.problems.extend(f"{ref} should have been applied" for ref in case.applied if ref not in applied)
    result.problems.extend(_integrity_problems(pair, outcome, case, as_of))


def unusable_code(reply: ReplySpec, pair: CorpusPair, as_of: date) -> str | None:
    """The worker's verdict on a reply: the unusable-output code, or None when it would be used."""
    if reply.stop_reason == TRUNCATED_STOP_REASON:
        return "truncated_output"
    try:
        tailor_from_model_output(pair.resume, pair.job, reply.tool_input, as_of=as_of)
    except ModelOutputError as error:
        return error.code.value
    return None


def _judge_retry_then_fail(
    case: AdversarialCase, pair: CorpusPair, result: CaseResult, as_of: date, rig_factory: RigFactory
) -> None:
    code = unusable_code(case.reply, pair, as_of)
    result.observed["error"] = code
    if code != case.error:
        result.problems.append(f"reply judged {code or 'usable'}; expected {case.error}")
    reply = model_reply(case.reply.tool_input, case.reply.stop_reason, case.reply.text)
    run = run_worker(pair.resume, pair.job, [reply, reply], rig_factory, as_of=as_of)
    error = run.record.error
    result.observed["worker"] = {
        "outcome": run.outcome.value,
        "status": run.record.status.value,
        "model_calls": len(run.model_calls),
        "error": error.code if error else None,
        "events": [detail_type for detail_type, _ in run.events],
    }
    if run.outcome is not JobOutcome.FAILED or run.record.status is not JobStatus.FAILED:
        result.problems.append(f"worker ended {run.outcome.value}/{run.record.status.value}, expected FAILED")
    if len(run.model_calls) != 2:
        result.problems.append(f"worker called the model {len(run.model_calls)} times, expected 2")
    elif _CORRECTIVE_MARK not in json.dumps(run.model_calls[1][1].messages, ensure_ascii=False):
        result.problems.append("the second call did not carry the corrective message")
    if error is None or error.code != UNUSABLE_JOB_ERROR or (case.error and case.error not in error.message):
        result.problems.append(f"job error {error!r}, expected {UNUSABLE_JOB_ERROR} naming {case.error}")
    if [detail_type for detail_type, _ in run.events] != [FAILED_DETAIL_TYPE]:
        result.problems.append(
            f"events {[t for t, _ in run.events]}, expected exactly one {FAILED_DETAIL_TYPE}"
        )


def check_worker_keeps_originals(
    case: AdversarialCase, pair: CorpusPair, as_of: date, rig_factory: RigFactory = in_memory_rig
) -> list[str]:
    """A ``rejected`` case through the worker: the job completes once, with the rejections in its result."""
    replies = [model_reply(case.reply.tool_input, case.reply.stop_reason)]
    run = run_worker(pair.resume, pair.job, replies, rig_factory, as_of=as_of)
    problems = []
    if run.outcome is not JobOutcome.COMPLETED or len(run.model_calls) != 1:
        problems.append(f"worker ended {run.outcome.value} after {len(run.model_calls)} calls")
    result = run.record.result or {}
    rejected = {entry.get("ref") for entry in result.get("rejections", [])}
    problems.extend(
        f"no rejection of {wanted.ref} in the job result"
        for wanted in case.rejections
        if wanted.ref not in rejected
    )
    problems.extend(_kept_problems(pair.resume, result.get("resume", {}), case.kept_original))
    if [detail_type for detail_type, _ in run.events] != [COMPLETED_DETAIL_TYPE]:
        problems.append(f"events {[t for t, _ in run.events]}, expected exactly one {COMPLETED_DETAIL_TYPE}")
    return problems


def run_case(
    case: AdversarialCase, pair: CorpusPair, as_of: date, rig_factory: RigFactory = in_memory_rig
) -> CaseResult:
    result = CaseResult(case=case)
    if case.outcome is ExpectedOutcome.REJECTED:
        _judge_rejected(case, pair, result, as_of)
    else:
        _judge_retry_then_fail(case, pair, result, as_of, rig_factory)
    return result


def run_suite(
    root: Path,
    as_of: date,
    rig_factory: RigFactory = in_memory_rig,
    cases: Sequence[AdversarialCase] | None = None,
) -> SuiteResult:
    """Run every case (or the given ones), loading each corpus pair once."""
    pairs: dict[str, CorpusPair] = {}
    results = []
    for case in cases if cases is not None else load_cases(root):
        if case.pair not in pairs:
            pairs[case.pair] = load_pair(root, case.pair)
        results.append(run_case(case, pairs[case.pair], as_of, rig_factory))
    return SuiteResult(results)
