"""The edit contract: the tool spec is small and strict, and parse_edits refuses anything mis-shaped."""

from __future__ import annotations

import json
from typing import Any

import pytest
from jsonschema import Draft7Validator

from shared.tailoring import (
    EDIT_TOOL_NAME,
    ModelOutputCode,
    ModelOutputError,
    TailoringEdits,
    edit_tool_config,
    edit_tool_spec,
    parse_edits,
)

VALID_EDITS: dict[str, Any] = {
    "summary": {"text": "Backend engineer.", "sources": ["basics.summary"]},
    "highlight_orders": [{"work": "work[0]", "order": ["work[0].highlights[1]", "work[0].highlights[0]"]}],
    "project_order": ["projects[1]", "projects[0]"],
    "skill_order": ["skills[1]", "skills[0]"],
    "rewordings": [{"ref": "work[0].highlights[1]", "text": "Cut latency."}],
}


def test_tool_spec_names_the_tool_and_carries_a_strict_schema() -> None:
    # Given the Converse tool spec
    spec = edit_tool_spec()

    # When its schema is inspected
    schema = spec["inputSchema"]["json"]

    # Then it is the named tool, closed to extra fields, with no field able to carry a CV fact
    assert spec["name"] == EDIT_TOOL_NAME == "submit_cv_edits"
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) == {
        "summary",
        "highlight_orders",
        "project_order",
        "skill_order",
        "rewordings",
    }
    Draft7Validator.check_schema(schema)
    assert len(json.dumps(spec)) < 2500


def test_tool_config_forces_the_edit_tool() -> None:
    # Given the Converse tool config
    config = edit_tool_config()

    # When the tool choice is read
    # Then the model must call the edit tool and no other
    assert config["toolChoice"] == {"tool": {"name": EDIT_TOOL_NAME}}
    assert [tool["toolSpec"]["name"] for tool in config["tools"]] == [EDIT_TOOL_NAME]


def test_the_schema_accepts_exactly_what_the_parser_accepts() -> None:
    # Given a complete, valid edit set
    schema = edit_tool_spec()["inputSchema"]["json"]

    # When it is checked against the tool schema and parsed
    errors = list(Draft7Validator(schema).iter_errors(VALID_EDITS))
    edits = parse_edits(VALID_EDITS)

    # Then both accept it and the parsed model round-trips
    assert errors == []
    assert edits.model_dump(mode="json") == VALID_EDITS


def test_an_empty_object_means_no_edits() -> None:
    # Given a tool input with nothing in it
    # When it is parsed
    edits = parse_edits({})

    # Then it is a valid, empty edit set
    assert edits == TailoringEdits()
    assert edits.is_empty


def test_a_json_string_and_nested_json_strings_are_decoded() -> None:
    # Given tool input sent as a JSON string, with one list itself sent as a JSON string
    raw = json.dumps({**VALID_EDITS, "skill_order": json.dumps(VALID_EDITS["skill_order"])})

    # When it is parsed
    edits = parse_edits(raw)

    # Then the nested string is decoded rather than refused
    assert edits.skill_order == ["skills[1]", "skills[0]"]


def test_a_summary_sent_as_plain_text_is_accepted_without_sources() -> None:
    # Given a summary sent as a bare string
    # When it is parsed
    edits = parse_edits({"summary": "Backend engineer."})

    # Then it becomes a summary edit with no cited sources
    assert edits.summary is not None
    assert (edits.summary.text, edits.summary.sources) == ("Backend engineer.", [])


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (None, ModelOutputCode.EMPTY_OUTPUT),
        ("", ModelOutputCode.EMPTY_OUTPUT),
        ("   ", ModelOutputCode.EMPTY_OUTPUT),
        ('{"summary": {"text": "trunc', ModelOutputCode.MALFORMED_OUTPUT),
        ("[1, 2]", ModelOutputCode.MALFORMED_OUTPUT),
        (["skills[0]"], ModelOutputCode.MALFORMED_OUTPUT),
        (42, ModelOutputCode.MALFORMED_OUTPUT),
        ({"work": [{"name": "Google", "position": "CTO"}]}, ModelOutputCode.MALFORMED_OUTPUT),
        ({"basics": {"email": "x@example.com"}}, ModelOutputCode.MALFORMED_OUTPUT),
        ({"rewordings": [{"ref": "work[0].highlights[0]"}]}, ModelOutputCode.MALFORMED_OUTPUT),
        ({"rewordings": [{"ref": 3, "text": "x"}]}, ModelOutputCode.MALFORMED_OUTPUT),
        (
            {"rewordings": [{"ref": "work[0]", "text": "x", "startDate": "2010"}]},
            ModelOutputCode.MALFORMED_OUTPUT,
        ),
        ({"skill_order": "skills[0], skills[1]"}, ModelOutputCode.MALFORMED_OUTPUT),
        ({"highlight_orders": [{"work": "work[0]"}]}, ModelOutputCode.MALFORMED_OUTPUT),
        ({"summary": {"text": 12, "sources": []}}, ModelOutputCode.MALFORMED_OUTPUT),
    ],
)
def test_mis_shaped_tool_input_raises_model_output_error(raw: object, code: ModelOutputCode) -> None:
    # Given tool input that is empty, truncated, of the wrong type or carrying fact fields
    # When it is parsed
    with pytest.raises(ModelOutputError) as raised:
        parse_edits(raw)

    # Then a ModelOutputError carries the machine code for the worker's single corrective retry
    assert raised.value.code is code
    assert str(raised.value).startswith(code.value)


def test_errors_name_locations_but_never_echo_the_offending_text() -> None:
    # Given tool input whose bad value holds candidate text
    secret = "Jane Doe, 12 Acacia Avenue, jane@example.com"
    raw = {"rewordings": [{"ref": "work[0].highlights[0]", "text": [secret]}], secret: secret}

    # When it is parsed
    with pytest.raises(ModelOutputError) as raised:
        parse_edits(raw)

    # Then the message points at the field but does not contain the text
    assert "rewordings.0.text" in raised.value.message
    assert "Acacia" not in str(raised.value)
    assert "jane@example.com" not in str(raised.value)


def test_model_output_error_is_a_plain_exception_subclass() -> None:
    # Given the error type the worker catches
    # When its ancestry is inspected
    # Then it is an ordinary Exception subclass whose name ends in Error
    assert issubclass(ModelOutputError, Exception)
    assert ModelOutputError.__name__.endswith("Error")
