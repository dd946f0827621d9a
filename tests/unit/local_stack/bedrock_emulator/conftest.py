"""The evaluation corpus as cases: each CV with its JSON job, and with its text job where it has one."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).resolve().parents[4] / "eval" / "corpus"


@dataclass(frozen=True)
class CorpusCase:
    name: str
    resume: dict[str, Any]
    job: dict[str, Any]


def _load(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


def corpus_cases() -> list[CorpusCase]:
    cases = []
    for folder in sorted(path for path in CORPUS.iterdir() if (path / "resume.json").is_file()):
        resume = _load(folder / "resume.json")
        cases.append(CorpusCase(f"{folder.name}/job.json", resume, _load(folder / "job.json")))
        text_job = folder / "job.txt"
        if text_job.is_file():
            job = {"description": text_job.read_text(encoding="utf-8")}
            cases.append(CorpusCase(f"{folder.name}/job.txt", resume, job))
    return cases


CORPUS_CASES = corpus_cases()
