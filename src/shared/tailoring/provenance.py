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

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Any, NamedTuple

from shared.tailoring.experience import experience_years
from shared.tailoring.provenance_text import (
    MONTHS,
    YEAR_WORDS,
    Bindings,
    Word,
    attenuators,
    binding_gaps,
    disguised,
    dropped_attenuators,
    expansion_spans,
    fold,
    is_free,
    no_space_script,
    source_acronyms,
    stem,
    traces,
    word_keys,
    words,
)
from shared.tailoring.provenance_words import (
    DEGREE_ABBREVIATIONS,
    FORMER_WORDS,
    ONGOING_WORDS,
    SUMMARY_FRAME_WORDS,
    TURNED_WORDS,
)
from shared.tailoring.vocabulary import Vocabulary

_YEAR_STEMS = frozenset(stem(word) for word in YEAR_WORDS)


class SourceText(NamedTuple):
    """What a rewording of one source text may draw on, computed once per text."""

    tokens: list[Word]
    keys: set[str]
    folded: str
    acronyms: set[str]
    bindings: Bindings


def source_text(text: str) -> SourceText:
    tokens = words(text)
    keys: set[str] = set()
    for token in tokens:
        keys |= word_keys(token)
    return SourceText(tokens, keys, fold(text), source_acronyms(tokens), Bindings(tokens))


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
        if not is_free(token)
        and index not in covered
        and not traces(token, origin.keys)
        and not (no_space_script(token) and fold(token.surface) in origin.folded)
    ]
    gaps.extend(dropped_attenuators(origin.tokens, new_tokens))
    kept_numbers = {token.key for token in new_tokens if token.kind == "number"}
    gaps.extend(
        f"-{token.key}" for token in origin.tokens if token.kind == "number" and token.key not in kept_numbers
    )
    gaps.extend(binding_gaps(new_tokens, origin.bindings))
    return list(dict.fromkeys(gaps))


@dataclass
class SourceEntry:
    """One entry a summary claim may be bound to: a job, a degree, a project, the label, the summary."""

    ref: str
    keys: set[str]
    bindings: Bindings
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
        keys.add(MONTHS[int(value[5:7]) - 1])
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
        keys |= word_keys(token)
    ongoing = False
    years: Decimal | None = None
    position_keys: frozenset[str] = frozenset()
    weakening: frozenset[str] = frozenset()
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
            position_keys = frozenset(stem(token.key) for token in position_tokens if not is_free(token))
            weakening = frozenset(attenuators(position_tokens))
    if ongoing:
        keys |= ONGOING_WORDS
    return SourceEntry(
        ref=ref,
        keys=keys,
        bindings=Bindings(tokens),
        ongoing=ongoing,
        years=years,
        position_keys=position_keys,
        position_attenuators=weakening,
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
                not is_free(word) and word.key not in SUMMARY_FRAME_WORDS for word in sentences[-1]
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
            and (sentence[cursor].key in YEAR_WORDS or stem(sentence[cursor].key) in YEAR_WORDS)
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
            if index not in used and not is_free(token) and token.key not in SUMMARY_FRAME_WORDS
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
        if not traces(token, entry.keys)
        and not (no_space_script(token) and fold(token.surface) in entry.folded_text)
    ]
    for claim in claims:
        # Stated means the entry says "N years" itself, not merely that N occurs in it ("14 services").
        stated = not entry.bindings.following.get(str(claim), set()).isdisjoint(_YEAR_STEMS)
        if not stated and (entry.years is None or claim > int(entry.years)):
            missing.append(f"{claim} years")
    missing.extend(binding_gaps(unclaimed, entry.bindings))
    # A length stays spent on what the entry spends it on: "eight years at the bedside" is no "eight years in
    # the ICU", and "four years in external audit" makes "nine years in external audit" a new claim.
    stated_for: dict[str, set[str]] = {}
    for number, words_after in entry.bindings.spent_on.items():
        for word in words_after:
            stated_for.setdefault(word, set()).add(number)
    for number, spent_on in Bindings(sentence).spent_on.items():
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
