"""What the evaluation measures on one tailored CV: keyword coverage, fabricated facts and dropped facts.

Two independent views of each question are kept on purpose:

* the core's own fact extractor (``audit_facts``), the same notion of a fact the guard uses, and
* a deliberately simple checker written here: structural comparison of everything the contract cannot
  change, plain digit runs, and whole-term matches of the hand-written expectations.

The core audit alone cannot catch a fact its extractor does not recognise, because the guard would miss
the same fact; the simple checker shares none of its code, so a blind spot has to exist in both to go
unnoticed.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from evaluation.corpus import Expectations
from shared.tailoring import Change, ChangeKind, Fact, FactKind, Vocabulary, audit_facts, extract_facts
from shared.tailoring.facts import iter_strings
from shared.tailoring.match_report import first_page_texts

SUMMARY_PATH = "basics.summary"
_NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)*")
_EDITABLE_TEXT = "<editable>"


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


def _walk_strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _walk_strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk_strings(item, f"{path}[{index}]")


def document_text(document: Mapping[str, Any]) -> str:
    return "\n".join(text for _, text in _walk_strings(document))


def _numbers(texts: Iterator[str]) -> set[str]:
    return {match.group(0).replace(",", "") for text in texts for match in _NUMBER_RE.finditer(text)}


def _mask_text_fields(entry: Any, fields: tuple[str, ...]) -> Any:
    if not isinstance(entry, dict):
        return entry
    masked = dict(entry)
    for name in fields:
        value = masked.get(name)
        if isinstance(value, str):
            masked[name] = _EDITABLE_TEXT
        elif isinstance(value, list):
            masked[name] = [_EDITABLE_TEXT if isinstance(item, str) else item for item in value]
    return masked


def _sorted_entries(value: Any) -> Any:
    if not isinstance(value, list):
        return value
    return sorted(value, key=lambda entry: json.dumps(entry, sort_keys=True, ensure_ascii=False))


def protected_skeleton(resume: Mapping[str, Any]) -> dict[str, Any]:
    """The CV with every text the contract may edit masked and every list it may reorder sorted.

    Two CVs with equal skeletons differ only where the edit contract allows: the summary (new or
    rewritten), highlight wording, and the order of highlights, projects and skills. Contact details,
    employers, titles, dates, education and certificates must be byte-identical for skeletons to match.
    """
    skeleton: dict[str, Any] = copy.deepcopy(dict(resume))
    basics = skeleton.get("basics")
    if isinstance(basics, dict):
        # The contract may write a summary where the source has none, so its presence is not compared.
        basics.pop("summary", None)
    for section, fields in (
        ("work", ("summary", "highlights")),
        ("volunteer", ("summary", "highlights")),
        ("projects", ("description", "highlights")),
    ):
        entries = skeleton.get(section)
        if isinstance(entries, list):
            masked = [_mask_text_fields(entry, fields) for entry in entries]
            skeleton[section] = _sorted_entries(masked) if section == "projects" else masked
    if isinstance(skeleton.get("skills"), list):
        skeleton["skills"] = _sorted_entries(skeleton["skills"])
    return skeleton


def _changed_paths(before: Any, after: Any, path: str = "") -> list[str]:
    if isinstance(before, dict) and isinstance(after, dict):
        changed = []
        for key in sorted(set(before) | set(after), key=str):
            child = f"{path}.{key}" if path else str(key)
            if key not in before or key not in after:
                changed.append(child)
            else:
                changed.extend(_changed_paths(before[key], after[key], child))
        return changed
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        return [
            changed
            for index, (left, right) in enumerate(zip(before, after, strict=True))
            for changed in _changed_paths(left, right, f"{path}[{index}]")
        ]
    same = json.dumps(before, sort_keys=True, ensure_ascii=False) == json.dumps(
        after, sort_keys=True, ensure_ascii=False
    )
    return [] if same else [path or "<root>"]


@dataclass(frozen=True)
class SimpleAudit:
    """The independent checker's view of one tailored CV."""

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
    """Structural, numeric and keyword checks that share no code with the guard.

    Number words ("seven years") are not seen here; the core audit counts those.
    """
    source_strings = list(_walk_strings(source))
    source_numbers = _numbers(text for _, text in source_strings)
    outside_summary = _numbers(text for path, text in source_strings if path != SUMMARY_PATH)
    tailored_numbers = _numbers(text for _, text in _walk_strings(tailored))
    lost = source_numbers - tailored_numbers
    declared = lost - outside_summary if _summary_replaced(changes) else set()

    source_text, tailored_text = document_text(source), document_text(tailored)
    forbidden = dict.fromkeys((*expectations.forbidden_terms, *extra_forbidden))
    return SimpleAudit(
        protected_changes=tuple(_changed_paths(protected_skeleton(source), protected_skeleton(tailored))),
        new_numbers=tuple(sorted(tailored_numbers - source_numbers)),
        forbidden_terms=tuple(
            term for term in forbidden if mentions(tailored_text, term) and not mentions(source_text, term)
        ),
        silently_dropped_numbers=tuple(sorted(lost - declared)),
        declared_dropped_numbers=tuple(sorted(declared)),
    )
