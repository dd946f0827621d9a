"""How the guard reports a rejected edit: the reasons, their order and messages, and the rejection record.

A rejection names the reference and the offending tokens, clipped, never the CV text around them.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from shared.tailoring.references import PROJECTS_LIST_REF, SKILLS_LIST_REF, looks_like_ref
from shared.tailoring.text import normalise_whitespace

_MAX_TOKEN_CHARS = 40
_MAX_TOKENS = 8
_MAX_REF_CHARS = 48


class GuardReason(StrEnum):
    UNKNOWN_REF = "unknown_ref"
    NOT_EDITABLE = "not_editable"
    DUPLICATE_REF = "duplicate_ref"
    MISSING_REF = "missing_ref"
    EMPTY_TEXT = "empty_text"
    TOO_LONG = "too_long"
    SUSPICIOUS_TEXT = "suspicious_text"
    NEW_ORGANISATION = "new_organisation"
    NEW_TITLE = "new_title"
    NEW_CREDENTIAL = "new_credential"
    NEW_DATE = "new_date"
    MISATTRIBUTED_DATE = "misattributed_date"
    UNSUPPORTED_YEARS_CLAIM = "unsupported_years_claim"
    NEW_NUMBER = "new_number"
    NEW_TECHNOLOGY = "new_technology"
    NEW_SKILL = "new_skill"
    NEW_LINK = "new_link"
    DROPPED_NUMBER = "dropped_number"
    DROPPED_DATE = "dropped_date"
    DROPPED_TECHNOLOGY = "dropped_technology"
    DROPPED_SKILL = "dropped_skill"
    # Provenance (shared/tailoring/provenance.py) decides; the typed reasons above only name a rejection.
    DISGUISED_TEXT = "disguised_text"
    NO_PROVENANCE = "no_provenance"


# The first reason found in this order is the one reported; the rest go to other_reasons.
_PRIORITY = list(GuardReason)
_REF_REASONS = frozenset(
    {GuardReason.UNKNOWN_REF, GuardReason.NOT_EDITABLE, GuardReason.DUPLICATE_REF, GuardReason.MISSING_REF}
)
_LIST_REFS = frozenset({PROJECTS_LIST_REF, SKILLS_LIST_REF})

_MESSAGES = {
    GuardReason.UNKNOWN_REF: "points at a reference that is not in the source CV",
    GuardReason.NOT_EDITABLE: "targets an item that can be cited or reordered, not reworded",
    GuardReason.DUPLICATE_REF: "uses the same reference more than once",
    GuardReason.MISSING_REF: "leaves items out of the order",
    GuardReason.EMPTY_TEXT: "has no text",
    GuardReason.TOO_LONG: "is longer than allowed",
    GuardReason.SUSPICIOUS_TEXT: "contains instructions or markup instead of CV content",
    GuardReason.NEW_ORGANISATION: "names an organisation or proper noun the source does not",
    GuardReason.NEW_TITLE: "states a job title or seniority the source does not",
    GuardReason.NEW_CREDENTIAL: "states a degree, licence or certificate the source does not",
    GuardReason.NEW_DATE: "states a date the source does not",
    GuardReason.MISATTRIBUTED_DATE: "gives an entry a date the CV does not give it",
    GuardReason.UNSUPPORTED_YEARS_CLAIM: "claims more years of experience than the CV's work dates support",
    GuardReason.NEW_NUMBER: "states a number the source does not",
    GuardReason.NEW_TECHNOLOGY: "names a technology the source does not",
    GuardReason.NEW_SKILL: "names a skill the source does not",
    GuardReason.NEW_LINK: "adds a link or address the source does not have",
    GuardReason.DROPPED_NUMBER: "drops a number the original states",
    GuardReason.DROPPED_DATE: "drops a date the original states",
    GuardReason.DROPPED_TECHNOLOGY: "drops a technology the original names",
    GuardReason.DROPPED_SKILL: "drops a skill the original names",
    GuardReason.DISGUISED_TEXT: "hides letters or digits behind look-alike or invisible characters",
    GuardReason.NO_PROVENANCE: "uses words that no source item it rewrites or cites accounts for",
}


class EditKind(StrEnum):
    SUMMARY = "summary"
    REORDER = "reorder"
    REWORD = "reword"


class GuardRejection(BaseModel):
    """One rejected edit: what it targeted, why, and the offending tokens (never the CV text)."""

    model_config = ConfigDict(frozen=True)

    edit: EditKind
    ref: str
    reason: GuardReason
    tokens: list[str] = []
    message: str
    other_reasons: list[GuardReason] = []


Findings = dict[GuardReason, list[str]]


def _clip(text: str, limit: int) -> str:
    flat = normalise_whitespace(text)
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _safe_ref(ref: str) -> str:
    # A reference comes from the model; one that is not even shaped like a reference is not repeated.
    return _clip(ref, _MAX_REF_CHARS) if looks_like_ref(ref) else "<malformed ref>"


def rejection(edit: EditKind, ref: str, findings: Findings, subject: str) -> GuardRejection:
    reasons = sorted(findings, key=_PRIORITY.index)
    primary = reasons[0]
    raw_tokens = findings[primary]
    if primary in _REF_REASONS:
        raw_tokens = [_safe_ref(token) for token in raw_tokens]
    tokens = list(dict.fromkeys(_clip(token, _MAX_TOKEN_CHARS) for token in raw_tokens))[:_MAX_TOKENS]
    message = f"{subject} {_MESSAGES[primary]}"
    message += f": {', '.join(tokens)}; original kept." if tokens else "; original kept."
    return GuardRejection(
        edit=edit,
        ref=ref if ref in _LIST_REFS else _safe_ref(ref),
        reason=primary,
        tokens=tokens,
        message=message,
        other_reasons=reasons[1:],
    )


def add_findings(findings: Findings, reason: GuardReason, tokens: Iterable[str]) -> None:
    listed = list(tokens)
    if listed:
        findings.setdefault(reason, []).extend(listed)
