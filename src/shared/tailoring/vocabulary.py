"""The curated vocabulary of technologies, skills, credentials and organisations, with aliases."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

from shared.tailoring.text import Token, normalise_whitespace, tokenize

_DATA_PACKAGE = "shared.tailoring"
_DATA_FILE = "data/vocabulary.json"
_CASE_SENSITIVE_MARK = "="
_MAX_EXTRA_TERM_TOKENS = 5
_MAX_EXTRA_TERM_CHARS = 60


class TermKind(StrEnum):
    TECHNOLOGY = "technology"
    SKILL = "skill"
    CREDENTIAL = "credential"
    ORGANISATION = "organisation"


@dataclass(frozen=True, slots=True)
class Term:
    """A canonical vocabulary entry; every alias of it shares the same key."""

    key: str
    name: str
    kind: TermKind


@dataclass(frozen=True, slots=True)
class TermMatch:
    """One occurrence of a term in a text, by token and character span."""

    term: Term
    first_token: int
    stop_token: int
    start: int
    end: int
    surface: str


@dataclass(frozen=True)
class Lexicon:
    """Word lists beside the terms: job-title words, words that are never names, generic terms."""

    ranks: frozenset[str]
    modifiers: frozenset[str]
    diminishing: frozenset[str]
    rank_aliases: Mapping[str, str]
    roles: frozenset[str]
    common_words: frozenset[str]
    generic_term_keys: frozenset[str]

    def canonical_rank(self, word: str) -> str:
        return self.rank_aliases.get(word, word)


@dataclass(frozen=True)
class Vocabulary:
    """Phrase index over the curated terms plus any terms a CV or a job adds."""

    folded: Mapping[tuple[str, ...], Term]
    exact: Mapping[tuple[str, ...], Term]
    lexicon: Lexicon
    max_phrase_tokens: int
    _terms_by_key: dict[str, Term] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for term in (*self.folded.values(), *self.exact.values()):
            self._terms_by_key.setdefault(term.key, term)

    @property
    def terms(self) -> list[Term]:
        return list(self._terms_by_key.values())

    def term(self, key: str) -> Term | None:
        return self._terms_by_key.get(key)

    def match_tokens(self, text: str, tokens: list[Token]) -> list[TermMatch]:
        """Greedy longest-first matching of vocabulary phrases over a token list."""
        matches: list[TermMatch] = []
        index = 0
        while index < len(tokens):
            found = self._longest_at(text, tokens, index)
            if found is None:
                index += 1
                continue
            matches.append(found)
            index = found.stop_token
        return matches

    def find(self, text: str) -> list[TermMatch]:
        return self.match_tokens(text, tokenize(text))

    def nested_matches(self, text: str, tokens: list[Token], outer: TermMatch) -> list[TermMatch]:
        """Shorter terms inside a longer match ("AWS" in "AWS Certified Developer")."""
        nested: list[TermMatch] = []
        for first in range(outer.first_token, outer.stop_token):
            for stop in range(outer.stop_token, first, -1):
                if (first, stop) == (outer.first_token, outer.stop_token):
                    continue
                term = self._term_for(tokens[first:stop])
                if term is not None and term.key != outer.term.key:
                    start, end = tokens[first].start, tokens[stop - 1].end
                    nested.append(TermMatch(term, first, stop, start, end, text[start:end]))
                    break
        return nested

    def find_all(self, text: str) -> list[TermMatch]:
        """Every match, including terms nested inside longer ones."""
        tokens = tokenize(text)
        matches = self.match_tokens(text, tokens)
        return matches + [inner for outer in matches for inner in self.nested_matches(text, tokens, outer)]

    def lookup(self, phrase: str) -> Term | None:
        """The term a whole phrase names, or None."""
        tokens = tokenize(phrase)
        if not tokens:
            return None
        found = self._longest_at(phrase, tokens, 0)
        return found.term if found is not None and found.stop_token == len(tokens) else None

    def with_terms(self, phrases: Iterable[str], kind: TermKind = TermKind.SKILL) -> Vocabulary:
        """A copy that also recognises the given phrases (a CV's or a job's own skill names)."""
        folded = dict(self.folded)
        max_tokens = self.max_phrase_tokens
        for raw in phrases:
            phrase = normalise_whitespace(raw)
            tokens = tokenize(phrase)
            key = tuple(token.base for token in tokens)
            # A phrase holding a known term is left to that term ("Python 3" is Python).
            if key in folded or not self._is_new_term_candidate(phrase, tokens) or self.find(phrase):
                continue
            folded[key] = Term(key=" ".join(key), name=phrase, kind=kind)
            max_tokens = max(max_tokens, len(key))
        return Vocabulary(folded, self.exact, self.lexicon, max_tokens)

    def _is_new_term_candidate(self, phrase: str, tokens: list[Token]) -> bool:
        if not tokens or len(tokens) > _MAX_EXTRA_TERM_TOKENS or len(phrase) > _MAX_EXTRA_TERM_CHARS:
            return False
        if len(phrase) < 2 or any(token.is_numeric for token in tokens):
            return False
        return not all(token.lower in self.lexicon.common_words for token in tokens)

    def _term_for(self, window: list[Token]) -> Term | None:
        term = self.exact.get(tuple(token.text for token in window))
        return term if term is not None else self.folded.get(tuple(token.base for token in window))

    def _longest_at(self, text: str, tokens: list[Token], index: int) -> TermMatch | None:
        longest = min(self.max_phrase_tokens, len(tokens) - index)
        for length in range(longest, 0, -1):
            window = tokens[index : index + length]
            term = self._term_for(window)
            if term is not None:
                start, end = window[0].start, window[-1].end
                return TermMatch(term, index, index + length, start, end, text[start:end])
        return None


def _add_surface(index: dict[tuple[str, ...], Term], key: tuple[str, ...], term: Term, surface: str) -> None:
    existing = index.get(key)
    if existing is not None and existing.key != term.key:
        raise ValueError(f"vocabulary alias {surface!r} names both {existing.name!r} and {term.name!r}")
    index[key] = term


def _build(data: Mapping[str, Any]) -> Vocabulary:
    folded: dict[tuple[str, ...], Term] = {}
    exact: dict[tuple[str, ...], Term] = {}
    max_tokens = 1
    for kind in TermKind:
        for entry in data[kind.value]:
            surfaces = [surface.strip() for surface in str(entry).split("|")]
            name = surfaces[0].removeprefix(_CASE_SENSITIVE_MARK)
            term = Term(key=name.lower(), name=name, kind=kind)
            for surface in surfaces:
                case_sensitive = surface.startswith(_CASE_SENSITIVE_MARK) or kind is TermKind.ORGANISATION
                tokens = tokenize(surface.removeprefix(_CASE_SENSITIVE_MARK))
                if not tokens:
                    raise ValueError(f"vocabulary surface {surface!r} has no tokens")
                max_tokens = max(max_tokens, len(tokens))
                if case_sensitive:
                    _add_surface(exact, tuple(token.text for token in tokens), term, surface)
                else:
                    _add_surface(folded, tuple(token.base for token in tokens), term, surface)
    lexicon = Lexicon(
        ranks=frozenset(data["title_ranks"]),
        modifiers=frozenset(data["title_modifiers"]),
        diminishing=frozenset(data["diminishing_ranks"]),
        rank_aliases=dict(data["rank_aliases"]),
        roles=frozenset(data["role_nouns"]),
        common_words=frozenset(data["common_words"]),
        generic_term_keys=frozenset(data["generic_terms"]),
    )
    return Vocabulary(folded, exact, lexicon, max_tokens)


@cache
def base_vocabulary() -> Vocabulary:
    """The curated vocabulary shipped with the package (loaded once, on first use)."""
    raw = resources.files(_DATA_PACKAGE).joinpath(_DATA_FILE).read_text(encoding="utf-8")
    return _build(json.loads(raw))
