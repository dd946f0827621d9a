"""Figure (f): the guard's worst case on a crafted maximum-size request.

Each crafted request fills the API's body limit with text shaped to make a scanner do more than linear work
(runs of number words, hyphen and dot runs that look like links, bracketed acronyms, alias terms, digits),
and the model's tool input rewords every highlight and the summary at their maximum lengths. The figure is
the slowest median ``guard_edits`` time over the shapes; beside it, the same measurement on an honest CV of
the same size (the corpus's example CV repeated), as the baseline.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, Final

from api.transport import MAX_BODY_BYTES
from bench.report import FigureResult, Measurement, at_most
from shared.resume.limits import MAX_ENTRIES_PER_SECTION, MAX_LONG_TEXT_CHARS
from shared.resume.validation import validated_resume
from shared.tailoring import guard_edits, parse_edits
from shared.tailoring.contract import SUMMARY_MAX_CHARS

GUARD_SECONDS_TARGET: Final = 1.0
AS_OF: Final = date(2026, 11, 1)
REPETITIONS: Final = 3
HIGHLIGHT_CHARS: Final = MAX_LONG_TEXT_CHARS - 10
_EXAMPLE: Final = Path("eval") / "corpus" / "01-backend-software-engineer"

# Text shapes that cost a backtracking scanner more than linear time.
SHAPES: Final[dict[str, str]] = {
    "number words": "one-" * 1_000,
    "link-like runs": "a-b." * 1_000,
    "bracketed acronyms": "Less Than Load (LTL) " * 200,
    "alias terms": "Postgres PostgreSQL K8s Kubernetes " * 120,
    "digits": "1 2 3 4 5 6 7 8 9 10 " * 200,
    "mixed scripts": "P\u0430yp\u0430l G\u043e\u043egle " * 300,  # Cyrillic a and o inside Latin words
}


def _body_bytes(resume: dict[str, Any], job: dict[str, Any]) -> int:
    """The UTF-8 size of the request body, as the API measures it."""
    return len(json.dumps({"resume": resume, "job": job}, ensure_ascii=False).encode("utf-8"))


def crafted_request(shape: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A CV, job and tool input as large as the API admits, every text made of ``shape``."""
    text = (shape * (HIGHLIGHT_CHARS // len(shape) + 1))[:HIGHLIGHT_CHARS]
    work: list[dict[str, Any]] = []
    resume: dict[str, Any] = {"basics": {"name": "A", "summary": text[:SUMMARY_MAX_CHARS]}, "work": work}
    job = {"description": text[:2_000]}
    while True:
        highlights: list[str] = []
        work.append(
            {
                "name": f"Acme {len(work)}",
                "position": "Engineer",
                "startDate": "2020-01",
                "highlights": highlights,
            }
        )
        for _ in range(4):
            highlights.append(text)
            if _body_bytes(resume, job) > MAX_BODY_BYTES:
                highlights.pop()
                if not highlights:
                    work.pop()
                validated_resume(resume)
                return resume, job, _rewording_every_item(resume, text)


def honest_request() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The example CV's work entries repeated up to the same body size, reworded with their own words."""
    example = json.loads((_EXAMPLE / "resume.json").read_text(encoding="utf-8"))
    job = json.loads((_EXAMPLE / "job.json").read_text(encoding="utf-8"))
    resume = {**example, "work": []}
    while _body_bytes(resume, job) <= MAX_BODY_BYTES and len(resume["work"]) < MAX_ENTRIES_PER_SECTION:
        resume["work"].extend(example["work"])
    del resume["work"][MAX_ENTRIES_PER_SECTION:]
    while _body_bytes(resume, job) > MAX_BODY_BYTES:
        resume["work"].pop()
    validated_resume(resume)
    rewordings = [
        {"ref": f"work[{i}].highlights[{k}]", "text": f"{highlight} on time"}
        for i, entry in enumerate(resume["work"])
        for k, highlight in enumerate(entry.get("highlights", []))
    ]
    summary = {"text": example["basics"]["summary"], "sources": ["basics.summary"]}
    return resume, job, {"summary": summary, "rewordings": rewordings}


def _rewording_every_item(resume: dict[str, Any], text: str) -> dict[str, Any]:
    rewordings = [
        {"ref": f"work[{i}].highlights[{k}]", "text": text[: HIGHLIGHT_CHARS - 9] + " patented"}
        for i, entry in enumerate(resume["work"])
        for k in range(len(entry["highlights"]))
    ]
    summary = {"text": text[: SUMMARY_MAX_CHARS - 9] + " patented", "sources": ["basics.summary"]}
    return {"summary": summary, "rewordings": rewordings}


def median_guard_seconds(
    request: tuple[dict[str, Any], dict[str, Any], dict[str, Any]],
    repetitions: int = REPETITIONS,
    clock: Callable[[], float] = time.perf_counter,
) -> float:
    resume, job, tool_input = request
    edits = parse_edits(tool_input)
    samples = []
    for _ in range(repetitions):
        started = clock()
        guard_edits(resume, edits, job=job, as_of=AS_OF)
        samples.append(clock() - started)
    return statistics.median(samples)


def run_figure(repetitions: int = REPETITIONS) -> FigureResult:
    crafted = {
        name: median_guard_seconds(crafted_request(shape), repetitions) for name, shape in SHAPES.items()
    }
    honest = median_guard_seconds(honest_request(), repetitions)
    worst_shape = max(crafted, key=crafted.__getitem__)
    worst = crafted[worst_shape]
    return FigureResult(
        figure="f",
        title="Guard time on a crafted maximum-size request",
        measurements=(
            Measurement("worst crafted request", round(worst, 3), "s", at_most(GUARD_SECONDS_TARGET)),
            Measurement("honest request of the same size", round(honest, 3), "s"),
            Measurement("worst / honest", round(worst / honest, 2) if honest else 0.0, "x"),
        ),
        details={
            "worst_shape": worst_shape,
            "seconds_by_shape": {name: round(value, 3) for name, value in crafted.items()},
            "body_limit_bytes": MAX_BODY_BYTES,
            "repetitions": repetitions,
        },
    )
