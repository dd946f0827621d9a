"""Validation against the vendored JSON Resume schemas, for the evaluation and the tests.

The Lambdas never load ``jsonschema``: pydantic validates documents against the types in
``shared.resume.models``, which accept nothing the schemas reject (``tests/unit/resume`` proves it).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft7Validator


@cache
def json_resume_schema(schema_file: str) -> dict[str, Any]:
    """A vendored JSON Resume schema (``schema.json`` or ``job-schema.json``), loaded once; read it only."""
    schema_text = resources.files("shared.resume").joinpath("schema", schema_file).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(schema_text)
    return schema


@cache
def json_resume_validator(schema_file: str) -> Draft7Validator:
    """A Draft 7 validator for a vendored JSON Resume schema, built once."""
    return Draft7Validator(json_resume_schema(schema_file))


def schema_errors(schema_file: str, document: Any) -> list[str]:
    """Every way ``document`` breaks the vendored ``schema_file``; empty when it is valid."""
    return [
        f"{'/'.join(str(part) for part in error.absolute_path) or '<root>'}: {error.message}"
        for error in json_resume_validator(schema_file).iter_errors(document)
    ]


def resume_schema_errors(document: Mapping[str, Any]) -> list[str]:
    """Every way ``document`` breaks JSON Resume ``schema.json``; empty when it is valid."""
    return schema_errors("schema.json", document)


def job_schema_errors(document: Mapping[str, Any]) -> list[str]:
    """Every way ``document`` breaks JSON Resume ``job-schema.json``; empty when it is valid."""
    return schema_errors("job-schema.json", document)
