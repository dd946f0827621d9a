"""Figure (b): the API handler's time per accepted request against the two AWS calls it cannot avoid.

One moto server in this process serves both sides. The handler side calls ``api.handler.lambda_handler``
with a REST proxy event like the local gateway builds (a valid POST of the bundled example CV and job); the
handler writes the job through ``DynamoDBJobRepository`` and queues it through ``SqsJobQueue``. The baseline
side sends the same PutItem (same attributes and condition) and SendMessage with the same boto3 clients.
Blocks of each side alternate (ABBA order), each starting on an empty queue (moto's SendMessage slows down
as its queue grows, which real SQS does not), and the figure is the median over block pairs of the ratio of
their mean times per request.

Run as a child process (``python -m bench.warm_path '{"requests": 600}'``); see ``bench.child``.
"""

from __future__ import annotations

import copy
import hashlib
import importlib
import json
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from bench.child import child_main, run_child
from bench.report import FigureResult, Measurement, at_most
from bench.stats import median, median_ratio, ratio, summarize
from careervp import constants
from local_stack.aws_emulator import AwsEmulator
from local_stack.config import DEFAULT_REGION, LOCAL_ACCOUNT_ID, LocalStackConfig
from local_stack.demo import example_documents
from local_stack.environment import ProcessEnvironment, handler_environment, reset_handler_caches
from local_stack.gateway import HttpRequest, api_routes, identity_for, proxy_event
from local_stack.lambda_context import LocalLambdaContext
from local_stack.provision import Provisioner
from local_stack.sigv4 import SigV4Authorization
from shared.clients.aws import dynamodb_client, sqs_client

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

TARGET_RATIO: Final = 1.3
BENCH_ACCESS_KEY_ID: Final = "AKIABENCHCALLER00001"
_ACCEPTED = 202


@dataclass(frozen=True)
class WarmPathOptions:
    requests: int = 600
    block_size: int = 50
    warm_up: int = 30

    def as_params(self) -> dict[str, int]:
        return {"requests": self.requests, "block_size": self.block_size, "warm_up": self.warm_up}


class _HandlerSide:
    """The real handler, invoked as Lambda would with a fresh event and context per request."""

    def __init__(self, handler: Callable[[dict[str, Any], Any], Mapping[str, Any]], body: str) -> None:
        self._handler = handler
        self._function_name = LocalStackConfig().names.api_function
        authorization = SigV4Authorization(
            access_key_id=BENCH_ACCESS_KEY_ID,
            scope_date=datetime.now(UTC).strftime("%Y%m%d"),
            region=DEFAULT_REGION,
            service="execute-api",
            signed_headers=("content-type", "host", "x-amz-date"),
            signature="0" * 64,
        )
        tailor_route = api_routes()[0]
        self._template = proxy_event(
            HttpRequest(
                method="POST",
                target=f"/v1{tailor_route.resource}",
                headers=(("Content-Type", "application/json"), ("Host", "127.0.0.1")),
                body=body.encode("utf-8"),
                source_ip="127.0.0.1",
            ),
            route=tailor_route,
            path=tailor_route.resource,
            full_path=f"/v1{tailor_route.resource}",
            stage="v1",
            path_parameters={},
            identity=identity_for(authorization, "127.0.0.1", "bench"),
            request_id=str(uuid.uuid4()),
            now=datetime.now(UTC),
        )

    def run(self, count: int) -> list[float]:
        times: list[float] = []
        for _ in range(count):
            event = copy.deepcopy(self._template)
            context = LocalLambdaContext(
                function_name=self._function_name,
                memory_limit_in_mb=constants.API_MEMORY_MB,
                timeout_seconds=constants.API_TIMEOUT_SECONDS,
                region=DEFAULT_REGION,
                account_id=LOCAL_ACCOUNT_ID,
            )
            started = time.perf_counter()
            response = self._handler(event, context)
            elapsed = time.perf_counter() - started
            if response.get("statusCode") != _ACCEPTED:
                raise RuntimeError(f"the handler answered {response.get('statusCode')}, not 202")
            times.append(elapsed)
        return times


class _BaselineSide:
    """PutItem of an item like the repository writes, then SendMessage of a job message: nothing else."""

    def __init__(self, resume: Mapping[str, Any], job: Mapping[str, Any], table: str, queue_url: str) -> None:
        # The same cached clients (and connection pools) the handler's repository and queue use.
        self._dynamodb = dynamodb_client()
        self._sqs = sqs_client()
        self._table = table
        self._queue_url = queue_url
        # Serialised once: the baseline is the two calls, not the work of preparing them.
        self._resume_json = json.dumps(resume, ensure_ascii=False, separators=(",", ":"))
        self._job_json = json.dumps(job, ensure_ascii=False, separators=(",", ":"))
        self._hash = hashlib.sha256((self._resume_json + self._job_json).encode("utf-8")).hexdigest()

    def _item(self, job_id: str) -> dict[str, AttributeValueTypeDef]:
        now = datetime.now(UTC)
        return {
            "job_id": {"S": job_id},
            "owner": {"S": f"arn:aws:iam::000000000000:user/{BENCH_ACCESS_KEY_ID}"},
            "status": {"S": "PENDING"},
            "created_at": {"S": now.isoformat()},
            "updated_at": {"S": now.isoformat()},
            "expires_at": {"N": str(int((now + timedelta(days=7)).timestamp()))},
            "request_hash": {"S": self._hash},
            "resume_json": {"S": self._resume_json},
            "job_json": {"S": self._job_json},
            "options_json": {"S": "{}"},
            "attempts": {"N": "0"},
            "terminal_event_published": {"BOOL": False},
        }

    def drain_queue(self) -> None:
        """Empty the queue between blocks (untimed): moto's SendMessage slows down as its queue grows."""
        while True:
            messages = self._sqs.receive_message(
                QueueUrl=self._queue_url, MaxNumberOfMessages=10, VisibilityTimeout=60
            ).get("Messages", [])
            if not messages:
                return
            self._sqs.delete_message_batch(
                QueueUrl=self._queue_url,
                Entries=[
                    {"Id": str(index), "ReceiptHandle": message["ReceiptHandle"]}
                    for index, message in enumerate(messages)
                ],
            )

    def run(self, count: int) -> list[float]:
        times: list[float] = []
        for _ in range(count):
            job_id = str(uuid.uuid4())
            item = self._item(job_id)
            message = json.dumps({"schema_version": 1, "job_id": job_id}, separators=(",", ":"))
            started = time.perf_counter()
            self._dynamodb.put_item(
                TableName=self._table, Item=item, ConditionExpression="attribute_not_exists(job_id)"
            )
            # The same request the API sends, owner message group included.
            self._sqs.send_message(
                QueueUrl=self._queue_url, MessageBody=message, MessageGroupId="bench-owner"
            )
            times.append(time.perf_counter() - started)
        return times


def measure(params: dict[str, Any]) -> dict[str, Any]:
    """Start moto, provision the stack's table and queue, and time both sides in alternating blocks."""
    options = WarmPathOptions(**params)
    emulator = AwsEmulator(port=0)
    emulator.start()
    environment = ProcessEnvironment()
    try:
        config = LocalStackConfig()
        resources = Provisioner(emulator.url, config).provision()
        # No Bedrock here: the API never calls it. The log level is the deployed default.
        environment.apply(
            handler_environment(config, resources, aws_url=emulator.url, bedrock_url="http://127.0.0.1:9")
        )
        reset_handler_caches()
        handler = importlib.import_module("api.handler").lambda_handler
        resume, job = example_documents()
        body = json.dumps({"resume": resume, "job": job}, ensure_ascii=False)
        handler_side = _HandlerSide(handler, body)
        baseline_side = _BaselineSide(resume, job, resources.table_name, resources.queue_url)
        handler_side.run(options.warm_up)
        baseline_side.run(options.warm_up)
        blocks = max(1, -(-options.requests // options.block_size))
        handler_blocks: list[list[float]] = []
        baseline_blocks: list[list[float]] = []
        for index in range(blocks):
            # ABBA: each side goes first in every other block; each block starts on an empty queue.
            sides = [(handler_side.run, handler_blocks), (baseline_side.run, baseline_blocks)]
            for run, blocks_of_side in sides if index % 2 == 0 else reversed(sides):
                baseline_side.drain_queue()
                blocks_of_side.append(run(options.block_size))
    finally:
        environment.restore()
        emulator.stop()
    return {
        "options": options.as_params(),
        "handler_blocks": handler_blocks,
        "baseline_blocks": baseline_blocks,
    }


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def figure_from(result: Mapping[str, Any]) -> FigureResult:
    handler_blocks: list[list[float]] = result["handler_blocks"]
    baseline_blocks: list[list[float]] = result["baseline_blocks"]
    handler_all = [value for block in handler_blocks for value in block]
    baseline_all = [value for block in baseline_blocks for value in block]
    block_ratio = median_ratio([_mean(b) for b in handler_blocks], [_mean(b) for b in baseline_blocks])
    handler_ms = summarize([value * 1000 for value in handler_all])
    baseline_ms = summarize([value * 1000 for value in baseline_all])
    return FigureResult(
        figure="b",
        title="API warm path",
        measurements=(
            Measurement("API handler / raw PutItem+SendMessage", block_ratio, "ratio", at_most(TARGET_RATIO)),
            Measurement("API handler per request, p50", handler_ms.p50, "ms"),
            Measurement("raw PutItem+SendMessage, p50", baseline_ms.p50, "ms"),
        ),
        details={
            "options": dict(result["options"]),
            "requests_per_side": len(handler_all),
            "blocks": len(handler_blocks),
            "ratio_of_block_means_median": round(block_ratio, 4),
            "ratio_of_request_medians": round(ratio(median(handler_all), median(baseline_all)), 4),
            "handler_overhead_ms_p50": round(handler_ms.p50 - baseline_ms.p50, 3),
            "handler_ms": handler_ms.as_dict(3),
            "baseline_ms": baseline_ms.as_dict(3),
        },
    )


def run_figure(options: WarmPathOptions) -> FigureResult:
    result = run_child(
        "bench.warm_path", options.as_params(), name="warm_path", timeout_seconds=60 + options.requests
    )
    return figure_from(result)


if __name__ == "__main__":
    child_main(measure)
