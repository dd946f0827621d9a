"""Helpers for driving the local stack over HTTP like a client, and watching its events like a subscriber."""

from __future__ import annotations

import io
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from careervp_cli.api_client import ApiResponse, SignedApiClient
from careervp_cli.aws import AwsServices, SigningCredentials
from careervp_cli.main import main as careervp_main
from local_stack.config import LOCAL_ACCESS_KEY_ID, LOCAL_SECRET_ACCESS_KEY
from local_stack.stack import StackEndpoints

ALICE = SigningCredentials("AKIAE2EALICE00000001", "alice-secret")
BOB = SigningCredentials("AKIAE2EBOB0000000001", "bob-secret")
COMPLETED = "CV Tailoring Completed"
FAILED = "CV Tailoring Failed"


def api_as(endpoints: StackEndpoints, credentials: SigningCredentials) -> SignedApiClient:
    return SignedApiClient(endpoints.api_url, credentials, endpoints.region)


def local_services(endpoints: StackEndpoints) -> AwsServices:
    return AwsServices.with_credentials(
        SigningCredentials(LOCAL_ACCESS_KEY_ID, LOCAL_SECRET_ACCESS_KEY),
        region=endpoints.region,
        endpoint_url=endpoints.aws_url,
    )


def wait_until(condition: Callable[[], bool], timeout_seconds: float, interval_seconds: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval_seconds)
    return condition()


@dataclass
class EventLog:
    """Every event the stack's subscriber queue received, kept by job id (tests share one stack)."""

    services: AwsServices
    queue_url: str
    events: list[dict[str, Any]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def poll(self) -> None:
        with self._lock:
            while True:
                messages = self.services.receive(
                    self.queue_url, max_messages=10, wait_seconds=0, visibility_timeout=30
                )
                if not messages:
                    return
                for message in messages:
                    self.events.append(json.loads(message.body))
                    self.services.delete(self.queue_url, message.receipt_handle)

    def of(self, job_id: str, detail_type: str | None = None) -> list[dict[str, Any]]:
        self.poll()
        return [
            event
            for event in self.events
            if event["detail"].get("job_id") == job_id
            and (detail_type is None or event["detail-type"] == detail_type)
        ]

    def wait_for(self, job_id: str, detail_type: str, timeout_seconds: float = 30.0) -> dict[str, Any]:
        if not wait_until(lambda: bool(self.of(job_id, detail_type)), timeout_seconds):
            raise AssertionError(f"no {detail_type!r} event for job {job_id} within {timeout_seconds} s")
        return self.of(job_id, detail_type)[0]


def submit(api: SignedApiClient, resume: dict[str, Any], job: dict[str, Any]) -> str:
    response = api.submit({"resume": resume, "job": job})
    assert response.status == 202, response.text
    return str(response.body["job_id"])


def status_of(api: SignedApiClient, job_id: str) -> ApiResponse:
    return api.status(job_id)


@dataclass(frozen=True)
class CliRun:
    exit_code: int
    out: str
    err: str


def run_cli(endpoints: StackEndpoints, *args: str) -> CliRun:
    """``careervp`` (its ``main``, in-process) against this stack, with every address given as a flag."""
    out, err = io.StringIO(), io.StringIO()
    exit_code = careervp_main(
        [
            "--target",
            "local",
            "--endpoint-url",
            endpoints.aws_url,
            "--api-url",
            endpoints.api_url,
            "--region",
            endpoints.region,
            *args,
        ],
        out=out,
        err=err,
    )
    return CliRun(exit_code, out.getvalue(), err.getvalue())
