"""The guard: every proposed edit is checked against the source CV before anything is rebuilt.

A rewording of an item must state exactly that item's facts (aliases aside). A summary may use
only facts the CV states somewhere, may give an entry (a degree, an employer) only that entry's
dates, and may claim only the years of experience its work dates support. An ordering must be an
exact permutation of the source list. Whatever fails is rejected, the original is kept, and the
rejection names the reference and the offending tokens, never the CV text around them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Any, NamedTuple

from shared.resume.limits import MAX_LONG_TEXT_CHARS
from shared.tailoring.contract import (
    SUMMARY_MAX_CHARS,
    HighlightOrder,
    Rewording,
    SummaryEdit,
    TailoringEdits,
)
from shared.tailoring.dating import DateAnchors, date_anchors
from shared.tailoring.facts import (
    FactKind,
    ResumeFacts,
    TextFacts,
    TitleClaim,
    decimal_key,
    extract_facts,
    name_present,
    resume_facts,
    title_supported,
)
from shared.tailoring.keywords import tailoring_vocabulary
from shared.tailoring.provenance import ProvenanceChecker
from shared.tailoring.references import (
    PROJECTS_LIST_REF,
    SKILLS_LIST_REF,
    SUMMARY_REF,
    SourceIndex,
    SourceItem,
    index_source,
)
from shared.tailoring.rejections import (
    EditKind,
    Findings,
    GuardReason,
    GuardRejection,
    add_findings,
    rejection,
)
from shared.tailoring.text import normalise_whitespace
from shared.tailoring.vocabulary import TermKind, Vocabulary

REWORDING_MIN_ALLOWANCE_CHARS = 160
REWORDING_MAX_GROWTH = Decimal("1.5")
# Longer rejected texts are reported as lacking provenance without a typed label: the old fact extractor's
# cost grows faster than the text, and a label is only an explanation.
TYPED_LABEL_MAX_CHARS = 1_000
# A rejected summary is labelled against the typed facts of the whole CV only when the CV is of an ordinary
# size (the corpus's longest is about 12,000 characters); a larger one is reported by provenance alone.
TYPED_SCOPE_MAX_CHARS = 30_000
_SUSPICIOUS_RE = re.compile(
    r"\b(?:ignore|disregard|forget)\s+(?:all\s+|any\s+|the\s+|your\s+)?(?:previous|prior|above|earlier|preceding)\b"
    r"|\bsystem\s+prompt\b|\bas\s+an?\s+ai\s+(?:language\s+model|assistant)\b|\b(?:you\s+are\s+now|new\s+instructions)\b"
    r"|</?\s*(?:job_posting|cv|system|instructions?|script|iframe)\b|(?:^|\n)\s*(?:assistant|human)\s*:",
    re.IGNORECASE,
)
_MARKUP_RE = re.compile(r"<\s*/?\s*[A-Za-z!]")


_NEW_FACT_REASONS = {
    FactKind.CREDENTIAL: GuardReason.NEW_CREDENTIAL,
    FactKind.DATE: GuardReason.NEW_DATE,
    FactKind.NUMBER: GuardReason.NEW_NUMBER,
    FactKind.TECHNOLOGY: GuardReason.NEW_TECHNOLOGY,
    FactKind.SKILL: GuardReason.NEW_SKILL,
    FactKind.LINK: GuardReason.NEW_LINK,
}
_DROPPED_FACT_REASONS = {
    FactKind.NUMBER: GuardReason.DROPPED_NUMBER,
    FactKind.DATE: GuardReason.DROPPED_DATE,
    FactKind.TECHNOLOGY: GuardReason.DROPPED_TECHNOLOGY,
    FactKind.SKILL: GuardReason.DROPPED_SKILL,
}


class GuardResult(NamedTuple):
    """The edits that passed, a rejection for each one that did not, and for an accepted summary the entry
    that backs each of its sentences (the cited one, or the one the guard found)."""

    accepted: TailoringEdits
    rejections: list[GuardRejection]
    summary_backing: tuple[str, ...] = ()


@dataclass
class GuardContext:
    """Everything the guard knows about one source CV (and job), computed once per tailoring."""

    source: Mapping[str, Any]
    index: SourceIndex
    vocabulary: Vocabulary
    experience: Decimal
    provenance: ProvenanceChecker
    _item_facts: dict[str, TextFacts] = field(default_factory=dict)

    # The typed facts of the whole CV only label a rejected summary, so they are extracted on first use.
    @cached_property
    def cv_facts(self) -> ResumeFacts:
        return resume_facts(self.source, self.vocabulary)

    @cached_property
    def _cv_chars(self) -> int:
        return len(self.provenance.cv_text)

    @cached_property
    def date_anchors(self) -> DateAnchors:
        summary = self.index.resolve(SUMMARY_REF)
        return date_anchors(self.source, self.vocabulary, summary.text if summary else None)

    def _labels_needed(self, text: str, gaps: list[str]) -> bool:
        """Whether the typed facts must be extracted: to label a rejection of a text short enough for the
        extractor, or to check a curated organisation an otherwise traced edit names."""
        if gaps:
            return len(text) <= TYPED_LABEL_MAX_CHARS
        return any(match.term.kind is TermKind.ORGANISATION for match in self.vocabulary.find_all(text))

    def facts_of(self, item: SourceItem) -> TextFacts:
        cached = self._item_facts.get(item.ref)
        if cached is None:
            cached = extract_facts(item.text, self.vocabulary)
            self._item_facts[item.ref] = cached
        return cached

    def rewording_findings(self, item: SourceItem, text: str) -> Findings:
        """Problems with new wording for one item, judged against that item alone."""
        findings = _text_findings(text, item.text)
        if findings:
            return findings
        hidden = self.provenance.hidden(text)
        if hidden:
            return {GuardReason.DISGUISED_TEXT: hidden}
        # Every rewordable item is a long-text field: a rewording may not outgrow what the CV may hold.
        limit = min(
            MAX_LONG_TEXT_CHARS,
            max(REWORDING_MIN_ALLOWANCE_CHARS, int(len(item.text) * REWORDING_MAX_GROWTH)),
        )
        if len(text) > limit:
            return {GuardReason.TOO_LONG: [f"{len(text)} > {limit} chars"]}
        gaps = self.provenance.rewording(item.text, text)
        if not self._labels_needed(text, gaps):
            return {GuardReason.NO_PROVENANCE: gaps} if gaps else {}
        original = self.facts_of(item)
        candidate = extract_facts(text, self.vocabulary)
        self._add_name_and_title_findings(findings, candidate, original, original.titles)
        for kind, reason in _NEW_FACT_REASONS.items():
            add_findings(
                findings, reason, _surfaces(candidate, kind, candidate.keys(kind) - original.keys(kind))
            )
        for kind, reason in _DROPPED_FACT_REASONS.items():
            add_findings(
                findings, reason, _surfaces(original, kind, original.keys(kind) - candidate.keys(kind))
            )
        return self._with_provenance(findings, gaps)

    def _with_provenance(self, typed: Findings, gaps: list[str]) -> Findings:
        """Provenance decides; the typed facts only say what kind of fact an untraced word was.

        An edit whose every word traces is accepted whatever the fact extractor thinks (its capitalisation
        and vocabulary heuristics made good edits fail), with one exception: a curated organisation
        (Amazon, Google, ...) the source does not name as one. "Ran services on AWS" → "for Amazon Web
        Services" uses only traced words, but makes the vendor an employer.
        """
        curated = [
            surface
            for surface in typed.get(GuardReason.NEW_ORGANISATION, [])
            if (term := self.vocabulary.lookup(surface)) is not None and term.kind is TermKind.ORGANISATION
        ]
        if not gaps and not curated:
            return {}
        return {**typed, GuardReason.NO_PROVENANCE: gaps} if gaps else typed

    def _add_name_and_title_findings(
        self,
        findings: Findings,
        candidate: TextFacts,
        names_scope: TextFacts,
        titles_scope: Iterable[TitleClaim],
    ) -> None:
        """Organisations absent from ``names_scope`` and titles ``titles_scope`` does not support."""
        add_findings(
            findings,
            GuardReason.NEW_ORGANISATION,
            (
                fact.surface
                for fact in candidate.of_kind(FactKind.ORGANISATION)
                if not name_present(fact, names_scope)
            ),
        )
        lexicon = self.vocabulary.lexicon
        add_findings(
            findings,
            GuardReason.NEW_TITLE,
            (
                claim.surface
                for claim in candidate.titles
                if not title_supported(claim, titles_scope, lexicon)
            ),
        )

    def summary_findings(self, text: str, sources: Iterable[str] = ()) -> Findings:
        """Problems with a new summary: each sentence must be bound to one entry (``sources`` tried first)."""
        original_summary = self.index.resolve(SUMMARY_REF)
        findings = _text_findings(text, original_summary.text if original_summary else "")
        if findings:
            return findings
        hidden = self.provenance.hidden(text)
        if hidden:
            return {GuardReason.DISGUISED_TEXT: hidden}
        if len(text) > SUMMARY_MAX_CHARS:
            return {GuardReason.TOO_LONG: [f"{len(text)} > {SUMMARY_MAX_CHARS} chars"]}
        gaps = self.provenance.summary(text, sources).gaps
        if not self._labels_needed(text, gaps) or self._cv_chars > TYPED_SCOPE_MAX_CHARS:
            return {GuardReason.NO_PROVENANCE: gaps} if gaps else {}
        scope = self.cv_facts.all
        candidate = extract_facts(text, self.vocabulary)
        self._add_name_and_title_findings(findings, candidate, scope, self.cv_facts.title_fields)
        add_findings(
            findings, GuardReason.MISATTRIBUTED_DATE, self.date_anchors.misattributed(text, self.vocabulary)
        )
        supported_years = max([self.experience, *(claim.years for claim in scope.years_claims)])
        add_findings(
            findings,
            GuardReason.UNSUPPORTED_YEARS_CLAIM,
            (claim.surface for claim in candidate.years_claims if claim.years > supported_years),
        )
        # A stated length of experience is judged by the rule above, not as a bare number.
        years_numbers = {decimal_key(claim.years) for claim in candidate.years_claims}
        for kind, reason in _NEW_FACT_REASONS.items():
            new_keys = candidate.keys(kind) - scope.keys(kind)
            if kind is FactKind.NUMBER:
                new_keys -= years_numbers
            add_findings(findings, reason, _surfaces(candidate, kind, new_keys))
        return self._with_provenance(findings, gaps)


def _surfaces(facts: TextFacts, kind: FactKind, keys: Iterable[str]) -> list[str]:
    return [facts.surface(kind, key) for key in sorted(keys)]


def _text_findings(text: str, original: str) -> Findings:
    if not any(char.isalnum() for char in text):
        return {GuardReason.EMPTY_TEXT: []}
    suspicious = [match.group(0) for match in _SUSPICIOUS_RE.finditer(text)]
    if not _MARKUP_RE.search(original):
        suspicious.extend(match.group(0) for match in _MARKUP_RE.finditer(text))
    return {GuardReason.SUSPICIOUS_TEXT: suspicious} if suspicious else {}


def build_guard_context(
    source: Mapping[str, Any], job: Mapping[str, Any] | None = None, *, as_of: date
) -> GuardContext:
    """Index the source CV once, for checking any number of edits (its typed facts wait until needed)."""
    vocabulary = tailoring_vocabulary(source, job)
    provenance = ProvenanceChecker(source, as_of, vocabulary)
    index = index_source(source)
    return GuardContext(
        source=source,
        index=index,
        vocabulary=vocabulary,
        experience=provenance.total_years,
        provenance=provenance,
    )


def _guard_summary(
    edit: SummaryEdit | None, context: GuardContext, rejections: list[GuardRejection]
) -> SummaryEdit | None:
    if edit is None:
        return None
    text = normalise_whitespace(edit.text)
    original = context.index.resolve(SUMMARY_REF)
    if original is not None and text == normalise_whitespace(original.text):
        return None
    unknown = [ref for ref in edit.sources if not context.index.is_known(ref)]
    findings = {GuardReason.UNKNOWN_REF: unknown} if unknown else context.summary_findings(text, edit.sources)
    if findings:
        rejections.append(rejection(EditKind.SUMMARY, SUMMARY_REF, findings, "The summary"))
        return None
    return SummaryEdit(text=text, sources=list(dict.fromkeys(edit.sources)))


def _guard_rewordings(
    edits: Iterable[Rewording], context: GuardContext, rejections: list[GuardRejection]
) -> list[Rewording]:
    accepted: list[Rewording] = []
    seen: set[str] = set()
    for edit in edits:
        item = context.index.resolve(edit.ref)
        text = normalise_whitespace(edit.text)
        findings: Findings
        if item is None:
            findings = {GuardReason.UNKNOWN_REF: [edit.ref]}
        elif not item.rewordable:
            findings = {GuardReason.NOT_EDITABLE: [edit.ref]}
        elif edit.ref in seen:
            findings = {GuardReason.DUPLICATE_REF: [edit.ref]}
        else:
            seen.add(edit.ref)
            if text == normalise_whitespace(item.text):
                continue
            findings = context.rewording_findings(item, text)
        if findings:
            rejections.append(rejection(EditKind.REWORD, edit.ref, findings, "The rewording"))
        else:
            accepted.append(Rewording(ref=edit.ref, text=text))
    return accepted


def order_findings(proposed: list[str], expected: list[str]) -> Findings:
    """Problems with a proposed order: it must hold every expected reference exactly once."""
    findings: Findings = {}
    expected_set = set(expected)
    add_findings(findings, GuardReason.UNKNOWN_REF, (ref for ref in proposed if ref not in expected_set))
    seen: set[str] = set()
    duplicates: list[str] = []
    for ref in proposed:
        if ref in seen:
            duplicates.append(ref)
        seen.add(ref)
    add_findings(findings, GuardReason.DUPLICATE_REF, duplicates)
    add_findings(findings, GuardReason.MISSING_REF, (ref for ref in expected if ref not in seen))
    return findings


def _guard_order(
    list_ref: str, proposed: list[str], expected: list[str], rejections: list[GuardRejection]
) -> list[str]:
    if not proposed or proposed == expected:
        return []
    findings = order_findings(proposed, expected)
    if findings:
        rejections.append(rejection(EditKind.REORDER, list_ref, findings, "The new order"))
        return []
    return list(proposed)


def _guard_highlight_orders(
    orders: Iterable[HighlightOrder], context: GuardContext, rejections: list[GuardRejection]
) -> list[HighlightOrder]:
    accepted: list[HighlightOrder] = []
    seen: set[str] = set()
    for order in orders:
        expected = context.index.highlight_groups.get(order.work)
        if expected is None:
            rejections.append(
                rejection(
                    EditKind.REORDER,
                    order.work,
                    {GuardReason.UNKNOWN_REF: [order.work]},
                    "The highlight order",
                )
            )
            continue
        if order.work in seen:
            rejections.append(
                rejection(
                    EditKind.REORDER,
                    order.work,
                    {GuardReason.DUPLICATE_REF: [order.work]},
                    "The highlight order",
                )
            )
            continue
        seen.add(order.work)
        if _guard_order(order.work, order.order, expected, rejections):
            accepted.append(HighlightOrder(work=order.work, order=list(order.order)))
    return accepted


def context_for(
    source: Mapping[str, Any],
    job: Mapping[str, Any] | None,
    *,
    as_of: date | None,
    context: GuardContext | None,
) -> GuardContext:
    """The given context, or one built as of ``as_of``; there is no implicit "today"."""
    if context is not None:
        return context
    if as_of is None:
        raise TypeError("pass as_of (the day years of experience are counted to) or a built context")
    return build_guard_context(source, job, as_of=as_of)


def guard_edits(
    source: Mapping[str, Any],
    edits: TailoringEdits,
    *,
    job: Mapping[str, Any] | None = None,
    as_of: date | None = None,
    context: GuardContext | None = None,
) -> GuardResult:
    """Check every proposed edit against the source CV; return the accepted ones and the rejections.

    Pass the day experience is counted to (``as_of``), or a ``context`` already built for it.
    """
    guard_context = context_for(source, job, as_of=as_of, context=context)
    rejections: list[GuardRejection] = []
    index = guard_context.index
    accepted = TailoringEdits(
        summary=_guard_summary(edits.summary, guard_context, rejections),
        highlight_orders=_guard_highlight_orders(edits.highlight_orders, guard_context, rejections),
        project_order=_guard_order(PROJECTS_LIST_REF, edits.project_order, index.project_refs, rejections),
        skill_order=_guard_order(SKILLS_LIST_REF, edits.skill_order, index.skill_refs, rejections),
        rewordings=_guard_rewordings(edits.rewordings, guard_context, rejections),
    )
    summary = accepted.summary
    backing = guard_context.provenance.summary(summary.text, summary.sources).bound if summary else []
    # A sentence that is only a label ("Qualifications:") needs no backing, so it has none to report.
    return GuardResult(
        accepted=accepted, rejections=rejections, summary_backing=tuple(ref for ref in backing if ref)
    )
