"""Request and response bodies of the tailoring API (they also generate docs/openapi.json)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from shared.dal.models import JobStatus
from shared.logic.job_status import JobStatusView
from shared.resume.models import JobDocument, ResumeDocument

MAX_TARGET_KEYWORDS = 20
MAX_TARGET_KEYWORD_CHARS = 60


_CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _reject_control_characters(value: str) -> str:
    if _CONTROL_CHARACTER.search(value):
        raise ValueError("control characters (including NUL) are not allowed")
    return value


TargetKeyword = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TARGET_KEYWORD_CHARS),
    AfterValidator(_reject_control_characters),
]


class TailorOptions(BaseModel):
    """Optional hints for the tailoring. They steer ordering and emphasis; they never add or drop facts."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    target_keywords: list[TargetKeyword] | None = Field(
        default=None,
        max_length=MAX_TARGET_KEYWORDS,
        description="Extra keywords to emphasise where the CV already evidences them. "
        "A keyword the CV lacks is reported as missing, never added.",
    )


class TailorRequest(BaseModel):
    """``POST /api/tailor-cv`` body. Unknown top-level fields are rejected."""

    model_config = ConfigDict(extra="forbid")

    resume: ResumeDocument = Field(description="The CV, a JSON Resume v1.3.1 document.")
    job: JobDocument = Field(
        description='The job: a JSON Resume job description, or {"description": "<plain text>"}.'
    )
    options: TailorOptions | None = Field(default=None, description="Optional tailoring hints.")

    def __repr__(self) -> str:
        # Keeps CV text out of any repr: Powertools formats the route arguments into a debug message.
        return "TailorRequest(<redacted>)"

    __str__ = __repr__


class TailorAccepted(BaseModel):
    """``202`` body: where to follow the job."""

    job_id: str = Field(description="The job's id (a UUID).")
    status: JobStatus = Field(
        description="PENDING for a new job; an idempotent repeat reports the first job's current status."
    )
    status_url: str = Field(description="Where to GET the job's status (same as the Location header).")


class JobFailure(BaseModel):
    code: str = Field(description="Machine-readable reason, e.g. MODEL_OUTPUT_INVALID or ENQUEUE_FAILED.")
    message: str = Field(description="Human-readable explanation.")


class JobStatusResponse(BaseModel):
    """``GET /api/tailor-cv/{job_id}`` body. ``result`` only when COMPLETED, ``error`` only when FAILED."""

    job_id: str
    status: JobStatus
    created_at: datetime
    updated_at: datetime
    result: dict[str, Any] | None = Field(
        default=None,
        description="The tailoring result: the tailored JSON Resume (`resume`), `match_report`, `changes`, "
        "guard `rejections`, token `usage` and `estimated_cost_usd`.",
    )
    error: JobFailure | None = None

    @classmethod
    def from_view(cls, view: JobStatusView) -> JobStatusResponse:
        return cls(
            job_id=view.job_id,
            status=view.status,
            created_at=view.created_at,
            updated_at=view.updated_at,
            result=None if view.result is None else dict(view.result),
            error=None
            if view.error is None
            else JobFailure(code=view.error.code, message=view.error.message),
        )


class FieldProblem(BaseModel):
    path: str = Field(description="Where the problem is, e.g. `body.resume.work[0].startDate`.")
    message: str


class ErrorDetail(BaseModel):
    code: str = Field(description="Machine-readable error code, e.g. `validation_failed`.")
    message: str
    fields: list[FieldProblem] = Field(default_factory=list, description="Field-level problems, if any.")


class ErrorResponse(BaseModel):
    """Every 4xx/5xx body."""

    error: ErrorDetail
