"""The CLI's commands and helpers without a network: signing, waiting, tailing, summaries and exit codes."""

from __future__ import annotations

import io
import json
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from careervp_cli import main as cli
from careervp_cli.api_client import ApiResponse, SignedApiClient
from careervp_cli.aws import QueueMessage, SigningCredentials
from careervp_cli.events import tail_events
from careervp_cli.jobs import load_job_file, wait_for_terminal
from careervp_cli.summary import event_line, result_summary
from local_stack.demo import example_documents
from local_stack.sigv4 import parse_authorization
from shared.tailoring import tailor_offline
from tests.support.examples import AS_OF


@dataclass
class CapturedRequest:
    request: urllib.request.Request | None = None


class _FakeHttpResponse(io.BytesIO):
    status = 202
    headers: dict[str, str] = {"Content-Type": "application/json"}  # noqa: RUF012 (a test double)

    def __enter__(self) -> _FakeHttpResponse:
        return self

    def __exit__(self, *args: object) -> None:
        self.close()


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch) -> CapturedRequest:
    captured = CapturedRequest()

    def urlopen(request: urllib.request.Request, timeout: float) -> _FakeHttpResponse:
        captured.request = request
        return _FakeHttpResponse(b'{"job_id": "job-1", "status": "PENDING"}')

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    return captured


def test_a_submission_is_signed_for_execute_api_with_the_callers_key(captured: CapturedRequest) -> None:
    # Given an API client for a stage URL and the caller's credentials
    client = SignedApiClient(
        "https://abc.execute-api.eu-west-1.amazonaws.com/v1/", SigningCredentials("AKIAME", "s"), "eu-west-1"
    )

    # When a job is submitted
    response = client.submit({"resume": {}, "job": {}}, idempotency_key="key-1")

    # Then the request goes to the stage's resource, signed in a form the gateway (and API Gateway) accepts
    assert response.status == 202
    request = captured.request
    assert request is not None
    assert request.full_url == "https://abc.execute-api.eu-west-1.amazonaws.com/v1/api/tailor-cv"
    headers = dict(request.header_items())
    authorization = parse_authorization({**headers, "Host": "abc.execute-api.eu-west-1.amazonaws.com"})
    assert (authorization.access_key_id, authorization.region, authorization.service) == (
        "AKIAME",
        "eu-west-1",
        "execute-api",
    )
    assert headers["Idempotency-key"] == "key-1"
    assert isinstance(request.data, bytes)
    assert json.loads(request.data) == {"resume": {}, "job": {}}


@dataclass
class ScriptedStatuses:
    answers: list[str]
    calls: int = 0

    def status(self, job_id: str) -> ApiResponse:
        state = self.answers[min(self.calls, len(self.answers) - 1)]
        self.calls += 1
        return ApiResponse(200, {"job_id": job_id, "status": state}, "", {})


def test_waiting_polls_until_the_job_is_terminal() -> None:
    # Given a job that is pending, processing, then completed
    api = ScriptedStatuses(["PENDING", "PROCESSING", "COMPLETED"])
    sleeps: list[float] = []

    # When the CLI waits for it
    final = wait_for_terminal(api, "job-1", timeout_seconds=60, sleep=sleeps.append, clock=lambda: 0.0)

    # Then it stops at the terminal state, backing off between polls
    assert final.body["status"] == "COMPLETED"
    assert api.calls == 3
    assert sleeps == [0.25, 0.5]


def test_waiting_gives_up_at_the_timeout_with_the_last_answer() -> None:
    # Given a job that never finishes and a clock past the deadline after the first poll
    api = ScriptedStatuses(["PROCESSING"])
    times = iter([0.0, 100.0, 100.0])

    # When the CLI waits for it with a 10 s timeout
    final = wait_for_terminal(
        api, "job-1", timeout_seconds=10, sleep=lambda _: None, clock=lambda: next(times)
    )

    # Then the last (non-terminal) answer comes back
    assert final.body["status"] == "PROCESSING"


@dataclass
class EventQueue:
    bodies: list[str]
    deleted: list[str] = field(default_factory=list)

    def receive(
        self, queue_url: str, *, max_messages: int, wait_seconds: int, visibility_timeout: int
    ) -> list[QueueMessage]:
        batch, self.bodies = self.bodies[:max_messages], self.bodies[max_messages:]
        return [QueueMessage(f"m{i}", f"r{i}-{body[:8]}", body, 1, None) for i, body in enumerate(batch)]

    def delete(self, queue_url: str, receipt_handle: str) -> None:
        self.deleted.append(receipt_handle)


def _event(job_id: str, detail_type: str = "CV Tailoring Completed") -> str:
    return json.dumps(
        {"detail-type": detail_type, "time": "t", "detail": {"job_id": job_id, "status": "COMPLETED"}}
    )


def test_tailing_passes_on_one_jobs_events_and_consumes_everything() -> None:
    # Given events of two jobs and a message that is not an event
    queue = EventQueue([_event("job-1"), "junk", _event("job-2"), _event("job-1", "CV Tailoring Failed")])
    seen: list[dict[str, Any]] = []

    # When the tail follows job-1 for at most two events
    count = tail_events(queue, "url", seen.append, job_id="job-1", max_events=2, timeout_seconds=5)

    # Then job-1's two events are passed on, and every message read was deleted
    assert count == 2
    assert [event["detail-type"] for event in seen] == ["CV Tailoring Completed", "CV Tailoring Failed"]
    assert len(queue.deleted) == 4


def test_a_plain_text_job_file_becomes_a_description(tmp_path: Path) -> None:
    # Given a job posting as text
    path = tmp_path / "job.txt"
    path.write_text("We need a Python engineer.", encoding="utf-8")

    # When it is loaded
    # Then it is the {"description": ...} form the API accepts
    assert load_job_file(path) == {"description": "We need a Python engineer."}


def test_the_result_summary_shows_headline_highlights_coverage_missing_keywords_and_rejections() -> None:
    # Given a real tailoring result of the bundled example (offline engine)
    resume, job = example_documents()
    outcome = tailor_offline(resume, job, as_of=AS_OF)
    result = {
        "resume": outcome.tailored_resume,
        "match_report": outcome.match_report.model_dump(mode="json"),
        "changes": [change.model_dump(mode="json") for change in outcome.changes],
        "rejections": [rejection.model_dump(mode="json") for rejection in outcome.rejections],
    }

    # When it is summarised
    text = "\n".join(result_summary(result))

    # Then the summary has each part, with the CV's own headline and highlights
    assert f"Headline: {resume['basics']['label']}" in text
    first_highlight = outcome.tailored_resume["work"][0]["highlights"][0]
    assert first_highlight[:40] in text.replace("\n    ", " ")
    assert "before ->" in text
    for keyword in outcome.match_report.missing_keywords:
        assert keyword in text
    assert "Guard rejections:" in text


def test_an_event_line_names_the_type_job_and_coverage() -> None:
    # Given a Completed event
    event = {
        "time": "2026-11-26T12:00:00Z",
        "detail-type": "CV Tailoring Completed",
        "detail": {
            "job_id": "job-1",
            "status": "COMPLETED",
            "match_summary": {"coverage_before": 0.5, "coverage_after": 0.875},
            "guard_rejections": 1,
        },
    }

    # When it is shown
    line = event_line(event)

    # Then it is one readable line
    assert line == (
        "2026-11-26T12:00:00Z  CV Tailoring Completed  job=job-1  status=COMPLETED  coverage=50%->88%  "
        "guard_rejections=1"
    )


def test_submit_with_an_unreadable_cv_fails_with_a_message_and_exit_code_1(tmp_path: Path) -> None:
    # Given a CV path that does not exist
    err = io.StringIO()

    # When submit runs
    code = cli.main(
        ["submit", str(tmp_path / "missing.json"), str(tmp_path / "job.txt")], out=io.StringIO(), err=err
    )

    # Then it fails cleanly, naming the file
    assert code == 1
    assert "missing.json" in err.getvalue()


def test_redrive_by_job_and_all_at_once_are_mutually_exclusive() -> None:
    # Given both --job-id and --all
    # When the command line is parsed
    with pytest.raises(SystemExit) as exit_:
        cli.main(["dlq", "redrive", "--job-id", "a", "--all"], out=io.StringIO(), err=io.StringIO())

    # Then it is a usage error
    assert exit_.value.code == 2


def test_target_options_work_before_and_after_the_command() -> None:
    # Given --region before the command and --api-url after it
    args = cli.build_parser().parse_args(
        ["--region", "eu-west-1", "status", "job-1", "--api-url", "https://x"]
    )

    # When the target options are read
    options = cli.target_options(args)

    # Then both are taken
    assert (options.region, options.api_url) == ("eu-west-1", "https://x")
