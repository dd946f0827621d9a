"""Provenance: every word an edit adds must be traced to the source items it rewrites or cites.

This check knows no fact types. A rewording may use the words of the item it rewrites (or their inflections),
glue words from a closed list, neutral substitutions and aliases the CV evidences; a summary sentence may use
the words of one source entry. Numbers keep the word they count and the period of a rate; words that weaken
a claim ("helped", "junior", "about") may not be dropped; "currently" and "since" belong only to an entry
that has not ended; lengths of experience are computed from the entry's dates.

Text is compared after NFKC, casefolding and accent folding; text that hides letters or digits behind
look-alikes, compatibility forms, format characters or marks the source does not use is refused whole.
Work is linear in the length of the texts: one tokenising pass (a regular expression with no nested
repetition) and set look-ups.
"""

from __future__ import annotations

import bisect
import itertools
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property, lru_cache
from typing import Any, NamedTuple

from shared.tailoring.experience import experience_years
from shared.tailoring.facts import spells_acronym
from shared.tailoring.provenance_words import (
    ATTENUATING_WORDS,
    DEGREE_ABBREVIATIONS,
    FORMER_WORDS,
    GLUE_WORDS,
    IRREGULAR_FORMS,
    NEUTRAL_SUBSTITUTIONS,
    NUMBER_WORDS,
    ONGOING_WORDS,
    RATE_PERIODS,
    SUMMARY_FRAME_WORDS,
    TURNED_WORDS,
)
from shared.tailoring.vocabulary import Vocabulary

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
_YEAR_WORDS = frozenset({"year", "yr", "jahr", "jahre", "jahren", "an", "ans", "annee", "anos", "ano"})
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
_MONTHS = (
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


def _word_keys(word: Word) -> set[str]:
    """Every key a source word lets an edit use: itself, its stem, and what it evidences."""
    keys = {word.key}
    if word.kind != "word":
        return keys
    keys.add(stem(word.key))
    percentile = _PERCENTILE_RE.fullmatch(word.key)
    if percentile:
        keys.add(percentile.group(1))
    return keys


def _is_free(word: Word) -> bool:
    return word.kind == "end" or (
        word.kind == "word" and (word.key in GLUE_WORDS or word.key in _ORDINAL_SUFFIXES)
    )


def _traces(word: Word, keys: set[str]) -> bool:
    if word.key in keys or (word.kind == "word" and stem(word.key) in keys):
        return True
    substitutes = NEUTRAL_SUBSTITUTIONS.get(word.key)
    return substitutes is not None and not substitutes.isdisjoint(keys)


def _no_space_script(word: Word) -> bool:
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


class _Bindings:
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
    """The key of the word or symbol right after a number, skipping glue; "" at a boundary."""
    for token in tokens[index + 1 : index + 1 + _BINDING_WINDOW]:
        if token.kind in {"end", "number"}:
            return ""
        if token.kind == "symbol" or not _is_free(token):
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
        if not _is_free(token) and token.key not in SUMMARY_FRAME_WORDS:
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


def _binding_gaps(new: Sequence[Word], source: _Bindings) -> list[str]:
    gaps: list[str] = []
    candidate = _Bindings(new)
    # Only numbers the source states in words are bound; a number that traces to a date field is not.
    for number, following in candidate.following.items():
        if number not in source.following:
            continue
        gaps.extend(f"{number} {counted}" for counted in following - source.following[number] if counted)
        symbols = candidate.preceding.get(number, set()) - source.preceding.get(number, set())
        gaps.extend(f"{symbol}{number}" for symbol in symbols)
        periods = candidate.periods.get(number, set()) - source.periods.get(number, set())
        gaps.extend(f"{number} per {period}" for period in periods)
    return gaps


def _attenuators(tokens: Iterable[Word]) -> set[str]:
    return {token.key for token in tokens if token.kind == "word" and token.key in ATTENUATING_WORDS}


def _dropped_attenuators(source: Iterable[Word], new: Sequence[Word]) -> list[str]:
    kept = {token.key for token in new} | {stem(token.key) for token in new if token.kind == "word"}
    dropped = []
    for word in sorted(_attenuators(source)):
        equivalents = {word, stem(word), *NEUTRAL_SUBSTITUTIONS.get(word, ())}
        if kept.isdisjoint(equivalents):
            dropped.append(f"-{word}")
    return dropped


def _acronyms(tokens: Iterable[Word]) -> set[str]:
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


class SourceText(NamedTuple):
    """What a rewording of one source text may draw on, computed once per text."""

    tokens: list[Word]
    keys: set[str]
    folded: str
    acronyms: set[str]
    bindings: _Bindings


def source_text(text: str) -> SourceText:
    tokens = words(text)
    keys: set[str] = set()
    for token in tokens:
        keys |= _word_keys(token)
    return SourceText(tokens, keys, fold(text), _acronyms(tokens), _Bindings(tokens))


def _covered_positions(tokens: Sequence[Word], spans: Iterable[tuple[int, int]]) -> set[int]:
    """The indexes of the tokens that lie inside one of ``spans``, in one pass over both, sorted."""
    covered: set[int] = set()
    ordered = sorted(spans)
    span = 0
    for index, token in enumerate(tokens):
        while span < len(ordered) and ordered[span][1] < token.end:
            span += 1
        # Sorted by start: a token is covered only by the first span that does not end before it.
        if span < len(ordered) and ordered[span][0] <= token.start:
            covered.add(index)
    return covered


def rewording_gaps(
    source: str | SourceText, new_text: str, alias_spans: Iterable[tuple[int, int]] = ()
) -> list[str]:
    """The words of ``new_text`` that the source text does not account for; empty when every one traces.

    ``alias_spans`` are character ranges of ``new_text`` that name a term the source names too.
    """
    origin = source_text(source) if isinstance(source, str) else source
    new_tokens = words(new_text)
    spans = [*alias_spans, *expansion_spans(new_text, new_tokens, origin.acronyms)]
    covered = _covered_positions(new_tokens, spans)
    gaps = [
        token.surface
        for index, token in enumerate(new_tokens)
        if not _is_free(token)
        and index not in covered
        and not _traces(token, origin.keys)
        and not (_no_space_script(token) and fold(token.surface) in origin.folded)
    ]
    gaps.extend(_dropped_attenuators(origin.tokens, new_tokens))
    kept_numbers = {token.key for token in new_tokens if token.kind == "number"}
    gaps.extend(
        f"-{token.key}" for token in origin.tokens if token.kind == "number" and token.key not in kept_numbers
    )
    gaps.extend(_binding_gaps(new_tokens, origin.bindings))
    return list(dict.fromkeys(gaps))


@dataclass
class SourceEntry:
    """One entry a summary claim may be bound to: a job, a degree, a project, the label, the summary."""

    ref: str
    keys: set[str]
    bindings: _Bindings
    ongoing: bool
    years: Decimal | None
    position_keys: frozenset[str]
    position_attenuators: frozenset[str]
    folded_text: str


def _strings(value: object) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for key, inner in value.items():
            if key not in {"level", "fluency", "url", "startDate", "endDate", "date", "releaseDate", "score"}:
                yield from _strings(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _strings(inner)


def _date_keys(value: object) -> set[str]:
    if not isinstance(value, str) or len(value) < 4 or not value[:4].isdigit():
        return set()
    keys = {value[:4]}
    if len(value) >= 7 and value[5:7].isdigit() and 1 <= int(value[5:7]) <= 12:
        keys.add(_MONTHS[int(value[5:7]) - 1])
    return keys


def _degree_keys(entry: Mapping[str, Any]) -> set[str]:
    """What an education entry evidences beyond its words: "degree", its abbreviation, "class of"."""
    if not isinstance(entry.get("studyType"), str):
        return set()
    study = fold(entry["studyType"])
    keys = {"degree"}
    for name, abbreviations in DEGREE_ABBREVIATIONS.items():
        if name in study:
            keys |= abbreviations
    if entry.get("endDate"):
        keys.add("class")
    return keys


def _entry(ref: str, entry: Mapping[str, Any] | str, as_of: date) -> SourceEntry:
    texts = [entry] if isinstance(entry, str) else list(_strings(entry))
    tokens: list[Word] = []
    for text in texts:
        tokens.extend(words(text))
        tokens.append(Word(".", ".", "end", 0, 0))
    keys: set[str] = set()
    for token in tokens:
        keys |= _word_keys(token)
    ongoing = False
    years: Decimal | None = None
    position_keys: frozenset[str] = frozenset()
    attenuators: frozenset[str] = frozenset()
    if isinstance(entry, Mapping):
        for field_name in ("startDate", "endDate", "date", "releaseDate"):
            keys |= _date_keys(entry.get(field_name))
        # The headline and summary speak in the present ("now running the pass"); a job by its dates.
        ongoing = ref == "basics" or (bool(entry.get("startDate")) and not entry.get("endDate"))
        if ref.startswith("certificates") and entry.get("date"):
            ongoing = True  # a certificate is held from its date on; the CV states no expiry field
        if entry.get("startDate"):
            years = experience_years([entry], as_of)
            if ref.startswith("education"):
                # A course is named by its nominal length: 2015-09 to 2019-06 is a four-year degree.
                years = years.to_integral_value()
        keys |= _degree_keys(entry)
        # A job's title, or the headline's: a sentence that uses its words keeps its rank words.
        position = entry.get("position", entry.get("label"))
        if isinstance(position, str):
            position_tokens = words(position)
            position_keys = frozenset(stem(token.key) for token in position_tokens if not _is_free(token))
            attenuators = frozenset(_attenuators(position_tokens))
    if ongoing:
        keys |= ONGOING_WORDS
    return SourceEntry(
        ref=ref,
        keys=keys,
        bindings=_Bindings(tokens),
        ongoing=ongoing,
        years=years,
        position_keys=position_keys,
        position_attenuators=attenuators,
        folded_text=fold(" ".join(texts)),
    )


_ENTRY_SECTIONS = ("work", "volunteer", "education", "projects", "certificates", "awards", "publications")


def source_entries(source: Mapping[str, Any], as_of: date, total_years: Decimal) -> list[SourceEntry]:
    """Every entry of the CV a summary claim may be bound to, in CV order.

    The headline speaks for the whole career: its length of experience is ``total_years``.
    """
    entries: list[SourceEntry] = []
    basics = source.get("basics")
    if isinstance(basics, Mapping):
        # The CV's own headline and summary are one self-description: a sentence may draw on both. Its name,
        # contact details and location are not in it: "<city>-based" is not the candidate's claim.
        headline = {name: basics[name] for name in ("label", "summary") if isinstance(basics.get(name), str)}
        if any(text.strip() for text in headline.values()):
            entries.append(_entry("basics", headline, as_of))
            entries[-1].years = total_years
    for section in _ENTRY_SECTIONS:
        items = source.get(section)
        if isinstance(items, list):
            entries.extend(
                _entry(f"{section}[{index}]", item, as_of)
                for index, item in enumerate(items)
                if isinstance(item, Mapping)
            )
    for section in ("skills", "languages"):
        if isinstance(source.get(section), list):
            entries.append(_entry(section, {"items": source[section]}, as_of))
    return entries


class SummaryVerdict(NamedTuple):
    """The words no single entry accounts for, and the entry each sentence was bound to."""

    gaps: list[str]
    bound: list[str]


def _sentences(tokens: Sequence[Word]) -> list[list[Word]]:
    """The sentences of a text. A colon ends one only after a bare label ("Qualifications: …"); after a
    claim ("Technicienne qualité à X : réduction de 27 %") what follows belongs to the same claim."""
    sentences: list[list[Word]] = [[]]
    for token in tokens:
        if token.kind == "end":
            labelled = token.surface == ":" and any(
                not _is_free(word) and word.key not in SUMMARY_FRAME_WORDS for word in sentences[-1]
            )
            if sentences[-1] and not labelled:
                sentences.append([])
        else:
            sentences[-1].append(token)
    return [sentence for sentence in sentences if sentence]


def _claims(tokens: Sequence[Word]) -> list[tuple[list[Word], bool]]:
    """Each sentence, split where "and former" or "turned" joins two roles; the part after such a word is
    a past role (it may bind only to an entry that has ended)."""
    claims: list[tuple[list[Word], bool]] = []
    for sentence in _sentences(tokens):
        current: list[Word] = []
        former = False
        for token in sentence:
            if token.kind == "word" and token.key in TURNED_WORDS:
                # "Science teacher turned UX designer": what came before is the past role.
                if current:
                    claims.append((current, True))
                current, former = [], False
            elif token.kind == "word" and token.key in FORMER_WORDS:
                if current:
                    claims.append((current, former))
                current, former = [], True
            elif former and token.kind == "word" and token.key in ONGOING_WORDS:
                # "Former chef de partie, now running the pass": the present part is a claim of its own.
                claims.append((current, former))
                current, former = [token], False
            else:
                current.append(token)
        if current:
            claims.append((current, former))
    return claims


def _years_claims(sentence: Sequence[Word]) -> tuple[list[int], set[int]]:
    """Each "N years" (or "N+ years", "N-year") claim's value, and the positions of its tokens."""
    claims: list[int] = []
    used: set[int] = set()
    for index, token in enumerate(sentence):
        if token.kind != "number" or not token.key.isdigit():
            continue
        cursor = index + 1
        if cursor < len(sentence) and sentence[cursor].key == "+":
            cursor += 1
        if (
            cursor < len(sentence)
            and sentence[cursor].kind == "word"
            and (sentence[cursor].key in _YEAR_WORDS or stem(sentence[cursor].key) in _YEAR_WORDS)
        ):
            claims.append(int(token.key))
            used.update(range(index, cursor + 1))
    return claims, used


def _entry_ref(source_ref: str) -> str:
    if source_ref.startswith("basics."):
        return "basics"
    head = source_ref.split(".", 1)[0]
    return head.split("[", 1)[0] if head.startswith(("skills", "languages")) else head


def summary_gaps(
    text: str, entries: Sequence[SourceEntry], cited: Iterable[str], total_years: Decimal
) -> SummaryVerdict:
    """Bind each sentence of a summary to one entry that accounts for all its words; report what none does.

    Cited entries are tried first; an uncited entry that supports a sentence is accepted and reported.
    """
    cited_refs = {_entry_ref(ref) for ref in cited}
    ordered = sorted(entries, key=lambda entry: entry.ref not in cited_refs)
    gaps: list[str] = []
    bound: list[str] = []
    for sentence, former in _claims(words(text)):
        claims, used = _years_claims(sentence)
        content = [
            token
            for index, token in enumerate(sentence)
            if index not in used and not _is_free(token) and token.key not in SUMMARY_FRAME_WORDS
        ]
        if not content:
            gaps.extend(f"{claim} years" for claim in claims if claim > int(total_years))
            bound.append("experience" if claims else "")
            continue
        unclaimed = [token for index, token in enumerate(sentence) if index not in used]
        best: tuple[int, SourceEntry, list[str]] | None = None
        for entry in ordered:
            if former and entry.ongoing:
                continue
            missing = _sentence_gaps(sentence, unclaimed, content, claims, entry)
            if not missing:
                best = (0, entry, [])
                break
            if best is None or len(missing) < best[0]:
                best = (len(missing), entry, missing)
        if best is not None and not best[2]:
            bound.append(best[1].ref)
        else:
            gaps.extend(best[2] if best is not None else [token.surface for token in content])
    return SummaryVerdict(gaps=list(dict.fromkeys(gaps)), bound=bound)


def _sentence_gaps(
    sentence: Sequence[Word],
    unclaimed: Sequence[Word],
    content: Sequence[Word],
    claims: Sequence[int],
    entry: SourceEntry,
) -> list[str]:
    """What ``entry`` does not account for in one sentence (``unclaimed``: less its years claims)."""
    missing = [
        token.surface
        for token in content
        if not _traces(token, entry.keys)
        and not (_no_space_script(token) and fold(token.surface) in entry.folded_text)
    ]
    for claim in claims:
        stated = str(claim) in entry.keys
        if not stated and (entry.years is None or claim > int(entry.years)):
            missing.append(f"{claim} years")
    missing.extend(_binding_gaps(unclaimed, entry.bindings))
    # A length stays spent on what the entry spends it on: "eight years at the bedside" is no "eight years in
    # the ICU", and "four years in external audit" makes "nine years in external audit" a new claim.
    stated_for: dict[str, set[str]] = {}
    for number, words_after in entry.bindings.spent_on.items():
        for word in words_after:
            stated_for.setdefault(word, set()).add(number)
    for number, spent_on in _Bindings(sentence).spent_on.items():
        for word in spent_on - {""}:
            if (number in entry.bindings.spent_on and word not in entry.bindings.spent_on[number]) or (
                number not in entry.bindings.spent_on and number not in stated_for.get(word, {number})
            ):
                missing.append(f"{number} years {word}")
    uses_position = any(stem(token.key) in entry.position_keys for token in content if token.kind == "word")
    if uses_position:
        present = {token.key for token in sentence}
        missing.extend(f"-{word}" for word in sorted(entry.position_attenuators - present))
    return missing


class ProvenanceChecker:
    """The provenance check for one source CV: built once, then asked about any number of edits."""

    def __init__(self, source: Mapping[str, Any], as_of: date, vocabulary: Vocabulary | None = None) -> None:
        self._vocabulary = vocabulary
        self._sources: dict[str, tuple[SourceText, frozenset[str]]] = {}
        work = source.get("work")
        self.total_years = experience_years(
            [entry for entry in work if isinstance(entry, Mapping)] if isinstance(work, list) else [], as_of
        )
        self._as_of = as_of
        self._source_cv = source
        self.cv_text = json.dumps(source, ensure_ascii=False)
        self._chars = frozenset(self.cv_text)

    def hidden(self, text: str) -> list[str]:
        """The characters or words of ``text`` that disguise what it says (see ``disguised``)."""
        return disguised(text, self._chars)

    def rewording(self, source: str, text: str) -> list[str]:
        """What in a rewording of the source text ``source`` lacks provenance."""
        origin, term_keys = self._source(source)
        return rewording_gaps(origin, text, self._alias_spans(term_keys, text))

    def _source(self, text: str) -> tuple[SourceText, frozenset[str]]:
        """A source item's words and vocabulary terms, computed once however many edits reword it."""
        cached = self._sources.get(text)
        if cached is None:
            terms = self._vocabulary.find_all(text) if self._vocabulary is not None else []
            cached = (source_text(text), frozenset(match.term.key for match in terms))
            self._sources[text] = cached
        return cached

    def _alias_spans(self, source_keys: frozenset[str], text: str) -> list[tuple[int, int]]:
        """Where ``text`` names a vocabulary term that the source names too, by any alias."""
        if self._vocabulary is None or not source_keys:
            return []
        return [
            (match.start, match.end)
            for match in self._vocabulary.find_all(text)
            if match.term.key in source_keys
        ]

    def summary(self, text: str, sources: Iterable[str]) -> SummaryVerdict:
        """What in a summary no single entry accounts for, and the entry each sentence was bound to."""
        return summary_gaps(text, self._entries, sources, self.total_years)

    @cached_property
    def _entries(self) -> list[SourceEntry]:
        """The entries a summary sentence may bind to, built when the first summary is checked."""
        return source_entries(self._source_cv, self._as_of, self.total_years)
