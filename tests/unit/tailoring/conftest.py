"""Shared fixtures for the tailoring core tests: a realistic CV and job, and the JSON Resume validator."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator

from evaluation.schema_checks import json_resume_validator

FIXTURES = Path(__file__).parent / "fixtures"
AS_OF = date(2025, 6, 1)


def load_fixture(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return loaded


@pytest.fixture
def engineer_cv() -> dict[str, Any]:
    return load_fixture("backend_engineer_cv.json")


@pytest.fixture
def engineer_job() -> dict[str, Any]:
    return load_fixture("backend_engineer_job.json")


@pytest.fixture
def nurse_cv() -> dict[str, Any]:
    return load_fixture("ward_nurse_cv.json")


@pytest.fixture
def nurse_job() -> dict[str, Any]:
    return load_fixture("ward_nurse_job.json")


@pytest.fixture(scope="session")
def resume_validator() -> Draft7Validator:
    return json_resume_validator("schema.json")


@pytest.fixture(scope="session")
def job_validator() -> Draft7Validator:
    return json_resume_validator("job-schema.json")


def protected_fields(resume: dict[str, Any]) -> dict[str, Any]:
    """Everything the edit contract can never change, serialised for a byte-for-byte comparison."""
    basics = copy.deepcopy(resume.get("basics", {}))
    basics.pop("summary", None)
    work = [
        {key: value for key, value in entry.items() if key not in {"highlights"}} for entry in resume["work"]
    ]
    for entry in work:
        entry.pop("summary", None)
    return {
        "basics": json.dumps(basics, sort_keys=True, ensure_ascii=False),
        "work": json.dumps(work, sort_keys=True, ensure_ascii=False),
        "education": json.dumps(resume.get("education"), sort_keys=True, ensure_ascii=False),
        "certificates": json.dumps(resume.get("certificates"), sort_keys=True, ensure_ascii=False),
        "volunteer_orgs": json.dumps(
            [
                {key: value for key, value in entry.items() if key not in {"summary", "highlights"}}
                for entry in resume.get("volunteer", [])
            ],
            sort_keys=True,
            ensure_ascii=False,
        ),
        "languages": json.dumps(resume.get("languages"), sort_keys=True, ensure_ascii=False),
    }
