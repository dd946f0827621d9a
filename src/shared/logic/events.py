"""The outcome events subscribers receive. Their JSON Schemas are published in ``docs/events/``."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from shared.dal.models import JobError, JobRecord, JobStatus
from shared.tailoring.match_report import MatchSummary

EVENT_SCHEMA_VERSION = "1.0"
COMPLETED_DETAIL_TYPE = "CV Tailoring Completed"
FAILED_DETAIL_TYPE = "CV Tailoring Failed"

# US dollars per million tokens (input, output): Amazon Bedrock prices for the global inference profiles.
_PRICE_PER_MILLION_TOKENS_USD: dict[str, tuple[float, float]] = {
    "anthropic.claude-haiku-4-5": (1.0, 5.0),
    "anthropic.claude-sonnet-4-5": (3.0, 15.0),
}


def estimate_cost_usd(model_id: str, input_tokens: int, output_tokens: int) -> float | None:
    """Estimated price of one call; ``None`` for a model without a known price."""
    for model_family, (input_price, output_price) in _PRICE_PER_MILLION_TOKENS_USD.items():
        if model_family in model_id:
            return round((input_tokens * input_price + output_tokens * output_price) / 1_000_000, 6)
    return None


class _Detail(BaseModel):
    model_config = ConfigDict(frozen=True)

    schema_version: str = EVENT_SCHEMA_VERSION
    job_id: str
    owner: str
    status: JobStatus


class TokenUsage(BaseModel):
    model_config = ConfigDict(frozen=True)

    input_tokens: int
    output_tokens: int


class CompletedDetail(_Detail):
    status: Literal[JobStatus.COMPLETED] = JobStatus.COMPLETED
    completed_at: datetime
    match_summary: MatchSummary
    model_id: str
    token_usage: TokenUsage
    estimated_cost_usd: float | None
    guard_rejections: int


class FailureInfo(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    message: str
    retryable: bool


class FailedDetail(_Detail):
    status: Literal[JobStatus.FAILED] = JobStatus.FAILED
    failed_at: datetime
    error: FailureInfo
    attempts: int


def completed_event(record: JobRecord) -> tuple[str, dict[str, Any]]:
    """The Completed event for a COMPLETED record; the result's bulky parts (the CV) stay out of it."""
    result = record.result or {}
    usage = result.get("usage", {})
    model_id = record.model_id or ""
    detail = CompletedDetail(
        job_id=record.job_id,
        owner=record.owner,
        completed_at=record.updated_at,
        match_summary=MatchSummary.model_validate(result["match_summary"]),
        model_id=model_id,
        token_usage=TokenUsage(
            input_tokens=int(usage.get("input_tokens", 0)), output_tokens=int(usage.get("output_tokens", 0))
        ),
        estimated_cost_usd=result.get("estimated_cost_usd"),
        guard_rejections=len(result.get("rejections", [])),
    )
    return COMPLETED_DETAIL_TYPE, detail.model_dump(mode="json")


def failed_event(record: JobRecord) -> tuple[str, dict[str, Any]]:
    error = record.error or JobError(code="unknown", message="the job failed")
    detail = FailedDetail(
        job_id=record.job_id,
        owner=record.owner,
        failed_at=record.updated_at,
        error=FailureInfo(code=error.code, message=error.message, retryable=error.retryable),
        attempts=record.attempts,
    )
    return FAILED_DETAIL_TYPE, detail.model_dump(mode="json")


def terminal_event(record: JobRecord) -> tuple[str, dict[str, Any]]:
    if record.status is JobStatus.COMPLETED:
        return completed_event(record)
    if record.status is JobStatus.FAILED:
        return failed_event(record)
    raise ValueError(f"job {record.job_id} is not terminal: {record.status}")
