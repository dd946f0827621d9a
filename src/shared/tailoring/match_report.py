"""The match report: which job keywords the CV evidences, where, and how many sit on the first page."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict

from shared.tailoring.keywords import (
    JobKeyword,
    extract_job_keywords,
    item_keyword_keys,
    keyword_locations,
    tailoring_vocabulary,
)
from shared.tailoring.references import SUMMARY_REF
from shared.tailoring.vocabulary import Vocabulary

# The "first-page region" a recruiter reads first: the summary, the top highlights of each
# role and the first skills. Coverage counts evidenced keywords that appear there.
FIRST_PAGE_HIGHLIGHTS_PER_ROLE = 3
FIRST_PAGE_SKILL_COUNT = 5
# Where a keyword appears is listed up to this many places (the count says how many there are): a CV that
# names every job skill in every highlight would otherwise make the report larger than the job record.
MAX_LOCATIONS_PER_KEYWORD = 10


class KeywordMatch(BaseModel):
    """A job keyword the CV evidences, and where it appears in the tailored CV."""

    model_config = ConfigDict(frozen=True)

    keyword: str
    kind: str
    locations: list[str]
    location_count: int
    first_page_before: bool
    first_page_after: bool


class Coverage(BaseModel):
    """How many evidenced keywords appear in the first-page region; ratio is None when none are evidenced."""

    model_config = ConfigDict(frozen=True)

    evidenced: int
    in_first_page: int
    ratio: float | None


class MatchSummary(BaseModel):
    """Counts only, with no keyword text, for events and metrics."""

    model_config = ConfigDict(frozen=True)

    job_keywords: int
    evidenced: int
    missing: int
    coverage_before: float | None
    coverage_after: float | None


class MatchReport(BaseModel):
    """Keyword evidence before and after tailoring; missing keywords are advice, never added."""

    model_config = ConfigDict(frozen=True)

    job_keyword_count: int
    evidenced_keywords: list[KeywordMatch]
    missing_keywords: list[str]
    coverage_before: Coverage
    coverage_after: Coverage
    first_page_highlights_per_role: int = FIRST_PAGE_HIGHLIGHTS_PER_ROLE
    first_page_skill_count: int = FIRST_PAGE_SKILL_COUNT

    def summary(self) -> MatchSummary:
        return MatchSummary(
            job_keywords=self.job_keyword_count,
            evidenced=len(self.evidenced_keywords),
            missing=len(self.missing_keywords),
            coverage_before=self.coverage_before.ratio,
            coverage_after=self.coverage_after.ratio,
        )


def _strings(value: object) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def first_page_texts(resume: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(ref, text) of the first-page region: summary, top highlights per role, first skills."""
    basics = resume.get("basics")
    if isinstance(basics, Mapping) and isinstance(basics.get("summary"), str):
        yield SUMMARY_REF, basics["summary"]
    work = resume.get("work")
    for position, entry in enumerate(work if isinstance(work, list) else []):
        if isinstance(entry, Mapping):
            for index, text in enumerate(_strings(entry.get("highlights"))[:FIRST_PAGE_HIGHLIGHTS_PER_ROLE]):
                yield f"work[{position}].highlights[{index}]", text
    skills = resume.get("skills")
    for position, entry in enumerate((skills if isinstance(skills, list) else [])[:FIRST_PAGE_SKILL_COUNT]):
        if isinstance(entry, Mapping):
            name = entry.get("name")
            parts = [name] if isinstance(name, str) else []
            yield f"skills[{position}]", ", ".join([*parts, *_strings(entry.get("keywords"))])


def first_page_keys(resume: Mapping[str, Any], vocabulary: Vocabulary) -> frozenset[str]:
    """Vocabulary keys stated anywhere in the first-page region."""
    keys: set[str] = set()
    for _, text in first_page_texts(resume):
        keys |= item_keyword_keys(text, vocabulary)
    return frozenset(keys)


def _coverage(evidenced: list[JobKeyword], first_page: frozenset[str]) -> Coverage:
    shown = sum(1 for keyword in evidenced if keyword.key in first_page)
    ratio = round(shown / len(evidenced), 4) if evidenced else None
    return Coverage(evidenced=len(evidenced), in_first_page=shown, ratio=ratio)


def build_match_report(
    source: Mapping[str, Any],
    tailored: Mapping[str, Any],
    job: Mapping[str, Any],
    *,
    vocabulary: Vocabulary | None = None,
) -> MatchReport:
    """Compare the job's keywords with the source CV (evidence) and both CVs' first pages (coverage)."""
    terms = vocabulary or tailoring_vocabulary(source, job)
    keywords = extract_job_keywords(job, terms)
    source_locations = keyword_locations(source, (keyword.key for keyword in keywords), terms)
    evidenced = [keyword for keyword in keywords if source_locations[keyword.key]]
    tailored_locations = keyword_locations(tailored, (keyword.key for keyword in evidenced), terms)
    before, after = first_page_keys(source, terms), first_page_keys(tailored, terms)
    return MatchReport(
        job_keyword_count=len(keywords),
        evidenced_keywords=[
            KeywordMatch(
                keyword=keyword.name,
                kind=keyword.kind.value,
                locations=tailored_locations[keyword.key][:MAX_LOCATIONS_PER_KEYWORD],
                location_count=len(tailored_locations[keyword.key]),
                first_page_before=keyword.key in before,
                first_page_after=keyword.key in after,
            )
            for keyword in evidenced
        ],
        missing_keywords=[keyword.name for keyword in keywords if not source_locations[keyword.key]],
        coverage_before=_coverage(evidenced, before),
        coverage_after=_coverage(evidenced, after),
    )
