"""Dates tied to CV entries: a date a summary gives a degree, an employer or a certificate must be its own.

The CV-wide check only asks whether a date exists somewhere in the CV. "May 2025 computer science
graduate" passes it when May 2025 is the internship's start, though the degree ends in May 2026. Here a
date is tied to the nearest entry the same clause names (a school, a degree subject, "graduated", an
employer, a position, a certificate), and must be a date that entry states.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from shared.tailoring.facts import date_spans, iter_strings
from shared.tailoring.text import Token, normalise_whitespace, tokenize
from shared.tailoring.vocabulary import TermKind, Vocabulary, name_variants

# A date further than this many words from every anchor in its clause is not tied to an entry.
MAX_ANCHOR_DISTANCE = 6
_EDUCATION_WORDS = frozenset(
    {
        "graduate", "graduated", "graduating", "graduation", "grad", "alumnus", "alumna", "alumni",
        "degree", "valedictorian",
    }
)  # fmt: skip
# Words too common in names to tie a date to one entry on their own.
_ORDINARY_NAME_WORDS = frozenset(
    {
        "university", "college", "school", "institute", "institution", "academy", "hospital", "clinic",
        "company", "group", "services", "service", "solutions", "systems", "technologies", "technology",
        "software", "international", "global", "health", "healthcare", "bank", "center", "centre",
        "department", "state", "city", "county", "national", "community", "partners", "labs", "studio",
        "association", "board", "council", "foundation", "trust", "society", "limited", "corporation",
        "certificate", "certification", "certified", "licence", "license", "provider", "professional",
    }
)  # fmt: skip
_MIN_NAME_WORD_CHARS = 3
# Entry sections, and the fields whose words name an entry.
_NAMING_FIELDS: dict[str, tuple[str, ...]] = {
    "work": ("name", "position"),
    "volunteer": ("organization", "position"),
    "education": ("institution", "area", "studyType"),
    "certificates": ("name",),
    "awards": ("title",),
    "projects": ("name",),
    "publications": ("name",),
}
# Fields whose single words may stand for the entry ("at Pinecrest" for "Pinecrest Analytics"): the names
# of employers and schools. Positions, subjects, certificates and projects count only as whole phrases,
# since their words ("Food", "Safety") turn up everywhere.
_WORD_NAMED_FIELDS = frozenset(
    {("work", "name"), ("volunteer", "organization"), ("education", "institution")}
)
_EDUCATION = "education"


class DatedClaim(NamedTuple):
    """A date a text ties to CV entries, and the entries it is tied to."""

    surface: str
    keys: tuple[str, ...]
    refs: frozenset[str]


@dataclass
class DateAnchors:
    """For one CV: the phrases that name each entry, and the dates each entry states."""

    phrases: dict[tuple[str, ...], set[str]] = field(default_factory=dict)
    words: dict[str, set[str]] = field(default_factory=dict)
    term_keys: dict[str, set[str]] = field(default_factory=dict)
    dates: dict[str, set[str]] = field(default_factory=dict)

    def _add_phrase(self, phrase: str, ref: str, *, single_word: bool) -> None:
        key = tuple(token.lower for token in tokenize(phrase))
        if len(key) > 1 or (key and single_word):
            self.phrases.setdefault(key, set()).add(ref)

    def _widen_phrases(self) -> None:
        """A phrase inside a longer one names its entry too ("Project Manager", "Senior Project Manager")."""
        for short, refs in self.phrases.items():
            for long, long_refs in self.phrases.items():
                if len(long) > len(short) and _contains(long, short):
                    refs.update(long_refs)

    def _add_word(self, token: Token, ref: str) -> None:
        if len(token.lower) >= _MIN_NAME_WORD_CHARS and token.lower not in _ORDINARY_NAME_WORDS:
            self.words.setdefault(token.lower, set()).add(ref)

    def claims(self, text: str, vocabulary: Vocabulary) -> list[DatedClaim]:
        """Every date in the text that sits near an entry's name, with the entries named nearest to it."""
        tokens = tokenize(text)
        anchors = list(self._anchors(text, tokens, vocabulary))
        clause = _clauses(tokens)
        claims: list[DatedClaim] = []
        for start, end, keys in date_spans(text):
            covered = [index for index, token in enumerate(tokens) if start < token.end and token.start < end]
            if not covered or keys[0].startswith("month-"):
                continue
            first, last = covered[0], covered[-1]
            nearest: dict[int, set[str]] = {}
            for anchor_first, anchor_last, refs in anchors:
                if anchor_last < first and clause[anchor_last] == clause[first]:
                    distance = first - anchor_last - 1
                elif anchor_first > last and clause[anchor_first] == clause[last]:
                    distance = anchor_first - last - 1
                else:
                    continue
                if distance <= MAX_ANCHOR_DISTANCE:
                    nearest.setdefault(distance, set()).update(refs)
            if nearest:
                claims.append(DatedClaim(text[start:end], tuple(keys), frozenset(nearest[min(nearest)])))
        return claims

    def misattributed(self, text: str, vocabulary: Vocabulary) -> list[str]:
        """Dates the text ties to entries that never state them (entries with no dates are not judged)."""
        found: list[str] = []
        for claim in self.claims(text, vocabulary):
            stated = set().union(*(self.dates.get(ref, set()) for ref in claim.refs))
            if stated and claim.keys[0] not in stated:
                found.append(claim.surface)
        return found

    def _anchors(
        self, text: str, tokens: Sequence[Token], vocabulary: Vocabulary
    ) -> Iterator[tuple[int, int, set[str]]]:
        """(first token, last token, entry refs) for every mention of an entry."""
        longest = max((len(phrase) for phrase in self.phrases), default=0)
        lowers = [token.lower for token in tokens]
        taken: set[int] = set()
        for index in range(len(tokens)):
            for length in range(min(longest, len(tokens) - index), 0, -1):
                refs = self.phrases.get(tuple(lowers[index : index + length]))
                if refs and not taken.intersection(range(index, index + length)):
                    taken.update(range(index, index + length))
                    yield index, index + length - 1, refs
                    break
        for match in vocabulary.find_all(text):
            refs = self.term_keys.get(match.term.key)
            if refs:
                yield match.first_token, match.stop_token - 1, refs
        education = {ref for ref in self.dates if ref.startswith(_EDUCATION)}
        for index, token in enumerate(tokens):
            if index in taken:
                continue
            if token.lower in _EDUCATION_WORDS and education:
                yield index, index, education
            elif token.lower in self.words and token.is_capitalised:
                yield index, index, self.words[token.lower]


def _contains(long: tuple[str, ...], short: tuple[str, ...]) -> bool:
    return any(long[start : start + len(short)] == short for start in range(len(long) - len(short) + 1))


def _clauses(tokens: Sequence[Token]) -> list[int]:
    """The clause number of each token; a new clause starts after . ! ? ; : and line breaks."""
    numbers: list[int] = []
    current = 0
    for token in tokens:
        if token.sentence_start and numbers:
            current += 1
        numbers.append(current)
    return numbers


def _entries(resume: Mapping[str, Any]) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    for section in _NAMING_FIELDS:
        entries = resume.get(section)
        if isinstance(entries, list):
            for index, entry in enumerate(entries):
                if isinstance(entry, Mapping):
                    yield section, f"{section}[{index}]", entry


def _entry_dates(entry: Mapping[str, Any]) -> set[str]:
    """Every date key the entry states, in its date fields or its text."""
    return {key for _, text in iter_strings(entry) for _, _, keys in date_spans(text) for key in keys}


def _naming_values(entry: Mapping[str, Any], fields: Iterable[str]) -> Iterator[tuple[str, str]]:
    for name in fields:
        value = entry.get(name)
        if isinstance(value, str) and value.strip():
            yield name, normalise_whitespace(value)


def date_anchors(
    resume: Mapping[str, Any], vocabulary: Vocabulary, summary: str | None = None
) -> DateAnchors:
    """The entries of a CV, the phrases that name them and the dates they state.

    Dates the CV's own ``summary`` ties to an entry count as that entry's, so the summary's own
    wording can always be kept.
    """
    anchors = DateAnchors()
    generic = vocabulary.lexicon.generic_term_keys
    for section, ref, entry in _entries(resume):
        anchors.dates[ref] = _entry_dates(entry)
        for name, value in _naming_values(entry, _NAMING_FIELDS[section]):
            # A one-word subject or position ("Nursing", "Cashier") is too common a word to name an entry.
            single_word = (section, name) in _WORD_NAMED_FIELDS or section == "certificates"
            for variant in name_variants(value):
                anchors._add_phrase(variant, ref, single_word=single_word)
                for match in vocabulary.find_all(variant):
                    if match.term.kind is TermKind.CREDENTIAL and match.term.key not in generic:
                        anchors.term_keys.setdefault(match.term.key, set()).add(ref)
            if (section, name) in _WORD_NAMED_FIELDS:
                for token in tokenize(value):
                    if token.is_capitalised and token.lower not in vocabulary.lexicon.common_words:
                        anchors._add_word(token, ref)
    anchors._widen_phrases()
    if summary:
        for claim in anchors.claims(summary, vocabulary):
            for ref in claim.refs:
                anchors.dates.setdefault(ref, set()).update(claim.keys)
    return anchors
