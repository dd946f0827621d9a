"""The worker's use case with in-memory fakes: state machine, retries, fallback, guard and events."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from evaluation.schema_checks import resume_schema_errors
from shared.clients.model_types import (
    ConverseRequest,
    ModelReply,
    ModelRequestError,
    ModelThrottledError,
    ModelUnavailableError,
)
from shared.dal.models import JobError, JobStatus
from shared.errors import DependencyUnavailableError, ThrottledError
from shared.logic import tailoring_job
from shared.logic.tailoring_job import (
    Delivery,
    JobOutcome,
    RetryLaterError,
    TailoringJobConfig,
    TailoringJobPorts,
    TailoringJobProcessor,
)
from shared.tailoring import propose_edits, tailor_from_model_output
from tests.support import fakes
from tests.support.examples import (
    NOW,
    event_schema_errors,
    example_job,
    example_resume,
    pending_record,
    tool_reply,
)
from tests.support.fakes import InMemoryJobRepository, RecordingEventPublisher, ScriptedModelClient

PRIMARY = "global.anthropic.claude-haiku-4-5-20251001-v1:0"
FALLBACK = "global.anthropic.claude-sonnet-4-5-20250929-v1:0"
MAX_RECEIVES = 5
PLENTY_OF_TIME_MS = 55_000


class World:
    """A processor wired to fakes, with one pending job stored."""

    def __init__(self, script: list[Any]) -> None:
        self.repository = InMemoryJobRepository()
        self.publisher = RecordingEventPublisher()
        self.model = ScriptedModelClient(script)
        self.repository.create(pending_record())
        self.processor = TailoringJobProcessor(
            ports=TailoringJobPorts(repository=self.repository, publisher=self.publisher, model=self.model),
            config=TailoringJobConfig(
                model_id=PRIMARY, fallback_model_id=FALLBACK, max_receive_count=MAX_RECEIVES
            ),
            clock=lambda: NOW,
            sleep=lambda _: None,
        )

    def deliver(self, receive_count: int = 1) -> JobOutcome:
        return self.processor.process(Delivery("job-1", receive_count), lambda: PLENTY_OF_TIME_MS)

    @property
    def record(self) -> Any:
        return self.repository.records["job-1"]


@pytest.fixture(autouse=True)
def _every_event_conforms_to_its_schema() -> Iterator[None]:
    """Each test's emitted events are checked against docs/events/*.schema.json after it runs."""
    published: list[RecordingEventPublisher] = []
    original_init = RecordingEventPublisher.__init__

    def tracking_init(self: RecordingEventPublisher, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        published.append(self)

    RecordingEventPublisher.__init__ = tracking_init  # type: ignore[method-assign]
    yield
    RecordingEventPublisher.__init__ = original_init  # type: ignore[method-assign]
    for publisher in published:
        for detail_type, detail in publisher.events:
            assert event_schema_errors(detail_type, detail) == []


def good_edits() -> dict[str, Any]:
    return propose_edits(example_resume(), example_job(), as_of=NOW.date()).model_dump(
        mode="json", exclude_none=True
    )


def test_a_pending_job_completes_with_one_model_call_and_one_event() -> None:
    # Given a pending job and a model that answers with valid edits
    world = World([tool_reply(good_edits())])
    # When the worker processes its message
    outcome = world.deliver()
    # Then the job is completed with a schema-valid CV, one model call and one Completed event
    assert outcome is JobOutcome.COMPLETED
    assert world.record.status is JobStatus.COMPLETED
    assert resume_schema_errors(world.record.result["resume"]) == []
    assert len(world.model.calls) == 1
    assert [detail_type for detail_type, _ in world.publisher.events] == ["CV Tailoring Completed"]
    assert world.record.terminal_event_published is True
    detail = world.publisher.events[0][1]
    assert detail["model_id"] == PRIMARY
    assert detail["token_usage"] == {"input_tokens": 2_000, "output_tokens": 300}
    assert detail["estimated_cost_usd"] == pytest.approx((2_000 * 1 + 300 * 5) / 1_000_000)


def test_the_model_is_asked_with_a_forced_tool_and_low_temperature() -> None:
    # Given a pending job
    world = World([tool_reply(good_edits())])
    # When it is processed
    world.deliver()
    # Then the request forces the edit tool, at a low temperature, with the job as delimited data
    _, request = world.model.calls[0]
    assert isinstance(request, ConverseRequest)
    assert request.tool_spec["name"] == "submit_cv_edits"
    assert request.temperature <= 0.2
    assert "<job_posting>" in request.messages[0]["content"][0]["text"]


def test_a_duplicate_delivery_of_a_completed_job_makes_no_model_call_and_no_event() -> None:
    # Given a job that already completed
    world = World([tool_reply(good_edits())])
    world.deliver()
    assert world.record.status is JobStatus.COMPLETED
    assert world.record.terminal_event_published is True
    # When the same message is delivered again (a duplicate, or a redrive with a new message id)
    outcome = world.deliver(receive_count=2)
    # Then it is acknowledged with no second model call and no second event
    assert outcome is JobOutcome.DUPLICATE
    assert len(world.model.calls) == 1
    assert len(world.publisher.events) == 1


def test_an_unpublished_completion_event_is_sent_by_the_next_delivery() -> None:
    # Given a worker that completed the job but crashed before its event went out
    world = World([tool_reply(good_edits())])
    world.publisher.fail_with = ConnectionError("crash before PutEvents")
    with pytest.raises(ConnectionError):
        world.deliver()
    assert world.record.status is JobStatus.COMPLETED
    assert world.record.terminal_event_published is False
    world.publisher.fail_with = None
    # When the message is redelivered
    world.deliver(receive_count=2)
    # Then the event goes out once, with no second model call
    assert [detail_type for detail_type, _ in world.publisher.events] == ["CV Tailoring Completed"]
    assert len(world.model.calls) == 1
    assert world.record.terminal_event_published is True


def test_a_crash_mid_job_is_recovered_once_the_lease_expires() -> None:
    # Given a worker that claimed the job and crashed
    world = World([tool_reply(good_edits())])
    world.repository.claim("job-1", NOW - timedelta(seconds=120), lease_seconds=90)
    # When the next delivery arrives after the lease expired
    outcome = world.deliver(receive_count=2)
    # Then the job completes, as its second attempt
    assert outcome is JobOutcome.COMPLETED
    assert world.record.attempts == 2


def test_a_live_lease_sends_the_message_back_to_the_queue() -> None:
    # Given another worker holding a live lease on the job
    world = World([])
    world.repository.claim("job-1", NOW, lease_seconds=90)
    assert world.record.status is JobStatus.PROCESSING
    assert (world.record.lease_expires_at or 0) > NOW.timestamp()
    # When a duplicate delivery arrives
    # Then it is not acknowledged (SQS retries it later) and the model is not called
    with pytest.raises(RetryLaterError):
        world.deliver(receive_count=2)
    assert world.model.calls == []


def test_a_duplicate_on_its_last_receive_is_acknowledged_not_dead_lettered() -> None:
    # Given another worker holding a live lease on the job
    world = World([])
    world.repository.claim("job-1", NOW, lease_seconds=90)
    assert world.record.status is JobStatus.PROCESSING
    assert (world.record.lease_expires_at or 0) > NOW.timestamp()

    # When a duplicate delivery arrives on its last receive
    outcome = world.deliver(receive_count=MAX_RECEIVES)

    # Then it is acknowledged as a duplicate (no DLQ), the job stays with its holder, nothing else happens
    assert outcome is JobOutcome.DUPLICATE
    assert world.record.status is JobStatus.PROCESSING
    assert world.model.calls == []
    assert world.publisher.events == []


def test_a_transient_failure_releases_the_lease_and_retries_later() -> None:
    # Given a model that keeps throttling
    world = World([ModelThrottledError("t", "ThrottlingException")] * 10)
    # When the first delivery exhausts its budget
    # Then the message goes back to the queue and the job can be claimed at once
    with pytest.raises(RetryLaterError):
        world.deliver(receive_count=1)
    assert world.record.status is JobStatus.PROCESSING
    assert world.record.lease_expires_at == 0
    assert world.publisher.events == []


def test_the_last_receive_marks_the_job_failed_before_the_dead_letter_queue() -> None:
    # Given a model that keeps failing, on the last allowed receive
    world = World([ModelUnavailableError("u", "ServiceUnavailableException")] * 10)
    # When the delivery exhausts its budget
    with pytest.raises(RetryLaterError):
        world.deliver(receive_count=MAX_RECEIVES)
    # Then the job is FAILED (retryable), the Failed event went out, and the message fails on towards the DLQ
    assert world.record.status is JobStatus.FAILED
    assert world.record.error.retryable is True
    assert [detail_type for detail_type, _ in world.publisher.events] == ["CV Tailoring Failed"]
    assert world.publisher.events[0][1]["error"]["code"] == "model_unavailable"


def test_a_redriven_failed_job_completes_with_one_completed_event() -> None:
    # Given a job that failed on its last receive and was moved to the DLQ
    world = World([ModelThrottledError("t", "ThrottlingException")] * 6 + [tool_reply(good_edits())])
    with pytest.raises(RetryLaterError):
        world.deliver(receive_count=MAX_RECEIVES)
    # When ops redrive it (a new message, receive count 1) and the model has recovered
    outcome = world.deliver(receive_count=1)
    # Then it completes and emits exactly one Completed event after the Failed one
    assert outcome is JobOutcome.COMPLETED
    assert [detail_type for detail_type, _ in world.publisher.events] == [
        "CV Tailoring Failed",
        "CV Tailoring Completed",
    ]


def test_the_fallback_model_completes_the_job_while_the_primary_is_throttled() -> None:
    # Given a primary model throttled twice
    throttle = ModelThrottledError("t", "ThrottlingException")
    world = World([throttle, throttle, tool_reply(good_edits())])
    # When the job is processed
    world.deliver()
    # Then the fallback model completed it and the event names it
    assert world.model.calls[-1][0] == FALLBACK
    assert world.record.model_id == FALLBACK
    assert world.publisher.events[0][1]["model_id"] == FALLBACK


def test_a_validation_exception_fails_the_job_and_acknowledges_the_message() -> None:
    # Given a model that rejects the request as invalid
    world = World([ModelRequestError("v", "ValidationException")])
    # When the job is processed
    outcome = world.deliver()
    # Then the job fails for good, the Failed event goes out and the message is acknowledged
    assert outcome is JobOutcome.FAILED
    assert world.record.error == JobError(
        code="model_request_invalid", message="the model rejected the request", retryable=False
    )
    assert len(world.model.calls) == 1


@pytest.mark.parametrize("code", ["AccessDeniedException", "ResourceNotFoundException"])
def test_configuration_errors_are_not_retried_in_process_but_keep_the_job_redrivable(code: str) -> None:
    # Given a model call that is not permitted (a fixable configuration fault)
    world = World([ModelRequestError("a", code)])
    # When the job is processed
    # Then there is one call, no retry, and the message goes back to the queue
    with pytest.raises(RetryLaterError):
        world.deliver()
    assert len(world.model.calls) == 1
    assert world.record.status is JobStatus.PROCESSING


def test_malformed_output_gets_one_corrective_retry() -> None:
    # Given a model whose first answer is malformed and second is valid
    world = World([tool_reply({"summary": 42, "rewordings": "nonsense"}), tool_reply(good_edits())])
    # When the job is processed
    outcome = world.deliver()
    # Then the corrective retry carried the error back as a tool result and the job completed
    assert outcome is JobOutcome.COMPLETED
    _, corrective = world.model.calls[1]
    tool_result = corrective.messages[-1]["content"][0]["toolResult"]
    assert tool_result["status"] == "error"
    assert world.record.result["usage"] == {"input_tokens": 4_000, "output_tokens": 600}


@pytest.mark.parametrize(
    "bad_reply",
    [
        tool_reply("{not json"),
        tool_reply(None),
        tool_reply(good_edits(), stop_reason="max_tokens"),
        ModelReply(tool_input=None, stop_reason="end_turn", input_tokens=5, output_tokens=0),
    ],
    ids=["malformed-json", "empty", "truncated", "no-tool-call"],
)
def test_output_still_unusable_after_the_corrective_retry_fails_the_job(bad_reply: ModelReply) -> None:
    # Given a model that answers unusably twice
    world = World([bad_reply, bad_reply])
    # When the job is processed
    outcome = world.deliver()
    # Then the job fails cleanly after exactly two calls and the message is acknowledged
    assert outcome is JobOutcome.FAILED
    assert len(world.model.calls) == 2
    assert world.record.error.code == "model_output_unusable"
    assert [detail_type for detail_type, _ in world.publisher.events] == ["CV Tailoring Failed"]


def test_a_rebuilt_cv_that_is_not_valid_json_resume_is_never_stored(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a rebuild that (through some future defect) yields a CV with a null field and a bad date
    def broken_rebuild(*args: Any, **kwargs: Any) -> Any:
        outcome = tailor_from_model_output(*args, **kwargs)
        outcome.tailored_resume["basics"]["name"] = None
        outcome.tailored_resume["work"][0]["startDate"] = "March 2022"
        return outcome

    monkeypatch.setattr(tailoring_job, "tailor_from_model_output", broken_rebuild)
    world = World([tool_reply(good_edits()), tool_reply(good_edits())])

    # When the job is processed
    outcome = world.deliver()

    # Then the output was judged unusable twice, nothing was stored as a result and the job failed
    assert outcome is JobOutcome.FAILED
    assert len(world.model.calls) == 2
    assert world.record.error.code == "model_output_unusable"
    assert world.record.result is None


def test_invalid_stored_input_fails_without_a_model_call() -> None:
    # Given a stored job whose CV no longer validates
    world = World([])
    broken = copy.deepcopy(example_resume())
    broken["work"][0]["startDate"] = "March 2022"
    world.repository.records["job-1"] = pending_record(resume=broken)
    # When it is processed
    outcome = world.deliver()
    # Then it fails as invalid input with no model call
    assert outcome is JobOutcome.FAILED
    assert world.record.error.code == "invalid_input"
    assert world.model.calls == []


def test_a_missing_job_is_acknowledged() -> None:
    # Given a message whose job no longer exists (TTL, or rolled back)
    world = World([])
    del world.repository.records["job-1"]
    # When it is delivered / Then it is acknowledged without work
    assert world.deliver() is JobOutcome.MISSING
    assert world.model.calls == []


def test_a_job_past_its_retention_is_acknowledged_without_work_or_event() -> None:
    # Given a pending job redriven from the DLQ after its 7-day retention, before TTL deleted it
    world = World([tool_reply(good_edits())])
    world.processor.clock = lambda: NOW + timedelta(days=7)

    # When it is delivered
    outcome = world.deliver()

    # Then it is treated as gone: no model call, no event, the record untouched
    assert outcome is JobOutcome.MISSING
    assert world.model.calls == []
    assert world.publisher.events == []
    assert world.record.status is JobStatus.PENDING


HIGHLIGHT_APIS = "work[0].highlights[4]"
APIS = "Built RESTful APIs consumed by 3 mobile apps and more than 40 carrier integrations"
FABRICATIONS = {
    "fabricated-employer": (
        {"ref": HIGHLIGHT_APIS, "text": APIS.replace("APIs", "APIs at Google")},
        "new_organisation",
    ),
    "added-skill": (
        {"ref": HIGHLIGHT_APIS, "text": APIS.replace("RESTful APIs", "RESTful APIs on Kubernetes")},
        "new_technology",
    ),
    "invented-metric": ({"ref": HIGHLIGHT_APIS, "text": APIS + ", raising revenue by 35%"}, "new_number"),
    "changed-date": (
        {
            "ref": "work[1].highlights[2]",
            "text": "Onboarded 140 new clinics in 2023 through a self-serve enrollment flow",
        },
        "new_date",
    ),
    "changed-title": (
        {
            "ref": "work[0].highlights[1]",
            "text": "As Engineering Director, led a team of 4 engineers through the upgrade to Python 3.11 "
            "with no customer-facing downtime",
        },
        "new_title",
    ),
}


@pytest.mark.parametrize(("rewording", "reason"), FABRICATIONS.values(), ids=FABRICATIONS.keys())
def test_fabricated_facts_are_rejected_and_the_original_kept(rewording: dict[str, str], reason: str) -> None:
    # Given a model that slips a fabricated fact into a rewording
    world = World([tool_reply({"rewordings": [rewording]})])
    source = example_resume()
    # When the job is processed
    world.deliver()
    # Then the job completes, the original text stands, and the rejection is reported
    result = world.record.result
    index = int(rewording["ref"].split("[")[1].split("]")[0])
    highlight = int(rewording["ref"].rsplit("[", 1)[1].rstrip("]"))
    tailored_work = result["resume"]["work"][index]
    assert rewording["text"] not in tailored_work["highlights"]
    assert source["work"][index]["highlights"][highlight] in tailored_work["highlights"]
    assert [(rejection["ref"], rejection["reason"]) for rejection in result["rejections"]] == [
        (rewording["ref"], reason)
    ]
    assert world.publisher.events[0][1]["guard_rejections"] == 1


def test_employers_titles_dates_and_contact_details_are_copied_whatever_the_model_says() -> None:
    # Given a model answer full of rewordings and reorderings
    world = World([tool_reply(good_edits())])
    source = example_resume()
    # When the job is processed
    world.deliver()
    # Then every fact-bearing field is byte-identical to the source
    tailored = world.record.result["resume"]
    assert tailored["basics"] | {"summary": None} == source["basics"] | {"summary": None}
    for field in ("name", "position", "startDate", "endDate", "location", "url"):
        assert [entry.get(field) for entry in tailored["work"]] == [
            entry.get(field) for entry in source["work"]
        ]
    for section in ("education", "certificates", "awards", "languages"):
        assert tailored.get(section) == source.get(section)


def test_target_keywords_join_the_job_keywords_without_being_added_to_the_cv() -> None:
    # Given a job submitted with target keywords, one evidenced by the CV and one it lacks
    world = World([tool_reply(good_edits())])
    record = world.repository.records["job-1"]
    world.repository.records["job-1"] = record.model_copy(
        update={"options": {"target_keywords": ["Redis", "Haskell"]}}
    )
    # When the job is processed
    world.deliver()
    # Then the match report counts the evidenced one and lists the lacking one as missing, absent from the CV
    report = world.record.result["match_report"]
    assert "Haskell" in report["missing_keywords"]
    assert "Redis" in [match["keyword"] for match in report["evidenced_keywords"]]
    assert "Haskell" not in json.dumps(world.record.result["resume"])


def test_an_unrecorded_event_does_not_fail_the_message() -> None:
    # Given a table that throttles the write recording the published event
    world = World([tool_reply(good_edits())])
    world.repository.fail_next["mark_terminal_event_published"] = ThrottledError("throttled")
    # When the job completes
    outcome = world.deliver()
    # Then the message is acknowledged (no redelivery, so no repeated event) with the event sent once
    assert outcome is JobOutcome.COMPLETED
    assert [detail_type for detail_type, _ in world.publisher.events] == ["CV Tailoring Completed"]
    assert world.record.terminal_event_published is False


def test_any_failure_on_the_last_receive_ends_the_job_failed_with_one_event() -> None:
    # Given a model that answers well and a store that refuses the completion write
    world = World([tool_reply(good_edits())])
    world.repository.fail_next["complete"] = DependencyUnavailableError("dynamodb unreachable")

    # When the last receive of the job's message is processed
    with pytest.raises(DependencyUnavailableError):
        world.deliver(receive_count=MAX_RECEIVES)

    # Then the job is FAILED (retryable, so a redrive claims it again) and exactly one Failed event went out
    assert world.record.status is JobStatus.FAILED
    assert world.record.error.code == tailoring_job.WORKER_ERROR_CODE
    assert world.record.error.retryable is True
    assert [detail_type for detail_type, _ in world.publisher.events] == ["CV Tailoring Failed"]


def test_a_failure_before_the_last_receive_leaves_the_job_to_the_next_delivery() -> None:
    # Given the same refused completion write, on the first receive
    world = World([tool_reply(good_edits())])
    world.repository.fail_next["complete"] = DependencyUnavailableError("dynamodb unreachable")

    # When it is processed
    with pytest.raises(DependencyUnavailableError):
        world.deliver(receive_count=1)

    # Then nothing is final yet: the job is still PROCESSING and no event went out
    assert world.record.status is JobStatus.PROCESSING
    assert world.publisher.events == []


def _skill_heavy_cv() -> dict[str, Any]:
    """A schema-valid CV of 10 jobs x 40 highlights, each naming the same 40 skills the job asks for."""
    skills = [f"Skill{index:02d}" for index in range(40)]
    highlight = "Used " + ", ".join(skills)
    work = [
        {
            "name": f"Employer {index}",
            "position": "Engineer",
            "startDate": "2015-01",
            "highlights": [highlight] * 40,
        }
        for index in range(10)
    ]
    return {
        "basics": {"name": "A", "summary": "Engineer."},
        "work": work,
        "skills": [{"name": "All", "keywords": skills}],
    }


def test_a_cv_naming_every_job_skill_everywhere_completes_with_a_bounded_report() -> None:
    # Given a CV whose every highlight names the job's 40 skills, and a job asking for them
    resume = _skill_heavy_cv()
    job = {"skills": [{"name": "All", "keywords": resume["skills"][0]["keywords"]}]}
    world = World([tool_reply({})])
    world.repository.records["job-1"] = world.record.model_copy(update={"resume": resume, "job": job})
    assert len(json.dumps(resume)) > 90_000

    # When its message is processed (the fake refuses an item over 400 KB, as DynamoDB does)
    outcome = world.deliver()

    # Then it completes: each keyword lists at most 10 places and counts them all
    assert outcome is JobOutcome.COMPLETED
    evidenced = world.record.result["match_report"]["evidenced_keywords"]
    assert all(len(match["locations"]) <= 10 for match in evidenced)
    assert max(match["location_count"] for match in evidenced) >= 400


def test_a_result_too_large_for_the_record_fails_the_job_once_with_its_event(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a record limit smaller than the result the example job yields
    monkeypatch.setattr(tailoring_job, "MAX_RESULT_BYTES", 1_000)
    world = World([tool_reply(good_edits())])

    # When its message is processed
    outcome = world.deliver()

    # Then the job is FAILED for good (no redelivery makes it fit), with one Failed event and one model call
    assert outcome is JobOutcome.FAILED
    assert world.record.error.code == tailoring_job.RESULT_TOO_LARGE_CODE
    assert world.record.error.retryable is False
    assert len(world.model.calls) == 1
    assert [detail_type for detail_type, _ in world.publisher.events] == ["CV Tailoring Failed"]


def test_a_store_that_refuses_an_oversize_item_fails_the_job_and_keeps_nothing_of_the_write(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a store whose item limit admits the pending record but not the completed one
    world = World([tool_reply(good_edits())])
    monkeypatch.setattr(fakes, "ITEM_LIMIT_BYTES", len(world.record.model_dump_json()) + 500)

    # When its message is processed
    outcome = world.deliver()

    # Then the refused write left no result behind, and the job is FAILED result_too_large with its event
    assert outcome is JobOutcome.FAILED
    assert world.record.result is None
    assert world.record.error.code == tailoring_job.RESULT_TOO_LARGE_CODE
    assert [detail_type for detail_type, _ in world.publisher.events] == ["CV Tailoring Failed"]
