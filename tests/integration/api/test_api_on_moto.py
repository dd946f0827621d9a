"""The API Lambda end to end on moto: one conditional PutItem, one SendMessage, rollback on SQS failure."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shared.clients.sqs_queue import JOB_MESSAGE_SCHEMA_VERSION
from shared.logic.submission import request_hash
from shared.settings import clear_settings_cache
from tests.support.aws import AwsResources, drain
from tests.unit.api.harness import invoke, set_api_environment
from tests.unit.api.rest_events import OTHER_OWNER, OWNER, SENTINEL, get_event, post_event, sample_request


def _items(resources: AwsResources) -> list[dict[str, Any]]:
    return list(resources.dynamodb.scan(TableName=resources.table_name)["Items"])


def test_a_submission_writes_one_item_and_one_message(api_on_moto: AwsResources) -> None:
    # Given an empty table and queue
    before = datetime.now(UTC)

    # When a job is submitted
    response = invoke(post_event(sample_request()))

    # Then exactly one PENDING item exists, with its owner, hash and TTL
    assert response.status == 202
    job_id = response.body["job_id"]
    (item,) = _items(api_on_moto)
    assert item["job_id"] == {"S": job_id}
    assert item["status"] == {"S": "PENDING"}
    assert item["owner"] == {"S": OWNER}
    stored = {name: json.loads(item[f"{name}_json"]["S"]) for name in ("resume", "job", "options")}
    assert item["request_hash"] == {"S": request_hash(stored["resume"], stored["job"], stored["options"])}
    expires_at = int(item["expires_at"]["N"])
    assert before + timedelta(days=7) - timedelta(seconds=5) <= datetime.fromtimestamp(expires_at, UTC)
    assert datetime.fromtimestamp(expires_at, UTC) <= datetime.now(UTC) + timedelta(days=7)
    # And exactly one message, naming the job and nothing else
    (message,) = drain(api_on_moto.sqs, api_on_moto.queue_url)
    assert json.loads(message) == {"schema_version": JOB_MESSAGE_SCHEMA_VERSION, "job_id": job_id}
    assert SENTINEL not in message


def test_the_owner_reads_the_job_back_and_others_cannot(api_on_moto: AwsResources) -> None:
    # Given a submitted job
    job_id = invoke(post_event(sample_request())).body["job_id"]

    # When its owner and another caller read it
    mine = invoke(get_event(job_id, owner=OWNER))
    theirs = invoke(get_event(job_id, owner=OTHER_OWNER))

    # Then the owner sees it PENDING, without the input, and the other caller gets 404
    assert mine.status == 200
    assert mine.body["job_id"] == job_id
    assert mine.body["status"] == "PENDING"
    assert SENTINEL not in mine.raw_body
    assert theirs.status == 404


def test_the_conditional_put_makes_a_repeat_idempotent(api_on_moto: AwsResources) -> None:
    # Given a job submitted with an Idempotency-Key
    headers = {"Idempotency-Key": "moto-key-1"}
    first = invoke(post_event(sample_request(), headers=headers))

    # When the same request is repeated, and the key is reused with another body
    repeat = invoke(post_event(sample_request(), headers=headers))
    reused = invoke(post_event(sample_request(job={"description": "Another job entirely."}), headers=headers))

    # Then the repeat returns the same job, the reuse conflicts, and one item and one message exist
    assert first.status == repeat.status == 202
    assert repeat.body["job_id"] == first.body["job_id"]
    assert reused.status == 409
    assert reused.error_code == "idempotency_key_reused"
    assert len(_items(api_on_moto)) == 1
    assert len(drain(api_on_moto.sqs, api_on_moto.queue_url)) == 1


def test_an_sqs_failure_rolls_the_item_back_and_answers_503(
    api_on_moto: AwsResources, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a queue URL that does not exist
    missing_queue = api_on_moto.queue_url.rsplit("/", 1)[0] + "/no-such-queue"
    set_api_environment(monkeypatch, table=api_on_moto.table_name, queue=missing_queue)

    # When a job is submitted
    response = invoke(post_event(sample_request(), headers={"Idempotency-Key": "moto-key-2"}))

    # Then the client is told to retry and no item is left behind
    assert response.status == 503
    assert response.header("Retry-After") == "5"
    assert _items(api_on_moto) == []

    # And a retry with the same key succeeds once the queue is right
    set_api_environment(monkeypatch, table=api_on_moto.table_name, queue=api_on_moto.queue_url)
    clear_settings_cache()
    retried = invoke(post_event(sample_request(), headers={"Idempotency-Key": "moto-key-2"}))
    assert retried.status == 202
    assert len(_items(api_on_moto)) == 1
    assert len(drain(api_on_moto.sqs, api_on_moto.queue_url)) == 1


def test_a_missing_table_answers_503_and_queues_nothing(
    api_on_moto: AwsResources, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a table name that does not exist
    set_api_environment(monkeypatch, table="no-such-table", queue=api_on_moto.queue_url)

    # When a job is submitted
    response = invoke(post_event(sample_request()))

    # Then the client is told to retry and nothing is queued
    assert response.status == 503
    assert drain(api_on_moto.sqs, api_on_moto.queue_url) == []
