"""The curated vocabulary of technologies, skills, credentials and organisations, with aliases."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any, NamedTuple

from shared.tailoring.text import Token, normalise_whitespace, tokenize

_DATA_PACKAGE = "shared.tailoring"
_DATA_FILE = "data/vocabulary.json"
_CASE_SENSITIVE_MARK = "="
_BRACKETED_RE = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_MAX_EXTRA_TERM_TOKENS = 5
_MAX_EXTRA_TERM_CHARS = 60
_MAX_CREDENTIAL_NAME_TOKENS = 12
# A gerund skill the CV lists ("Interviewing") is also stated by its past tense ("Interviewed 40 users").
_GERUND = "ing"
_PAST_TENSE = "ed"
_MIN_GERUND_CHARS = 6


class TermKind(StrEnum):
    TECHNOLOGY = "technology"
    SKILL = "skill"
    CREDENTIAL = "credential"
    ORGANISATION = "organisation"


class Term(NamedTuple):
    """A canonical vocabulary entry; every alias of it shares the same key."""

    key: str
    name: str
    kind: TermKind


class TermMatch(NamedTuple):
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
    # Multi-word title qualifiers ("vice president", "mid-market", "de cuisine") and the rank each stands for.
    title_phrases: Mapping[tuple[str, ...], str] = field(default_factory=dict)

    def canonical_rank(self, word: str) -> str:
        return self.rank_aliases.get(word, word)


@dataclass(frozen=True)
class Vocabulary:
    """Phrase index over the curated terms plus any terms a CV or a job adds."""

    folded: Mapping[tuple[str, ...], Term]
    exact: Mapping[tuple[str, ...], Term]
    lexicon: Lexicon
    max_phrase_tokens: int
    # The CV's own certificate names, as credential-name keys: a phrase naming one is not a job title.
    credential_names: frozenset[tuple[str, ...]] = frozenset()
    _terms_by_key: dict[str, Term] = field(default_factory=dict, repr=False)
    # The longest phrase that starts with each first word (exact surface, folded base): a position whose word
    # starts no phrase is skipped without building a window.
    _exact_starts: dict[str, int] = field(default_factory=dict, repr=False)
    _folded_starts: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for term in (*self.folded.values(), *self.exact.values()):
            self._terms_by_key.setdefault(term.key, term)
        for phrases, starts in ((self.exact, self._exact_starts), (self.folded, self._folded_starts)):
            for phrase in phrases:
                if phrase:
                    starts[phrase[0]] = max(starts.get(phrase[0], 0), len(phrase))

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

    def with_terms(
        self, phrases: Iterable[str], kind: TermKind = TermKind.SKILL, *, past_tense: bool = False
    ) -> Vocabulary:
        """A copy that also recognises the given phrases (a CV's or a job's own skill names).

        With ``past_tense``, a gerund phrase is also stated by its past tense. Only the CV's own skills
        get this: a CV listing "Interviewing" claims the skill, so its "Interviewed 40 users" states it
        too, while a job's "Hiring" must not turn a CV's "was hired" into hiring experience.
        """
        folded = dict(self.folded)
        max_tokens = self.max_phrase_tokens
        for raw in phrases:
            phrase = normalise_whitespace(raw)
            tokens = tokenize(phrase)
            key = tuple(token.base for token in tokens)
            # A phrase holding a known term is left to that term ("Python 3" is Python).
            known = folded.get(key) or self.lookup(phrase)
            if known is None and self._is_new_term_candidate(phrase, tokens) and not self.find(phrase):
                known = folded[key] = Term(key=" ".join(key), name=phrase, kind=kind)
                max_tokens = max(max_tokens, len(key))
            past = past_tense_key(key) if past_tense else None
            if past is not None and known is not None:
                # A listed surface of another term wins over a derived one.
                folded.setdefault(past, known)
        return replace(self, folded=folded, max_phrase_tokens=max_tokens, _terms_by_key={})

    def with_credential_names(self, names: Iterable[str]) -> Vocabulary:
        """A copy that knows the CV's certificate names, whole and without bracketed or trailing parts."""
        found = set(self.credential_names)
        for raw in names:
            for variant in name_variants(raw):
                key = self.credential_name_key(tokenize(variant))
                if 1 < len(key) <= _MAX_CREDENTIAL_NAME_TOKENS:
                    found.add(key)
        return replace(self, credential_names=frozenset(found), _terms_by_key={})

    def credential_name_key(self, tokens: Sequence[Token]) -> tuple[str, ...]:
        """Token bases, with every generic credential word ("certificate", "licence") folded to its term."""
        generic = self.lexicon.generic_term_keys
        key: list[str] = []
        for token in tokens:
            term = self.folded.get((token.base,))
            key.append(term.key if term is not None and term.key in generic else token.base)
        return tuple(key)

    def credential_name_spans(self, tokens: Sequence[Token]) -> list[tuple[int, int]]:
        """Token ranges (first, stop) where the text names one of the CV's certificates."""
        if not self.credential_names:
            return []
        longest = max(len(name) for name in self.credential_names)
        keys = self.credential_name_key(tokens)
        spans: list[tuple[int, int]] = []
        index = 0
        while index < len(tokens):
            stop = next(
                (
                    index + length
                    for length in range(min(longest, len(tokens) - index), 1, -1)
                    if keys[index : index + length] in self.credential_names
                ),
                None,
            )
            if stop is None:
                index += 1
                continue
            spans.append((index, stop))
            index = stop
        return spans

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
        first = tokens[index]
        longest = min(
            max(self._exact_starts.get(first.text, 0), self._folded_starts.get(first.base, 0)),
            len(tokens) - index,
        )
        for length in range(longest, 0, -1):
            window = tokens[index : index + length]
            term = self._term_for(window)
            if term is not None:
                start, end = window[0].start, window[-1].end
                return TermMatch(term, index, index + length, start, end, text[start:end])
        return None


def past_tense_key(key: tuple[str, ...]) -> tuple[str, ...] | None:
    """The phrase key with its last gerund in the past tense ("usability testing" -> "usability tested")."""
    last = key[-1] if key else ""
    if not last.isalpha() or len(last) < _MIN_GERUND_CHARS or not last.endswith(_GERUND):
        return None
    return (*key[:-1], last.removesuffix(_GERUND) + _PAST_TENSE)


def name_variants(name: str) -> list[str]:
    """A name as written, and without its bracketed parts or trailing ", qualifier" ("CCRN (Adult)")."""
    whole = normalise_whitespace(name)
    bare = normalise_whitespace(_BRACKETED_RE.sub(" ", whole)).split(",")[0].strip()
    return list(dict.fromkeys(variant for variant in (whole, bare) if variant))


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
        title_phrases={
            tuple(token.lower for token in tokenize(phrase)): rank
            for phrase, rank in dict(data["title_phrases"]).items()
        },
    )
    return Vocabulary(folded, exact, lexicon, max_tokens)


@cache
def base_vocabulary() -> Vocabulary:
    """The curated vocabulary shipped with the package (loaded once, on first use)."""
    raw = resources.files(_DATA_PACKAGE).joinpath(_DATA_FILE).read_text(encoding="utf-8")
    return _build(json.loads(raw))
