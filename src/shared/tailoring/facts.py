"""Fact extraction: the numbers, dates, technologies, skills, credentials, names, titles and links in a text.

The guard compares the facts of an edit with the facts of its source, and the evaluation counts
fabricated and dropped facts with the same functions, so both agree on what a fact is.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import cache
from typing import Any, NamedTuple

from shared.tailoring.experience import experience_years
from shared.tailoring.text import Token, gap_breaks_phrase, normalise_whitespace, tokenize
from shared.tailoring.vocabulary import Lexicon, TermKind, TermMatch, Vocabulary, base_vocabulary

_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9,
    "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}  # fmt: skip
_MONTH_ALTERNATION = "|".join(sorted(_MONTHS, key=len, reverse=True))
_YEAR = r"(?:19[5-9]\d|20[0-4]\d)"

# The address and domain branches start only where a run of their characters starts: from any later
# position they would rescan the rest of the run ("one-one-one-…"), quadratic work on a crafted CV.
_LINK_RE = re.compile(
    r"(?:https?://|www\.)[^\s<>()\[\]]+"
    r"|(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|(?<![a-z0-9.-])[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|org|net|io|dev|ai|co|uk|edu|gov|app)\b(?:/[^\s<>()]*)?"
)
_ISO_DATE_RE = re.compile(rf"(?<![\d-])({_YEAR})-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01]))?(?![\d])")
_SLASH_DATE_RE = re.compile(rf"(?<![\d/])(0?[1-9]|1[0-2])/({_YEAR})(?![\d])")
_MONTH_YEAR_RE = re.compile(
    rf"\b({_MONTH_ALTERNATION})\.?,?\s+(?:\d{{1,2}}(?:st|nd|rd|th)?,?\s+)?({_YEAR})(?![\d])", re.IGNORECASE
)
_QUARTER_RE = re.compile(rf"\b([QH][1-4])(?:\s*,?\s*({_YEAR}))?(?![\w])")
_YEAR_RE = re.compile(rf"(?<![\w$€£¥.,])(?:FY\s?)?({_YEAR})(?![\w%+]|[.,]\d)")
_MONTH_NAME_RE = re.compile(
    r"\b(January|February|March|April|June|July|August|September|October|November|December)\b"
)

_NUMBER_RE = re.compile(
    r"(?<![\w.,/])(?P<currency>[$€£¥₹]\s?)?(?P<integer>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<fraction>\d+))?"
    r"(?:(?P<short_scale>bn|mm|[kKmMbB])(?!\w)|\s?(?P<word_scale>thousand|million|billion|trillion)\b)?"
    r"(?P<ordinal>st|nd|rd|th)?"
    r"(?P<unit>\s?%|\s?(?:percent|per\s?cent|pct)\b|\s?[x\u00d7](?!\w)|-?fold\b)?"
    r"(?!\w)"
)
_SCALES = {
    "k": Decimal(1000), "thousand": Decimal(1000), "m": Decimal(1_000_000), "mm": Decimal(1_000_000),
    "million": Decimal(1_000_000), "b": Decimal(1_000_000_000), "bn": Decimal(1_000_000_000),
    "billion": Decimal(1_000_000_000), "trillion": Decimal(1_000_000_000_000),
}  # fmt: skip
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "dozen": 12,
}  # fmt: skip
_NUMBER_MULTIPLIERS = {"hundred": 100, "thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000}
_MULTIPLIER_WORDS = {
    "doubled": "2x", "twice": "2x", "twofold": "2x", "tripled": "3x", "threefold": "3x", "quadrupled": "4x",
    "fourfold": "4x", "fivefold": "5x", "tenfold": "10x", "halved": "0.5x",
}  # fmt: skip
_VAGUE_QUANTITIES = frozenset({"dozens", "hundreds", "thousands", "millions", "billions"})
_PERCENT_WORDS = frozenset({"percent", "pct"})
_NUMBER_WORD_PATTERN = "|".join(sorted([*_NUMBER_WORDS, *_NUMBER_MULTIPLIERS], key=len, reverse=True))
_YEARS_CLAIM_RE = re.compile(
    # At most four number words ("twenty-five", "one hundred twenty"): an unbounded run made every start
    # position rescan the whole "one-one-one-…" string, quadratic work on a crafted CV.
    rf"(?<![\w.])(?P<count>\d+(?:\.\d+)?|(?:{_NUMBER_WORD_PATTERN})(?:[\s-]+(?:{_NUMBER_WORD_PATTERN})){{0,3}})"
    r"\s*\+?\s*-?\s*(?:full[\s-]+)?(?:years?|yrs?)\b(?!\s+old)",
    re.IGNORECASE,
)
_DECADES_RE = re.compile(
    r"\b(?:(?P<single>a|one)\s+decade|(?P<count>two|three|four|2|3|4)\s+decades)\b", re.IGNORECASE
)
_DECADE_COUNTS = {"two": 2, "three": 3, "four": 4, "2": 2, "3": 3, "4": 4}
_TITLE_LOOKAHEAD = 2
# Two-letter acronyms are too ambiguous ("TF" is TensorFlow or Terraform) to take a spelled-out form on trust.
_MIN_ACRONYM_LETTERS = 3
# Words before a name that make it an employer or client, even when it is a product's maker.
_EMPLOYER_CUES = frozenset({"at", "for", "joined", "join", "joining", "by"})
_INITIALISM_SKIPPED = frozenset({"of", "and", "the", "for", "to", "in", "on", "a", "an", "&"})
_OPEN_BRACKET_RE = re.compile(r"\s*\(\s*")
_CLOSE_BRACKET_RE = re.compile(r"\s*\)")
_MAX_TITLE_PHRASE_TOKENS = 3
_PHRASE_JOINER_RE = re.compile(r"[\s\-\u2010-\u2013]+")
_RANK, _MODIFIER, _MODIFIER_OR_ROLE, _ROLE = "rank", "modifier", "modifier_or_role", "role"
_HEAD, _LEAD = "head", "lead"
CERTIFIED_KEY = "certified"
_TIMES_SIGN = "\u00d7"
# Units a person can lead or head: "Team Lead", "Department Head".
_TEAM_WORDS = frozenset(
    {
        "team", "tech", "technical", "project", "programme", "program", "shift", "ward", "department",
        "faculty", "section", "unit", "kitchen", "store", "site", "crew",
    }
)  # fmt: skip


class FactKind(StrEnum):
    NUMBER = "number"
    DATE = "date"
    TECHNOLOGY = "technology"
    SKILL = "skill"
    CREDENTIAL = "credential"
    ORGANISATION = "organisation"
    TITLE = "title"
    LINK = "link"


_TERM_FACT_KINDS = {
    TermKind.TECHNOLOGY: FactKind.TECHNOLOGY,
    TermKind.SKILL: FactKind.SKILL,
    TermKind.CREDENTIAL: FactKind.CREDENTIAL,
    TermKind.ORGANISATION: FactKind.ORGANISATION,
}


class Fact(NamedTuple):
    """One fact: its kind, a normalised key (aliases share it) and the words that stated it."""

    kind: FactKind
    key: str
    surface: str


class TitleClaim(NamedTuple):
    """A job title stated in a text: its rank words (senior, manager) and role nouns (engineer)."""

    ranks: frozenset[str]
    roles: frozenset[str]
    surface: str

    @property
    def key(self) -> str:
        return " ".join([*sorted(self.ranks), *sorted(self.roles)])


class YearsClaim(NamedTuple):
    """A stated length of experience, such as "8+ years" or "a decade"."""

    years: Decimal
    surface: str


@dataclass(frozen=True)
class TextFacts:
    """Everything fact-like found in one text (or several, merged)."""

    facts: tuple[Fact, ...] = ()
    titles: tuple[TitleClaim, ...] = ()
    years_claims: tuple[YearsClaim, ...] = ()
    word_stems: frozenset[str] = frozenset()
    _keys: dict[FactKind, frozenset[str]] = field(default_factory=dict, repr=False, compare=False)

    def keys(self, kind: FactKind) -> frozenset[str]:
        cached = self._keys.get(kind)
        if cached is None:
            cached = frozenset(fact.key for fact in self.facts if fact.kind is kind)
            self._keys[kind] = cached
        return cached

    def of_kind(self, kind: FactKind) -> list[Fact]:
        return [fact for fact in self.facts if fact.kind is kind]

    def surface(self, kind: FactKind, key: str) -> str:
        return next((fact.surface for fact in self.facts if fact.kind is kind and fact.key == key), key)

    @staticmethod
    def merge(parts: Iterable[TextFacts]) -> TextFacts:
        collected = list(parts)
        return TextFacts(
            facts=tuple(fact for part in collected for fact in part.facts),
            titles=tuple(claim for part in collected for claim in part.titles),
            years_claims=tuple(claim for part in collected for claim in part.years_claims),
            word_stems=frozenset().union(*(part.word_stems for part in collected)),
        )


class FactDiff(NamedTuple):
    """Facts one text has that another lacks, in both directions."""

    added: tuple[Fact, ...]
    removed: tuple[Fact, ...]


# --------------------------------------------------------------------------------------------- numbers


def _normalise_decimal(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _number_key(match: re.Match[str]) -> str | None:
    try:
        value = Decimal(
            match["integer"].replace(",", "") + ("." + match["fraction"] if match["fraction"] else "")
        )
    except InvalidOperation:
        return None
    scale = (match["short_scale"] or match["word_scale"] or "").lower()
    if scale:
        value *= _SCALES[scale]
    currency = (match["currency"] or "").strip()
    unit = (match["unit"] or "").strip().lower()
    suffix = "%" if unit in {"%", "percent", "pct"} or unit.startswith("per") else ""
    if unit in {"x", _TIMES_SIGN} or unit.endswith("fold"):
        suffix = "x"
    return f"{currency}{_normalise_decimal(value)}{suffix}"


def _number_word_value(words: Sequence[str]) -> int:
    total, current = 0, 0
    for word in words:
        if word in _NUMBER_WORDS:
            current += _NUMBER_WORDS[word]
        elif word == "hundred":
            current = max(current, 1) * 100
        elif word in _NUMBER_MULTIPLIERS:
            total += max(current, 1) * _NUMBER_MULTIPLIERS[word]
            current = 0
    return total + current


def _number_word_facts(text: str, tokens: Sequence[Token], consumed: set[int]) -> Iterator[Fact]:
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if index in consumed:
            index += 1
            continue
        if token.lower in _MULTIPLIER_WORDS:
            consumed.add(index)
            yield Fact(FactKind.NUMBER, _MULTIPLIER_WORDS[token.lower], token.text)
            index += 1
            continue
        if token.lower in _VAGUE_QUANTITIES:
            consumed.add(index)
            yield Fact(FactKind.NUMBER, token.lower, token.text)
            index += 1
            continue
        run = _number_word_run(text, tokens, index, consumed)
        if not run:
            index += 1
            continue
        words = [tokens[position].lower for position in run]
        stop = run[-1] + 1
        # "one" alone is an article more often than a count ("one of the", "one-to-one").
        if words != ["one"]:
            consumed.update(run)
            suffix = ""
            if stop < len(tokens) and tokens[stop].lower in _PERCENT_WORDS:
                consumed.add(stop)
                suffix = "%"
            yield Fact(
                FactKind.NUMBER,
                f"{_number_word_value(words)}{suffix}",
                text[tokens[run[0]].start : tokens[run[-1]].end],
            )
        index = stop


def _number_word_run(text: str, tokens: Sequence[Token], index: int, consumed: set[int]) -> list[int]:
    """Adjacent number words joined by spaces or hyphens ("twenty-five", "two hundred")."""
    run: list[int] = []
    position = index
    while position < len(tokens) and position not in consumed:
        word = tokens[position].lower
        if word not in _NUMBER_WORDS and word not in _NUMBER_MULTIPLIERS:
            break
        if run and re.search(r"[^\s-]", text[tokens[run[-1]].end : tokens[position].start]):
            break
        run.append(position)
        position += 1
    return run


# --------------------------------------------------------------------------------------------- dates


def date_spans(text: str) -> Iterator[tuple[int, int, list[str]]]:
    """(start, end, keys) for every date; keys run from the most precise to the year."""
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= left or start >= right for left, right in taken)

    for match in _ISO_DATE_RE.finditer(text):
        year, month, day = match.group(1), match.group(2), match.group(3)
        keys = [f"{year}-{month}-{day}"] if day else []
        taken.append(match.span())
        yield match.start(), match.end(), [*keys, f"{year}-{month}", year]
    for match in _SLASH_DATE_RE.finditer(text):
        if free(*match.span()):
            taken.append(match.span())
            yield match.start(), match.end(), [f"{match.group(2)}-{int(match.group(1)):02d}", match.group(2)]
    for match in _MONTH_YEAR_RE.finditer(text):
        if free(*match.span()):
            month = _MONTHS[match.group(1).lower()]
            taken.append(match.span())
            yield match.start(), match.end(), [f"{match.group(2)}-{month:02d}", match.group(2)]
    for match in _QUARTER_RE.finditer(text):
        if free(*match.span()):
            period, year = match.group(1).upper(), match.group(2)
            taken.append(match.span())
            yield match.start(), match.end(), [f"{year}-{period}", year] if year else [period]
    for match in _YEAR_RE.finditer(text):
        if free(*match.span()):
            taken.append(match.span())
            yield match.start(), match.end(), [match.group(1)]
    for match in _MONTH_NAME_RE.finditer(text):
        if free(*match.span()):
            taken.append(match.span())
            yield match.start(), match.end(), [f"month-{_MONTHS[match.group(1).lower()]:02d}"]


def years_claims(text: str) -> list[YearsClaim]:
    """Stated lengths of experience: "8 years", "five+ yrs", "over a decade"."""
    claims: list[YearsClaim] = []
    for match in _YEARS_CLAIM_RE.finditer(text):
        count = match["count"]
        if count[0].isdigit():
            years = Decimal(count)
        else:
            words = [word for word in re.split(r"[\s-]+", count.lower()) if word]
            years = Decimal(_number_word_value(words))
        claims.append(YearsClaim(years, match.group(0).strip()))
    for match in _DECADES_RE.finditer(text):
        decades = 1 if match["single"] else _DECADE_COUNTS[match["count"].lower()]
        claims.append(YearsClaim(Decimal(10 * decades), match.group(0)))
    return claims


# --------------------------------------------------------------------------------------------- titles


class _TitleWord(NamedTuple):
    """A word of a possible job title, or a multi-word qualifier ("mid-market"), and what it is."""

    first: int
    stop: int
    kind: str
    rank: str
    role: str
    plural: bool = False


class _TitleParts(NamedTuple):
    """A title phrase's ranks and roles, and lone qualifiers that count only in a title field."""

    ranks: frozenset[str]
    roles: frozenset[str]
    loose: frozenset[str]
    surface: str


def _single_kind(token: Token, lexicon: Lexicon) -> str:
    if token.lower in lexicon.ranks or token.lower in lexicon.rank_aliases:
        return _RANK
    if token.lower in lexicon.modifiers and token.base not in lexicon.roles:
        return _MODIFIER
    if token.lower in lexicon.modifiers:
        return _MODIFIER_OR_ROLE
    if token.base in lexicon.roles:
        return _ROLE
    return ""


def _title_phrase_at(
    text: str, tokens: Sequence[Token], index: int, lexicon: Lexicon
) -> tuple[int, str] | None:
    """(stop, rank) for a multi-word qualifier starting at ``index``, joined by spaces or hyphens only."""
    for length in range(min(_MAX_TITLE_PHRASE_TOKENS, len(tokens) - index), 1, -1):
        window = tokens[index : index + length]
        rank = lexicon.title_phrases.get(tuple(token.lower for token in window))
        joined = all(
            _PHRASE_JOINER_RE.fullmatch(text[left.end : right.start])
            for left, right in itertools.pairwise(window)
        )
        if rank is not None and joined:
            return index + length, rank
    return None


def _title_words(text: str, tokens: Sequence[Token], lexicon: Lexicon, exempt: set[int]) -> list[_TitleWord]:
    words: list[_TitleWord] = []
    index = 0
    while index < len(tokens):
        phrase = _title_phrase_at(text, tokens, index, lexicon)
        if phrase is not None and not exempt.intersection(range(index, phrase[0])):
            stop, rank = phrase
            kind = _RANK if rank in lexicon.ranks else _MODIFIER
            words.append(_TitleWord(index, stop, kind, lexicon.canonical_rank(rank), rank))
            index = stop
            continue
        token = tokens[index]
        kind = "" if index in exempt else _single_kind(token, lexicon)
        rank, plural = lexicon.canonical_rank(token.lower), token.base != token.lower
        words.append(_TitleWord(index, index + 1, kind, rank, token.base, plural))
        index += 1
    return words


def _title_groups(
    text: str, tokens: Sequence[Token], words: list[_TitleWord], lexicon: Lexicon
) -> list[list[int]]:
    """Runs of title words, allowing up to two untitled words inside ("Senior Backend Software Engineer")."""
    groups: list[list[int]] = []
    index = 0
    while index < len(words):
        if not words[index].kind:
            index += 1
            continue
        members = [index]
        position = index + 1
        while position < len(words):
            previous = tokens[words[position - 1].stop - 1]
            current = tokens[words[position].first]
            abbreviated = (
                previous.lower in lexicon.rank_aliases and text[previous.end : current.start].strip() == "."
            )
            if gap_breaks_phrase(text, previous, current) and not abbreviated:
                break
            if words[position].kind:
                members.append(position)
                position += 1
                continue
            ahead = range(position + 1, min(position + 1 + _TITLE_LOOKAHEAD, len(words)))
            if any(words[later].kind for later in ahead):
                position += 1
                continue
            break
        groups.append(members)
        index = members[-1] + 1
    return groups


def _title_parts(
    text: str, tokens: Sequence[Token], words: list[_TitleWord], members: list[int], lexicon: Lexicon
) -> _TitleParts:
    ranks: set[str] = set()
    roles: set[str] = set()
    plural_roles: list[bool] = []
    modifiers: list[_TitleWord] = []
    for offset, position in enumerate(members):
        word = words[position]
        if word.kind == _RANK:
            ranks.add(word.rank)
        elif word.kind == _ROLE or (word.kind == _MODIFIER_OR_ROLE and offset == len(members) - 1):
            roles.add(word.role)
            plural_roles.append(word.plural)
        else:
            modifiers.append(word)
    first, last = words[members[0]], words[members[-1]]
    previous = tokens[first.first - 1].lower if first.first > 0 else ""
    following = tokens[last.stop].lower if last.stop < len(tokens) else ""
    loose: set[str] = set()
    if modifiers and (ranks or roles or len(modifiers) > 1):
        ranks.update(word.rank for word in modifiers)
    elif modifiers and modifiers[0].rank == _HEAD and (following == "of" or previous in _TEAM_WORDS):
        ranks.add(_HEAD)
    else:
        loose.update(word.rank for word in modifiers)
    if _LEAD in roles and previous in _TEAM_WORDS:
        roles.discard(_LEAD)
        ranks.add(_LEAD)
    if ranks and ranks <= lexicon.diminishing and plural_roles and all(plural_roles):
        # "Trained 30 junior soldiers" names other people's rank, and claims nothing above the CV's.
        loose |= ranks
        ranks = set()
    surface = text[tokens[first.first].start : tokens[last.stop - 1].end]
    return _TitleParts(frozenset(ranks), frozenset(roles), frozenset(loose), surface)


def _title_claims(
    text: str, tokens: Sequence[Token], lexicon: Lexicon, exempt: set[int]
) -> tuple[list[TitleClaim], set[int]]:
    """Title claims (a role with a rank or seniority word) and the tokens they use.

    Tokens in ``exempt`` (a certificate's name, such as "Food Safety Supervisor Certificate") are no
    title's words.
    """
    words = _title_words(text, tokens, lexicon, exempt)
    claims: list[TitleClaim] = []
    used: set[int] = set()
    for members in _title_groups(text, tokens, words, lexicon):
        parts = _title_parts(text, tokens, words, members, lexicon)
        if parts.ranks:
            claims.append(TitleClaim(parts.ranks, parts.roles, parts.surface))
            used.update(
                index for position in members for index in range(words[position].first, words[position].stop)
            )
    return claims, used


def title_field_claim(text: str, vocabulary: Vocabulary) -> TitleClaim | None:
    """One claim for a whole title field, across its commas: "Account Executive, Mid-Market" is one title."""
    tokens = tokenize(text)
    lexicon = vocabulary.lexicon
    exempt = _credential_name_tokens(vocabulary, tokens)
    words = _title_words(text, tokens, lexicon, exempt)
    parts = [
        _title_parts(text, tokens, words, members, lexicon)
        for members in _title_groups(text, tokens, words, lexicon)
    ]
    ranks = frozenset().union(*(part.ranks | part.loose for part in parts))
    roles = frozenset().union(*(part.roles for part in parts))
    return TitleClaim(ranks, roles, normalise_whitespace(text)) if ranks or roles else None


def _credential_name_tokens(vocabulary: Vocabulary, tokens: Sequence[Token]) -> set[int]:
    return {index for first, stop in vocabulary.credential_name_spans(tokens) for index in range(first, stop)}


def title_supported(claim: TitleClaim, sources: Iterable[TitleClaim], lexicon: Lexicon) -> bool:
    """Supported when one source title holds the claim's ranks and roles, and no lesser rank is dropped."""
    elevating = claim.ranks - lexicon.diminishing
    for source in sources:
        if not elevating <= source.ranks:
            continue
        if not (source.ranks & lexicon.diminishing) <= claim.ranks:
            continue
        if claim.roles and not claim.roles <= source.roles:
            continue
        return True
    return False


# --------------------------------------------------------------------------------------------- extraction


def _is_name_candidate(token: Token, lexicon: Lexicon) -> bool:
    if len(token.text) < 2 or token.is_numeric or not token.text[0].isalpha():
        return False
    if not (token.is_acronym or (token.is_capitalised and not token.sentence_start)):
        return False
    return token.lower not in lexicon.common_words and token.base not in lexicon.common_words


def _mask(text: str, spans: Iterable[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _term_facts(
    text: str, tokens: Sequence[Token], outer: TermMatch, nested: Iterable[TermMatch], vocabulary: Vocabulary
) -> Iterator[Fact]:
    """Facts of a term and of the terms inside it, except the maker named in a product's name."""
    yield Fact(_TERM_FACT_KINDS[outer.term.kind], outer.term.key, outer.surface)
    previous = tokens[outer.first_token - 1].lower if outer.first_token > 0 else ""
    for inner in nested:
        # "Amazon" in "on Amazon SageMaker" names the product's maker, not an employer or client; in
        # "worked for Amazon Web Services" it names an employer all the same.
        vendor = inner.term.kind is TermKind.ORGANISATION and outer.term.kind is not TermKind.ORGANISATION
        if vendor and previous not in _EMPLOYER_CUES:
            continue
        # "AWS" in "AWS SageMaker" is a vendor prefix when the rest is the same product on its own; in
        # "AWS Lambda" it is not, so that one still states AWS.
        if not vendor and inner.first_token == outer.first_token and inner.end < outer.end:
            rest = vocabulary.lookup(text[inner.end : outer.end])
            if rest is not None and rest.key == outer.term.key:
                continue
        yield Fact(_TERM_FACT_KINDS[inner.term.kind], inner.term.key, inner.surface)


def spells_acronym(letters: str, words: Sequence[str]) -> bool:
    """True when ``letters`` abbreviate ``words`` in order: the first word's initial opens it, and every
    word other than "of", "and" and the like gives at least one letter ("LTL": Less-Than-truckLoad)."""

    def is_subsequence(part: str, word: str) -> bool:
        remaining = iter(word)
        return all(char in remaining for char in part)

    @cache
    def fits(letter: int, word: int) -> bool:
        if word == len(words):
            return letter == len(letters)
        current = words[word]
        optional = current in _INITIALISM_SKIPPED
        if optional and fits(letter, word + 1):
            return True
        for stop in range(letter + 1, len(letters) + 1):
            part = letters[letter:stop]
            if word == 0 and not (part[0] == current[0] and is_subsequence(part[1:], current[1:])):
                continue
            if is_subsequence(part, current) and fits(stop, word + 1):
                return True
        return False

    return bool(words) and fits(0, 0)


def _acronym_letters(token: Token) -> str:
    """The letters of an acronym token ("LTL", "SLOs" -> "slo"), or "" when it is not one."""
    text = token.text[:-1] if token.text.endswith("s") and token.text[:-1].isupper() else token.text
    letters = "".join(char for char in text if char.isalpha())
    return letters.lower() if len(letters) >= _MIN_ACRONYM_LETTERS and letters.isupper() else ""


def _defined_expansions(
    text: str, tokens: Sequence[Token], matches: Sequence[TermMatch], consumed: set[int], lexicon: Lexicon
) -> set[TermMatch]:
    """Terms spelled out beside their own acronym, "less-than-truckload (LTL)" or "LTL (less-than-truckload)".

    The acronym states the fact and is checked on its own, so the spelled-out form adds nothing. It
    only counts when the acronym yields a fact itself and is not a curated term for something else.
    """
    by_first = {match.first_token: match for match in matches}
    curated = base_vocabulary()
    defined: set[TermMatch] = set()
    for match in matches:
        if match.term.kind is TermKind.ORGANISATION:
            continue
        after, before = match.stop_token, match.first_token - 1
        if after < len(tokens) and _bracketed(text, tokens[after - 1].end, tokens[after]):
            acronym = after
        elif before >= 0 and _bracketed(
            text, tokens[before].end, tokens[match.first_token], closing=match.end
        ):
            acronym = before
        else:
            continue
        short = tokens[acronym]
        letters = _acronym_letters(short)
        if not letters or not spells_acronym(
            letters, [word.lower for word in tokens[match.first_token : match.stop_token]]
        ):
            continue
        known = curated.lookup(short.text)
        if known is not None and known.key != match.term.key:
            continue
        states_fact = acronym in by_first or (acronym not in consumed and _is_name_candidate(short, lexicon))
        if states_fact:
            defined.add(match)
    return defined


def _bracketed(text: str, left_end: int, inner: Token, closing: int | None = None) -> bool:
    """True when ``inner`` (or the text up to ``closing``) sits in brackets right after ``left_end``."""
    opened = _OPEN_BRACKET_RE.fullmatch(text[left_end : inner.start]) is not None
    close_from = inner.end if closing is None else closing
    return opened and _CLOSE_BRACKET_RE.match(text, close_from) is not None


def _overlapping_tokens(tokens: Sequence[Token], spans: Sequence[tuple[int, int]]) -> set[int]:
    """The indexes of the tokens that overlap any span: a bisect per token over the spans sorted by start,
    with the furthest end seen so far (comparing every token with every span was quadratic)."""
    ordered = sorted(spans)
    starts = [start for start, _ in ordered]
    furthest: list[int] = []
    for _, end in ordered:
        furthest.append(max(end, furthest[-1]) if furthest else end)
    overlapping: set[int] = set()
    for index, token in enumerate(tokens):
        before = bisect.bisect_left(starts, token.end)
        if before and furthest[before - 1] > token.start:
            overlapping.add(index)
    return overlapping


def extract_facts(text: str, vocabulary: Vocabulary) -> TextFacts:
    """All facts stated in one text."""
    facts: list[Fact] = []
    link_spans: list[tuple[int, int]] = []
    for match in _LINK_RE.finditer(text):
        link = match.group(0).rstrip(".,;:)")
        facts.append(Fact(FactKind.LINK, link.lower().removeprefix("https://").removeprefix("http://"), link))
        link_spans.append((match.start(), match.start() + len(link)))
    unlinked = _mask(text, link_spans)

    numeric_spans: list[tuple[int, int]] = []
    for start, end, keys in date_spans(unlinked):
        facts.extend(Fact(FactKind.DATE, key, unlinked[start:end]) for key in keys)
        numeric_spans.append((start, end))
    numbers: list[tuple[Fact, tuple[int, int]]] = []
    for match in _NUMBER_RE.finditer(_mask(unlinked, numeric_spans)):
        key = _number_key(match)
        if key is not None:
            numbers.append((Fact(FactKind.NUMBER, key, match.group(0).strip()), match.span()))
            numeric_spans.append(match.span())

    tokens = tokenize(unlinked)
    consumed = _overlapping_tokens(tokens, numeric_spans)
    term_matches: list[TermMatch] = vocabulary.match_tokens(unlinked, tokens)
    lexicon = vocabulary.lexicon
    defined = _defined_expansions(unlinked, tokens, term_matches, consumed, lexicon)
    for term_match in term_matches:
        consumed.update(range(term_match.first_token, term_match.stop_token))
        if term_match in defined:
            continue
        nested = vocabulary.nested_matches(unlinked, tokens, term_match)
        facts.extend(_term_facts(unlinked, tokens, term_match, nested, vocabulary))
    # A number inside a product's name ("Google Analytics 4", "Series 7") is part of the name, not a metric.
    facts.extend(
        fact
        for fact, (start, end) in numbers
        if not any(match.start <= start and end <= match.end for match in term_matches)
    )
    facts.extend(_number_word_facts(unlinked, tokens, consumed))

    exempt = _credential_name_tokens(vocabulary, tokens)
    titles, title_tokens = _title_claims(unlinked, tokens, lexicon, exempt)
    facts.extend(Fact(FactKind.TITLE, claim.key, claim.surface) for claim in titles)
    consumed.update(title_tokens)
    for index, token in enumerate(tokens):
        if index in consumed or not _is_name_candidate(token, lexicon):
            continue
        if token.base in lexicon.roles or token.lower in lexicon.modifiers or token.lower in lexicon.ranks:
            continue
        facts.append(Fact(FactKind.ORGANISATION, token.stem, token.text))

    return TextFacts(
        facts=tuple(facts),
        titles=tuple(titles),
        years_claims=tuple(years_claims(text)),
        word_stems=frozenset(word for token in tokens for word in (token.stem, token.lower)),
    )


def facts_diff(before: TextFacts, after: TextFacts, kinds: Iterable[FactKind] = tuple(FactKind)) -> FactDiff:
    """Facts added and removed between two texts, by kind and normalised key."""
    added: list[Fact] = []
    removed: list[Fact] = []
    for kind in kinds:
        new_keys = after.keys(kind) - before.keys(kind)
        lost_keys = before.keys(kind) - after.keys(kind)
        added.extend(Fact(kind, key, after.surface(kind, key)) for key in sorted(new_keys))
        removed.extend(Fact(kind, key, before.surface(kind, key)) for key in sorted(lost_keys))
    return FactDiff(tuple(added), tuple(removed))


# --------------------------------------------------------------------------------------------- documents

# Contact details and machine fields carry no claims about the candidate's experience.
_SKIPPED_KEYS = frozenset(
    {"email", "phone", "url", "image", "$schema", "meta", "address", "postalCode", "username"}
)
# Values of these keys are names of organisations, even at the start of the string.
_NAME_KEYS = frozenset({"name", "organization", "institution", "awarder", "issuer", "publisher", "entity"})
_NAME_SECTIONS = frozenset(
    {"work", "volunteer", "education", "awards", "certificates", "publications", "projects"}
)
# Values of these keys are job titles, the only places a title claim is established.
_TITLE_KEYS = frozenset({"position", "label", "roles"})


def iter_strings(document: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(path, text) for every string in a JSON document, skipping contact and machine fields."""
    if isinstance(document, str):
        yield path, document
    elif isinstance(document, Mapping):
        for key, value in document.items():
            if key in _SKIPPED_KEYS:
                continue
            yield from iter_strings(value, f"{path}.{key}" if path else str(key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            yield from iter_strings(value, f"{path}[{index}]")


def _path_keys(path: str) -> list[str]:
    return [part.split("[")[0] for part in path.split(".")]


class ResumeFacts(NamedTuple):
    """Facts of a whole CV: everything it states, and the subset that establishes job titles."""

    all: TextFacts
    title_fields: tuple[TitleClaim, ...]


def resume_facts(resume: Mapping[str, Any], vocabulary: Vocabulary) -> ResumeFacts:
    """Facts of every text in a CV, plus names from the employer and institution fields."""
    parts: list[TextFacts] = []
    title_claims: list[TitleClaim] = []
    for path, text in iter_strings(resume):
        facts = extract_facts(text, vocabulary)
        keys = _path_keys(path)
        if keys[-1] in _TITLE_KEYS:
            field_claim = title_field_claim(text, vocabulary)
            if field_claim is not None and field_claim not in facts.titles:
                facts = TextFacts.merge([facts, TextFacts(titles=(field_claim,))])
        if keys[-1] in _TITLE_KEYS or path == "basics.summary":
            title_claims.extend(facts.titles)
        if keys[-1] in _NAME_KEYS and keys[0] in _NAME_SECTIONS and text.strip():
            name_tokens = tokenize(text)
            # Every capitalised word of a name counts, even a common one ("Northwind Global").
            name_facts = tuple(
                Fact(FactKind.ORGANISATION, token.stem, token.text)
                for token in name_tokens
                if token.is_capitalised or token.is_numeric
            )
            facts = TextFacts.merge([facts, TextFacts(facts=name_facts)])
        parts.append(facts)
    certificates = resume.get("certificates")
    if isinstance(certificates, list) and certificates:
        # Holding a listed certificate is what "certified" claims, whatever the certificate's wording.
        parts.append(TextFacts(facts=(Fact(FactKind.CREDENTIAL, CERTIFIED_KEY, "certificates"),)))
    return ResumeFacts(all=TextFacts.merge(parts), title_fields=tuple(title_claims))


def name_present(fact: Fact, scope: TextFacts) -> bool:
    """A name is present when the scope states it, or uses each of its words (any case, any inflection)."""
    if fact.key in scope.keys(FactKind.ORGANISATION):
        return True
    return all(
        token.stem in scope.word_stems or token.lower in scope.word_stems for token in tokenize(fact.surface)
    )


def decimal_key(value: Decimal) -> str:
    """The number key of a decimal value, as the extractor writes it ("8", "1.5")."""
    return _normalise_decimal(value)


class FactAudit(NamedTuple):
    """Facts a tailored CV states that its source does not (fabricated), and the reverse (dropped)."""

    fabricated: tuple[Fact, ...]
    dropped: tuple[Fact, ...]


_KEYED_KINDS = (
    FactKind.NUMBER,
    FactKind.DATE,
    FactKind.TECHNOLOGY,
    FactKind.SKILL,
    FactKind.CREDENTIAL,
    FactKind.LINK,
)


def _unsupported(
    candidate: TextFacts, source: TextFacts, lexicon: Lexicon, exempt_numbers: set[str]
) -> list[Fact]:
    missing: list[Fact] = []
    for kind in _KEYED_KINDS:
        new_keys = candidate.keys(kind) - source.keys(kind)
        if kind is FactKind.NUMBER:
            new_keys -= exempt_numbers
        missing.extend(Fact(kind, key, candidate.surface(kind, key)) for key in sorted(new_keys))
    missing.extend(
        fact for fact in candidate.of_kind(FactKind.ORGANISATION) if not name_present(fact, source)
    )
    missing.extend(
        Fact(FactKind.TITLE, claim.key, claim.surface)
        for claim in candidate.titles
        if not title_supported(claim, source.titles, lexicon)
    )
    return missing


def audit_facts(
    source: Mapping[str, Any],
    tailored: Mapping[str, Any],
    vocabulary: Vocabulary,
    *,
    as_of: date,
) -> FactAudit:
    """Every fact one CV states and the other lacks, with the guard's own notion of a fact.

    A stated length of experience counts as fabricated only when it exceeds both the source's work
    dates and the longest length the source itself states.
    """
    before, after = resume_facts(source, vocabulary).all, resume_facts(tailored, vocabulary).all
    work = source.get("work")
    entries = [entry for entry in work if isinstance(entry, Mapping)] if isinstance(work, list) else []
    supported = max([experience_years(entries, as_of), *(claim.years for claim in before.years_claims)])
    claims = after.years_claims
    exempt = {decimal_key(claim.years) for claim in claims}
    fabricated = _unsupported(after, before, vocabulary.lexicon, exempt)
    fabricated.extend(
        Fact(FactKind.NUMBER, decimal_key(claim.years), claim.surface)
        for claim in claims
        if claim.years > supported
    )
    dropped = _unsupported(before, after, vocabulary.lexicon, set())
    return FactAudit(fabricated=tuple(fabricated), dropped=tuple(dropped))
