"""Example documents and helpers shared by the worker tests."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator

from shared.clients.model_types import ModelReply
from shared.dal.models import JobRecord, JobStatus
from shared.tailoring import EDIT_TOOL_NAME

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_PAIR = REPO_ROOT / "eval" / "corpus" / "01-backend-software-engineer"
EVENT_SCHEMAS = REPO_ROOT / "docs" / "events"
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
# The day the fixtures are "as of": code under test takes it (or a clock reading NOW) explicitly.
AS_OF = NOW.date()
OWNER = "arn:aws:iam::123456789012:user/alice"
SENTINEL = "SENTINEL-7f3c-do-not-log"


def example_resume() -> dict[str, Any]:
    resume: dict[str, Any] = json.loads((EXAMPLE_PAIR / "resume.json").read_text(encoding="utf-8"))
    return resume


def example_job() -> dict[str, Any]:
    job: dict[str, Any] = json.loads((EXAMPLE_PAIR / "job.json").read_text(encoding="utf-8"))
    return job


def pending_record(job_id: str = "job-1", resume: dict[str, Any] | None = None) -> JobRecord:
    return JobRecord(
        job_id=job_id,
        owner=OWNER,
        status=JobStatus.PENDING,
        created_at=NOW,
        updated_at=NOW,
        expires_at=int((NOW + timedelta(days=7)).timestamp()),
        request_hash="hash",
        resume=resume if resume is not None else example_resume(),
        job=example_job(),
    )


def tool_reply(tool_input: object, stop_reason: str = "tool_use") -> ModelReply:
    """A Converse answer that called the edit tool with ``tool_input``."""
    return ModelReply(
        tool_input=tool_input,
        stop_reason=stop_reason,
        input_tokens=2_000,
        output_tokens=300,
        assistant_message={
            "role": "assistant",
            "content": [{"toolUse": {"toolUseId": "tooluse-1", "name": EDIT_TOOL_NAME, "input": tool_input}}],
        },
    )


@cache
def _event_validator(detail_type: str) -> Draft7Validator:
    file_name = {
        "CV Tailoring Completed": "cv-tailoring-completed.schema.json",
        "CV Tailoring Failed": "cv-tailoring-failed.schema.json",
    }[detail_type]
    return Draft7Validator(json.loads((EVENT_SCHEMAS / file_name).read_text(encoding="utf-8")))


def event_schema_errors(detail_type: str, detail: dict[str, Any]) -> list[str]:
    """How an emitted event breaks its published JSON Schema; empty when it conforms."""
    return [error.message for error in _event_validator(detail_type).iter_errors(detail)]
