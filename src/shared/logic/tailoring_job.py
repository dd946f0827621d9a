"""The worker's use case: take one queued job from PENDING to COMPLETED or FAILED, exactly once."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, NamedTuple

from pydantic import ValidationError

from shared.clients.model_types import ConverseRequest, ModelReply, ModelRequestError
from shared.clients.ports import EventPublisher, ModelClient
from shared.clock import Clock
from shared.dal.models import JobError, JobRecord, JobStatus
from shared.dal.ports import JobRepository
from shared.errors import (
    ConflictError,
    DependencyUnavailableError,
    NotFoundError,
    RecordTooLargeError,
    ThrottledError,
)
from shared.logic.events import estimate_cost_usd, terminal_event
from shared.logic.model_invocation import (
    InvocationResult,
    ModelBudgetExhaustedError,
    ModelRoute,
    invoke_model,
)
from shared.observability import MetricName, logger, metrics
from shared.resume.validation import validated_job, validated_resume
from shared.tailoring import (
    ModelOutputCode,
    ModelOutputError,
    TailoringOutcome,
    build_prompt,
    corrective_message,
    edit_tool_spec,
    tailor_from_model_output,
)

# A lease longer than the worker's 60 s timeout, so a live worker never loses its job to a redelivery.
DEFAULT_LEASE_SECONDS = 90
MODEL_TEMPERATURE = 0.1
MAX_OUTPUT_TOKENS = 4_096
TRUNCATED_STOP_REASON = "max_tokens"
RESULT_TOO_LARGE_CODE = "result_too_large"
# The job record also holds the submitted CV and job (at most the API's 100 KB body), so the result gets what
# is left of DynamoDB's 400 KB item with room to spare; no redelivery could make a larger one fit.
MAX_RESULT_BYTES = 280_000
WORKER_ERROR_CODE = "worker_error"
# ValidationException means this request can never succeed; the other non-retryable errors are configuration
# faults (IAM, model access) that ops can fix and then redrive.
_DETERMINISTIC_MODEL_ERROR_CODES = frozenset({"ValidationException"})


class JobOutcome(StrEnum):
    COMPLETED = "completed"
    FAILED = "failed"
    DUPLICATE = "duplicate"
    MISSING = "missing"
    SUPERSEDED = "superseded"


class RetryLaterError(Exception):
    """The message must go back to the queue: SQS redelivers it, or dead-letters it after the last receive."""


class TailoringJobPorts(NamedTuple):
    repository: JobRepository
    publisher: EventPublisher
    model: ModelClient


class TailoringJobConfig(NamedTuple):
    model_id: str
    fallback_model_id: str | None
    max_receive_count: int
    lease_seconds: int = DEFAULT_LEASE_SECONDS


class Delivery(NamedTuple):
    """One SQS delivery of a job message."""

    job_id: str
    receive_count: int


class _UnusableInputError(Exception):
    """The stored input no longer validates; no retry can fix it."""


@dataclass
class TailoringJobProcessor:
    ports: TailoringJobPorts
    config: TailoringJobConfig
    # Required: expiry, leases and the years of experience the guard computes all read it.
    clock: Clock
    sleep: Callable[[float], None] | None = None

    def process(self, delivery: Delivery, remaining_ms: Callable[[], int]) -> JobOutcome:
        """Process one delivery. Raises ``RetryLaterError`` when SQS must deliver the message again."""
        repository = self.ports.repository
        try:
            record = repository.get(delivery.job_id)
        except NotFoundError:
            logger.warning("job not found; acknowledging the message", extra={"job_id": delivery.job_id})
            return JobOutcome.MISSING
        if record.is_expired(self.clock()):
            # Past retention is gone, as if TTL had deleted it (a redrive from the 14-day DLQ can be older).
            logger.warning("job expired; acknowledging the message", extra={"job_id": delivery.job_id})
            return JobOutcome.MISSING

        redrive = record.status is JobStatus.FAILED and record.error is not None and record.error.retryable
        if record.status in {JobStatus.COMPLETED, JobStatus.FAILED} and not redrive:
            if not record.terminal_event_published:
                self._publish_terminal_event(record)
            logger.info("job already terminal; no model call", extra={"status": record.status.value})
            return JobOutcome.DUPLICATE

        try:
            record = repository.claim(delivery.job_id, self.clock(), self.config.lease_seconds)
        except ConflictError as error:
            if delivery.receive_count >= self.config.max_receive_count:
                # Dead-lettering this duplicate would page ops for a healthy job. The lease holder's own
                # message is in flight: it finishes the job, or comes back to claim it once the lease expires.
                logger.warning(
                    "duplicate on its last receive while another delivery holds the job; acknowledged"
                )
                return JobOutcome.DUPLICATE
            raise RetryLaterError("another delivery holds the job's lease") from error
        logger.append_keys(attempt=record.attempts)
        try:
            return self._run(record, delivery, remaining_ms)
        except RetryLaterError:
            raise
        except Exception as error:
            if delivery.receive_count >= self.config.max_receive_count:
                self._fail_on_last_receive(record, error)
            raise

    def _fail_on_last_receive(self, record: JobRecord, error: Exception) -> None:
        """Whatever failed, the last receive ends the job FAILED (retryable) with its one Failed event before
        the message goes to the DLQ; a redrive claims it again."""
        failure = JobError(
            code=WORKER_ERROR_CODE,
            message=f"the worker failed ({type(error).__name__}) on every delivery; redrive to retry",
            retryable=True,
        )
        try:
            self._fail(record, failure)
        except Exception as fail_error:
            # The store or the bus is down too: the job stays PROCESSING, and its message goes to the DLQ.
            logger.error(
                "could not record the last receive's failure",
                extra={"error_class": type(fail_error).__name__},
            )

    def _run(self, record: JobRecord, delivery: Delivery, remaining_ms: Callable[[], int]) -> JobOutcome:
        try:
            resume, job = self._validated_input(record)
            outcome, invocation, usage = self._tailor(resume, job, remaining_ms, as_of=self.clock().date())
        except (_UnusableInputError, ModelOutputError, ModelBudgetExhaustedError, ModelRequestError) as error:
            return self._handle_failure(record, delivery, error)
        return self._complete(record, outcome, invocation, usage)

    def _handle_failure(self, record: JobRecord, delivery: Delivery, error: Exception) -> JobOutcome:
        if isinstance(error, _UnusableInputError):
            return self._fail(
                record, JobError(code="invalid_input", message="the stored CV or job is invalid")
            )
        if isinstance(error, ModelOutputError):
            message = f"the model's answer was unusable after a corrective retry ({error.code.value})"
            return self._fail(record, JobError(code="model_output_unusable", message=message))
        if isinstance(error, ModelBudgetExhaustedError):
            return self._retry_or_fail(record, delivery, error.last_error.code)
        assert isinstance(error, ModelRequestError)
        if error.code in _DETERMINISTIC_MODEL_ERROR_CODES:
            message = "the model rejected the request"
            return self._fail(record, JobError(code="model_request_invalid", message=message))
        logger.error("model call not permitted", extra={"error_code": error.code})
        return self._retry_or_fail(record, delivery, error.code)

    def _complete(
        self,
        record: JobRecord,
        outcome: TailoringOutcome,
        invocation: InvocationResult,
        usage: tuple[int, int],
    ) -> JobOutcome:
        result = _result_document(outcome, invocation, usage)
        too_large = JobError(
            code=RESULT_TOO_LARGE_CODE,
            message="the tailored result is larger than a job record can hold; submit a shorter CV",
        )
        if len(json.dumps(result, ensure_ascii=False).encode("utf-8")) > MAX_RESULT_BYTES:
            return self._fail(record, too_large)
        try:
            completed = self.ports.repository.complete(
                record.job_id, result, invocation.model_id, self.clock()
            )
        except ConflictError:
            logger.warning("lease lost before completion; the newer attempt owns the job")
            return JobOutcome.SUPERSEDED
        except RecordTooLargeError:
            return self._fail(record, too_large)
        metrics.add_metric(name=MetricName.JOBS_COMPLETED, unit="Count", value=1)
        metrics.add_metric(name=MetricName.GUARD_REJECTIONS, unit="Count", value=len(outcome.rejections))
        self._publish_terminal_event(completed)
        logger.info(
            "job completed",
            extra={
                "model_id": invocation.model_id,
                "guard_rejections": len(outcome.rejections),
                "changes": len(outcome.changes),
            },
        )
        return JobOutcome.COMPLETED

    @staticmethod
    def _validated_input(record: JobRecord) -> tuple[dict[str, Any], dict[str, Any]]:
        try:
            resume = validated_resume(record.resume)
            job = validated_job(record.job)
        except ValidationError as error:
            raise _UnusableInputError from error
        return resume, with_target_keywords(job, record.options.get("target_keywords", []))

    def _tailor(
        self, resume: dict[str, Any], job: dict[str, Any], remaining_ms: Callable[[], int], *, as_of: date
    ) -> tuple[TailoringOutcome, InvocationResult, tuple[int, int]]:
        """Years of experience in the prompt and in the guard are computed as of the same day."""
        prompt = build_prompt(resume, job, as_of=as_of)
        request = ConverseRequest(
            system=prompt.system,
            messages=[{"role": "user", "content": [{"text": prompt.user}]}],
            tool_spec=edit_tool_spec(),
            max_tokens=MAX_OUTPUT_TOKENS,
            temperature=MODEL_TEMPERATURE,
        )
        route = ModelRoute(self.config.model_id, self.config.fallback_model_id)
        input_tokens = output_tokens = 0
        unusable: tuple[ModelReply, ModelOutputError] | None = None
        for corrective in (False, True):
            if unusable is not None:
                request = _corrective_request(request, *unusable)
            invocation = self._invoke(request, route, remaining_ms)
            reply = invocation.reply
            input_tokens += reply.input_tokens
            output_tokens += reply.output_tokens
            metrics.add_metric(name=MetricName.INPUT_TOKENS, unit="Count", value=reply.input_tokens)
            metrics.add_metric(name=MetricName.OUTPUT_TOKENS, unit="Count", value=reply.output_tokens)
            try:
                outcome = self._outcome(resume, job, reply, as_of)
            except ModelOutputError as error:
                logger.warning(
                    "unusable model output", extra={"error_code": error.code, "corrective": corrective}
                )
                unusable = (reply, error)
                continue
            return outcome, invocation, (input_tokens, output_tokens)
        assert unusable is not None
        raise unusable[1]

    @staticmethod
    def _outcome(
        resume: dict[str, Any], job: dict[str, Any], reply: ModelReply, as_of: date
    ) -> TailoringOutcome:
        if reply.stop_reason == TRUNCATED_STOP_REASON:
            raise ModelOutputError(
                ModelOutputCode.TRUNCATED_OUTPUT, "the answer was cut off at the token limit"
            )
        outcome = tailor_from_model_output(resume, job, reply.tool_input, as_of=as_of)
        try:
            # The same types the API accepted the CV with; whatever they accept is valid JSON Resume.
            validated_resume(outcome.tailored_resume)
        except ValidationError as error:
            raise ModelOutputError(
                ModelOutputCode.MALFORMED_OUTPUT, "the rebuilt CV is not a valid JSON Resume"
            ) from error
        return outcome

    def _invoke(
        self, request: ConverseRequest, route: ModelRoute, remaining_ms: Callable[[], int]
    ) -> InvocationResult:
        if self.sleep is None:
            return invoke_model(self.ports.model, request, route, remaining_ms)
        return invoke_model(self.ports.model, request, route, remaining_ms, sleep=self.sleep)

    def _retry_or_fail(self, record: JobRecord, delivery: Delivery, error_code: str) -> JobOutcome:
        if delivery.receive_count >= self.config.max_receive_count:
            error = JobError(
                code="model_unavailable",
                message=f"the model kept failing ({error_code}) on every delivery; redrive to retry",
                retryable=True,
            )
            self._fail(record, error)
            raise RetryLaterError("last delivery failed; the message goes to the dead-letter queue")
        try:
            self.ports.repository.release(record.job_id, self.clock())
        except ConflictError:
            logger.warning("lease already gone while releasing the job")
        raise RetryLaterError(f"transient model failure {error_code}")

    def _fail(self, record: JobRecord, error: JobError) -> JobOutcome:
        try:
            failed = self.ports.repository.fail(record.job_id, error, self.clock())
        except ConflictError:
            logger.warning("lease lost before recording the failure")
            return JobOutcome.SUPERSEDED
        metrics.add_metric(name=MetricName.JOBS_FAILED, unit="Count", value=1)
        logger.warning("job failed", extra={"error_code": error.code, "retryable": error.retryable})
        self._publish_terminal_event(failed)
        return JobOutcome.FAILED

    def _publish_terminal_event(self, record: JobRecord) -> None:
        """Publish, then record it: a crash in between re-sends the event rather than losing it."""
        detail_type, detail = terminal_event(record)
        self.ports.publisher.publish(detail_type, detail)
        try:
            self.ports.repository.mark_terminal_event_published(record.job_id)
        except ConflictError:
            logger.warning("job left its terminal state before the event was recorded")
        except (ThrottledError, DependencyUnavailableError) as error:
            # The event is out. Failing the record here would make SQS deliver it again, and every such
            # delivery would publish the event once more; unrecorded, it is re-sent only if the message
            # comes back anyway.
            logger.warning(
                "terminal event published but not recorded", extra={"error_class": type(error).__name__}
            )


TARGET_KEYWORDS_GROUP = "Requested emphasis"


def with_target_keywords(job: dict[str, Any], target_keywords: list[str]) -> dict[str, Any]:
    """The job with the client's target keywords added as one more skills group.

    They then steer ordering, the summary and the match report like the job's own keywords; one the CV lacks
    is reported as missing, never added.
    """
    if not target_keywords:
        return job
    group = {"name": TARGET_KEYWORDS_GROUP, "keywords": list(target_keywords)}
    return {**job, "skills": [*job.get("skills", []), group]}


def _corrective_request(
    request: ConverseRequest, reply: ModelReply, error: ModelOutputError
) -> ConverseRequest:
    """Ask once more, telling the model what was wrong with its answer."""
    correction = corrective_message(error)
    content = reply.assistant_message.get("content") or []
    tool_use_id = next((block["toolUse"]["toolUseId"] for block in content if "toolUse" in block), None)
    if tool_use_id is None:
        first = request.messages[0]
        messages = [{"role": "user", "content": [*first["content"], {"text": correction}]}]
    else:
        messages = [
            *request.messages,
            {"role": "assistant", "content": content},
            {
                "role": "user",
                "content": [
                    {
                        "toolResult": {
                            "toolUseId": tool_use_id,
                            "content": [{"text": correction}],
                            "status": "error",
                        }
                    }
                ],
            },
        ]
    return ConverseRequest(
        system=request.system,
        messages=messages,
        tool_spec=request.tool_spec,
        max_tokens=request.max_tokens,
        temperature=request.temperature,
    )


def _result_document(
    outcome: TailoringOutcome, invocation: InvocationResult, usage: tuple[int, int]
) -> dict[str, Any]:
    input_tokens, output_tokens = usage
    return {
        "resume": outcome.tailored_resume,
        "match_report": outcome.match_report.model_dump(mode="json"),
        "match_summary": outcome.match_report.summary().model_dump(mode="json"),
        "changes": [change.model_dump(mode="json") for change in outcome.changes],
        "rejections": [rejection.model_dump(mode="json") for rejection in outcome.rejections],
        "usage": {"input_tokens": input_tokens, "output_tokens": output_tokens},
        "estimated_cost_usd": estimate_cost_usd(invocation.model_id, input_tokens, output_tokens),
        "model_attempts": invocation.attempts,
    }
