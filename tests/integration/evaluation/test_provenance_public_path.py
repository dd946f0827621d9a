"""The provenance suite through the public path: API handler → SQS message → worker handler, whose Converse
call returns the case's tool input → GET ``result.resume``. A sample of the suite (every twelfth case); the
whole suite runs in ``make eval`` through the same function the worker calls."""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.stub import Stubber

import api.dependencies
import worker.dependencies
import worker.handler
from evaluation.provenance_suite import ProvenanceCase, load_cases, pair_documents
from shared.clients.aws import bedrock_runtime_client
from shared.clock import fixed_clock
from shared.tailoring.facts import iter_strings
from shared.tailoring.text import normalise_whitespace
from tests.support.aws import MAX_RECEIVE_COUNT, AwsResources, drain
from tests.support.bedrock import CONVERSE_PARAMS, converse_tool_answer
from tests.support.examples import REPO_ROOT
from tests.support.lambda_context import FakeLambdaContext
from tests.support.sqs_events import sqs_event, sqs_record
from tests.unit.api.harness import invoke, set_api_environment
from tests.unit.api.rest_events import get_event, post_event

# The suite's day (its truthful "N years" claims are counted to it), for the API and the worker alike.
SUITE_NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
SAMPLE = load_cases(REPO_ROOT)[::12]
ATTACKS = [case for case in SAMPLE if case.kind == "attack"]
TRUTHFUL = [case for case in SAMPLE if case.kind == "truthful"]
# The share of truthful edits the guard must keep (issue 11's target).
KEPT_TARGET = 0.9


@pytest.fixture
def public_path(aws_resources: AwsResources, monkeypatch: pytest.MonkeyPatch) -> Iterator[AwsResources]:
    set_api_environment(monkeypatch, table=aws_resources.table_name, queue=aws_resources.queue_url)
    monkeypatch.setenv("EVENT_BUS_NAME", aws_resources.bus_name)
    monkeypatch.setenv("MAX_RECEIVE_COUNT", str(MAX_RECEIVE_COUNT))
    api.dependencies.clear_port_cache()
    monkeypatch.setattr(api.dependencies.providers, "clock", fixed_clock(SUITE_NOW))
    worker.dependencies.job_processor.cache_clear()
    monkeypatch.setattr(worker.dependencies.job_processor(), "clock", fixed_clock(SUITE_NOW))
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="No application metrics to publish")
        yield aws_resources
    api.dependencies.clear_port_cache()
    worker.dependencies.job_processor.cache_clear()


def _texts(document: Mapping[str, Any]) -> set[str]:
    return {normalise_whitespace(text) for _, text in iter_strings(document)}


def _edited_text(case: ProvenanceCase) -> str:
    tool_input: dict[str, Any] = dict(case.tool_input)
    if case.edited_ref == "basics.summary":
        return str(tool_input["summary"]["text"])
    return next(str(edit["text"]) for edit in tool_input["rewordings"] if edit["ref"] == case.edited_ref)


def test_the_sample_covers_both_kinds_and_many_categories() -> None:
    # Given the sample the public-path tests run
    # Then it holds attacks from most categories and a fair number of truthful edits
    assert len({case.category for case in ATTACKS}) >= 12
    assert len(ATTACKS) >= 25
    assert len(TRUTHFUL) >= 8


def _through_the_public_path(case: ProvenanceCase, resources: AwsResources) -> tuple[set[str], set[str]]:
    """Submit the case's CV and job, let the worker run with the case's tool input as the model's answer,
    and return the texts of the stored tailored CV and of the source CV."""
    resume, job = pair_documents(REPO_ROOT, case.pair)
    accepted = invoke(post_event({"resume": resume, "job": job}))
    assert accepted.status == 202, accepted.body
    job_id = accepted.body["job_id"]
    (message,) = drain(resources.sqs, resources.queue_url)
    with Stubber(bedrock_runtime_client()) as bedrock:
        bedrock.add_response("converse", converse_tool_answer(dict(case.tool_input)), CONVERSE_PARAMS)
        record = sqs_record(job_id, f"m-{case.case_id}", body=message)
        response = worker.handler.lambda_handler(sqs_event(record), FakeLambdaContext())
    assert response == {"batchItemFailures": []}
    result = invoke(get_event(job_id))
    assert result.status == 200
    assert result.body["status"] == "COMPLETED"
    return _texts(result.body["result"]["resume"]), _texts(resume)


@pytest.mark.parametrize("case", ATTACKS, ids=lambda case: case.case_id)
def test_a_planted_fabrication_never_reaches_the_stored_cv(
    case: ProvenanceCase, public_path: AwsResources
) -> None:
    # Given an attack's CV and job, and a model that answers with the attack's tool input
    planted = case.planted or ""
    assert planted

    # When it goes through the API, the queue and the worker, and the result is read back
    stored, source = _through_the_public_path(case, public_path)

    # Then the planted text is nowhere in the stored CV (unless the source itself says it)
    assert not any(planted in text for text in stored) or any(planted in text for text in source)


def test_truthful_edits_are_kept_through_the_public_path(public_path: AwsResources) -> None:
    # Given the sample's truthful edits
    kept = []
    for case in TRUTHFUL:
        # When each goes through the API, the queue and the worker (a fresh job id each: new CV text)
        stored, _ = _through_the_public_path(case, public_path)
        kept.append(normalise_whitespace(_edited_text(case)) in stored)

    # Then at least the target share is stored as the model wrote it
    assert sum(kept) >= KEPT_TARGET * len(kept), [
        case.case_id for case, ok in zip(TRUTHFUL, kept, strict=True) if not ok
    ]
