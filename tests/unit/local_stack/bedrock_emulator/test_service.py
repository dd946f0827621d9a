"""The emulator without sockets: answers in the edit contract, faults, quota, latency, stats, logs."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest

from local_stack.bedrock_emulator import ConverseService, FaultConfig, MalformedKind
from local_stack.bedrock_emulator import model as emulated_model
from local_stack.bedrock_emulator.service import logger as emulator_logger
from local_stack.bedrock_emulator.wire import ERROR_TYPE_HEADER, HttpReply, parse_converse_request
from shared.tailoring import (
    EDIT_TOOL_NAME,
    ModelOutputError,
    build_prompt,
    corrective_message,
    edit_tool_config,
    parse_edits,
    propose_edits,
    tailor_from_model_output,
)
from shared.tailoring.errors import ModelOutputCode
from tests.conftest import capturing
from tests.support.examples import AS_OF
from worker.settings import HAIKU_4_5_GLOBAL_PROFILE, SONNET_4_5_GLOBAL_PROFILE

from .conftest import CORPUS_CASES, CorpusCase

CASE = CORPUS_CASES[0]
SENTINEL = "SENTINEL-91ab-never-log-me"


def _service(faults: FaultConfig | None = None, **options: Any) -> ConverseService:
    """An emulator whose model reads the fixtures' day, as the worker's functions do here."""
    return ConverseService(faults, today=lambda: AS_OF, **options)


class FakeClock:
    def __init__(self) -> None:
        self.now = 500.0

    def __call__(self) -> float:
        return self.now


def _request(resume: dict[str, Any], job: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    prompt = build_prompt(resume, job, as_of=AS_OF)
    request: dict[str, Any] = {
        "system": [{"text": prompt.system}],
        "messages": [{"role": "user", "content": [{"text": prompt.user}]}],
        "inferenceConfig": {"maxTokens": 4096, "temperature": 0.1},
        "toolConfig": edit_tool_config(),
    }
    request.update(overrides)
    return request


def _converse(
    service: ConverseService, request: dict[str, Any], model_id: str = HAIKU_4_5_GLOBAL_PROFILE
) -> HttpReply:
    return service.converse(model_id, json.dumps(request).encode())


def _tool_use(reply: HttpReply) -> dict[str, Any]:
    content = reply.json()["output"]["message"]["content"]
    assert len(content) == 1
    tool_use: dict[str, Any] = content[0]["toolUse"]
    return tool_use


@pytest.mark.parametrize("case", CORPUS_CASES, ids=lambda case: case.name)
def test_a_corpus_prompt_is_answered_with_edits_the_guard_accepts_whole(case: CorpusCase) -> None:
    # Given a fault-free emulator and the worker's request for a corpus CV and job
    service = _service(FaultConfig())

    # When it is conversed
    reply = _converse(service, _request(case.resume, case.job))

    # Then the forced tool is called with edits that parse and apply with no guard rejection
    assert reply.status == 200
    assert reply.json()["stopReason"] == "tool_use"
    tool_use = _tool_use(reply)
    assert tool_use["name"] == EDIT_TOOL_NAME
    assert tool_use["toolUseId"].startswith("tooluse_")
    parse_edits(tool_use["input"])
    assert tailor_from_model_output(case.resume, case.job, tool_use["input"], as_of=AS_OF).rejections == []


@pytest.mark.parametrize("case", CORPUS_CASES, ids=lambda case: case.name)
def test_reading_only_the_prompt_loses_nothing_the_engine_uses_on_the_corpus(case: CorpusCase) -> None:
    # Given the worker's request for a corpus pair
    service = _service()

    # When the emulator answers it from the prompt alone
    answered = _tool_use(_converse(service, _request(case.resume, case.job)))["input"]

    # Then it proposes what the offline engine proposes with the whole CV and job in hand
    assert answered == propose_edits(case.resume, case.job, as_of=AS_OF).model_dump(
        mode="json", exclude_none=True
    )


def test_usage_estimates_tokens_from_the_request_and_the_answer() -> None:
    # Given a request
    request = _request(CASE.resume, CASE.job)

    # When it is answered
    document = _converse(_service(), request).json()

    # Then input tokens are about the request's characters / 4 and output tokens the answer's
    expected_input = parse_converse_request(json.dumps(request).encode()).input_tokens
    content_chars = len(json.dumps(document["output"]["message"]["content"], ensure_ascii=False))
    assert document["usage"]["inputTokens"] == expected_input
    assert expected_input == pytest.approx(len(json.dumps(request)) / 4, rel=0.05)
    assert document["usage"]["outputTokens"] == -(-content_chars // 4)
    assert document["usage"]["totalTokens"] == expected_input + document["usage"]["outputTokens"]
    assert document["metrics"]["latencyMs"] >= 0


def test_the_corrective_retry_is_answered_again_with_valid_edits() -> None:
    # Given a first answer the worker could not use, sent back with a toolResult error
    service = _service()
    first = _request(CASE.resume, CASE.job)
    bad_call = {"toolUseId": "tooluse_bad", "name": EDIT_TOOL_NAME, "input": "{not json"}
    error = ModelOutputError(ModelOutputCode.MALFORMED_OUTPUT, "tool input is not valid JSON (at char 1)")
    messages = [
        *first["messages"],
        {"role": "assistant", "content": [{"toolUse": bad_call}]},
        {
            "role": "user",
            "content": [
                {
                    "toolResult": {
                        "toolUseId": "tooluse_bad",
                        "content": [{"text": corrective_message(error)}],
                        "status": "error",
                    }
                }
            ],
        },
    ]

    # When the corrective conversation is sent
    reply = _converse(service, {**first, "messages": messages})

    # Then the answer is a fresh, valid edit set
    assert reply.status == 200
    assert (
        tailor_from_model_output(CASE.resume, CASE.job, _tool_use(reply)["input"], as_of=AS_OF).rejections
        == []
    )


def test_a_correction_appended_to_the_prompt_is_answered_too() -> None:
    # Given the worker's other corrective shape: the correction added to the first user message
    error = ModelOutputError(ModelOutputCode.EMPTY_OUTPUT, "the model returned no tool input")
    request = _request(CASE.resume, CASE.job)
    request["messages"][0]["content"].append({"text": corrective_message(error)})

    # When it is sent
    reply = _converse(_service(), request)

    # Then valid edits come back
    assert parse_edits(_tool_use(reply)["input"])


def test_the_tool_called_is_the_one_the_request_forces() -> None:
    # Given two tools, with the second one forced
    config = edit_tool_config()
    other = {"toolSpec": {"name": "other_tool", "inputSchema": {"json": {"type": "object"}}}}
    request = _request(
        CASE.resume,
        CASE.job,
        toolConfig={"tools": [other, *config["tools"]], "toolChoice": config["toolChoice"]},
    )

    # When it is answered
    # Then the forced tool is the one called
    assert _tool_use(_converse(_service(), request))["name"] == EDIT_TOOL_NAME


def test_a_conversation_without_a_tailoring_prompt_gets_an_empty_edit_set() -> None:
    # Given a request that is not the worker's prompt
    request = _request(CASE.resume, CASE.job, messages=[{"role": "user", "content": [{"text": "Hello"}]}])

    # When it is answered
    # Then the tool is still called, with edits that change nothing
    assert _tool_use(_converse(_service(), request))["input"] == {}


def test_both_served_models_answer_and_others_are_refused() -> None:
    # Given the emulator
    service = _service()
    request = _request(CASE.resume, CASE.job)

    # When each served model and an unknown one are called
    replies = {
        model_id: _converse(service, request, model_id)
        for model_id in (HAIKU_4_5_GLOBAL_PROFILE, SONNET_4_5_GLOBAL_PROFILE, "anthropic.claude-v2")
    }

    # Then the served ones answer and the unknown one is a ValidationException, counted as rejected
    assert replies[HAIKU_4_5_GLOBAL_PROFILE].status == replies[SONNET_4_5_GLOBAL_PROFILE].status == 200
    assert replies["anthropic.claude-v2"].status == 400
    assert replies["anthropic.claude-v2"].headers[ERROR_TYPE_HEADER] == "ValidationException"
    assert service.stats.rejected == 1


def test_an_answer_longer_than_max_tokens_is_cut_off() -> None:
    # Given a request allowing 20 output tokens
    request = _request(CASE.resume, CASE.job, inferenceConfig={"maxTokens": 20})

    # When it is answered
    reply = _converse(_service(), request)

    # Then the tool input is a cut-off JSON text and the stop reason says why
    assert reply.json()["stopReason"] == "max_tokens"
    tool_input = _tool_use(reply)["input"]
    assert isinstance(tool_input, str)
    assert len(tool_input) == 80
    with pytest.raises(ModelOutputError):
        parse_edits(tool_input)


@pytest.mark.parametrize(
    ("faults", "status", "error_type"),
    [
        (FaultConfig(throttle_rate=1.0), 429, {"ThrottlingException"}),
        (
            FaultConfig(server_error_rate=1.0),
            None,
            {"ServiceUnavailableException", "InternalServerException"},
        ),
        (FaultConfig(model_timeout_rate=1.0), 408, {"ModelTimeoutException"}),
    ],
)
def test_each_error_fault_answers_with_its_bedrock_error(
    faults: FaultConfig, status: int | None, error_type: set[str]
) -> None:
    # Given an emulator failing every call one way
    service = _service(faults)

    # When calls are made
    replies = [_converse(service, _request(CASE.resume, CASE.job)) for _ in range(12)]

    # Then each is that error, with its status and type header and a message body
    assert {reply.headers[ERROR_TYPE_HEADER] for reply in replies} == error_type
    for reply in replies:
        assert reply.status == (
            status
            or {"ServiceUnavailableException": 503, "InternalServerException": 500}[
                reply.headers[ERROR_TYPE_HEADER]
            ]
        )
        assert "injected fault" in reply.json()["message"]


def _unusable(reply: HttpReply) -> None:
    """Assert the worker could not use this answer: cut off, no tool call, or input parse_edits refuses."""
    document = reply.json()
    if document["stopReason"] == "max_tokens":
        return
    calls = [block["toolUse"] for block in document["output"]["message"]["content"] if "toolUse" in block]
    tool_input = calls[0]["input"] if calls else None
    with pytest.raises(ModelOutputError):
        parse_edits(tool_input)


@pytest.mark.parametrize("kind", list(MalformedKind))
def test_every_malformed_shape_is_unusable_as_an_edit_set(kind: MalformedKind) -> None:
    # Given a valid request
    call = parse_converse_request(json.dumps(_request(CASE.resume, CASE.job)).encode())

    # When the emulated model answers it in a malformed shape
    answer = emulated_model.malformed_answer(call, kind, AS_OF)
    reply = HttpReply(
        200,
        json.dumps(
            {"output": {"message": {"content": answer.content}}, "stopReason": answer.stop_reason}
        ).encode(),
    )

    # Then the worker could not use it
    _unusable(reply)


def test_injected_malformed_answers_are_unusable_and_counted() -> None:
    # Given every call malformed
    service = _service(FaultConfig(malformed_rate=1.0, seed=11))

    # When 20 calls are made
    replies = [_converse(service, _request(CASE.resume, CASE.job)) for _ in range(20)]

    # Then each is a 200 the worker cannot use, and each is counted as malformed
    for reply in replies:
        assert reply.status == 200
        _unusable(reply)
    assert service.stats.malformed == 20
    assert service.stats.answered == 0


def test_latency_is_waited_before_admitted_calls_only() -> None:
    # Given 200 ms of latency, no jitter, and half the calls throttled
    waits: list[float] = []
    service = _service(FaultConfig(latency_ms=200, throttle_rate=0.5, seed=5), wait=waits.append)

    # When 20 calls are made
    replies = [_converse(service, _request(CASE.resume, CASE.job)) for _ in range(20)]

    # Then every answered call waited 0.2 s and throttled ones did not wait
    answered = sum(reply.status == 200 for reply in replies)
    assert 0 < answered < 20
    assert waits == [0.2] * answered


def test_the_quota_throttles_calls_beyond_the_requests_per_minute() -> None:
    # Given a quota of 3 per minute and a controllable clock
    clock = FakeClock()
    service = _service(FaultConfig(requests_per_minute=3), clock=clock)
    request = _request(CASE.resume, CASE.job)

    # When 5 calls arrive in the same minute, across both models
    model_ids = [HAIKU_4_5_GLOBAL_PROFILE, SONNET_4_5_GLOBAL_PROFILE] * 3
    statuses = [_converse(service, request, model_ids[index]).status for index in range(5)]

    # Then the first 3 answer and the rest are throttled by the quota
    assert statuses == [200, 200, 200, 429, 429]
    assert (service.stats.throttled, service.stats.quota_throttled) == (2, 2)

    # When a minute has passed
    clock.now += 60
    # Then calls are admitted again
    assert _converse(service, request).status == 200


def test_faults_switched_at_runtime_apply_to_the_next_call() -> None:
    # Given an emulator throttling everything
    service = _service(FaultConfig(throttle_rate=1.0))
    request = _request(CASE.resume, CASE.job)
    assert _converse(service, request).status == 429

    # When faults are switched off
    service.set_faults(FaultConfig())

    # Then the next call is answered, and the new configuration is reported
    assert _converse(service, request).status == 200
    assert service.faults == FaultConfig()


def test_the_same_seed_replays_the_same_faults_after_set_faults() -> None:
    # Given a fault mix and a request
    faults = FaultConfig(throttle_rate=0.3, server_error_rate=0.2, malformed_rate=0.2, seed=99)
    request = _request(CASE.resume, CASE.job, messages=[{"role": "user", "content": [{"text": "hi"}]}])
    service = _service(faults)

    # When 30 calls are made, then faults are set again (restarting the RNG) and 30 more are made
    first = [_converse(service, request).status for _ in range(30)]
    service.set_faults(faults)
    second = [_converse(service, request).status for _ in range(30)]

    # Then both runs see the same statuses, and more than one kind of outcome
    assert first == second
    assert len(set(first)) > 1


def test_every_call_is_counted_in_exactly_one_outcome() -> None:
    # Given a mix of faults and a quota
    service = _service(
        FaultConfig(
            throttle_rate=0.2,
            server_error_rate=0.2,
            model_timeout_rate=0.1,
            malformed_rate=0.1,
            requests_per_minute=25,
            seed=1,
        )
    )
    request = _request(CASE.resume, CASE.job, messages=[{"role": "user", "content": [{"text": "hi"}]}])

    # When 40 calls are made, plus one with an unknown model
    for _ in range(40):
        _converse(service, request)
    _converse(service, request, "unknown.model-v1:0")

    # Then the outcome counts add up to the calls, and tokens were counted for the 200s
    stats = service.stats
    outcomes = (
        (stats.answered + stats.malformed + stats.throttled + stats.server_errors + stats.model_timeouts)
        + stats.rejected
        + stats.internal_errors
    )
    assert stats.calls == 41 == outcomes
    assert stats.rejected == 1
    assert stats.quota_throttled > 0
    assert stats.input_tokens > 0
    assert stats.output_tokens > 0

    # When the stats are reset
    service.reset_stats()
    # Then they start again from zero
    assert service.stats.calls == 0


def test_an_emulator_bug_answers_500_and_is_not_counted_as_a_fault(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the engine failing unexpectedly
    def broken(call: object) -> None:
        raise RuntimeError(SENTINEL)

    monkeypatch.setattr(emulated_model, "answer", broken)
    service = _service()

    # When a call is made
    reply = _converse(service, _request(CASE.resume, CASE.job))

    # Then it is an InternalServerException, counted apart from injected 5xx
    assert (reply.status, reply.headers[ERROR_TYPE_HEADER]) == (500, "InternalServerException")
    assert (service.stats.internal_errors, service.stats.server_errors) == (1, 0)


@pytest.fixture
def emulator_logs() -> Iterator[io.StringIO]:
    with capturing(emulator_logger) as buffer:
        yield buffer


def test_no_cv_or_job_text_reaches_the_logs(
    emulator_logs: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a CV and job carrying a sentinel, and every kind of outcome
    resume = {**CASE.resume, "basics": {**CASE.resume["basics"], "summary": f"{SENTINEL}. Backend engineer."}}
    job = {**CASE.job, "description": f"{SENTINEL} wanted."}
    request = _request(resume, job)
    assert json.dumps(request).count(SENTINEL) >= 2
    service = _service(FaultConfig(throttle_rate=0.2, server_error_rate=0.2, malformed_rate=0.3, seed=4))

    # When calls are answered, refused and failed, and the engine crashes once
    for _ in range(15):
        _converse(service, request)
    _converse(service, {**request, "toolConfig": None})

    def broken(call: object) -> None:
        raise RuntimeError(SENTINEL)

    monkeypatch.setattr(emulated_model, "answer", broken)
    service.set_faults(FaultConfig())
    _converse(service, request)

    # Then the logs describe outcomes without the sentinel
    logged = emulator_logs.getvalue()
    assert "converse answered" in logged
    assert "emulator failed to answer" in logged
    assert SENTINEL not in logged
