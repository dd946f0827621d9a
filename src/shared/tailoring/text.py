"""Tokenising and light stemming shared by fact extraction, keyword matching and the guard."""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

# A token starts with a letter or digit, may carry inner dots, apostrophes and ampersands
# (Node.js, O'Brien, R&D) and trailing plus or hash signs (C++, C#). A leading dot is kept
# when nothing word-like precedes it (.NET). Hyphens and slashes split tokens, so "CI/CD" and
# "scikit-learn" become token pairs, matched as phrases by the vocabulary.
_TOKEN_RE = re.compile(r"(?:(?<![\w.])\.)?[^\W_]\w*(?:[.'\u2019&][^\W_]\w*)*[+#]*")
_SENTENCE_BREAK_RE = re.compile(r"[.!?;:\n•·▪●◦|]")
_SENTENCE_SPLIT_RE = re.compile(r"(?<=[.!?])\s+(?=[\"“(\[]?[A-Z0-9À-Ý])")
_WHITESPACE_RE = re.compile(r"\s+")
_CONTROL_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs"})
_MIN_STEM_LENGTH = 4
_CURLY_APOSTROPHE = "\u2019"


class Token(NamedTuple):
    """One token of a text with its position and normal forms."""

    text: str
    lower: str
    base: str
    stem: str
    start: int
    end: int
    sentence_start: bool

    @property
    def is_capitalised(self) -> bool:
        return self.text[:1].isupper()

    @property
    def is_acronym(self) -> bool:
        letters = [char for char in self.text if char.isalpha()]
        return len(letters) >= 2 and all(char.isupper() for char in letters)

    @property
    def is_numeric(self) -> bool:
        return self.text[:1].isdigit()


def normalise_whitespace(text: str) -> str:
    """Drop control characters and collapse whitespace runs to single spaces."""
    cleaned = "".join(
        " " if unicodedata.category(char) in _CONTROL_CATEGORIES and not char.isspace() else char
        for char in text
    )
    return _WHITESPACE_RE.sub(" ", cleaned).strip()


def singular(word: str) -> str:
    """Strip an English plural ending from a lower-case word (APIs -> api, companies -> company)."""
    if not word.isalpha() or len(word) <= 3:
        return word
    if word.endswith("ies") and len(word) > 5:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "zes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def stem(word: str) -> str:
    """Fold a lower-case word harder, so that inflections compare equal (tested/testing/tests -> test)."""
    if not word.isalpha() or len(word) <= 3:
        return word
    stemmed = word
    for suffix in ("ing", "ed"):
        if stemmed.endswith(suffix) and len(stemmed) - len(suffix) >= _MIN_STEM_LENGTH:
            stemmed = stemmed[: -len(suffix)]
            break
    else:
        stemmed = singular(stemmed)
    if stemmed.endswith("e") and len(stemmed) > _MIN_STEM_LENGTH:
        stemmed = stemmed[:-1]
    if len(stemmed) > _MIN_STEM_LENGTH and stemmed[-1] == stemmed[-2] and stemmed[-1] not in "aeiouls":
        stemmed = stemmed[:-1]
    return stemmed


def _lower_form(surface: str) -> str:
    lowered = surface.replace(_CURLY_APOSTROPHE, "'").lower()
    if lowered.endswith("'s"):
        lowered = lowered[:-2]
    return lowered.rstrip("'")


def tokenize(text: str) -> list[Token]:
    """Split text into tokens, marking the ones that open a sentence."""
    tokens: list[Token] = []
    previous_end = 0
    for match in _TOKEN_RE.finditer(text):
        surface = match.group(0)
        lower = _lower_form(surface)
        if not lower:
            continue
        gap = text[previous_end : match.start()]
        sentence_start = not tokens or bool(_SENTENCE_BREAK_RE.search(gap))
        tokens.append(
            Token(
                text=surface,
                lower=lower,
                base=singular(lower),
                stem=stem(lower),
                start=match.start(),
                end=match.end(),
                sentence_start=sentence_start,
            )
        )
        previous_end = match.end()
    return tokens


def phrase_key(text: str) -> tuple[str, ...]:
    """The singular lower-case token sequence of a short phrase, used as a comparison key."""
    return tuple(token.base for token in tokenize(text))


def split_sentences(text: str) -> list[str]:
    """Split prose into sentences on terminal punctuation followed by a capital or digit."""
    return [part.strip() for part in _SENTENCE_SPLIT_RE.split(normalise_whitespace(text)) if part.strip()]


def gap_breaks_phrase(text: str, left: Token, right: Token) -> bool:
    """True when punctuation between two tokens separates them (a comma, a full stop, a bracket)."""
    return bool(re.search(r"[,.;:()\[\]!?\n]", text[left.end : right.start]))
