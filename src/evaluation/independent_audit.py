"""A fabrication audit that shares no code with the guard: plain words, digits, the protected skeleton.

The guard (``shared.tailoring``) decides what the model may write; this module checks what it let through,
by rules of its own, so that a blind spot has to exist in both to go unnoticed. It imports nothing but the
standard library and takes the source and tailored CVs as plain JSON Resume dicts.

Four checks, each a list of findings (and a fifth when the caller names forbidden terms):

* **new words**: content words of any tailored string that no source string has, after normalising both
  sides here (NFKC, case folding, combining marks stripped, ``\\w+`` words). Glue words (articles,
  prepositions, conjunctions, pronouns, auxiliaries in English, German, French and Spanish) are not content.
  A word still counts as present when it is an inflection of a source word (its own crude suffix rule), a
  numeronym's spelling-out (``kubernetes`` for ``k8s``), a hand-written alias of a source spelling (the
  pair's expectations), part of an expansion written beside an acronym the source has, whose initials
  spell it (``less-than-truckload (LTL)``), a CV heading opening a sentence (``Qualifications:``), or
  ``former`` (and its German, French and Spanish forms) when a role of the source has ended;
* **new numbers**: digit runs (``250,000`` and ``250000`` alike) that the source lacks;
* **protected changes**: the skeleton (everything the edit contract cannot change: contact details,
  employers, positions, dates, education, certificates, languages, the number of highlights) differs;
* **unbacked claims**: a sentence of the tailored summary (split on ``. ! ? ;``) whose content words and
  numbers are not all found in one source entry (one work, volunteer, education, project, certificate,
  award or publication entry, the skills list, the languages, or the headline: basics label and summary
  together); and a tailored highlight, work summary or project description whose content words and
  numbers are not all in its own source entry. Here ``former`` needs that very entry to have an end date.

The fifth: forbidden terms (the pair's hand-written missing keywords and injection targets) that the
tailored CV states and the source does not.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from evaluation.audit_words import Lexicon, contains_term, missing_words, number_runs, sentences, walk_strings
from evaluation.skeleton import EDITABLE_FIELDS, changed_paths, protected_skeleton

SUMMARY_PATH = "basics.summary"

# Sections whose entries are each one place a claim can come from, and the lists that are one place whole.
_ENTRY_SECTIONS = ("work", "volunteer", "education", "projects", "certificates", "awards", "publications")
_WHOLE_SECTIONS = ("skills", "languages", "interests")
_ROLE_SECTIONS = ("work", "volunteer")


# --------------------------------------------------------------------------------------------- entries


@dataclass(frozen=True)
class Entry:
    """One place of the source CV a claim can come from."""

    ref: str
    lexicon: Lexicon
    numbers: frozenset[str]


def _ended(entry: Any) -> bool:
    return isinstance(entry, Mapping) and isinstance(entry.get("endDate"), str) and bool(entry["endDate"])


def _entry(ref: str, value: Any, aliases: Sequence[tuple[str, str]]) -> Entry:
    texts = [text for _, text in walk_strings(value)]
    ended = ref.startswith(_ROLE_SECTIONS) and _ended(value)
    return Entry(ref, Lexicon(texts, aliases, ended_role=ended), frozenset(number_runs(texts)))


def _has_ended_role(source: Mapping[str, Any]) -> bool:
    return any(
        _ended(entry)
        for section in _ROLE_SECTIONS
        if isinstance(source.get(section), list)
        for entry in source[section]
    )


def source_entries(source: Mapping[str, Any], aliases: Sequence[tuple[str, str]] = ()) -> list[Entry]:
    """The headline (basics label and summary), each entry of each section, and each whole list."""
    basics = source.get("basics")
    headline = [basics.get(key) for key in ("label", "summary")] if isinstance(basics, Mapping) else []
    entries = [_entry("basics", [text for text in headline if isinstance(text, str)], aliases)]
    for section in _ENTRY_SECTIONS:
        items = source.get(section)
        if isinstance(items, list):
            entries.extend(_entry(f"{section}[{index}]", item, aliases) for index, item in enumerate(items))
    for section in _WHOLE_SECTIONS:
        if isinstance(source.get(section), list):
            entries.append(_entry(section, source[section], aliases))
    return entries


def _unbacked(text: str, entry: Entry) -> list[str]:
    """What of ``text`` the entry does not state: its missing content words, then its missing numbers."""
    return [*missing_words(text, entry.lexicon), *sorted(number_runs([text]) - entry.numbers)]


def _editable_texts(tailored: Mapping[str, Any]) -> Iterator[tuple[str, str, Any]]:
    """(path, text, identity) of each editable text inside an entry, with what names its source entry."""
    for section, fields in EDITABLE_FIELDS.items():
        items = tailored.get(section)
        if not isinstance(items, list):
            continue
        for index, item in enumerate(items):
            if not isinstance(item, Mapping):
                continue
            for name in fields:
                value = item.get(name)
                texts = [value] if isinstance(value, str) else value if isinstance(value, list) else []
                for position, text in enumerate(texts):
                    if isinstance(text, str):
                        suffix = f".{name}" if isinstance(value, str) else f".{name}[{position}]"
                        yield f"{section}[{index}]{suffix}", text, (section, index, item)


def _home_entry(
    source: Mapping[str, Any], section: str, index: int, item: Mapping[str, Any]
) -> tuple[str, Any] | None:
    """The source entry a tailored entry is, and its ref: projects by name (they may be reordered), the
    others by index."""
    entries = source.get(section)
    if not isinstance(entries, list):
        return None
    if section == "projects":
        named = [
            position
            for position, entry in enumerate(entries)
            if isinstance(entry, Mapping) and entry.get("name") == item.get("name")
        ]
        index = named[0] if len(named) == 1 else len(entries)
    return (f"{section}[{index}]", entries[index]) if index < len(entries) else None


# --------------------------------------------------------------------------------------------- the audit


@dataclass(frozen=True)
class NewWord:
    """A content word of a tailored text that no source text has."""

    path: str
    word: str


@dataclass(frozen=True)
class UnbackedClaim:
    """A summary sentence, or an entry's text, that no single source entry fully states."""

    path: str
    text: str
    missing: tuple[str, ...]
    closest: str


@dataclass(frozen=True)
class IndependentAudit:
    """The independent view of one tailored CV: every list is a suspected fabrication."""

    new_words: tuple[NewWord, ...]
    new_numbers: tuple[str, ...]
    protected_changes: tuple[str, ...]
    unbacked_claims: tuple[UnbackedClaim, ...]
    forbidden_terms: tuple[str, ...] = ()

    @property
    def fabricated(self) -> int:
        return (
            len(self.new_words)
            + len(self.new_numbers)
            + len(self.protected_changes)
            + len(self.unbacked_claims)
            + len(self.forbidden_terms)
        )

    def findings(self) -> list[str]:
        """One line per finding, for a report."""
        return [
            *(f"new word '{finding.word}' in {finding.path}" for finding in self.new_words),
            *(f"new number {number}" for number in self.new_numbers),
            *(f"protected field changed: {path}" for path in self.protected_changes),
            *(
                f"{claim.path} not backed by one entry (closest {claim.closest}, lacking "
                f"{', '.join(claim.missing)}): {claim.text!r}"
                for claim in self.unbacked_claims
            ),
            *(f"forbidden term '{term}'" for term in self.forbidden_terms),
        ]


def _summary_claims(tailored: Mapping[str, Any], entries: Sequence[Entry]) -> list[UnbackedClaim]:
    basics = tailored.get("basics")
    summary = basics.get("summary") if isinstance(basics, Mapping) else None
    if not isinstance(summary, str):
        return []
    claims = []
    for index, sentence in enumerate(sentences(summary)):
        gaps = [(_unbacked(sentence, entry), entry.ref) for entry in entries]
        missing, closest = min(gaps, key=lambda gap: len(gap[0]))
        if missing:
            claims.append(
                UnbackedClaim(f"{SUMMARY_PATH} sentence {index + 1}", sentence, tuple(missing), closest)
            )
    return claims


def _entry_claims(
    source: Mapping[str, Any], tailored: Mapping[str, Any], aliases: Sequence[tuple[str, str]]
) -> list[UnbackedClaim]:
    claims = []
    entries: dict[str, Entry] = {}
    for path, text, (section, index, item) in _editable_texts(tailored):
        home = _home_entry(source, section, index, item)
        if home is None:
            continue  # the skeleton check reports an entry the source lacks
        ref, value = home
        if ref not in entries:
            entries[ref] = _entry(ref, value, aliases)
        entry = entries[ref]
        missing = _unbacked(text, entry)
        if missing:
            claims.append(UnbackedClaim(path, text, tuple(missing), entry.ref))
    return claims


def independent_audit(
    source: Mapping[str, Any],
    tailored: Mapping[str, Any],
    *,
    aliases: Sequence[tuple[str, str]] = (),
    forbidden: Sequence[str] = (),
) -> IndependentAudit:
    """Everything the tailored CV states that the source does not, by this module's rules alone.

    ``aliases`` are hand-written pairs of spellings of one thing (``("PostgreSQL", "Postgres")``): either
    counts as present when the source has the other. ``forbidden`` are terms whose appearance proves a
    fabrication when the source lacks them.
    """
    source_strings = [text for _, text in walk_strings(source)]
    everything = Lexicon(source_strings, aliases, ended_role=_has_ended_role(source))
    new_words = [
        NewWord(path, word)
        for path, text in walk_strings(tailored)
        for word in missing_words(text, everything)
    ]
    source_text = "\n".join(source_strings)
    tailored_text = "\n".join(text for _, text in walk_strings(tailored))
    return IndependentAudit(
        new_words=tuple(new_words),
        new_numbers=tuple(sorted(number_runs([tailored_text]) - number_runs(source_strings))),
        protected_changes=tuple(changed_paths(protected_skeleton(source), protected_skeleton(tailored))),
        unbacked_claims=(
            *_summary_claims(tailored, source_entries(source, aliases)),
            *_entry_claims(source, tailored, aliases),
        ),
        forbidden_terms=tuple(
            term
            for term in dict.fromkeys(forbidden)
            if contains_term(tailored_text, term) and not contains_term(source_text, term)
        ),
    )
