"""Read a ``build_prompt`` user message back into a CV and a job, as a model would read them.

The CV comes back holding only the items the prompt lists, each at its own reference, so edits the
engine proposes against it name the same items in the source CV. What the prompt does not show
(contact details, project keywords, awards, ...) cannot come back, and what it normalised (whitespace,
control characters) comes back normalised. Read-only header lines join fields with `` | `` and skip
missing ones, so when a field is missing the others are assigned by a likely layout (see ``_LAYOUTS``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shared.tailoring.references import LABEL_REF, SUMMARY_REF

CV_OPEN, CV_CLOSE = "<cv>", "</cv>"
JOB_OPEN, JOB_CLOSE = "<job_posting>", "</job_posting>"
_FIELD_SEPARATOR = " | "
_LIST_SEPARATOR = "; "
_KEYWORD_SEPARATOR = ", "
_NAME_SEPARATOR = ": "

_LINE_RE = re.compile(
    r"(?P<ref>basics\.(?:summary|label)|(?P<section>[a-z]+)\[(?P<index>0|[1-9]\d*)\]"
    r"(?:\.(?P<field>[a-z]+)(?:\[(?P<sub>0|[1-9]\d*)\])?)?)"
    r"(?P<read_only> \(read-only\))?:(?: (?P<text>.*))?"
)
# The prompt defuses a CV text that would open or close a delimiter by swapping its "<" for U+2039.
_DEFUSED_DELIMITER_RE = re.compile("\u2039" + r"(\s*/?\s*(?:cv|job_posting)\b)", re.IGNORECASE)
_DATE = r"[12]\d{3}(?:-[01]\d(?:-[0-3]\d)?)?"
_DATE_RE = re.compile(_DATE)
_PERIOD_RE = re.compile(rf"(?P<start>{_DATE}) to (?P<end>{_DATE}|present)")
_JOB_HEAD = (("Title", "title"), ("Company", "company"), ("Level", "experience"), ("Type", "type"))
_JOB_TAIL = (
    ("Skills", "skills"),
    ("Qualifications", "qualifications"),
    ("Responsibilities", "responsibilities"),
)
# The fields a header line holds, by how many parts it has: a missing field drops out of the line, so
# with fewer parts the fields a CV most often fills (employer, institution, certificate name) are assumed.
_LAYOUTS: dict[str, tuple[tuple[str, ...], ...]] = {
    "work": (("name",), ("position", "name")),
    "volunteer": (("organization",), ("position", "organization")),
    "education": (("institution",), ("studyType", "institution"), ("studyType", "area", "institution")),
    "certificates": (("name",), ("name", "issuer")),
}


@dataclass(frozen=True)
class RecoveredPrompt:
    """The CV and job a prompt shows: JSON Resume shaped, holding only what the prompt lists."""

    resume: dict[str, Any]
    job: dict[str, Any]


def _block(lines: list[str], opening: str, closing: str) -> list[str] | None:
    try:
        start = lines.index(opening)
        end = lines.index(closing, start + 1)
    except ValueError:
        return None
    return lines[start + 1 : end]


def _restore(text: str) -> str:
    return _DEFUSED_DELIMITER_RE.sub(r"<\1", text)


def _assign(parts: list[str], layouts: tuple[tuple[str, ...], ...]) -> dict[str, str]:
    """Fields by position, in the layout for that many parts; the last field takes any surplus."""
    if not parts:
        return {}
    names = layouts[min(len(parts), len(layouts)) - 1]
    head = dict(zip(names[:-1], parts, strict=False))
    return {**head, names[-1]: _FIELD_SEPARATOR.join(parts[len(names) - 1 :])}


def _split_fields(text: str) -> list[str]:
    return text.split(_FIELD_SEPARATOR) if text else []


def _header_entry(section: str, text: str) -> dict[str, Any]:
    parts = _split_fields(text)
    entry: dict[str, Any] = {}
    period = _PERIOD_RE.fullmatch(parts[-1]) if parts else None
    if period is not None:
        parts.pop()
        entry["startDate"] = period["start"]
        if period["end"] != "present":
            entry["endDate"] = period["end"]
    return {**_assign(parts, _LAYOUTS[section]), **entry}


def _dated_entry(section: str, text: str, date_field: str) -> dict[str, Any]:
    parts = _split_fields(text)
    dated: dict[str, Any] = {}
    if parts and _DATE_RE.fullmatch(parts[-1]):
        dated[date_field] = parts.pop()
    return {**_assign(parts, _LAYOUTS[section]), **dated}


def _cv_skill_text(name: str, keywords: list[str]) -> str:
    # As references.index_source writes a skill: name and keyword list, each stripped, blanks skipped.
    parts = (part.strip() for part in (name, _KEYWORD_SEPARATOR.join(keywords)))
    return _NAME_SEPARATOR.join(part for part in parts if part)


def _job_skill_text(name: str, keywords: list[str]) -> str:
    # As prompt.job_posting_text writes a job skill: the same, without the stripping.
    return _NAME_SEPARATOR.join(part for part in (name, _KEYWORD_SEPARATOR.join(keywords)) if part)


def _skill_entry(text: str, render: Callable[[str, list[str]], str]) -> dict[str, Any]:
    """Name and keywords: the first split at a ": " that renders back to the same text, else a name alone."""
    if not text:
        return {}
    start = text.find(_NAME_SEPARATOR)
    while start != -1:
        name, keywords = text[:start], text[start + len(_NAME_SEPARATOR) :].split(_KEYWORD_SEPARATOR)
        if render(name, keywords) == text:
            return {"name": name, "keywords": keywords}
        start = text.find(_NAME_SEPARATOR, start + 1)
    return {"name": text}


def _as_list(by_index: dict[int, Any]) -> list[Any]:
    # A gap (an entry the prompt could not show) stays a non-object, so it is skipped as in the source.
    return [by_index.get(position) for position in range(max(by_index) + 1)] if by_index else []


class _CvBuilder:
    def __init__(self) -> None:
        self.basics: dict[str, str] = {}
        self.entries: dict[str, dict[int, dict[str, Any]]] = defaultdict(dict)
        self.highlights: dict[tuple[str, int], dict[int, str]] = defaultdict(dict)

    def entry(self, section: str, index: int) -> dict[str, Any]:
        return self.entries[section].setdefault(index, {})

    def add(self, match: re.Match[str]) -> None:
        ref, text = match["ref"], match["text"]
        value = _restore(text) if text is not None else None
        if ref in {LABEL_REF, SUMMARY_REF}:
            self.basics[ref.split(".")[1]] = value or ""
            return
        section, index, field, sub = match["section"], int(match["index"]), match["field"], match["sub"]
        if field is None:
            self._add_entry(section, index, value, read_only=match["read_only"] is not None)
        elif field == "highlights" and sub is not None:
            self.entry(section, index)
            self.highlights[(section, index)][int(sub)] = value or ""
        elif field in {"summary", "description"} and sub is None:
            self.entry(section, index)[field] = value or ""

    def _add_entry(self, section: str, index: int, value: str | None, *, read_only: bool) -> None:
        if section in {"work", "volunteer"} and read_only:
            self.entry(section, index).update(_header_entry(section, value or ""))
        elif section == "projects":
            project = self.entry(section, index)
            if value is not None:
                project["name"] = value
        elif section == "skills":
            self.entries[section][index] = _skill_entry(value or "", _cv_skill_text)
        elif section == "education" and read_only:
            self.entries[section][index] = _dated_entry(section, value or "", "endDate")
        elif section == "certificates" and read_only:
            self.entries[section][index] = _dated_entry(section, value or "", "date")

    def resume(self) -> dict[str, Any]:
        for (section, index), texts in self.highlights.items():
            self.entries[section][index]["highlights"] = _as_list(texts)
        resume: dict[str, Any] = {"basics": dict(self.basics)} if self.basics else {}
        for section in ("work", "volunteer", "projects", "skills", "education", "certificates"):
            if self.entries.get(section):
                resume[section] = _as_list(self.entries[section])
        return resume


def parse_cv_lines(lines: list[str]) -> dict[str, Any]:
    """The CV a ``<cv>`` block lists; lines that name no item are ignored."""
    builder = _CvBuilder()
    for line in lines:
        match = _LINE_RE.fullmatch(line)
        if match is not None:
            builder.add(match)
    return builder.resume()


def _job_skills(text: str) -> list[dict[str, Any]]:
    parts = text.split(_LIST_SEPARATOR)
    if "" in parts:
        # The prompt drops empty skills, so an empty part is a "; " inside one skill's text.
        return [{"name": text}]
    return [_skill_entry(part, _job_skill_text) for part in parts]


def parse_job_lines(lines: list[str]) -> dict[str, Any]:
    """The job a ``<job_posting>`` block shows: labelled head and tail lines, the rest as its description."""
    job: dict[str, Any] = {}
    remaining = list(lines)
    for label, name in _JOB_HEAD:
        if remaining and remaining[0].startswith(f"{label}: "):
            job[name] = remaining.pop(0)[len(label) + 2 :]
    for label, name in _JOB_TAIL:
        if remaining and remaining[-1].startswith(f"{label}: "):
            text = remaining.pop()[len(label) + 2 :]
            job[name] = _job_skills(text) if name == "skills" else text.split(_LIST_SEPARATOR)
    if remaining:
        job["description"] = "\n".join(remaining)
    return job


def parse_prompt(user_text: str) -> RecoveredPrompt | None:
    """The CV and job of a ``build_prompt`` user message, or None when the text is not one."""
    lines = user_text.split("\n")
    cv_lines = _block(lines, CV_OPEN, CV_CLOSE)
    job_lines = _block(lines, JOB_OPEN, JOB_CLOSE)
    if cv_lines is None or job_lines is None:
        return None
    return RecoveredPrompt(resume=parse_cv_lines(cv_lines), job=parse_job_lines(job_lines))
