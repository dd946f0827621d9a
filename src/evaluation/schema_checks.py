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
def _validator(schema_file: str) -> Draft7Validator:
    schema_text = resources.files("shared.resume").joinpath("schema", schema_file).read_text(encoding="utf-8")
    return Draft7Validator(json.loads(schema_text))


def _errors(schema_file: str, document: Mapping[str, Any]) -> list[str]:
    return [
        f"{'/'.join(str(part) for part in error.absolute_path) or '<root>'}: {error.message}"
        for error in _validator(schema_file).iter_errors(document)
    ]


def resume_schema_errors(document: Mapping[str, Any]) -> list[str]:
    """Every way ``document`` breaks JSON Resume ``schema.json``; empty when it is valid."""
    return _errors("schema.json", document)


def job_schema_errors(document: Mapping[str, Any]) -> list[str]:
    """Every way ``document`` breaks JSON Resume ``job-schema.json``; empty when it is valid."""
    return _errors("job-schema.json", document)
