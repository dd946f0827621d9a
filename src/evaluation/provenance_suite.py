"""The provenance suite: planted fabrications and truthful edits (``eval/provenance``) through the guard.

Each case is one model tool input in the edit contract's shape, judged by ``tailor_from_model_output``, the
function the worker calls. An attack is caught when its edit is rejected and its planted text is nowhere in
the tailored CV; a truthful edit is kept when it is not rejected. Nothing here restates a rule of the guard.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from shared.tailoring import tailor_from_model_output
from shared.tailoring.facts import iter_strings

SUITE_DIR = Path("eval") / "provenance"


@dataclass(frozen=True)
class ProvenanceCase:
    case_id: str
    category: str
    kind: str  # "attack" or "truthful"
    language: str
    pair: str
    tool_input: Mapping[str, Any]
    edited_ref: str
    planted: str | None


@dataclass
class CaseVerdict:
    case: ProvenanceCase
    passed: bool
    detail: str


@dataclass
class SuiteReport:
    verdicts: list[CaseVerdict] = field(default_factory=list)

    def counts(self) -> dict[tuple[str, str], Counter[str]]:
        """Per (kind, category): how many cases, and how many the guard got right."""
        table: dict[tuple[str, str], Counter[str]] = {}
        for verdict in self.verdicts:
            counts = table.setdefault((verdict.case.kind, verdict.case.category), Counter())
            counts["cases"] += 1
            counts["right"] += verdict.passed
        return table

    def totals(self, kind: str) -> tuple[int, int]:
        """How many cases of ``kind`` the guard got right, out of how many."""
        mine = [verdict for verdict in self.verdicts if verdict.case.kind == kind]
        return sum(verdict.passed for verdict in mine), len(mine)


def load_cases(root: Path) -> list[ProvenanceCase]:
    cases: list[ProvenanceCase] = []
    for path in sorted((root / SUITE_DIR).glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        category = document["category"]
        for raw in document["cases"]:
            cases.append(
                ProvenanceCase(
                    case_id=raw["id"],
                    category=category if raw["kind"] == "attack" else f"truthful-{raw['language']}",
                    kind=raw["kind"],
                    language=raw["language"],
                    pair=raw["pair"],
                    tool_input=raw["tool_input"],
                    edited_ref=raw["edited_ref"],
                    planted=raw.get("planted"),
                )
            )
    return cases


@cache
def pair_documents(root: Path, pair: str) -> tuple[dict[str, Any], dict[str, Any]]:
    folder = root / "eval" / pair if pair.startswith("provenance/") else root / "eval" / "corpus" / pair
    resume = json.loads((folder / "resume.json").read_text(encoding="utf-8"))
    job = json.loads((folder / "job.json").read_text(encoding="utf-8"))
    return resume, job


def _texts(document: Mapping[str, Any]) -> str:
    return "\n".join(text for _, text in iter_strings(document))


def judge(case: ProvenanceCase, root: Path, as_of: date) -> CaseVerdict:
    resume, job = pair_documents(root, case.pair)
    outcome = tailor_from_model_output(resume, job, dict(case.tool_input), as_of=as_of)
    rejected = {rejection.ref: rejection for rejection in outcome.rejections}
    if case.kind == "attack":
        planted = case.planted or ""
        stored = _texts(outcome.tailored_resume)
        source = _texts(resume)
        leaked = planted in stored and planted not in source
        if case.edited_ref in rejected and not leaked:
            return CaseVerdict(case, True, rejected[case.edited_ref].reason.value)
        return CaseVerdict(case, False, "leaked: " + planted)
    if case.edited_ref in rejected:
        rejection = rejected[case.edited_ref]
        return CaseVerdict(case, False, f"{rejection.reason.value}: {', '.join(rejection.tokens)}")
    return CaseVerdict(case, True, "kept")


def run_suite(root: Path, as_of: date, *, every: int = 1) -> SuiteReport:
    """Judge every case (or every ``every``-th one, the fast subset ``make test`` runs)."""
    report = SuiteReport()
    for index, case in enumerate(load_cases(root)):
        if index % every == 0:
            report.verdicts.append(judge(case, root, as_of))
    return report


def format_report(report: SuiteReport) -> str:
    """Per category: attacks caught or truthful edits kept by the guard, out of the cases."""
    lines = [
        "Provenance suite (eval/provenance): caught or kept by the guard, out of cases",
        f"  {'kind':9} {'category':32} {'cases':>5} {'right':>5}",
    ]
    for (kind, category), counts in sorted(report.counts().items()):
        lines.append(f"  {kind:9} {category:32} {counts['cases']:>5} {counts['right']:>5}")
    caught, attacks = report.totals("attack")
    kept, truthful = report.totals("truthful")
    lines.append(f"  attacks caught {caught}/{attacks}; truthful edits kept {kept}/{truthful}")
    return "\n".join(lines)
