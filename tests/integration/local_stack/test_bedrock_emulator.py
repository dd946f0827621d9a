"""The Bedrock emulator over HTTP: an unmodified boto3 client, the service's model client, the worker."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from mypy_boto3_bedrock_runtime import BedrockRuntimeClient

from local_stack.bedrock_emulator import BedrockEmulator, FaultConfig, FaultPlan, Outcome
from shared.clients import aws
from shared.clients.bedrock import BedrockModelClient
from shared.clients.model_types import (
    ConverseRequest,
    ModelRequestError,
    ModelThrottledError,
    ModelUnavailableError,
)
from shared.dal.models import JobStatus
from shared.logic.tailoring_job import (
    MAX_OUTPUT_TOKENS,
    Delivery,
    JobOutcome,
    TailoringJobConfig,
    TailoringJobPorts,
    TailoringJobProcessor,
)
from shared.tailoring import (
    EDIT_TOOL_NAME,
    ModelOutputError,
    build_prompt,
    edit_tool_config,
    edit_tool_spec,
    parse_edits,
    tailor_from_model_output,
)
from tests.support.examples import AS_OF, NOW, example_job, example_resume, pending_record
from tests.support.fakes import InMemoryJobRepository, RecordingEventPublisher
from worker.settings import HAIKU_4_5_GLOBAL_PROFILE, SONNET_4_5_GLOBAL_PROFILE

ONE_ATTEMPT = Config(retries={"total_max_attempts": 1, "mode": "standard"}, read_timeout=10)


@pytest.fixture
def emulator() -> Iterator[BedrockEmulator]:
    with BedrockEmulator(host="127.0.0.1", port=0, today=lambda: AS_OF) as running:
        yield running


@pytest.fixture
def runtime(emulator: BedrockEmulator) -> BedrockRuntimeClient:
    return boto3.client(
        "bedrock-runtime", endpoint_url=emulator.url, region_name="eu-west-1", config=ONE_ATTEMPT
    )


def _converse_kwargs(
    resume: dict[str, Any] | None = None, job: dict[str, Any] | None = None
) -> dict[str, Any]:
    prompt = build_prompt(resume or example_resume(), job or example_job(), as_of=AS_OF)
    return {
        "modelId": HAIKU_4_5_GLOBAL_PROFILE,
        "system": [{"text": prompt.system}],
        "messages": [{"role": "user", "content": [{"text": prompt.user}]}],
        "inferenceConfig": {"maxTokens": MAX_OUTPUT_TOKENS, "temperature": 0.1},
        "toolConfig": edit_tool_config(),
    }


def _model_request() -> ConverseRequest:
    prompt = build_prompt(example_resume(), example_job(), as_of=AS_OF)
    return ConverseRequest(
        system=prompt.system,
        messages=[{"role": "user", "content": [{"text": prompt.user}]}],
        tool_spec=edit_tool_spec(),
        max_tokens=MAX_OUTPUT_TOKENS,
        temperature=0.1,
    )


def _http(method: str, url: str, body: bytes | None = None) -> tuple[int, dict[str, str], Any]:
    request = urllib.request.Request(
        url, data=body, method=method, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


def test_boto3_converse_returns_edits_the_service_applies_without_rejections(
    runtime: BedrockRuntimeClient,
) -> None:
    # Given the worker's Converse request for the example CV and job
    # When an unmodified boto3 client sends it to the emulator
    response = runtime.converse(**_converse_kwargs())

    # Then the forced tool is called with edits the contract accepts and the guard applies whole
    assert response["stopReason"] == "tool_use"
    message = response["output"]["message"]
    assert message["role"] == "assistant"
    tool_use = message["content"][0]["toolUse"]
    assert tool_use["name"] == EDIT_TOOL_NAME
    edits = parse_edits(tool_use["input"])
    assert not edits.is_empty
    outcome = tailor_from_model_output(example_resume(), example_job(), tool_use["input"], as_of=AS_OF)
    assert outcome.rejections == []
    assert outcome.changes
    usage = response["usage"]
    assert usage["inputTokens"] > 1000
    assert usage["totalTokens"] == usage["inputTokens"] + usage["outputTokens"]
    assert response["metrics"]["latencyMs"] >= 0


def test_the_production_client_factory_finds_the_emulator_through_the_standard_variable(
    emulator: BedrockEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given only AWS_ENDPOINT_URL_BEDROCK_RUNTIME pointing at the emulator
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", emulator.url)

    # When the service's own model client calls the fallback model
    reply = BedrockModelClient(client_factory=aws.bedrock_runtime_client).converse(
        SONNET_4_5_GLOBAL_PROFILE, _model_request()
    )

    # Then it gets a usable tool input and the token usage
    assert reply.stop_reason == "tool_use"
    assert (
        tailor_from_model_output(example_resume(), example_job(), reply.tool_input, as_of=AS_OF).rejections
        == []
    )
    assert reply.input_tokens > 0
    assert reply.output_tokens > 0
    assert emulator.stats.answered == 1


@pytest.mark.parametrize(
    ("faults", "exception_names"),
    [
        (FaultConfig(throttle_rate=1.0), {"ThrottlingException"}),
        (FaultConfig(server_error_rate=1.0), {"ServiceUnavailableException", "InternalServerException"}),
        (FaultConfig(model_timeout_rate=1.0), {"ModelTimeoutException"}),
    ],
)
def test_each_fault_raises_its_botocore_exception_class(
    emulator: BedrockEmulator, runtime: BedrockRuntimeClient, faults: FaultConfig, exception_names: set[str]
) -> None:
    # Given an emulator failing every call one way
    emulator.set_faults(faults)

    # When boto3 calls it several times
    raised = []
    for _ in range(8):
        with pytest.raises(ClientError) as caught:
            runtime.converse(**_converse_kwargs())
        raised.append(caught.value)

    # Then every error is the modelled exception class botocore builds for that error
    assert {type(error).__name__ for error in raised} == exception_names
    for error in raised:
        assert isinstance(error, getattr(runtime.exceptions, type(error).__name__))


@pytest.mark.parametrize(
    ("change", "exception_name"),
    [
        ({"modelId": "anthropic.claude-instant-v1"}, "ValidationException"),
        (
            {"modelId": "arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.anthropic.nothing-v1:0"},
            "ResourceNotFoundException",
        ),
        ({"toolConfig": None}, "ValidationException"),
        ({"messages": [{"role": "assistant", "content": [{"text": "hi"}]}]}, "ValidationException"),
    ],
)
def test_requests_bedrock_would_refuse_raise_its_exceptions(
    runtime: BedrockRuntimeClient, change: dict[str, Any], exception_name: str
) -> None:
    # Given a request with an unknown model, no tool, or a conversation that starts with the assistant
    kwargs = {key: value for key, value in {**_converse_kwargs(), **change}.items() if value is not None}

    # When boto3 sends it
    # Then botocore raises the matching exception class
    with pytest.raises(getattr(runtime.exceptions, exception_name)):
        runtime.converse(**kwargs)


@pytest.mark.parametrize(
    ("faults", "model_error", "codes"),
    [
        (FaultConfig(throttle_rate=1.0), ModelThrottledError, {"ThrottlingException"}),
        (
            FaultConfig(server_error_rate=1.0),
            ModelUnavailableError,
            {"ServiceUnavailableException", "InternalServerException"},
        ),
        (FaultConfig(model_timeout_rate=1.0), ModelUnavailableError, {"ModelTimeoutException"}),
    ],
)
def test_the_service_model_client_maps_each_fault_to_its_model_error(
    emulator: BedrockEmulator,
    runtime: BedrockRuntimeClient,
    faults: FaultConfig,
    model_error: type[Exception],
    codes: set[str],
) -> None:
    # Given an emulator failing every call one way, behind the service's BedrockModelClient
    emulator.set_faults(faults)
    client = BedrockModelClient(client=runtime)

    # When the client is called several times
    seen = set()
    for _ in range(8):
        with pytest.raises(model_error) as raised:
            client.converse(HAIKU_4_5_GLOBAL_PROFILE, _model_request())
        seen.add(getattr(raised.value, "code", ""))

    # Then each failure is the retryable model error the worker backs off on
    assert seen == codes


def test_an_unknown_model_is_a_request_error_the_worker_does_not_retry(runtime: BedrockRuntimeClient) -> None:
    # Given the service's model client
    client = BedrockModelClient(client=runtime)

    # When it calls a model the emulator does not serve
    # Then it raises the non-retryable request error
    with pytest.raises(ModelRequestError) as raised:
        client.converse("anthropic.claude-v2", _model_request())
    assert raised.value.code == "ValidationException"


def test_latency_beyond_the_read_timeout_is_a_retryable_timeout(emulator: BedrockEmulator) -> None:
    # Given 2 s of latency and a client that waits at most 0.5 s
    emulator.set_faults(FaultConfig(latency_ms=2_000))
    impatient = boto3.client(
        "bedrock-runtime",
        endpoint_url=emulator.url,
        region_name="eu-west-1",
        config=Config(retries={"total_max_attempts": 1}, read_timeout=0.5),
    )

    # When the service's model client calls it
    # Then the timeout surfaces as the retryable unavailable error
    with pytest.raises(ModelUnavailableError) as raised:
        BedrockModelClient(client=impatient).converse(HAIKU_4_5_GLOBAL_PROFILE, _model_request())
    assert raised.value.code == "Timeout"


def test_latency_is_added_before_the_answer(emulator: BedrockEmulator, runtime: BedrockRuntimeClient) -> None:
    # Given 300 ms of latency
    emulator.set_faults(FaultConfig(latency_ms=300))

    # When a call is made
    started = time.monotonic()
    response = runtime.converse(**_converse_kwargs())

    # Then it took at least that long, and the reported latency includes it
    assert time.monotonic() - started >= 0.3
    assert response["metrics"]["latencyMs"] >= 300


def test_malformed_answers_are_unusable_to_the_service(
    emulator: BedrockEmulator, runtime: BedrockRuntimeClient
) -> None:
    # Given every answer malformed
    emulator.set_faults(FaultConfig(malformed_rate=1.0, seed=21))
    client = BedrockModelClient(client=runtime)

    # When the service's model client gets 14 answers
    replies = [client.converse(HAIKU_4_5_GLOBAL_PROFILE, _model_request()) for _ in range(14)]

    # Then each is cut off or fails the edit contract, in more than one way
    stop_reasons = Counter(reply.stop_reason for reply in replies)
    for reply in replies:
        if reply.stop_reason != "max_tokens":
            with pytest.raises(ModelOutputError):
                parse_edits(reply.tool_input)
    assert len(stop_reasons) > 1
    assert emulator.stats.malformed == 14


def test_the_corrective_round_trip_through_botocore_is_answered(
    emulator: BedrockEmulator, runtime: BedrockRuntimeClient
) -> None:
    # Given a first answer that fails the edit contract
    emulator.set_faults(FaultConfig(malformed_rate=1.0, seed=21))
    first = runtime.converse(**_converse_kwargs())
    content = first["output"]["message"]["content"]
    tool_use_id = next(block["toolUse"]["toolUseId"] for block in content if "toolUse" in block)
    assert emulator.stats.malformed == 1
    emulator.set_faults(FaultConfig())

    # When the assistant's answer and a toolResult error are sent back, as the worker does
    kwargs = _converse_kwargs()
    kwargs["messages"] = [
        *kwargs["messages"],
        {"role": "assistant", "content": content},
        {
            "role": "user",
            "content": [
                {
                    "toolResult": {
                        "toolUseId": tool_use_id,
                        "content": [{"text": "Unusable."}],
                        "status": "error",
                    }
                }
            ],
        },
    ]
    second = runtime.converse(**kwargs)

    # Then the retry gets valid edits
    tool_input = second["output"]["message"]["content"][0]["toolUse"]["input"]
    assert tailor_from_model_output(example_resume(), example_job(), tool_input, as_of=AS_OF).rejections == []


def _seed_where(outcomes: list[Outcome], faults: dict[str, float]) -> int:
    """The first seed whose plan starts with these outcomes, so a test can script a run."""
    for seed in range(10_000):
        plan = FaultPlan(FaultConfig(**faults, seed=seed))
        if [plan.next_decision().outcome for _ in outcomes] == outcomes:
            return seed
    raise AssertionError("no seed found")


def _worker(emulator: BedrockEmulator) -> tuple[TailoringJobProcessor, InMemoryJobRepository]:
    repository = InMemoryJobRepository()
    repository.create(pending_record())
    runtime = boto3.client(
        "bedrock-runtime", endpoint_url=emulator.url, region_name="eu-west-1", config=ONE_ATTEMPT
    )
    processor = TailoringJobProcessor(
        ports=TailoringJobPorts(
            repository=repository,
            publisher=RecordingEventPublisher(),
            model=BedrockModelClient(client=runtime),
        ),
        config=TailoringJobConfig(
            model_id=HAIKU_4_5_GLOBAL_PROFILE,
            fallback_model_id=SONNET_4_5_GLOBAL_PROFILE,
            max_receive_count=5,
        ),
        clock=lambda: NOW,
        sleep=lambda _: None,
    )
    return processor, repository


def test_the_worker_completes_through_throttling_and_a_malformed_answer(emulator: BedrockEmulator) -> None:
    # Given an emulator that throttles twice, then answers malformed, then answers well
    faults = {"throttle_rate": 0.4, "malformed_rate": 0.3}
    script = [Outcome.THROTTLE, Outcome.THROTTLE, Outcome.MALFORMED, Outcome.ANSWER]
    emulator.set_faults(FaultConfig(**faults, seed=_seed_where(script, faults)))
    processor, repository = _worker(emulator)

    # When the real worker use case processes the job
    outcome = processor.process(Delivery("job-1", 1), lambda: 55_000)

    # Then it backs off, makes its corrective retry, and completes with no guard rejection
    assert outcome is JobOutcome.COMPLETED
    record = repository.records["job-1"]
    assert record.status is JobStatus.COMPLETED
    assert record.result is not None
    assert record.result["rejections"] == []
    stats = emulator.stats
    assert (stats.throttled, stats.malformed, stats.answered) == (2, 1, 1)


def test_the_quota_throttles_the_calls_beyond_it(
    emulator: BedrockEmulator, runtime: BedrockRuntimeClient
) -> None:
    # Given a quota of 4 requests per minute
    emulator.set_faults(FaultConfig(requests_per_minute=4))

    # When 7 calls are made within the minute, alternating models
    results = []
    for index in range(7):
        kwargs = {
            **_converse_kwargs(),
            "modelId": [HAIKU_4_5_GLOBAL_PROFILE, SONNET_4_5_GLOBAL_PROFILE][index % 2],
        }
        try:
            runtime.converse(**kwargs)
            results.append("ok")
        except runtime.exceptions.ThrottlingException:
            results.append("throttled")

    # Then the first 4 pass and the excess is throttled, whatever the model
    assert results == ["ok"] * 4 + ["throttled"] * 3
    assert (emulator.stats.answered, emulator.stats.quota_throttled) == (4, 3)


def test_concurrent_calls_are_each_counted_once(
    emulator: BedrockEmulator, runtime: BedrockRuntimeClient
) -> None:
    # Given half the calls throttled
    emulator.set_faults(FaultConfig(throttle_rate=0.5, seed=8))
    kwargs = _converse_kwargs()

    def call(_: int) -> str:
        try:
            runtime.converse(**kwargs)
            return "ok"
        except runtime.exceptions.ThrottlingException:
            return "throttled"

    # When 24 calls run on 6 threads
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = Counter(pool.map(call, range(24)))

    # Then each call got one answer, and the counts agree with the answers
    stats = emulator.stats
    assert stats.calls == 24
    assert (stats.answered, stats.throttled) == (results["ok"], results["throttled"])
    assert results["ok"] > 0
    assert results["throttled"] > 0


def test_bad_json_and_unknown_routes_get_aws_shaped_errors(emulator: BedrockEmulator) -> None:
    # Given the emulator
    converse = f"{emulator.url}/model/{HAIKU_4_5_GLOBAL_PROFILE.replace(':', '%3A')}/converse"

    # When a body is not JSON, and when InvokeModel is called
    bad_status, bad_headers, bad_body = _http("POST", converse, b"{nope")
    unknown_status, unknown_headers, _ = _http("POST", converse.replace("/converse", "/invoke"), b"{}")

    # Then both answer with an error type header and a JSON message
    assert (bad_status, bad_headers["x-amzn-ErrorType"]) == (400, "ValidationException")
    assert "not valid JSON" in bad_body["message"]
    assert (unknown_status, unknown_headers["x-amzn-ErrorType"]) == (404, "UnknownOperationException")


def test_a_chunked_body_is_read_and_the_connection_stays_usable(emulator: BedrockEmulator) -> None:
    # Given a Converse body sent in chunks on a kept-alive connection
    kwargs = _converse_kwargs()
    body = json.dumps({key: value for key, value in kwargs.items() if key != "modelId"}).encode()
    path = f"/model/{HAIKU_4_5_GLOBAL_PROFILE.replace(':', '%3A')}/converse"
    connection = http.client.HTTPConnection("127.0.0.1", emulator.port, timeout=10)
    try:
        # When it is posted chunked, then posted again with a length on the same connection
        chunks = iter([body[:100], body[100:]])
        connection.request(
            "POST", path, body=chunks, headers={"Transfer-Encoding": "chunked"}, encode_chunked=True
        )
        chunked = connection.getresponse()
        chunked_answer = json.loads(chunked.read())
        connection.request("POST", path, body=body, headers={"Content-Type": "application/json"})
        sized = connection.getresponse()
        sized.read()
    finally:
        connection.close()

    # Then both are answered with a tool call
    assert (chunked.status, sized.status) == (200, 200)
    assert chunked_answer["stopReason"] == "tool_use"
    assert emulator.stats.answered == 2


def test_the_control_api_changes_faults_and_reports_stats(
    emulator: BedrockEmulator, runtime: BedrockRuntimeClient
) -> None:
    # Given faults set over HTTP, as a separate process would
    status, _, body = _http(
        "PUT", f"{emulator.url}/_emulator/faults", json.dumps({"throttle_rate": 1.0}).encode()
    )
    assert status == 200
    assert body["throttle_rate"] == 1.0

    # When a call is made
    with pytest.raises(runtime.exceptions.ThrottlingException):
        runtime.converse(**_converse_kwargs())

    # Then the stats say so, a bad configuration is refused, and stats can be reset
    assert _http("GET", f"{emulator.url}/_emulator/stats")[2]["throttled"] == 1
    refused, _, problem = _http("PUT", f"{emulator.url}/_emulator/faults", b'{"throttle_rate": 2}')
    assert refused == 400
    assert "throttle_rate" in problem["message"]
    assert _http("DELETE", f"{emulator.url}/_emulator/stats")[2]["calls"] == 0
    assert _http("GET", f"{emulator.url}/_emulator/faults")[2]["throttle_rate"] == 1.0
    assert _http("GET", f"{emulator.url}/_emulator/health")[2] == {"status": "ok"}


def test_stop_closes_connections_and_frees_the_port() -> None:
    # Given a running emulator with a kept-alive boto3 connection
    emulator = BedrockEmulator(port=0, faults=FaultConfig()).start()
    port = emulator.port
    runtime = boto3.client(
        "bedrock-runtime", endpoint_url=emulator.url, region_name="eu-west-1", config=ONE_ATTEMPT
    )
    runtime.converse(**_converse_kwargs())

    # When it stops
    started = time.monotonic()
    emulator.stop()

    # Then it stops promptly, nothing accepts connections on its port, and a new emulator can take the port
    assert time.monotonic() - started < 3
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port), timeout=2):
        pass
    with BedrockEmulator(port=port) as again:
        assert again.port == port
        assert (
            boto3.client(
                "bedrock-runtime", endpoint_url=again.url, region_name="eu-west-1", config=ONE_ATTEMPT
            ).converse(**_converse_kwargs())["stopReason"]
            == "tool_use"
        )
    emulator.stop()


def test_stop_cuts_injected_latency_short(emulator: BedrockEmulator) -> None:
    # Given a call stuck in 30 s of injected latency
    emulator.set_faults(FaultConfig(latency_ms=30_000))
    patient = boto3.client(
        "bedrock-runtime",
        endpoint_url=emulator.url,
        region_name="eu-west-1",
        config=Config(retries={"total_max_attempts": 1}, read_timeout=60),
    )
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(patient.converse, **_converse_kwargs())
        time.sleep(0.3)
        assert not pending.done()
        assert emulator.stats.calls == 1

        # When the emulator stops
        started = time.monotonic()
        emulator.stop()

        # Then it does not wait out the latency, and the caller gets an answer or a dropped connection
        assert time.monotonic() - started < 3
        failure = pending.exception(timeout=5)
        assert failure is None or isinstance(failure, BotoCoreError)


def test_the_standalone_command_serves_until_sigterm() -> None:
    # Given the command started on a free port with every call throttled
    process = subprocess.Popen(
        [sys.executable, "-m", "local_stack.bedrock_emulator", "--port", "0", "--throttle-rate", "1"],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "BEDROCK_EMULATOR_SEED": "5"},
    )
    try:
        assert process.stderr is not None
        banner = process.stderr.readline()
        match = re.search(r"listening on (http://127\.0\.0\.1:\d+)", banner)
        assert match is not None, banner
        runtime = boto3.client(
            "bedrock-runtime", endpoint_url=match.group(1), region_name="eu-west-1", config=ONE_ATTEMPT
        )

        # When boto3 calls it
        # Then it throttles as configured
        with pytest.raises(runtime.exceptions.ThrottlingException):
            runtime.converse(**_converse_kwargs())

        # When it gets SIGTERM
        process.send_signal(signal.SIGTERM)
        # Then it exits cleanly
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
