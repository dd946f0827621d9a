"""The worker handler: settings at cold start, partial batch failures, and no CV text in any log line."""

from __future__ import annotations

import io

import pytest

import worker.handler
from shared.logic.tailoring_job import TailoringJobConfig, TailoringJobPorts, TailoringJobProcessor
from shared.settings import ConfigurationError
from shared.tailoring import propose_edits
from tests.support.examples import NOW, SENTINEL, example_job, example_resume, pending_record, tool_reply
from tests.support.fakes import InMemoryJobRepository, RecordingEventPublisher, ScriptedModelClient
from tests.support.lambda_context import FakeLambdaContext
from tests.support.sqs_events import sqs_event, sqs_record

WORKER_ENVIRONMENT = {
    "TABLE_NAME": "careervp-cv-tailor-jobs-test",
    "EVENT_BUS_NAME": "careervp-cv-tailor-bus-test",
    "MAX_RECEIVE_COUNT": "5",
}


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in WORKER_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)


def _install(monkeypatch: pytest.MonkeyPatch, processor: TailoringJobProcessor) -> None:
    monkeypatch.setattr(worker.handler, "job_processor", lambda: processor)


def _processor(repository: InMemoryJobRepository, model: ScriptedModelClient) -> TailoringJobProcessor:
    return TailoringJobProcessor(
        ports=TailoringJobPorts(repository=repository, publisher=RecordingEventPublisher(), model=model),
        config=TailoringJobConfig(model_id="m", fallback_model_id=None, max_receive_count=5),
        clock=lambda: NOW,
        sleep=lambda _: None,
    )


@pytest.mark.usefixtures("environment")
def test_a_failing_record_is_reported_as_a_partial_batch_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a batch with one processable job and one malformed message
    repository = InMemoryJobRepository()
    repository.create(pending_record("good"))
    edits = propose_edits(example_resume(), example_job(), as_of=NOW.date()).model_dump(
        mode="json", exclude_none=True
    )
    _install(monkeypatch, _processor(repository, ScriptedModelClient([tool_reply(edits)])))
    event = sqs_event(sqs_record("good", "m-1"), sqs_record("bad", "m-2", body="not json"))
    # When the worker handles the batch
    response = worker.handler.lambda_handler(event, FakeLambdaContext())
    # Then only the malformed message is returned for redelivery, and the good job completed
    assert response == {"batchItemFailures": [{"itemIdentifier": "m-2"}]}
    assert repository.records["good"].status.value == "COMPLETED"


def test_a_missing_variable_fails_at_cold_start_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given an environment without EVENT_BUS_NAME
    monkeypatch.setenv("TABLE_NAME", "t")
    monkeypatch.setenv("MAX_RECEIVE_COUNT", "5")
    monkeypatch.delenv("EVENT_BUS_NAME", raising=False)
    # When the handler is invoked / Then the error names the variable
    with pytest.raises(ConfigurationError, match="EVENT_BUS_NAME"):
        worker.handler.lambda_handler(sqs_event(), FakeLambdaContext())


@pytest.mark.usefixtures("environment")
def test_no_cv_or_job_text_reaches_any_log_line(
    monkeypatch: pytest.MonkeyPatch, captured_logs: io.StringIO, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a CV and job carrying a sentinel string, logging at DEBUG, and a model that answers badly once
    resume = example_resume()
    resume["basics"]["summary"] = f"{SENTINEL} {resume['basics']['summary']}"
    resume["work"][0]["highlights"][0] += f" {SENTINEL}"
    record = pending_record("job-s", resume=resume).model_copy(
        update={"job": {"description": f"Backend engineer {SENTINEL}"}}
    )
    repository = InMemoryJobRepository()
    repository.create(record)
    model = ScriptedModelClient([tool_reply("{broken"), tool_reply({"summary": {"text": SENTINEL}})])
    _install(monkeypatch, _processor(repository, model))
    # When the job is processed
    worker.handler.lambda_handler(sqs_event(sqs_record("job-s", "m-1")), FakeLambdaContext())
    # Then log lines were written for the job, and none of them (nor any metric) carries the sentinel
    lines = captured_logs.getvalue().splitlines()
    assert any('"correlation_id":"job-s"' in line.replace(" ", "") for line in lines)
    assert any("unusable model output" in line for line in lines)
    assert all(SENTINEL not in line for line in lines)
    printed = capsys.readouterr()
    assert SENTINEL not in printed.out + printed.err


@pytest.mark.usefixtures("environment")
def test_a_failed_record_is_logged_with_its_error_class(
    monkeypatch: pytest.MonkeyPatch, captured_logs: io.StringIO
) -> None:
    # Given a batch holding a malformed message
    _install(monkeypatch, _processor(InMemoryJobRepository(), ScriptedModelClient([])))
    # When the worker handles it
    worker.handler.lambda_handler(sqs_event(sqs_record("x", "m-1", body="not json")), FakeLambdaContext())
    # Then a warning names the error class, so a failing record is visible at the default log level
    warnings = [line for line in captured_logs.getvalue().splitlines() if '"record failed"' in line]
    assert len(warnings) == 1
    assert '"error_class":"ValidationError"' in warnings[0].replace(" ", "")
