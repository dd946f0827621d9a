"""The ``make run`` demo: submit the bundled CV and job, wait for the outcome event, print what came back."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

from careervp_cli.api_client import SignedApiClient
from careervp_cli.aws import AwsServices, SigningCredentials
from careervp_cli.events import tail_events
from careervp_cli.jobs import load_job_file, load_json_file, tailoring_request
from careervp_cli.summary import event_line, result_summary
from local_stack.config import (
    DEMO_ACCESS_KEY_ID,
    DEMO_SECRET_ACCESS_KEY,
    ENV_API_PORT,
    ENV_AWS_PORT,
    ENV_HOST,
    ENV_REGION,
    LOCAL_ACCESS_KEY_ID,
    LOCAL_SECRET_ACCESS_KEY,
    LocalStackConfig,
)
from local_stack.stack import StackEndpoints

DEMO_CREDENTIALS = SigningCredentials(DEMO_ACCESS_KEY_ID, DEMO_SECRET_ACCESS_KEY)
DEFAULT_EVENT_TIMEOUT_SECONDS = 60.0
EXAMPLES_DIR = "src/local_stack/examples"


class DemoError(Exception):
    """The demo job could not be submitted or did not finish."""


@dataclass(frozen=True)
class DemoOutcome:
    job_id: str
    status: str
    event: dict[str, Any]
    response: dict[str, Any]
    seconds_to_event: float


def example_documents() -> tuple[dict[str, Any], dict[str, Any]]:
    """The bundled example: a backend engineer's CV and a senior backend job."""
    examples = resources.files("local_stack") / "examples"
    resume = json.loads((examples / "resume.json").read_text(encoding="utf-8"))
    job = json.loads((examples / "job.json").read_text(encoding="utf-8"))
    return resume, job


def documents(cv_path: Path | None, job_path: Path | None) -> tuple[dict[str, Any], dict[str, Any]]:
    resume, job = example_documents()
    if cv_path is not None:
        resume = load_json_file(cv_path, "CV")
    if job_path is not None:
        job = load_job_file(job_path)
    return resume, job


def run_demo(
    endpoints: StackEndpoints,
    resume: dict[str, Any],
    job: dict[str, Any],
    *,
    timeout_seconds: float = DEFAULT_EVENT_TIMEOUT_SECONDS,
    clock: Callable[[], float] = time.monotonic,
) -> DemoOutcome:
    """Submit as the demo caller, wait for the job's outcome event, then read the job back over the API."""
    api = SignedApiClient(endpoints.api_url, DEMO_CREDENTIALS, endpoints.region)
    started = clock()
    accepted = api.submit(tailoring_request(resume, job))
    if accepted.status != 202 or not isinstance(accepted.body, dict):
        raise DemoError(f"the API refused the demo job: HTTP {accepted.status}: {accepted.error_message}")
    job_id = str(accepted.body["job_id"])
    services = AwsServices.with_credentials(
        SigningCredentials(LOCAL_ACCESS_KEY_ID, LOCAL_SECRET_ACCESS_KEY),
        region=endpoints.region,
        endpoint_url=endpoints.aws_url,
    )
    events: list[dict[str, Any]] = []
    tail_events(
        services,
        endpoints.resources.events_queue_url,
        events.append,
        job_id=job_id,
        max_events=1,
        timeout_seconds=timeout_seconds,
    )
    if not events:
        raise DemoError(f"no outcome event for job {job_id} within {timeout_seconds:.0f} s")
    seconds_to_event = clock() - started
    status = api.status(job_id)
    if status.status != 200 or not isinstance(status.body, dict):
        raise DemoError(f"cannot read job {job_id} back: HTTP {status.status}: {status.error_message}")
    return DemoOutcome(
        job_id=job_id,
        status=str(status.body.get("status")),
        event=events[0],
        response=status.body,
        seconds_to_event=seconds_to_event,
    )


def print_outcome(outcome: DemoOutcome, console: TextIO) -> None:
    lines = [f"Event:  {event_line(outcome.event)}", f"Job {outcome.job_id}: {outcome.status}"]
    result = outcome.response.get("result")
    if isinstance(result, dict):
        lines += result_summary(result)
    error = outcome.response.get("error")
    if isinstance(error, dict):
        lines.append(f"Failure: {error.get('code')}: {error.get('message')}")
    console.write("\n".join(lines) + "\n")


def print_services(endpoints: StackEndpoints, console: TextIO) -> None:
    resources_ = endpoints.resources
    console.write(
        "\n".join(
            [
                f"Local stack up in {endpoints.startup_seconds:.1f} s (region {endpoints.region}):",
                f"  API gateway   {endpoints.api_url}  (SigV4 required; caller = access key id; "
                "signatures NOT verified)",
                f"  AWS emulator  {endpoints.aws_url}  (moto: DynamoDB, SQS, EventBridge)",
                f"  Bedrock       {endpoints.bedrock_url}  (Converse emulator, offline tailoring engine)",
                f"  table {resources_.table_name}, queue {resources_.queue_url.rsplit('/', 1)[-1]}, "
                f"DLQ {resources_.dead_letter_queue_url.rsplit('/', 1)[-1]}, bus {resources_.event_bus_name}",
            ]
        )
        + "\n"
    )


def cli_environment(endpoints: StackEndpoints) -> str:
    """The ``CAREERVP_*`` assignments the CLI needs to find this stack (none on the default ports)."""
    defaults = LocalStackConfig()
    wanted = {
        ENV_API_PORT: (_port(endpoints.api_url), defaults.api_port),
        ENV_AWS_PORT: (_port(endpoints.aws_url), defaults.aws_port),
        ENV_REGION: (endpoints.region, defaults.region),
        ENV_HOST: (urlsplit(endpoints.api_url).hostname or defaults.host, defaults.host),
    }
    return "".join(f"{name}={actual} " for name, (actual, default) in wanted.items() if actual != default)


def _port(url: str) -> int:
    return urlsplit(url).port or 0


def print_try_it(endpoints: StackEndpoints, job_id: str | None, console: TextIO) -> None:
    credentials = f"{DEMO_ACCESS_KEY_ID}:{DEMO_SECRET_ACCESS_KEY}"
    status = f"/api/tailor-cv/{job_id}" if job_id else "/api/tailor-cv/<job id>"
    stack = cli_environment(endpoints)
    env = f"{stack}AWS_ACCESS_KEY_ID={DEMO_ACCESS_KEY_ID} AWS_SECRET_ACCESS_KEY={DEMO_SECRET_ACCESS_KEY}"
    console.write(
        "\n".join(
            [
                "",
                "Serving until Ctrl-C. Try, in another terminal (as the demo caller; another key is another",
                "owner and gets 404 for this job):",
                f'  curl -s --aws-sigv4 "aws:amz:{endpoints.region}:execute-api" --user {credentials} \\',
                f"       {endpoints.api_url}{status}",
                f"  {env} uv run careervp status {job_id or '<job id>'}",
                f"  {stack}uv run careervp submit {EXAMPLES_DIR}/resume.json {EXAMPLES_DIR}/job.json --wait",
                f"  {stack}uv run careervp events          # tail the outcome events",
                f"  {stack}uv run careervp dlq inspect     # then: careervp dlq redrive --all",
                "",
            ]
        )
    )
    console.flush()
