"""The words an edit is made of, for the provenance check: tokens, their comparison keys, what each number
is bound to, acronyms spelled out beside themselves, and disguised text.

Words are compared after NFKC, casefolding and accent folding, with Unicode word segmentation (``\\w``) and
no capitalisation heuristics. One tokenising regex with no nested repetition; everything else is look-ups.
"""

from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import NamedTuple

from shared.tailoring.facts import spells_acronym
from shared.tailoring.provenance_words import (
    ATTENUATING_WORDS,
    GLUE_WORDS,
    IRREGULAR_FORMS,
    NEUTRAL_SUBSTITUTIONS,
    NUMBER_WORDS,
    RATE_PERIODS,
    SUMMARY_FRAME_WORDS,
)

_TOKEN_RE = re.compile(
    r"(?P<abbr>(?:[^\W\d_]\.){2,})"  # B.S., U.S., Ph.D.
    r"|(?P<num>\d+(?:[.,]\d+)*)"
    r"|(?P<word>\w+)"
    r"|(?P<sym>[$€£¥₹+~#@%\u00d7])"  # \u00d7: the multiplication sign
    r"|(?P<end>[.!?;:](?=\s|$)|\n)"
)
_ORDINAL_SUFFIXES = frozenset({"st", "nd", "rd", "th"})
_PERCENTILE_RE = re.compile(r"p(\d{2,3})")
# Inflectional endings (English, German, French, Spanish), longest first; derivational ones ("-er", "-or")
# are left out on purpose, so "manager" never traces to "managed".
_SUFFIXES = (
    "ingly", "ings", "ing", "ied", "ies", "ed", "es", "s", "ly",
    "ungen", "ung", "en",
    "ees", "ee",
    "aciones", "acion", "ciones", "cion", "ando", "iendo", "ados", "adas", "ado", "ada",
    "idos", "idas", "ido", "ida", "aron", "ieron", "os", "as", "o", "a",
)  # fmt: skip
# German "-iert", "-ieren", "-ierung" all come from one "-ier" stem.
_REPLACED_SUFFIXES = (
    ("ierungen", "ier"),
    ("ierung", "ier"),
    ("ierten", "ier"),
    ("ierte", "ier"),
    ("iert", "ier"),
    ("ieren", "ier"),
)
_MIN_STEM = 3
_UNDOUBLED = frozenset("bdfgmnprt")
YEAR_WORDS = frozenset({"year", "yr", "jahr", "jahre", "jahren", "an", "ans", "annee", "anos", "ano"})
_RATE_LINKS = frozenset({"per", "a", "an", "each", "pro", "par", "por", "al"})
_DISGUISE_CATEGORIES = frozenset({"Cf", "Mn", "Me", "Co", "Cs"})
_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE")
_NO_SPACE_SCRIPTS = ("CJK", "HIRAGANA", "KATAKANA", "HANGUL", "THAI")
_BINDING_WINDOW = 4
_BRACKETED_RE = re.compile(r"\(([^()]{1,80})\)")
_MAX_EXPANSION_WORDS = 6
_MIN_ACRONYM_LETTERS = 3
_SPAN_STEMS = frozenset({"year", "decad", "month", "jahr", "ano", "an", "annee", "mes", "moi", "monat"})
_YEAR_RE = re.compile(r"(?:19|20)\d\d")
MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip


class Word(NamedTuple):
    """One token: its surface, its comparison key, its kind and where it is."""

    surface: str
    key: str
    kind: str  # "word", "number", "symbol" or "end"
    start: int
    end: int


def fold(text: str) -> str:
    """NFKC, casefolded, without accents: the form words are compared in."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@lru_cache(maxsize=16_384)
def _fold_word(word: str) -> str:
    """``fold`` for one token; a CV repeats its words, so each is folded once."""
    return fold(word)


@lru_cache(maxsize=16_384)
def stem(word: str) -> str:
    """A conservative inflection-free form: irregular forms to their base, one inflectional ending off,
    a doubled final consonant undone ("cutting" → "cut"), a final "e" off ("saved", "save" → "sav")."""
    base = IRREGULAR_FORMS.get(word, word)
    for suffix, replacement in _REPLACED_SUFFIXES:
        if base.endswith(suffix):
            return base[: -len(suffix)] + replacement
    for suffix in _SUFFIXES:
        if base.endswith(suffix) and len(base) - len(suffix) >= _MIN_STEM:
            base = base[: -len(suffix)]
            if len(base) > _MIN_STEM and base[-1] == base[-2] and base[-1] in _UNDOUBLED:
                base = base[:-1]
            break
    if base.endswith("e") and len(base) > _MIN_STEM:
        base = base[:-1]
    return base


def words(text: str) -> list[Word]:
    """The tokens of ``text`` with their keys, in order."""
    found: list[Word] = []
    for match in _TOKEN_RE.finditer(text):
        kind = match.lastgroup or "word"
        surface = match.group(0)
        if kind == "end":
            found.append(Word(surface, ".", "end", match.start(), match.end()))
            continue
        if kind == "abbr":
            kind, key = "word", _fold_word(surface.replace(".", ""))
        elif kind == "num":
            key = surface.replace(",", ".")
            kind = "number"
        elif kind == "sym":
            key = surface
            kind = "symbol"
        else:
            key = _fold_word(surface)
            if key in NUMBER_WORDS:
                key, kind = NUMBER_WORDS[key], "number"
        found.append(Word(surface, key, kind, match.start(), match.end()))
    return found


def word_keys(word: Word) -> set[str]:
    """Every key a source word lets an edit use: itself, its stem, and what it evidences."""
    keys = {word.key}
    if word.kind != "word":
        return keys
    keys.add(stem(word.key))
    percentile = _PERCENTILE_RE.fullmatch(word.key)
    if percentile:
        keys.add(percentile.group(1))
    return keys


def is_free(word: Word) -> bool:
    return word.kind == "end" or (
        word.kind == "word" and (word.key in GLUE_WORDS or word.key in _ORDINAL_SUFFIXES)
    )


def traces(word: Word, keys: set[str]) -> bool:
    if word.key in keys or (word.kind == "word" and stem(word.key) in keys):
        return True
    substitutes = NEUTRAL_SUBSTITUTIONS.get(word.key)
    return substitutes is not None and not substitutes.isdisjoint(keys)


def no_space_script(word: Word) -> bool:
    return any(
        unicodedata.name(char, "").startswith(_NO_SPACE_SCRIPTS)
        for char in word.surface
        if ord(char) > 0x2E7F
    )


def disguised(text: str, source_chars: frozenset[str]) -> list[str]:
    """The characters or words of ``text`` that hide what they say; empty when the text is plain."""
    hidden: list[str] = []
    for char in set(text):
        if char in source_chars or char.isspace():
            continue
        if unicodedata.category(char) in _DISGUISE_CATEGORIES or unicodedata.normalize("NFKC", char) != char:
            hidden.append(f"U+{ord(char):04X}")
    for word in words(unicodedata.normalize("NFC", text)):
        if word.kind == "word" and not word.surface.isascii():
            scripts = {
                script
                for char in word.surface
                for script in _SCRIPTS
                if unicodedata.name(char, "").startswith(script)
            }
            if len(scripts) > 1:
                hidden.append(word.surface)
    return sorted(hidden)


class Bindings:
    """What each number of a text is bound to: the word it counts, its symbol, the period of a rate."""

    def __init__(self, tokens: Sequence[Word]) -> None:
        self.following: dict[str, set[str]] = {}
        self.preceding: dict[str, set[str]] = {}
        self.periods: dict[str, set[str]] = {}
        # For "N years …" / "N decades …": the word the span is spent on ("eight years at the bedside").
        self.spent_on: dict[str, set[str]] = {}
        for index, token in enumerate(tokens):
            # A year is a date, not a count: "In 2023, cut ..." binds 2023 to nothing.
            if token.kind != "number" or _YEAR_RE.fullmatch(token.key):
                continue
            self.following.setdefault(token.key, set()).add(_next_counted(tokens, index))
            before = tokens[index - 1] if index else None
            if before is not None and before.kind == "symbol":
                self.preceding.setdefault(token.key, set()).add(before.key)
            self.periods.setdefault(token.key, set()).update(_rate_periods(tokens, index))
            spent_on = _spent_on(tokens, index)
            if spent_on is not None:
                self.spent_on.setdefault(token.key, set()).add(spent_on)


def _next_counted(tokens: Sequence[Word], index: int) -> str:
    """The key of the word or symbol right after a number, skipping glue; "" at a boundary. In a range the
    numbers share the unit after the last one: "from 74 to 19 minutes" counts minutes for both."""
    for token in tokens[index + 1 : index + 1 + _BINDING_WINDOW]:
        if token.kind == "end":
            return ""
        if token.kind == "number":
            continue
        if token.kind == "symbol" or not is_free(token):
            return token.key if token.kind == "symbol" else stem(token.key)
    return ""


def _spent_on(tokens: Sequence[Word], index: int) -> str | None:
    """After "N years" (or decades, months): the first word that says what they were spent on."""
    following = tokens[index + 1 : index + 3 + _BINDING_WINDOW]
    if not following or following[0].kind != "word" or stem(following[0].key) not in _SPAN_STEMS:
        return None
    for token in following[1:]:
        if token.kind == "end":
            return ""
        if not is_free(token) and token.key not in SUMMARY_FRAME_WORDS:
            return token.key if token.kind != "word" else stem(token.key)
    return ""


_RATE_STEMS = frozenset(stem(period) for period in RATE_PERIODS)


def _rate_periods(tokens: Sequence[Word], index: int) -> set[str]:
    found: set[str] = set()
    window = tokens[index + 1 : index + 2 + _BINDING_WINDOW]
    for first, second in itertools.pairwise(window):
        if first.kind == "end":
            break
        if first.key in _RATE_LINKS and stem(second.key) in _RATE_STEMS:
            found.add(stem(second.key))
    return found


_MAGNITUDE_STEMS = frozenset(
    stem(word)
    for word in (
        "%", "percent", "thousand", "million", "billion", "trillion", "k", "m", "bn", "mm",
        "tausend", "millionen", "milliarden", "mille", "millions", "milliards", "mil", "millones",
    )
)  # fmt: skip


def binding_gaps(new: Sequence[Word], source: Bindings) -> list[str]:
    gaps: list[str] = []
    candidate = Bindings(new)
    # Only numbers the source states in words are bound; a number that traces to a date field is not.
    for number, following in candidate.following.items():
        if number not in source.following:
            continue
        changed = following - source.following[number]
        gaps.extend(f"{number} {counted}" for counted in changed if counted)
        # A magnitude must stay, too: "2 million events" cut to "… processes 2" is a smaller number.
        if "" in changed and not source.following[number].isdisjoint(_MAGNITUDE_STEMS):
            gaps.append(f"{number} without its magnitude")
        symbols = candidate.preceding.get(number, set()) - source.preceding.get(number, set())
        gaps.extend(f"{symbol}{number}" for symbol in symbols)
        periods = candidate.periods.get(number, set()) - source.periods.get(number, set())
        gaps.extend(f"{number} per {period}" for period in periods)
    return gaps


def attenuators(tokens: Iterable[Word]) -> set[str]:
    return {token.key for token in tokens if token.kind == "word" and token.key in ATTENUATING_WORDS}


def dropped_attenuators(source: Iterable[Word], new: Sequence[Word]) -> list[str]:
    kept = {token.key for token in new} | {stem(token.key) for token in new if token.kind == "word"}
    dropped = []
    for word in sorted(attenuators(source)):
        equivalents = {word, stem(word), *NEUTRAL_SUBSTITUTIONS.get(word, ())}
        if kept.isdisjoint(equivalents):
            dropped.append(f"-{word}")
    return dropped


def source_acronyms(tokens: Iterable[Word]) -> set[str]:
    """The source's acronyms ("LTL", "SLOs"), as folded letters; two letters are too ambiguous to expand."""
    found: set[str] = set()
    for token in tokens:
        surface = token.surface[:-1] if token.surface.endswith("s") else token.surface
        if (
            token.kind == "word"
            and surface.isalpha()
            and surface.isupper()
            and len(surface) >= _MIN_ACRONYM_LETTERS
        ):
            found.add(fold(surface))
    return found


def expansion_spans(text: str, tokens: Sequence[Word], acronyms: set[str]) -> list[tuple[int, int]]:
    """Spans of ``text`` that spell out a source acronym right beside it: "less-than-truckload (LTL)" or
    "LTL (less-than-truckload)". The acronym states the fact; the spelled-out form beside it adds none."""
    spans: list[tuple[int, int]] = []
    starts = [token.start for token in tokens]
    for match in _BRACKETED_RE.finditer(text):
        first_inside = bisect.bisect_left(starts, match.start(1))
        after_inside = bisect.bisect_left(starts, match.end(1))
        inside = [token for token in tokens[first_inside:after_inside] if token.kind == "word"]
        before = [
            token
            for token in tokens[max(0, first_inside - _MAX_EXPANSION_WORDS) : first_inside]
            if token.kind == "word"
        ]
        if len(inside) == 1 and fold(inside[0].surface.rstrip("s")) in acronyms:
            letters = fold(inside[0].surface.rstrip("s"))
            for size in range(1, len(before) + 1):
                phrase = before[-size:]
                if spells_acronym(letters, [token.key for token in phrase]):
                    spans.append((phrase[0].start, phrase[-1].end))
                    break
        elif (
            before
            and inside
            and fold(before[-1].surface.rstrip("s")) in acronyms
            and spells_acronym(fold(before[-1].surface.rstrip("s")), [token.key for token in inside])
        ):
            spans.append((inside[0].start, inside[-1].end))
    return spans
