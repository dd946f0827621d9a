"""The local gateway accepts what real SigV4 clients send: `curl --aws-sigv4` and awscurl."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from local_stack.demo import example_documents
from local_stack.stack import LocalStack
from tests.e2e.support import ALICE, COMPLETED, EventLog

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")

CURL = shutil.which("curl")
AWSCURL = Path(sys.executable).with_name("awscurl")


def _curl_supports_sigv4() -> bool:
    if CURL is None:
        return False
    help_text = subprocess.run([CURL, "--help", "all"], capture_output=True, text=True, check=False).stdout
    return "--aws-sigv4" in help_text


requires_curl_sigv4 = pytest.mark.skipif(
    not _curl_supports_sigv4(), reason="curl is missing or older than 7.75 (no --aws-sigv4)"
)


def _curl(*args: str) -> tuple[int, dict[str, object]]:
    assert CURL is not None
    completed = subprocess.run(
        [CURL, "-sS", "-w", "\n%{http_code}", *args], capture_output=True, text=True, check=True, timeout=30
    )
    body, _, code = completed.stdout.rpartition("\n")
    return int(code), json.loads(body)


@requires_curl_sigv4
def test_curl_aws_sigv4_submits_and_reads_back_a_job(
    stack: LocalStack, event_log: EventLog, tmp_path: Path
) -> None:
    # Given a request body on disk and curl signing as Alice for execute-api
    resume, job = example_documents()
    body = tmp_path / "request.json"
    body.write_text(json.dumps({"resume": resume, "job": job}), encoding="utf-8")
    sigv4 = [
        "--aws-sigv4",
        f"aws:amz:{stack.endpoints.region}:execute-api",
        "--user",
        f"{ALICE.access_key}:{ALICE.secret_key}",
    ]
    base = f"{stack.endpoints.api_url}/v1/api/tailor-cv"

    # When curl posts it to the stage URL
    status, accepted = _curl(
        *sigv4, "-H", "Content-Type: application/json", "--data-binary", f"@{body}", base
    )

    # Then the job is accepted, and the status URL (stage included) reads it back once it completed
    assert status == 202
    job_id = str(accepted["job_id"])
    assert accepted["status_url"] == f"/v1/api/tailor-cv/{job_id}"
    event_log.wait_for(job_id, COMPLETED)
    status, document = _curl(*sigv4, f"{stack.endpoints.api_url}{accepted['status_url']}")
    assert status == 200
    assert document["status"] == "COMPLETED"


def test_awscurl_reads_a_job_as_its_owner_and_gets_404_as_anyone_else(
    stack: LocalStack, event_log: EventLog, tmp_path: Path
) -> None:
    # Given a job Alice submitted with awscurl
    if not AWSCURL.exists():
        pytest.fail(f"awscurl is a dev dependency and should be installed next to {sys.executable}")
    resume, job = example_documents()
    url = f"{stack.endpoints.api_url}/api/tailor-cv"

    def awscurl(access_key: str, secret: str, *args: str) -> dict[str, object]:
        completed = subprocess.run(
            [
                str(AWSCURL),
                "--service",
                "execute-api",
                "--region",
                stack.endpoints.region,
                "--access_key",
                access_key,
                "--secret_key",
                secret,
                *args,
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        return dict(json.loads(completed.stdout))

    accepted = awscurl(
        ALICE.access_key,
        ALICE.secret_key,
        "-X",
        "POST",
        "-H",
        "Content-Type: application/json",
        "-d",
        json.dumps({"resume": resume, "job": job}),
        url,
    )
    job_id = str(accepted["job_id"])
    event_log.wait_for(job_id, COMPLETED)

    # When Alice and then another key read it with awscurl
    own = awscurl(ALICE.access_key, ALICE.secret_key, f"{url}/{job_id}")
    other = awscurl("AKIAE2ESOMEONEELSE01", "other-secret", f"{url}/{job_id}")

    # Then only Alice sees it
    assert own["status"] == "COMPLETED"
    assert other == {
        "error": {"code": "not_found", "message": "No job with this id exists for the caller.", "fields": []}
    }
