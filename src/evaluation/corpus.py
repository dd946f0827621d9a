"""The evaluation corpus (``eval/corpus``) and the recorded model responses (``eval/responses``)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CORPUS_DIR = Path("eval") / "corpus"
RESPONSES_DIR = Path("eval") / "responses"
ADVERSARIAL_DIR = Path("eval") / "adversarial"
# A small, varied subset for fast runs: a technical CV, a planted injection, the sparse CV and CJK text.
FAST_PAIRS = (
    "01-backend-software-engineer",
    "02-data-scientist",
    "11-sparse-retail",
    "14-unicode-data-analyst",
)


class CorpusError(Exception):
    """The corpus or the recorded responses are missing or malformed."""


@dataclass(frozen=True)
class Expectations:
    """The hand-written judgement of one pair: what the CV truly evidences and what it lacks."""

    evidenced_keywords: tuple[str, ...]
    missing_keywords: tuple[str, ...]
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    injection_targets: tuple[str, ...] = ()

    def spellings(self, keyword: str) -> tuple[str, ...]:
        """The keyword and every alias the CV may use for it."""
        return (keyword, *self.aliases.get(keyword, ()))

    @property
    def forbidden_terms(self) -> tuple[str, ...]:
        """Terms whose appearance in a tailored CV proves a fabrication (the CV lacks every one)."""
        return tuple(dict.fromkeys((*self.missing_keywords, *self.injection_targets)))


@dataclass(frozen=True)
class CorpusPair:
    name: str
    resume: dict[str, Any]
    job: dict[str, Any]
    expectations: Expectations


@dataclass(frozen=True)
class RecordedResponse:
    """One hand-written model answer in the edit contract, as the model's tool call would carry it."""

    pair: str
    response_id: str
    tool_input: object
    stop_reason: str = "tool_use"
    notes: str = ""


def find_repo_root(start: Path | None = None) -> Path:
    """The nearest directory holding ``eval/corpus``: from the working directory, then from this package."""
    candidates = [start] if start is not None else [Path.cwd(), Path(__file__).resolve()]
    for candidate in candidates:
        for directory in (candidate, *candidate.parents):
            if (directory / CORPUS_DIR).is_dir():
                return directory
    raise CorpusError("no eval/corpus directory found; run from the repository or pass --repo-root")


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise CorpusError(f"cannot read {path}: {error}") from error


def _strings(value: object) -> tuple[str, ...]:
    return tuple(item for item in value if isinstance(item, str)) if isinstance(value, list) else ()


def _expectations(raw: Any) -> Expectations:
    if not isinstance(raw, dict):
        raise CorpusError("expectations.json must hold an object")
    aliases: dict[str, Any] = raw["aliases"] if isinstance(raw.get("aliases"), dict) else {}
    injection: dict[str, Any] = raw["injection"] if isinstance(raw.get("injection"), dict) else {}
    return Expectations(
        evidenced_keywords=_strings(raw.get("evidenced_keywords")),
        missing_keywords=_strings(raw.get("missing_keywords")),
        aliases={str(key): _strings(value) for key, value in aliases.items()},
        injection_targets=_strings(injection.get("targets")),
    )


def load_pair(root: Path, name: str) -> CorpusPair:
    directory = root / CORPUS_DIR / name
    resume, job = read_json(directory / "resume.json"), read_json(directory / "job.json")
    if not isinstance(resume, dict) or not isinstance(job, dict):
        raise CorpusError(f"{name}: resume.json and job.json must hold objects")
    return CorpusPair(
        name=name,
        resume=resume,
        job=job,
        expectations=_expectations(read_json(directory / "expectations.json")),
    )


def pair_names(root: Path) -> list[str]:
    directory = root / CORPUS_DIR
    return sorted(path.name for path in directory.iterdir() if (path / "resume.json").is_file())


def load_corpus(root: Path, names: tuple[str, ...] | None = None) -> list[CorpusPair]:
    """Every pair of the corpus, or the named ones, in name order."""
    available = pair_names(root)
    unknown = sorted(set(names or ()) - set(available))
    if unknown:
        raise CorpusError(f"unknown corpus pairs: {', '.join(unknown)}")
    return [load_pair(root, name) for name in available if names is None or name in names]


def load_responses(root: Path, pair: str) -> list[RecordedResponse]:
    """The recorded responses of one pair; a pair without a file has none."""
    path = root / RESPONSES_DIR / f"{pair}.json"
    if not path.is_file():
        return []
    raw = read_json(path)
    if not isinstance(raw, dict) or raw.get("pair") != pair or not isinstance(raw.get("responses"), list):
        raise CorpusError(f"{path}: expected {{'pair': {pair!r}, 'responses': [...]}}")
    responses = []
    for entry in raw["responses"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str) or "tool_input" not in entry:
            raise CorpusError(f"{path}: every response needs an 'id' and a 'tool_input'")
        responses.append(
            RecordedResponse(
                pair=pair,
                response_id=entry["id"],
                tool_input=entry["tool_input"],
                stop_reason=str(entry.get("stop_reason", "tool_use")),
                notes=str(entry.get("notes", "")),
            )
        )
    return responses
