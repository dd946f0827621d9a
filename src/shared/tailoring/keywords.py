"""Job keywords, and where a CV evidences them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from enum import StrEnum
from typing import Any, NamedTuple

from shared.tailoring.facts import iter_strings
from shared.tailoring.text import normalise_whitespace, tokenize
from shared.tailoring.vocabulary import TermKind, Vocabulary, base_vocabulary

MAX_JOB_KEYWORDS = 40
_KEYWORD_KINDS = frozenset({TermKind.TECHNOLOGY, TermKind.SKILL, TermKind.CREDENTIAL})
_ACRONYM_RE = re.compile(r"^[A-Z][A-Z0-9&]{1,5}$")
_ENTRY_REF_RE = re.compile(r"^(\w+\[\d+\])(?:\.(highlights\[\d+\]|summary|description))?")
_BASICS_REF_RE = re.compile(r"^(basics\.\w+)")


class KeywordSource(StrEnum):
    SKILLS = "skills"
    QUALIFICATIONS = "qualifications"
    RESPONSIBILITIES = "responsibilities"
    TITLE = "title"
    DESCRIPTION = "description"


class JobKeyword(NamedTuple):
    """A keyword the job asks for: its vocabulary key, the job's own wording, and where the job says it."""

    key: str
    name: str
    kind: TermKind
    source: KeywordSource

    @property
    def weight(self) -> int:
        return 2 if self.source is KeywordSource.SKILLS else 1


def _strings(value: object) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _skill_phrases(entries: object) -> Iterator[str]:
    """Skill keywords, and skill names that are not mere headings over a keyword list."""
    if not isinstance(entries, list):
        return
    vocabulary = base_vocabulary()
    for entry in entries:
        if not isinstance(entry, Mapping):
            continue
        name = entry.get("name")
        keywords = _strings(entry.get("keywords"))
        if isinstance(name, str) and name.strip() and (not keywords or vocabulary.lookup(name)):
            yield name
        yield from keywords


def cv_term_phrases(resume: Mapping[str, Any]) -> list[str]:
    """The CV's own skill names and keywords, so the vocabulary recognises them as skills."""
    phrases = list(_skill_phrases(resume.get("skills")))
    projects = resume.get("projects")
    if isinstance(projects, list):
        for project in projects:
            if isinstance(project, Mapping):
                phrases.extend(_strings(project.get("keywords")))
    return phrases


def _job_sections(job: Mapping[str, Any]) -> list[tuple[KeywordSource, str]]:
    sections: list[tuple[KeywordSource, str]] = []
    sections.extend((KeywordSource.QUALIFICATIONS, text) for text in _strings(job.get("qualifications")))
    sections.extend((KeywordSource.RESPONSIBILITIES, text) for text in _strings(job.get("responsibilities")))
    if isinstance(job.get("title"), str):
        sections.append((KeywordSource.TITLE, job["title"]))
    if isinstance(job.get("description"), str):
        sections.append((KeywordSource.DESCRIPTION, job["description"]))
    return sections


def _company_words(job: Mapping[str, Any]) -> frozenset[str]:
    company = job.get("company")
    return frozenset(token.lower for token in tokenize(company)) if isinstance(company, str) else frozenset()


def _acronyms(text: str, vocabulary: Vocabulary, excluded: frozenset[str]) -> Iterator[str]:
    """Unknown acronyms outside any known term ("FHIR" counts; the "IV" of "IV therapy" does not)."""
    common = vocabulary.lexicon.common_words
    tokens = tokenize(text)
    covered = {
        index
        for match in vocabulary.match_tokens(text, tokens)
        for index in range(match.first_token, match.stop_token)
    }
    for index, token in enumerate(tokens):
        if index in covered or not _ACRONYM_RE.match(token.text):
            continue
        if token.lower not in common and token.lower not in excluded:
            yield token.text


def job_term_phrases(job: Mapping[str, Any]) -> list[str]:
    """Phrases the job names as skills (and its unknown acronyms), so the guard can spot them in edits."""
    vocabulary = base_vocabulary()
    phrases = list(_skill_phrases(job.get("skills")))
    excluded = _company_words(job)
    for _, text in _job_sections(job):
        phrases.extend(_acronyms(text, vocabulary, excluded))
    return phrases


def cv_certificate_names(resume: Mapping[str, Any]) -> list[str]:
    """The names of the CV's certificates."""
    certificates = resume.get("certificates")
    if not isinstance(certificates, list):
        return []
    return [
        entry["name"]
        for entry in certificates
        if isinstance(entry, Mapping) and isinstance(entry.get("name"), str) and entry["name"].strip()
    ]


def tailoring_vocabulary(resume: Mapping[str, Any], job: Mapping[str, Any] | None) -> Vocabulary:
    """The curated vocabulary extended with the CV's skills and certificate names, then the job's skills."""
    vocabulary = (
        base_vocabulary()
        .with_terms(cv_term_phrases(resume), past_tense=True)
        .with_credential_names(cv_certificate_names(resume))
    )
    return vocabulary.with_terms(job_term_phrases(job)) if job else vocabulary


def extract_job_keywords(job: Mapping[str, Any], vocabulary: Vocabulary) -> list[JobKeyword]:
    """The job's keywords: its skills first, then terms in its qualifications, duties, title and text."""
    found: dict[str, JobKeyword] = {}

    generic = vocabulary.lexicon.generic_term_keys

    def add(key: str, name: str, kind: TermKind, source: KeywordSource) -> None:
        if (
            kind in _KEYWORD_KINDS
            and key not in generic
            and key not in found
            and len(found) < MAX_JOB_KEYWORDS
        ):
            found[key] = JobKeyword(key=key, name=name, kind=kind, source=source)

    for phrase in _skill_phrases(job.get("skills")):
        term = vocabulary.lookup(phrase)
        if term is not None:
            add(term.key, normalise_whitespace(phrase), term.kind, KeywordSource.SKILLS)
        else:
            for match in vocabulary.find(phrase):
                add(match.term.key, match.surface, match.term.kind, KeywordSource.SKILLS)
    for source, text in _job_sections(job):
        for match in vocabulary.find(text):
            add(match.term.key, match.surface, match.term.kind, source)
    return list(found.values())


def _location_ref(path: str) -> str:
    entry = _ENTRY_REF_RE.match(path)
    if entry is not None:
        return f"{entry.group(1)}.{entry.group(2)}" if entry.group(2) else entry.group(1)
    basics = _BASICS_REF_RE.match(path)
    return basics.group(1) if basics is not None else path


def keyword_locations(
    resume: Mapping[str, Any], keys: Iterable[str], vocabulary: Vocabulary
) -> dict[str, list[str]]:
    """For each keyword key, the references of the CV items that state it, in document order."""
    wanted = set(keys)
    locations: dict[str, list[str]] = {key: [] for key in wanted}
    for path, text in iter_strings(resume):
        ref = _location_ref(path)
        for key in item_keyword_keys(text, vocabulary) & wanted:
            if ref not in locations[key]:
                locations[key].append(ref)
    return locations


def item_keyword_keys(text: str, vocabulary: Vocabulary) -> frozenset[str]:
    """The vocabulary keys a piece of text states, including terms nested in longer ones."""
    return frozenset(match.term.key for match in vocabulary.find_all(text))
