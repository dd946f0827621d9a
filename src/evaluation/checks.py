"""What the evaluation measures on one tailored CV: keyword coverage, fabricated facts and dropped facts.

Two views of each question are kept on purpose:

* the independent audit (``evaluation.independent_audit``), which imports nothing from the core: new
  content words, new digit runs, the protected skeleton, each claim against its entry, and whole-term
  matches of the hand-written expectations. Its count is the "fabricated facts" figure;
* the core's own fact extractor (``audit_facts``), the same notion of a fact the guard uses, kept as a
  cross-check and as the measure of dropped facts, with the simple digit-run view of drops beside it.

The core audit alone cannot catch a fact its extractor does not recognise, because the guard would miss
the same fact; the independent audit shares none of its code, so a blind spot has to exist in both to go
unnoticed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from evaluation.audit_words import number_runs, walk_strings
from evaluation.corpus import Expectations
from evaluation.independent_audit import SUMMARY_PATH, IndependentAudit, independent_audit
from evaluation.skeleton import changed_paths, protected_skeleton
from shared.tailoring import Change, ChangeKind, Fact, FactKind, Vocabulary, audit_facts, extract_facts
from shared.tailoring.facts import iter_strings
from shared.tailoring.match_report import first_page_texts

# --------------------------------------------------------------------------------------------- coverage


def mentions(text: str, term: str) -> bool:
    """``term`` occurs in ``text`` as a whole term, ignoring case ('Java' is not in 'JavaScript')."""
    pattern = rf"(?<![0-9a-z]){re.escape(term.casefold())}(?![0-9a-z])"
    return re.search(pattern, text.casefold()) is not None


def first_page_text(resume: Mapping[str, Any]) -> str:
    """The first-page region as the core defines it: summary, top highlights per role, first skills."""
    return "\n".join(text for _, text in first_page_texts(resume))


@dataclass(frozen=True)
class KeywordCoverage:
    """Hand-written evidenced keywords (or an alias of each) found in the first-page region."""

    covered: tuple[str, ...]
    uncovered: tuple[str, ...]

    @property
    def total(self) -> int:
        return len(self.covered) + len(self.uncovered)

    @property
    def ratio(self) -> float | None:
        return len(self.covered) / self.total if self.total else None


def hand_coverage(resume: Mapping[str, Any], expectations: Expectations) -> KeywordCoverage:
    text = first_page_text(resume)
    covered: list[str] = []
    uncovered: list[str] = []
    for keyword in expectations.evidenced_keywords:
        found = any(mentions(text, spelling) for spelling in expectations.spellings(keyword))
        (covered if found else uncovered).append(keyword)
    return KeywordCoverage(tuple(covered), tuple(uncovered))


# --------------------------------------------------------------------------------------------- core audit


@dataclass(frozen=True)
class FactFinding:
    kind: str
    surface: str

    @staticmethod
    def of(fact: Fact) -> FactFinding:
        return FactFinding(kind=fact.kind.value, surface=fact.surface)


@dataclass(frozen=True)
class CoreAudit:
    """The core extractor's view: facts the tailored CV adds, and facts it loses (silently or by a change)."""

    fabricated: tuple[FactFinding, ...]
    silently_dropped: tuple[FactFinding, ...]
    declared_dropped: tuple[FactFinding, ...]


def _stated_in(fact: Fact, text: str, vocabulary: Vocabulary) -> bool:
    facts = extract_facts(text, vocabulary)
    if fact.kind is FactKind.TITLE:
        return any(claim.key == fact.key for claim in facts.titles)
    return fact.key in facts.keys(fact.kind)


def _summary_replaced(changes: Sequence[Change]) -> bool:
    return any(change.kind is ChangeKind.SUMMARY for change in changes)


def core_audit(
    source: Mapping[str, Any],
    tailored: Mapping[str, Any],
    changes: Sequence[Change],
    vocabulary: Vocabulary,
    as_of: date,
) -> CoreAudit:
    """Fabricated and dropped facts by the core's extractor.

    A dropped fact counts as declared only when the source states it in the summary alone and the change
    list records that the summary was replaced; any other loss is silent.
    """
    audit = audit_facts(source, tailored, vocabulary, as_of=as_of)
    declared: list[FactFinding] = []
    silent: list[FactFinding] = []
    summary_replaced = _summary_replaced(changes)
    for fact in audit.dropped:
        places = {path for path, text in iter_strings(source) if _stated_in(fact, text, vocabulary)}
        if summary_replaced and places == {SUMMARY_PATH}:
            declared.append(FactFinding.of(fact))
        else:
            silent.append(FactFinding.of(fact))
    return CoreAudit(
        fabricated=tuple(FactFinding.of(fact) for fact in audit.fabricated),
        silently_dropped=tuple(silent),
        declared_dropped=tuple(declared),
    )


# --------------------------------------------------------------------------------------------- simple audit


def document_text(document: Mapping[str, Any]) -> str:
    return "\n".join(text for _, text in walk_strings(document))


@dataclass(frozen=True)
class SimpleAudit:
    """The simple checker's view of one tailored CV: skeleton, digit runs and forbidden terms.

    Its fabrication half is part of the independent audit too, which is what the evaluation counts; its
    dropped digit runs count toward the dropped facts.
    """

    protected_changes: tuple[str, ...]
    new_numbers: tuple[str, ...]
    forbidden_terms: tuple[str, ...]
    silently_dropped_numbers: tuple[str, ...]
    declared_dropped_numbers: tuple[str, ...]

    @property
    def fabricated(self) -> int:
        return len(self.protected_changes) + len(self.new_numbers) + len(self.forbidden_terms)


def simple_audit(
    source: Mapping[str, Any],
    tailored: Mapping[str, Any],
    changes: Sequence[Change],
    expectations: Expectations,
    extra_forbidden: Sequence[str] = (),
) -> SimpleAudit:
    """Structural, numeric and keyword checks that share no code with the guard (the skeleton and digit
    runs are the independent audit's own functions).

    Number words ("seven years") are not seen here; the core audit counts those.
    """
    source_strings = list(walk_strings(source))
    source_numbers = number_runs(text for _, text in source_strings)
    outside_summary = number_runs(text for path, text in source_strings if path != SUMMARY_PATH)
    tailored_numbers = number_runs(text for _, text in walk_strings(tailored))
    lost = source_numbers - tailored_numbers
    declared = lost - outside_summary if _summary_replaced(changes) else set()

    source_text, tailored_text = document_text(source), document_text(tailored)
    forbidden = dict.fromkeys((*expectations.forbidden_terms, *extra_forbidden))
    return SimpleAudit(
        protected_changes=tuple(changed_paths(protected_skeleton(source), protected_skeleton(tailored))),
        new_numbers=tuple(sorted(tailored_numbers - source_numbers)),
        forbidden_terms=tuple(
            term for term in forbidden if mentions(tailored_text, term) and not mentions(source_text, term)
        ),
        silently_dropped_numbers=tuple(sorted(lost - declared)),
        declared_dropped_numbers=tuple(sorted(declared)),
    )


# --------------------------------------------------------------------------------------------- independent


def alias_pairs(expectations: Expectations) -> tuple[tuple[str, str], ...]:
    """The pair's hand-written spellings of one keyword, as (keyword, alias) pairs."""
    return tuple((keyword, alias) for keyword, aliases in expectations.aliases.items() for alias in aliases)


def fabrication_audit(
    source: Mapping[str, Any],
    tailored: Mapping[str, Any],
    expectations: Expectations,
    extra_forbidden: Sequence[str] = (),
) -> IndependentAudit:
    """The independent audit of one tailored CV, with the pair's hand-written aliases and forbidden terms."""
    return independent_audit(
        source,
        tailored,
        aliases=alias_pairs(expectations),
        forbidden=(*expectations.forbidden_terms, *extra_forbidden),
    )
