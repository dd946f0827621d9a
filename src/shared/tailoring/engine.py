"""A deterministic, offline edit proposer: the same contract the model fills, filled without a model.

It reorders highlights, projects and skills by relevance to the job's keywords, builds a summary
from the CV's own sentences, and aligns wording only to job terms the CV already states through
an alias (CV "Postgres", job "PostgreSQL"). It never adds a fact, and checks its own proposals
with the guard before returning them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from shared.tailoring.contract import (
    SUMMARY_MAX_CHARS,
    HighlightOrder,
    Rewording,
    SummaryEdit,
    TailoringEdits,
)
from shared.tailoring.guard import GuardContext, build_guard_context
from shared.tailoring.keywords import JobKeyword, extract_job_keywords
from shared.tailoring.match_report import first_page_keys
from shared.tailoring.rebuild import apply_edits
from shared.tailoring.references import LABEL_REF, SUMMARY_REF, SourceItem, ref_path
from shared.tailoring.text import normalise_whitespace, split_sentences, tokenize
from shared.tailoring.vocabulary import Vocabulary

SUMMARY_MAX_ADDED_HIGHLIGHTS = 2


@dataclass(frozen=True)
class _Relevance:
    """Job keywords the CV evidences, their weights, and the job's preferred wording of each."""

    weights: dict[str, int]
    wording: dict[str, str]
    vocabulary: Vocabulary

    def keys_in(self, text: str) -> frozenset[str]:
        return frozenset(
            match.term.key for match in self.vocabulary.find_all(text) if match.term.key in self.weights
        )

    def score(self, text: str) -> int:
        return sum(self.weights[key] for key in self.keys_in(text))


def _relevance(context: GuardContext, keywords: list[JobKeyword]) -> _Relevance:
    scope = context.cv_facts.all
    cv_keys = {fact.key for fact in scope.facts}
    evidenced = [keyword for keyword in keywords if keyword.key in cv_keys]
    wording: dict[str, str] = {}
    for keyword in evidenced:
        wording.setdefault(keyword.key, keyword.name)
    return _Relevance(
        weights={keyword.key: keyword.weight for keyword in evidenced},
        wording=wording,
        vocabulary=context.vocabulary,
    )


def _greedy_order(refs: list[str], text_of: Callable[[str], str], relevance: _Relevance) -> list[str]:
    """Most new keywords first, then most relevant, then source order: a stable, coverage-first sort."""
    keys = {ref: relevance.keys_in(text_of(ref)) for ref in refs}
    remaining = list(refs)
    covered: set[str] = set()
    ordered: list[str] = []
    while remaining:
        best = max(
            remaining,
            key=lambda ref: (
                sum(relevance.weights[key] for key in keys[ref] - covered),
                sum(relevance.weights[key] for key in keys[ref]),
                -refs.index(ref),
            ),
        )
        ordered.append(best)
        covered |= keys[best]
        remaining.remove(best)
    return ordered


def _aligned(text: str, relevance: _Relevance) -> str:
    """Swap a CV alias for the job's own wording of the same term, and nothing else."""
    replacements: list[tuple[int, int, str]] = []
    for match in relevance.vocabulary.find(text):
        preferred = relevance.wording.get(match.term.key)
        if preferred is None or (preferred.islower() and not match.surface.islower()):
            continue
        # Only a different name is aligned; an inflection (forecasts/forecasting) is left alone.
        same_words = [token.stem for token in tokenize(preferred)] == [
            token.stem for token in tokenize(match.surface)
        ]
        # Prefer the fuller form: "JS" -> "JavaScript", never "Kubernetes" -> "k8s".
        if same_words or (len(preferred) < len(match.surface) and preferred != match.term.name):
            continue
        replacements.append((match.start, match.end, preferred))
    for start, end, preferred in reversed(replacements):
        text = text[:start] + preferred + text[end:]
    return text


def _rewordings(context: GuardContext, relevance: _Relevance) -> list[Rewording]:
    proposals: list[Rewording] = []
    for item in context.index.items.values():
        if not item.rewordable:
            continue
        text = _aligned(item.text, relevance)
        if text != item.text and not context.rewording_findings(item, normalise_whitespace(text)):
            proposals.append(Rewording(ref=item.ref, text=text))
    return proposals


def _as_sentence(text: str) -> str:
    stripped = normalise_whitespace(text)
    return stripped if stripped[-1:] in {".", "!", "?"} else f"{stripped}."


def _summary(context: GuardContext, relevance: _Relevance) -> SummaryEdit | None:
    index = context.index
    original = index.resolve(SUMMARY_REF)
    opening: list[tuple[str, str]] = []
    if original is not None:
        sentences = split_sentences(original.text)
        rest = sorted(sentences[1:], key=lambda sentence: -relevance.score(sentence))
        opening = [(SUMMARY_REF, sentence) for sentence in sentences[:1] + rest]
    else:
        basics = context.source.get("basics")
        label = basics.get("label") if isinstance(basics, Mapping) else None
        if isinstance(label, str) and label.strip():
            opening = [(LABEL_REF, label)]
    covered = set().union(*(relevance.keys_in(sentence) for _, sentence in opening))
    highlights = [
        item
        for refs in index.highlight_groups.values()
        for item in (index.items[ref] for ref in refs)
        if relevance.keys_in(item.text) - covered
    ]
    highlights.sort(key=lambda item: -len(relevance.keys_in(item.text) - covered))
    candidates = _summary_candidates(opening, highlights, covered, relevance)
    for parts in candidates:
        text = normalise_whitespace(
            " ".join(_aligned(_as_sentence(sentence), relevance) for _, sentence in parts)
        )
        unchanged = original is not None and text == normalise_whitespace(original.text)
        if not text or unchanged or len(text) > SUMMARY_MAX_CHARS:
            continue
        if not context.summary_findings(text):
            return SummaryEdit(text=text, sources=list(dict.fromkeys(ref for ref, _ in parts)))
    return None


def _summary_candidates(
    opening: list[tuple[str, str]], highlights: list[SourceItem], covered: set[str], relevance: _Relevance
) -> list[list[tuple[str, str]]]:
    """Summaries to try, longest first; each drops the last added highlight sentence."""
    added: list[tuple[str, str]] = []
    seen = set(covered)
    for item in highlights:
        if len(added) == SUMMARY_MAX_ADDED_HIGHLIGHTS:
            break
        new_keys = relevance.keys_in(item.text) - seen
        if new_keys:
            added.append((item.ref, item.text))
            seen |= new_keys
    return [opening + added[:count] for count in range(len(added), -1, -1) if opening or added[:count]]


def _coverage_safe(
    source: Mapping[str, Any],
    job: Mapping[str, Any],
    edits: TailoringEdits,
    context: GuardContext,
    relevance: _Relevance,
) -> TailoringEdits:
    """Drop reorders, last first, while fewer evidenced keywords would reach the first page than before."""
    wanted = frozenset(relevance.weights)
    before = len(first_page_keys(source, context.vocabulary) & wanted)
    candidate = edits
    while True:
        tailored = apply_edits(source, candidate, job=job, context=context).resume
        if len(first_page_keys(tailored, context.vocabulary) & wanted) >= before:
            return candidate
        if candidate.skill_order:
            candidate = candidate.model_copy(update={"skill_order": []})
        elif candidate.highlight_orders:
            candidate = candidate.model_copy(update={"highlight_orders": candidate.highlight_orders[:-1]})
        else:
            return candidate


def propose_edits(
    source: Mapping[str, Any], job: Mapping[str, Any], *, as_of: date | None = None
) -> TailoringEdits:
    """Propose edits for a CV and a job without a model. Deterministic for the same inputs and date."""
    context = build_guard_context(source, job, as_of=as_of)
    relevance = _relevance(context, extract_job_keywords(job, context.vocabulary))
    index = context.index

    def item_text(ref: str) -> str:
        return index.items[ref].text

    def project_text(ref: str) -> str:
        """A project's name, description, highlights and keywords, scored together."""
        related = [item.text for key, item in index.items.items() if key.startswith(f"{ref}.")]
        path = ref_path(ref)
        project = source["projects"][path[-1]] if path is not None and isinstance(path[-1], int) else {}
        keywords = project.get("keywords")
        extra = [word for word in keywords if isinstance(word, str)] if isinstance(keywords, list) else []
        return " ".join([item_text(ref), *related, *extra])

    highlight_orders = []
    for work_ref, refs in index.highlight_groups.items():
        order = _greedy_order(refs, item_text, relevance)
        if order != refs:
            highlight_orders.append(HighlightOrder(work=work_ref, order=order))
    project_order = _greedy_order(index.project_refs, project_text, relevance)
    skill_order = _greedy_order(index.skill_refs, item_text, relevance)
    edits = TailoringEdits(
        summary=_summary(context, relevance),
        highlight_orders=highlight_orders,
        project_order=project_order if project_order != index.project_refs else [],
        skill_order=skill_order if skill_order != index.skill_refs else [],
        rewordings=_rewordings(context, relevance),
    )
    return _coverage_safe(source, job, edits, context, relevance)
