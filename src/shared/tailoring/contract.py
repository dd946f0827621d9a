"""The edit contract: exactly what the model may return, through one forced tool call.

The model returns edits that point at source references. There is no field for an employer,
a title, a date, a degree or a contact detail, so the model has no way to restate one.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from shared.tailoring.errors import ModelOutputCode, ModelOutputError

EDIT_TOOL_NAME = "submit_cv_edits"
SUMMARY_MAX_CHARS = 900
_REF_MAX_CHARS = 48
_MAX_REPORTED_PROBLEMS = 5
_LIST_FIELDS = ("highlight_orders", "project_order", "skill_order", "rewordings")


class _Edit(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class SummaryEdit(_Edit):
    """A new professional summary and the references of the items it draws on."""

    text: str
    # Pydantic copies a list default for each instance. default_factory=list would be inspected at import,
    # and inspecting a builtin's signature loads the tokenizer: milliseconds of every cold start.
    sources: list[str] = []


class HighlightOrder(_Edit):
    """A new order for the highlights of one work entry (``work[i]``)."""

    work: str
    order: list[str]


class Rewording(_Edit):
    """New wording for one existing item; it must state the same facts."""

    ref: str
    text: str


class TailoringEdits(_Edit):
    """Everything the model may propose. Empty lists and a null summary mean "leave as is"."""

    summary: SummaryEdit | None = None
    highlight_orders: list[HighlightOrder] = []
    project_order: list[str] = []
    skill_order: list[str] = []
    rewordings: list[Rewording] = []

    @property
    def is_empty(self) -> bool:
        return self.summary is None and not any(getattr(self, name) for name in _LIST_FIELDS)


def _ref_schema(description: str) -> dict[str, Any]:
    return {"type": "string", "maxLength": _REF_MAX_CHARS, "description": description}


def edit_input_schema() -> dict[str, Any]:
    """The JSON schema of the tool input, written by hand to stay small and strict."""
    ref_list: dict[str, Any] = {"type": "array", "items": {"type": "string", "maxLength": _REF_MAX_CHARS}}
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "summary": {
                "type": "object",
                "additionalProperties": False,
                "required": ["text", "sources"],
                "description": "A rewritten summary, using only facts from the CV items.",
                "properties": {
                    "text": {"type": "string", "maxLength": SUMMARY_MAX_CHARS},
                    "sources": {**ref_list, "description": "Refs of the items the summary draws on."},
                },
            },
            "highlight_orders": {
                "type": "array",
                "description": "New highlight order per work entry: every highlight ref of it, once each.",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["work", "order"],
                    "properties": {"work": _ref_schema("e.g. work[0]"), "order": ref_list},
                },
            },
            "project_order": {**ref_list, "description": "Every projects[i] ref, most relevant first."},
            "skill_order": {**ref_list, "description": "Every skills[i] ref, most relevant first."},
            "rewordings": {
                "type": "array",
                "description": "New wording for existing items; same facts, nothing added or dropped.",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["ref", "text"],
                    "properties": {
                        "ref": _ref_schema("e.g. work[0].highlights[2]"),
                        "text": {"type": "string"},
                    },
                },
            },
        },
    }


def edit_tool_spec() -> dict[str, Any]:
    """The Converse ``toolSpec`` of the edit tool."""
    return {
        "name": EDIT_TOOL_NAME,
        "description": "Submit edits to the CV by reference. Omit any field you do not change.",
        "inputSchema": {"json": edit_input_schema()},
    }


def edit_tool_config() -> dict[str, Any]:
    """A Converse ``toolConfig`` offering only the edit tool and forcing the model to call it."""
    return {"tools": [{"toolSpec": edit_tool_spec()}], "toolChoice": {"tool": {"name": EDIT_TOOL_NAME}}}


def _decode_if_json(value: object) -> object:
    # Models sometimes send a nested array or object as a JSON string; decode it rather than retry.
    if isinstance(value, str) and value.strip()[:1] in {"[", "{"}:
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def _normalise(raw: dict[str, Any]) -> dict[str, Any]:
    shaped: dict[str, Any] = {}
    for key, value in raw.items():
        if value is None:
            continue
        decoded = _decode_if_json(value)
        if key == "summary" and isinstance(decoded, str):
            decoded = {"text": decoded, "sources": []}
        shaped[key] = decoded
    return shaped


def _describe(error: ValidationError) -> str:
    # Locations and error types only: the offending values may hold CV or job text.
    known = {
        name
        for model in (SummaryEdit, HighlightOrder, Rewording, TailoringEdits)
        for name in model.model_fields
    }
    problems = []
    for detail in error.errors(include_url=False, include_input=False):
        # An unknown key is named by the model and might be anything, so it is not repeated.
        parts = [str(part) if isinstance(part, int) or part in known else "<extra>" for part in detail["loc"]]
        problems.append(f"{'.'.join(parts) or '<root>'}: {detail['type']}")
    more = len(problems) - _MAX_REPORTED_PROBLEMS
    shown = "; ".join(problems[:_MAX_REPORTED_PROBLEMS])
    return f"{shown}; and {more} more" if more > 0 else shown


def parse_edits(raw: object) -> TailoringEdits:
    """Validate the model's tool input. Raises ModelOutputError when it is missing or mis-shaped."""
    if isinstance(raw, bytes | bytearray):
        raw = raw.decode("utf-8", errors="replace")
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise ModelOutputError(ModelOutputCode.EMPTY_OUTPUT, "the model returned no tool input")
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as error:
            raise ModelOutputError(
                ModelOutputCode.MALFORMED_OUTPUT, f"tool input is not valid JSON (at char {error.pos})"
            ) from error
    if not isinstance(raw, dict):
        raise ModelOutputError(
            ModelOutputCode.MALFORMED_OUTPUT, f"tool input must be a JSON object, not {type(raw).__name__}"
        )
    try:
        return TailoringEdits.model_validate(_normalise(raw))
    except ValidationError as error:
        raise ModelOutputError(ModelOutputCode.MALFORMED_OUTPUT, _describe(error)) from error
