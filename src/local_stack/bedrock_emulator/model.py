"""The emulated model: finds the tailoring prompt in a conversation and answers with the offline engine."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from local_stack.bedrock_emulator.faults import MalformedKind
from local_stack.bedrock_emulator.prompt_parser import CV_OPEN, JOB_OPEN, parse_prompt
from local_stack.bedrock_emulator.wire import CHARS_PER_TOKEN, ConverseCall, ModelAnswer, tool_use_block
from shared.tailoring import propose_edits

TOOL_USE_STOP = "tool_use"
END_TURN_STOP = "end_turn"
MAX_TOKENS_STOP = "max_tokens"


def tool_input_for(call: ConverseCall, as_of: date) -> dict[str, Any]:
    """The edit set for the tailoring prompt in the conversation; an empty one when there is none.

    ``as_of`` is the emulated model's today: the engine's summary states years of experience up to it.

    A corrective retry repeats the conversation with the model's last answer and the error, and the
    first user message still holds the prompt, so it is answered afresh, with valid edits.
    """
    for text in call.user_texts():
        if CV_OPEN in text and JOB_OPEN in text:
            recovered = parse_prompt(text)
            if recovered is not None:
                edits = propose_edits(recovered.resume, recovered.job, as_of=as_of)
                return edits.model_dump(mode="json", exclude_none=True)
    return {}


def _serialised(tool_input: dict[str, Any]) -> str:
    return json.dumps(tool_input, ensure_ascii=False)


def _truncated(tool_input: dict[str, Any], max_chars: int) -> str:
    text = _serialised(tool_input)
    return text[: max(0, min(max_chars, len(text) - 1))]


def answer(call: ConverseCall, as_of: date) -> ModelAnswer:
    """A forced call of the requested tool; cut off, as a real model is, when it outgrows ``maxTokens``."""
    tool_input = tool_input_for(call, as_of)
    if call.max_tokens is not None and len(_serialised(tool_input)) > call.max_tokens * CHARS_PER_TOKEN:
        cut = _truncated(tool_input, call.max_tokens * CHARS_PER_TOKEN)
        return ModelAnswer([tool_use_block(call.tool_name, cut)], MAX_TOKENS_STOP)
    return ModelAnswer([tool_use_block(call.tool_name, tool_input)], TOOL_USE_STOP)


def malformed_answer(call: ConverseCall, kind: MalformedKind, as_of: date) -> ModelAnswer:
    """An answer the edit contract rejects, in one of several shapes real models produce."""
    if kind is MalformedKind.TEXT_ONLY:
        return ModelAnswer([{"text": "Here are the edits I would make to the CV."}], END_TURN_STOP)
    broken: object
    stop_reason = TOOL_USE_STOP
    if kind is MalformedKind.TRUNCATED:
        text = _serialised(tool_input_for(call, as_of))
        broken, stop_reason = text[: len(text) // 2], MAX_TOKENS_STOP
    elif kind is MalformedKind.INVALID_JSON:
        broken = _serialised(tool_input_for(call, as_of))[:-1]
    elif kind is MalformedKind.WRONG_TYPES:
        broken = {
            "summary": {"text": 42, "sources": "basics.summary"},
            "skill_order": "skills[0]",
            "highlight_orders": [{"work": 0, "order": "work[0].highlights[0]"}],
        }
    elif kind is MalformedKind.EXTRA_FIELD:
        broken = {**tool_input_for(call, as_of), "added_skills": ["Kubernetes"]}
    elif kind is MalformedKind.NOT_AN_OBJECT:
        broken = ["skills[1]", "skills[0]"]
    else:
        broken = ""
    return ModelAnswer([tool_use_block(call.tool_name, broken)], stop_reason)
