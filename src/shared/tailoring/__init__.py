"""Zero-hallucination CV tailoring core: references, edit contract, prompt, facts, guard, rebuild, report.

Pure Python: no AWS clients, no network, no logging. The worker and the Bedrock emulator import from here.

Names load on first use (PEP 562), so importing one piece does not import the whole core:
the worker needs the contract and the guard at cold start, never the offline engine.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shared.tailoring.contract import (
        EDIT_TOOL_NAME,
        SUMMARY_MAX_CHARS,
        HighlightOrder,
        Rewording,
        SummaryEdit,
        TailoringEdits,
        edit_input_schema,
        edit_tool_config,
        edit_tool_spec,
        parse_edits,
    )
    from shared.tailoring.engine import propose_edits
    from shared.tailoring.errors import ModelOutputCode, ModelOutputError, TailoringError
    from shared.tailoring.experience import experience_years
    from shared.tailoring.facts import (
        Fact,
        FactAudit,
        FactDiff,
        FactKind,
        ResumeFacts,
        TextFacts,
        TitleClaim,
        YearsClaim,
        audit_facts,
        extract_facts,
        facts_diff,
        resume_facts,
    )
    from shared.tailoring.guard import GuardContext, GuardResult, build_guard_context, guard_edits
    from shared.tailoring.keywords import (
        JobKeyword,
        KeywordSource,
        extract_job_keywords,
        tailoring_vocabulary,
    )
    from shared.tailoring.match_report import (
        FIRST_PAGE_HIGHLIGHTS_PER_ROLE,
        FIRST_PAGE_SKILL_COUNT,
        Coverage,
        KeywordMatch,
        MatchReport,
        MatchSummary,
        build_match_report,
    )
    from shared.tailoring.prompt import (
        SYSTEM_PROMPT,
        ModelPrompt,
        PromptInputs,
        build_prompt,
        corrective_message,
        inputs_from_prompt,
    )
    from shared.tailoring.rebuild import Change, ChangeKind, RebuildResult, apply_edits
    from shared.tailoring.references import (
        ItemKind,
        SourceIndex,
        SourceItem,
        index_source,
        list_items,
        resolve_ref,
    )
    from shared.tailoring.rejections import EditKind, GuardReason, GuardRejection
    from shared.tailoring.service import (
        TailoringOutcome,
        tailor_from_model_output,
        tailor_offline,
        tailor_with_edits,
    )
    from shared.tailoring.vocabulary import Term, TermKind, Vocabulary, base_vocabulary

_SUBMODULE_OF: dict[str, str] = {
    "EDIT_TOOL_NAME": "contract",
    "SUMMARY_MAX_CHARS": "contract",
    "HighlightOrder": "contract",
    "Rewording": "contract",
    "SummaryEdit": "contract",
    "TailoringEdits": "contract",
    "edit_input_schema": "contract",
    "edit_tool_config": "contract",
    "edit_tool_spec": "contract",
    "parse_edits": "contract",
    "propose_edits": "engine",
    "ModelOutputCode": "errors",
    "ModelOutputError": "errors",
    "TailoringError": "errors",
    "experience_years": "experience",
    "Fact": "facts",
    "FactAudit": "facts",
    "FactDiff": "facts",
    "FactKind": "facts",
    "ResumeFacts": "facts",
    "TextFacts": "facts",
    "TitleClaim": "facts",
    "YearsClaim": "facts",
    "audit_facts": "facts",
    "extract_facts": "facts",
    "facts_diff": "facts",
    "resume_facts": "facts",
    "EditKind": "rejections",
    "GuardContext": "guard",
    "GuardReason": "rejections",
    "GuardRejection": "rejections",
    "GuardResult": "guard",
    "build_guard_context": "guard",
    "guard_edits": "guard",
    "JobKeyword": "keywords",
    "KeywordSource": "keywords",
    "extract_job_keywords": "keywords",
    "tailoring_vocabulary": "keywords",
    "FIRST_PAGE_HIGHLIGHTS_PER_ROLE": "match_report",
    "FIRST_PAGE_SKILL_COUNT": "match_report",
    "Coverage": "match_report",
    "KeywordMatch": "match_report",
    "MatchReport": "match_report",
    "MatchSummary": "match_report",
    "build_match_report": "match_report",
    "SYSTEM_PROMPT": "prompt",
    "ModelPrompt": "prompt",
    "PromptInputs": "prompt",
    "build_prompt": "prompt",
    "corrective_message": "prompt",
    "inputs_from_prompt": "prompt",
    "Change": "rebuild",
    "ChangeKind": "rebuild",
    "RebuildResult": "rebuild",
    "apply_edits": "rebuild",
    "ItemKind": "references",
    "SourceIndex": "references",
    "SourceItem": "references",
    "index_source": "references",
    "list_items": "references",
    "resolve_ref": "references",
    "TailoringOutcome": "service",
    "tailor_from_model_output": "service",
    "tailor_offline": "service",
    "tailor_with_edits": "service",
    "Term": "vocabulary",
    "TermKind": "vocabulary",
    "Vocabulary": "vocabulary",
    "base_vocabulary": "vocabulary",
}


def __getattr__(name: str) -> Any:
    submodule = _SUBMODULE_OF.get(name)
    if submodule is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{submodule}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(_SUBMODULE_OF)


__all__ = [
    "EDIT_TOOL_NAME",
    "FIRST_PAGE_HIGHLIGHTS_PER_ROLE",
    "FIRST_PAGE_SKILL_COUNT",
    "SUMMARY_MAX_CHARS",
    "SYSTEM_PROMPT",
    "Change",
    "ChangeKind",
    "Coverage",
    "EditKind",
    "Fact",
    "FactAudit",
    "FactDiff",
    "FactKind",
    "GuardContext",
    "GuardReason",
    "GuardRejection",
    "GuardResult",
    "HighlightOrder",
    "ItemKind",
    "JobKeyword",
    "KeywordMatch",
    "KeywordSource",
    "MatchReport",
    "MatchSummary",
    "ModelOutputCode",
    "ModelOutputError",
    "ModelPrompt",
    "PromptInputs",
    "RebuildResult",
    "ResumeFacts",
    "Rewording",
    "SourceIndex",
    "SourceItem",
    "SummaryEdit",
    "TailoringEdits",
    "TailoringError",
    "TailoringOutcome",
    "Term",
    "TermKind",
    "TextFacts",
    "TitleClaim",
    "Vocabulary",
    "YearsClaim",
    "apply_edits",
    "audit_facts",
    "base_vocabulary",
    "build_guard_context",
    "build_match_report",
    "build_prompt",
    "corrective_message",
    "edit_input_schema",
    "edit_tool_config",
    "edit_tool_spec",
    "experience_years",
    "extract_facts",
    "extract_job_keywords",
    "facts_diff",
    "guard_edits",
    "index_source",
    "inputs_from_prompt",
    "list_items",
    "parse_edits",
    "propose_edits",
    "resolve_ref",
    "resume_facts",
    "tailor_from_model_output",
    "tailor_offline",
    "tailor_with_edits",
    "tailoring_vocabulary",
]
