"""Submitting a CV and a job, and following the job to its end."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final, Protocol

from careervp_cli.api_client import ApiResponse

TERMINAL_STATUSES: Final = frozenset({"COMPLETED", "FAILED"})
_FIRST_POLL_SECONDS: Final = 0.25
_MAX_POLL_SECONDS: Final = 2.0


class DocumentError(Exception):
    """A CV or job file that cannot be read."""


class JobStatusSource(Protocol):
    def status(self, job_id: str) -> ApiResponse: ...


def load_json_file(path: Path, label: str) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise DocumentError(f"cannot read the {label} {path}: {error.strerror or error}") from error
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise DocumentError(f"the {label} {path} is not JSON: {error}") from error
    if not isinstance(document, dict):
        raise DocumentError(f"the {label} {path} must hold a JSON object")
    return document


def load_job_file(path: Path) -> dict[str, Any]:
    """A JSON Resume job description; a file that is not ``.json`` is read as a plain-text posting."""
    if path.suffix.lower() == ".json":
        return load_json_file(path, "job")
    try:
        return {"description": path.read_text(encoding="utf-8")}
    except (OSError, UnicodeDecodeError) as error:
        raise DocumentError(f"cannot read the job {path}: {error}") from error


def tailoring_request(resume: dict[str, Any], job: dict[str, Any]) -> dict[str, Any]:
    return {"resume": resume, "job": job}


def wait_for_terminal(
    api: JobStatusSource,
    job_id: str,
    *,
    timeout_seconds: float,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> ApiResponse:
    """Poll the job until it is COMPLETED or FAILED, a request fails, or the time runs out (last answer)."""
    deadline = clock() + timeout_seconds
    delay = _FIRST_POLL_SECONDS
    while True:
        response = api.status(job_id)
        status = response.body.get("status") if isinstance(response.body, dict) else None
        if response.status != 200 or status in TERMINAL_STATUSES or clock() >= deadline:
            return response
        sleep(min(delay, max(deadline - clock(), 0)))
        delay = min(delay * 2, _MAX_POLL_SECONDS)
