"""Words for the independent audit: its own normalisation, inflections, aliases and acronym expansions.

Standard library only, and no rule shared with the guard (``shared.tailoring``): a blind spot has to exist in
both to go unnoticed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

# A sentence ends at . ! ? ; (and their CJK and Arabic forms) followed by a space or the end of the text,
# so "Python 3.11" and "$1.3M" stay whole.
_SENTENCE_END_RE = re.compile(r"(?<=[.!?;\u3002\uff01\uff1f\uff1b\u061f\u061b])(?:\s+|$)")
_WORD_RE = re.compile(r"\w+")
_NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)*")
_PARENTHESISED_RE = re.compile(r"\(([^()]*)\)")
_NUMERONYM_RE = re.compile(r"^([a-z])(\d+)([a-z])$")
_INFLECTIONS = ("ing", "ies", "ied", "ful", "ed", "es", "s", "ly")
_MIN_STEM = 3
_MAX_ACRONYM = 8
# "Qualifications: ..." at the start of a sentence names a part of the CV; it states nothing.
_HEADING_RE = re.compile(r"^\s*(\w+(?:\s+\w+)?)\s*:")


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Glue words: articles, prepositions, conjunctions, pronouns, auxiliaries and a few particles. Written for
# this audit alone; a word here is never a suspected fabrication, wherever it appears.
_STOP_WORDS = _word_set(
    """
    a an the this that these those there here such
    of in on at to for from by with without within into onto over under across through throughout
    between among around about above below after before during since until via per against toward towards
    upon out off up down than as like
    and or but nor so yet both either neither also then while whereas because although though if when
    where whether which who whom whose what how why
    i me my mine myself we us our ours ourselves you your yours yourself he him his she her hers it its
    they them their theirs themselves one
    am is are was were be been being have has had having do does did doing done will would shall should
    can could may might must
    not no very more most each every all any some other another own same just only too
    der die das den dem des ein eine einer eines einem einen und oder aber sondern denn mit ohne von vom
    zu zum zur bei beim nach aus auf an am im in ins um für gegen durch über unter vor hinter neben
    zwischen seit bis als wie auch noch sowie ich du er sie es wir ihr mein meine meinen meiner unser
    unsere sein seine ist sind war waren bin bist wird werden wurde wurden hat habe haben hatte hatten
    kann können nicht kein keine dass
    le la les l un une des du de d et ou mais donc car ni avec sans pour par sur sous dans en au aux
    chez vers entre depuis pendant je tu il elle nous vous ils elles me te se lui leur leurs mon ma mes
    ton ta tes son sa ses notre nos votre vos qui que quoi dont où est sont suis était étaient été être
    ai as avons avez ont avait ne pas plus ce cet cette ces y
    el lo los las una unos unas del al y e o u pero sino con sin para por sobre bajo tras entre desde
    hasta durante hacia según yo tú él ella nosotros vosotros ellos ellas mi mis tu tus su sus nuestro
    nuestra nuestros nuestras se le les que quien cual cuyo es son soy era eran fue fueron ser estar
    estoy está están he ha han había muy más como también
    """
)


# Words that name a part of a CV, allowed as a heading before a colon ("Qualifications: BSc Nursing").
_CV_HEADINGS = _word_set(
    """
    qualifications qualification credentials certifications certificates skills experience education
    languages projects highlights awards publications interests profile summary
    qualifikationen kenntnisse kompetenzen ausbildung berufserfahrung sprachen zertifikate
    qualifications compétences formation expérience langues certifications
    cualificaciones competencias habilidades formación experiencia idiomas certificaciones
    """
)


# Words that call a role past ("former barista"): true of a work or volunteer entry with an end date.
_PAST_ROLE_WORDS = _word_set(
    """
    former formerly previously ex ehemalige ehemaliger ehemaligen ehemals ancien ancienne anciens
    anciennes antiguo antigua antiguos antiguas
    """
)


# --------------------------------------------------------------------------------------------- text


def normalise(text: str) -> str:
    """NFKC, case-folded, combining marks stripped: 'Zoë', 'ZOË' and 'Zoe' are one word here."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    decomposed = unicodedata.normalize("NFD", folded)
    return unicodedata.normalize(
        "NFC", "".join(char for char in decomposed if not unicodedata.combining(char))
    )


def words(text: str) -> list[str]:
    """The normalised ``\\w+`` words of a text, in order."""
    return _WORD_RE.findall(normalise(text))


def is_content(word: str) -> bool:
    """A word that can state a fact: not a glue word, not a bare number (the digit check owns those)."""
    if word in _STOP_WORDS or word.isdigit():
        return False
    return len(word) > 1 or not word.isascii()


def stem(word: str) -> str:
    """A crude English stem: one inflectional ending off, then the stem's spelling evened out.

    Both sides of a comparison are stemmed, so 'managed', 'manages', 'managing' and 'manage' meet at
    'manag', 'planned' and 'plan' at 'plan', 'companies' and 'company' at 'company'.
    """
    for suffix in _INFLECTIONS:
        if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM:
            word = word[: -len(suffix)] + ("y" if suffix in ("ies", "ied") else "")
            break
    if len(word) > _MIN_STEM and word[-1] == word[-2] and word[-1] not in "aeiouy":
        word = word[:-1]
    if len(word) > _MIN_STEM and word.endswith("e"):
        word = word[:-1]
    return word


def number_runs(texts: Iterable[str]) -> set[str]:
    """Digit runs with thousands separators removed: '250,000' and '250000' are one number."""
    return {match.group(0).replace(",", "") for text in texts for match in _NUMBER_RE.finditer(text)}


def walk_strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every string of a JSON document with its path (``work[0].highlights[1]``)."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from walk_strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk_strings(item, f"{path}[{index}]")


def contains_term(text: str, term: str) -> bool:
    """``term``'s words occur in ``text`` in a row, whole ('Java' is not in 'JavaScript')."""
    needle, haystack = words(term), words(text)
    return bool(needle) and any(
        haystack[start : start + len(needle)] == needle for start in range(len(haystack) - len(needle) + 1)
    )


# --------------------------------------------------------------------------------------------- vocabulary


class Lexicon:
    """The words of some source texts, and the rules by which a tailored word counts as one of them."""

    def __init__(
        self, texts: Sequence[str], aliases: Iterable[tuple[str, str]] = (), *, ended_role: bool = False
    ) -> None:
        # A role that ended may be called former.
        self.words: set[str] = set(_PAST_ROLE_WORDS) if ended_role else set()
        for text in texts:
            self.words.update(words(text))
        self.stems = {stem(word) for word in self.words}
        self.numeronyms = [
            (match[1], int(match[2]), match[3])
            for word in self.words
            if (match := _NUMERONYM_RE.match(word)) is not None
        ]
        # A hand-written alias counts, as a whole phrase, when a source text spells the term the other way.
        self.alias_phrases: set[tuple[str, ...]] = set()
        for left, right in aliases:
            for spelled, alias in ((left, right), (right, left)):
                if words(alias) and any(contains_term(text, spelled) for text in texts):
                    self.alias_phrases.add(tuple(words(alias)))

    def has(self, word: str) -> bool:
        return (
            word in self.words
            or stem(word) in self.stems
            or any(
                word.startswith(first) and word.endswith(last) and len(word) == count + 2
                for first, count, last in self.numeronyms
            )
        )


def _spells(span: Sequence[str], acronym: str) -> bool:
    """Each word gives the acronym its next letters: its initial, then maybe more letters it has in order.

    'less truckload' spells 'ltl' (truck-load gives two), 'sarbanes oxley' spells 'sox'.
    """
    if not span:
        return not acronym
    word, rest = span[0], span[1:]
    if not acronym or acronym[0] != word[0]:
        return False
    for taken in range(1, len(acronym) - len(rest) + 1):
        inner, position = acronym[1:taken], 1
        for letter in inner:
            position = word.find(letter, position) + 1
            if position == 0:
                break
        else:
            if _spells(rest, acronym[taken:]):
                return True
    return False


def _spelled_by(context: Sequence[str], acronym: str, *, ending: bool) -> list[str]:
    """The words of ``context`` next to the acronym (at its end, or at its start) that spell it.

    The glue words among them may count or not ('Bachelor of Science (BS)', 'less-than-truckload (LTL)');
    the shortest span that spells it wins; none when nothing does.
    """
    for candidates in (list(context), [word for word in context if word not in _STOP_WORDS]):
        for size in range(1, min(len(acronym), len(candidates)) + 1):
            span = candidates[-size:] if ending else candidates[:size]
            if _spells(span, acronym):
                return span
    return []


def _expansion_words(text: str, known: Lexicon) -> set[str]:
    """Words spelling out an acronym the source has, written beside it: 'less-than-truckload (LTL)'.

    Either order counts: 'LTL (less-than-truckload)' too.
    """
    allowed: set[str] = set()
    for match in _PARENTHESISED_RE.finditer(text):
        inside, before = words(match.group(1)), words(text[: match.start()])
        # "expansion (ACRONYM)": the words before end with the expansion.
        if len(inside) == 1 and _is_known_acronym(inside[0], known):
            allowed.update(_spelled_by(before, inside[0], ending=True))
        # "ACRONYM (expansion)": the words inside start with it.
        if before and _is_known_acronym(before[-1], known):
            allowed.update(_spelled_by(inside, before[-1], ending=False))
    return allowed


def _is_known_acronym(word: str, known: Lexicon) -> bool:
    return 1 < len(word) <= _MAX_ACRONYM and word.isalpha() and word in known.words


def _heading_words(text: str) -> set[str]:
    """The words of a CV heading that opens a sentence of ``text``: 'Qualifications:'."""
    allowed: set[str] = set()
    for sentence in sentences(text):
        match = _HEADING_RE.match(sentence)
        heading = words(match.group(1)) if match else []
        if heading and all(word in _CV_HEADINGS or word in _STOP_WORDS for word in heading):
            allowed.update(heading)
    return allowed


def _alias_words(text: str, known: Lexicon) -> set[str]:
    """The words of each hand-written alias phrase ``text`` writes whole, the source spelling it otherwise."""
    found = words(text)
    return {
        word
        for phrase in known.alias_phrases
        if any(tuple(found[start : start + len(phrase)]) == phrase for start in range(len(found)))
        for word in phrase
    }


def missing_words(text: str, known: Lexicon) -> list[str]:
    """Content words of ``text`` the lexicon lacks, once each, in order of appearance."""
    allowed = _expansion_words(text, known) | _heading_words(text) | _alias_words(text, known)
    return list(
        dict.fromkeys(
            word for word in words(text) if is_content(word) and word not in allowed and not known.has(word)
        )
    )


def sentences(text: str) -> list[str]:
    """A text split after each . ! ? or ; that ends a sentence; empty pieces dropped."""
    return [piece.strip() for piece in _SENTENCE_END_RE.split(text) if piece.strip()]
