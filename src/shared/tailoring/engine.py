"""A deterministic, offline edit proposer: the same contract the model fills, filled without a model.

It reorders highlights, projects and skills by relevance to the job's keywords, builds a summary
from the CV's own sentences (its summary, the highlights and the degree and certificate names that
carry job keywords the first page lacks), and aligns wording only to job terms the CV already
states through an alias (CV "Postgres", job "PostgreSQL"). It never adds a fact, and checks its
own proposals with the guard before returning them.
"""

from __future__ import annotations

import re
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
from shared.tailoring.match_report import first_page_keys, first_page_texts
from shared.tailoring.prompt import job_posting_text
from shared.tailoring.rebuild import apply_edits
from shared.tailoring.references import LABEL_REF, SUMMARY_REF, SourceItem, ref_path
from shared.tailoring.text import normalise_whitespace, split_sentences, tokenize
from shared.tailoring.vocabulary import Vocabulary

SUMMARY_MAX_ADDED_HIGHLIGHTS = 2
_VOWELS = frozenset("aeiou")
_ARTICLE_RE = re.compile(r"(?:^|(?<=\s))(?P<article>an?|An?)\s+$")
# Shorter words ("AP", "IT") are too ambiguous to tie a CV entry to a job.
_MIN_SHARED_WORD_CHARS = 3


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
        ] or _singular(preferred) == _singular(match.surface)
        # Prefer the fuller form: "JS" -> "JavaScript", never "Kubernetes" -> "k8s"; and never drop words:
        # "RESTful APIs" -> "REST" would leave "Built REST consumed by …".
        if same_words or (len(preferred) < len(match.surface) and preferred != match.term.name):
            continue
        if len(tokenize(preferred)) < len(tokenize(match.surface)):
            continue
        # "Bachelor of Science in Nursing (BSN)" already says it the job's way.
        if re.search(rf"(?<!\w){re.escape(preferred)}(?!\w)", text, re.IGNORECASE):
            continue
        # A hyphenated compound ("PMP-certified") reads badly with a long name in it.
        if text[match.end : match.end + 1] == "-" or text[match.start - 1 : match.start] == "-":
            continue
        replacements.append((match.start, match.end, preferred))
    for start, end, preferred in reversed(replacements):
        before = _with_article(text[:start], text[start:end], preferred)
        text = before + preferred + text[end:]
    return text


def _singular(term: str) -> str:
    """``APIs`` and ``API`` are one wording: the light stemmer keeps acronyms' plurals apart."""
    lowered = term.lower()
    return lowered[:-1] if lowered.endswith("s") and len(lowered) > 2 else lowered


def _indefinite_article(word: str) -> str:
    return "an" if word[:1].lower() in _VOWELS else "a"


def _with_article(before: str, old: str, new: str) -> str:
    """``before`` with a closing "a"/"an" fitted to the new word, where it fitted the old one."""
    found = _ARTICLE_RE.search(before)
    if found is None or found["article"].lower() != _indefinite_article(old):
        return before
    article = _indefinite_article(new)
    article = article.capitalize() if found["article"][0].isupper() else article
    return before[: found.start("article")] + article + before[found.end("article") :]


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


@dataclass(frozen=True)
class _Sentence:
    """A summary sentence and the CV items it is built from."""

    refs: tuple[str, ...]
    text: str
    # A certificate or degree keeps the CV's exact name; other sentences may take the job's wording.
    verbatim: bool = False


def _summary(
    context: GuardContext, relevance: _Relevance, arranged: Mapping[str, Any], job_cues: frozenset[str]
) -> SummaryEdit | None:
    """The CV's own summary sentences, then the qualifications and highlights that bring job keywords
    the arranged first page (its top highlights and skills) does not show yet."""
    index = context.index
    original = index.resolve(SUMMARY_REF)
    opening: list[_Sentence] = []
    if original is not None:
        sentences = split_sentences(original.text)
        rest = sorted(sentences[1:], key=lambda sentence: -relevance.score(sentence))
        opening = [_Sentence((SUMMARY_REF,), sentence) for sentence in sentences[:1] + rest]
    else:
        basics = context.source.get("basics")
        label = basics.get("label") if isinstance(basics, Mapping) else None
        if isinstance(label, str) and label.strip():
            opening = [_Sentence((LABEL_REF,), label)]
    shown = " ".join(
        [
            *(text for ref, text in first_page_texts(arranged) if ref != SUMMARY_REF),
            *(sentence.text for sentence in opening),
        ]
    )
    covered = set(relevance.keys_in(shown))
    qualifications = _qualifications(context, relevance, covered, job_cues - _cues(shown, context.vocabulary))
    covered = covered.union(*(relevance.keys_in(sentence.text) for sentence in qualifications))
    highlights = [
        item
        for refs in index.highlight_groups.values()
        for item in (index.items[ref] for ref in refs)
        if relevance.keys_in(item.text) - covered
    ]
    highlights.sort(key=lambda item: -len(relevance.keys_in(item.text) - covered))
    for parts in _summary_candidates(opening, qualifications, highlights, covered, relevance):
        text = normalise_whitespace(
            " ".join(
                _as_sentence(part.text) if part.verbatim else _aligned(_as_sentence(part.text), relevance)
                for part in parts
            )
        )
        unchanged = original is not None and text == normalise_whitespace(original.text)
        if not text or unchanged or len(text) > SUMMARY_MAX_CHARS:
            continue
        sources = list(dict.fromkeys(ref for part in parts for ref in part.refs))
        if not context.summary_findings(text, sources):
            return SummaryEdit(text=text, sources=sources)
    return None


def _summary_candidates(
    opening: list[_Sentence],
    qualifications: list[_Sentence],
    highlights: list[SourceItem],
    covered: set[str],
    relevance: _Relevance,
) -> list[list[_Sentence]]:
    """Summaries to try, longest first: highlight sentences are dropped first, then the qualifications."""
    added: list[_Sentence] = []
    seen = set(covered)
    for item in highlights:
        if len(added) == SUMMARY_MAX_ADDED_HIGHLIGHTS:
            break
        new_keys = relevance.keys_in(item.text) - seen
        if new_keys:
            added.append(_Sentence((item.ref,), item.text))
            seen |= new_keys
    heads = [opening + qualifications, opening] if qualifications else [opening]
    return [
        head + added[:count] for head in heads for count in range(len(added), -1, -1) if head or added[:count]
    ]


def _cues(text: str, vocabulary: Vocabulary) -> frozenset[str]:
    """What can tie a CV entry to a job: its distinctive word stems, and its adjacent word pairs.

    Common words, numbers and a bare "certificate" tie nothing on their own, but a pair keeps its
    generic word, so "Chartered Engineer" still ties to a job asking for a Chartered Engineer when the
    first page only says "Chartered mechanical engineer".
    """
    lexicon = vocabulary.lexicon
    cues: set[str] = set()
    previous: str | None = None
    for token in tokenize(text):
        if (
            token.is_numeric
            or token.lower in lexicon.common_words
            or len(token.lower) < _MIN_SHARED_WORD_CHARS
        ):
            previous = None
            continue
        term = vocabulary.folded.get((token.base,))
        if term is None or term.key not in lexicon.generic_term_keys:
            cues.add(token.stem)
        if previous is not None and not token.sentence_start:
            cues.add(f"{previous} {token.base}")
        previous = token.base
    return frozenset(cues)


def _entries(source: Mapping[str, Any], section: str) -> list[tuple[str, Mapping[str, Any]]]:
    value = source.get(section)
    if not isinstance(value, list):
        return []
    return [(f"{section}[{index}]", entry) for index, entry in enumerate(value) if isinstance(entry, Mapping)]


def _text_field(entry: Mapping[str, Any], name: str) -> str:
    value = entry.get(name)
    return normalise_whitespace(value) if isinstance(value, str) else ""


def _degree(entry: Mapping[str, Any]) -> str:
    """An education entry's degree and subject in the CV's words: "Bachelor of Science in Nursing"."""
    study_type, area = _text_field(entry, "studyType"), _text_field(entry, "area")
    if not study_type or not area or area.casefold() in study_type.casefold():
        return study_type or area
    joiner = ", " if " in " in study_type or "(" in study_type else " in "
    return f"{study_type}{joiner}{area}"


def _certificate(entry: Mapping[str, Any]) -> str:
    return _text_field(entry, "name")


# The entries a qualifications sentence may name. Languages are left out: the prompt does not show
# them, so a model could not name them either, and the Bedrock emulator (which answers from the
# prompt alone with this engine) could not reproduce the sentence.
_QUALIFICATION_SOURCES: tuple[tuple[str, Callable[[Mapping[str, Any]], str]], ...] = (
    ("education", _degree),
    ("certificates", _certificate),
)


def _qualifications(
    context: GuardContext, relevance: _Relevance, covered: set[str], wanted_cues: frozenset[str]
) -> list[_Sentence]:
    """A sentence naming the CV's own degrees and certificates that the job asks about, or none.

    An entry is named when it states a job keyword the first page lacks, or shares a word with the job
    that the first page does not show ("Forklift Operator Certification" for "Forklift certification").
    Each is copied as the CV writes it, without its dates.
    """
    vocabulary = context.vocabulary

    def wanted(text: str) -> bool:
        return bool(relevance.keys_in(text) - covered or _cues(text, vocabulary) & wanted_cues)

    named = [
        (ref, phrase)
        for section, describe in _QUALIFICATION_SOURCES
        for ref, entry in _entries(context.source, section)
        if (phrase := describe(entry)) and wanted(phrase)
    ]
    if not named:
        return []
    text = "Qualifications: " + "; ".join(phrase for _, phrase in named) + "."
    return [_Sentence(tuple(ref for ref, _ in named), text, verbatim=True)]


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


def propose_edits(source: Mapping[str, Any], job: Mapping[str, Any], *, as_of: date) -> TailoringEdits:
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
    arrangement = _coverage_safe(
        source,
        job,
        TailoringEdits(
            highlight_orders=highlight_orders,
            project_order=project_order if project_order != index.project_refs else [],
            skill_order=skill_order if skill_order != index.skill_refs else [],
            rewordings=_rewordings(context, relevance),
        ),
        context,
        relevance,
    )
    # The summary is written last, to carry what the arranged first page still lacks.
    arranged = apply_edits(source, arrangement, job=job, context=context).resume
    summary = _summary(context, relevance, arranged, _cues(job_posting_text(job), context.vocabulary))
    return _coverage_safe(
        source, job, arrangement.model_copy(update={"summary": summary}), context, relevance
    )
