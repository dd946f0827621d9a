"""Faults in the AWS calls the handlers make, injected from outside through botocore's event hooks.

The hooks sit on the handlers' own cached clients (``shared.clients.aws``), so the API and the worker run
unchanged and see exactly what a throttled or failing service gives them:

- DynamoDB throttling: a share of HTTP attempts is answered ``ProvisionedThroughputExceededException``
  before it leaves the client, so botocore's own retries (3 attempts, standard mode) see it as on AWS.
- An enqueue failure: the API's next ``SendMessage`` for a chosen job fails with ``InternalError`` after its
  record was written (the call as botocore reports it once its retries are spent).
- A worker crash in the middle of a job: ``WorkerCrash`` is raised at the chosen job's first model call, after
  its claim, so nothing the worker would do on an error runs; or at its first ``PutEvents``, after the
  ``complete`` write, before the event.
- A model outage for chosen jobs: every Converse call for them is throttled until the faults are cleared.
- A lost outbox flag: the ``mark terminal event published`` write of chosen jobs is throttled on every
  attempt.

The worker's current job is known from its claim (an ``UpdateItem`` answering status ``PROCESSING``), noted
per thread: the runner invokes the worker on one thread, the gateway the API on others.
"""

from __future__ import annotations

import json
import random
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.compat import HTTPHeaders

from local_stack.worker_runner import WorkerCrash
from shared.clients import aws

_DYNAMODB_THROTTLE_BODY: Final = json.dumps(
    {
        "__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
        "message": "Injected: the level of configured provisioned throughput for the table was exceeded.",
    }
).encode()
_MARK_PUBLISHED_UPDATE: Final = "SET terminal_event_published = :true"


class _Body:
    """The ``raw`` of a fabricated ``AWSResponse``: botocore reads it through ``stream()``."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Iterable[bytes]:
        yield self._data


def _short_circuit(status: int, code: str, message: str) -> tuple[AWSResponse, dict[str, Any]]:
    """What a ``before-call`` hook returns to end a call with this error, as botocore would parse it."""
    http = AWSResponse("http://fault-injection.invalid", status, HTTPHeaders(), _Body(b""))
    parsed = {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"HTTPStatusCode": status, "HTTPHeaders": {}, "RetryAttempts": 0},
    }
    return http, parsed


@dataclass
class InjectedFaults:
    """What was injected, by kind (``dynamodb_throttles`` counts HTTP attempts, the rest count jobs)."""

    counts: Counter[str] = field(default_factory=Counter)
    crashed_jobs: set[str] = field(default_factory=set)
    enqueue_failed_jobs: set[str] = field(default_factory=set)


class AwsFaults:
    """The fault plan of one run; each knob can change while the stack runs. ``clear()`` switches all off."""

    def __init__(self, seed: int = 0) -> None:
        self._lock = threading.Lock()
        # Fault injection wants reproducibility, not unpredictability.
        self._random = random.Random(seed)
        self._worker = threading.local()
        self._installed: list[tuple[Any, str, Callable[..., Any]]] = []
        self.injected = InjectedFaults()
        self.dynamodb_throttle_rate = 0.0
        self.fail_enqueue_of: set[str] = set()
        self.crash_at_model_call_of: set[str] = set()
        self.crash_before_event_of: set[str] = set()
        self.model_outage_for: set[str] = set()
        self.throttle_outbox_flag_of: set[str] = set()

    def clear(self) -> None:
        with self._lock:
            self.dynamodb_throttle_rate = 0.0
            for planned in (
                self.fail_enqueue_of,
                self.crash_at_model_call_of,
                self.crash_before_event_of,
                self.model_outage_for,
                self.throttle_outbox_flag_of,
            ):
                planned.clear()

    def install(self) -> None:
        """Register the hooks on the handlers' cached clients (call after the stack started)."""
        hooks: list[tuple[Any, str, Callable[..., Any]]] = [
            (aws.dynamodb_client(), "before-send.dynamodb", self._dynamodb_attempt),
            (aws.dynamodb_client(), "after-call.dynamodb.UpdateItem", self._note_claim),
            (aws.sqs_client(), "before-call.sqs.SendMessage", self._send_message),
            (aws.bedrock_runtime_client(), "before-call.bedrock-runtime.Converse", self._converse),
            (aws.events_client(), "before-call.eventbridge.PutEvents", self._put_events),
        ]
        for client, event_name, hook in hooks:
            client.meta.events.register(event_name, hook)
            self._installed.append((client, event_name, hook))

    def uninstall(self) -> None:
        while self._installed:
            client, event_name, hook = self._installed.pop()
            client.meta.events.unregister(event_name, hook)

    # DynamoDB -----------------------------------------------------------------------------------------

    def _dynamodb_attempt(self, request: AWSPreparedRequest, **_: Any) -> AWSResponse | None:
        with self._lock:
            throttle = self._random.random() < self.dynamodb_throttle_rate
            if not throttle and self.throttle_outbox_flag_of:
                body = _json_body(request.body)
                key = body.get("Key", {}).get("job_id", {}).get("S")
                throttle = key in self.throttle_outbox_flag_of and body.get(
                    "UpdateExpression", ""
                ).startswith(_MARK_PUBLISHED_UPDATE)
            if throttle:
                self.injected.counts["dynamodb_throttles"] += 1
        if not throttle:
            return None
        headers = HTTPHeaders()
        headers["Content-Type"] = "application/x-amz-json-1.0"
        headers["x-amzn-RequestId"] = "fault-injection"
        return AWSResponse(request.url, 400, headers, _Body(_DYNAMODB_THROTTLE_BODY))

    def _note_claim(self, parsed: dict[str, Any], **_: Any) -> None:
        attributes = parsed.get("Attributes") or {}
        if attributes.get("status", {}).get("S") == "PROCESSING":
            self._worker.job_id = attributes["job_id"]["S"]

    def _current_job(self) -> str | None:
        job_id: str | None = getattr(self._worker, "job_id", None)
        return job_id

    # SQS, Bedrock, EventBridge ------------------------------------------------------------------------

    def _send_message(self, params: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        message = json.loads(_json_body(params.get("body")).get("MessageBody", "{}"))
        job_id = message.get("job_id")
        with self._lock:
            if job_id not in self.fail_enqueue_of:
                return None
            # Once per job: the client's retry of the request then goes through.
            self.fail_enqueue_of.discard(job_id)
            self.injected.counts["enqueue_failures"] += 1
            self.injected.enqueue_failed_jobs.add(job_id)
        return _short_circuit(500, "InternalError", "Injected: SQS failed to accept the message.")

    def _converse(self, **_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        job_id = self._current_job()
        with self._lock:
            if job_id in self.crash_at_model_call_of:
                self.crash_at_model_call_of.discard(job_id)
                self.injected.counts["crashes_at_model_call"] += 1
                self.injected.crashed_jobs.add(job_id)
                crash = True
            else:
                crash = False
                outage = job_id in self.model_outage_for
                if outage:
                    self.injected.counts["model_outage_throttles"] += 1
        if crash:
            raise WorkerCrash(f"injected crash of the worker at the model call of job {job_id}")
        if outage:
            return _short_circuit(429, "ThrottlingException", "Injected: too many requests.")
        return None

    def _put_events(self, params: dict[str, Any], **_: Any) -> None:
        entries = _json_body(params.get("body")).get("Entries", [])
        job_ids = {json.loads(entry.get("Detail", "{}")).get("job_id") for entry in entries}
        with self._lock:
            doomed = job_ids & self.crash_before_event_of
            if not doomed:
                return
            self.crash_before_event_of.difference_update(doomed)
            self.injected.counts["crashes_before_event"] += len(doomed)
            self.injected.crashed_jobs.update(job for job in doomed if isinstance(job, str))
        raise WorkerCrash(f"injected crash of the worker before the event of jobs {sorted(doomed)}")


def _json_body(body: object) -> dict[str, Any]:
    if isinstance(body, bytes | bytearray):
        body = body.decode("utf-8")
    if not isinstance(body, str) or not body:
        return {}
    document = json.loads(body)
    return document if isinstance(document, dict) else {}
