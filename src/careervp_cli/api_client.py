"""SigV4-signed calls to the tailoring API (API Gateway with IAM auth, or the local gateway).

Signing uses botocore's ``SigV4Auth`` for the ``execute-api`` service, exactly as for a deployed stage.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import quote, urlsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from careervp_cli.aws import SigningCredentials

EXECUTE_API_SERVICE: Final = "execute-api"
TAILOR_PATH: Final = "api/tailor-cv"
_JSON: Final = "application/json"


class ApiUnreachableError(Exception):
    """The API could not be reached at all (no HTTP answer)."""


@dataclass(frozen=True)
class ApiResponse:
    status: int
    body: Any
    text: str
    headers: Mapping[str, str]

    @property
    def error_message(self) -> str:
        """The API's (or API Gateway's) error message, or the raw text."""
        if isinstance(self.body, Mapping):
            error = self.body.get("error")
            if isinstance(error, Mapping) and isinstance(error.get("message"), str):
                return str(error["message"])
            if isinstance(self.body.get("message"), str):
                return str(self.body["message"])
        return self.text.strip() or f"HTTP {self.status}"


class SignedApiClient:
    def __init__(
        self, base_url: str, credentials: SigningCredentials, region: str, timeout_seconds: float = 30.0
    ) -> None:
        scheme = urlsplit(base_url).scheme
        if scheme not in {"http", "https"}:
            raise ValueError(f"the API URL must start with http:// or https://, got {base_url!r}")
        self._base_url = base_url.rstrip("/")
        self._credentials = credentials
        self._region = region
        self._timeout_seconds = timeout_seconds

    def submit(self, document: Mapping[str, Any], idempotency_key: str | None = None) -> ApiResponse:
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        body = json.dumps(document, ensure_ascii=False).encode("utf-8")
        return self.request("POST", TAILOR_PATH, body=body, headers=headers)

    def status(self, job_id: str) -> ApiResponse:
        return self.request("GET", f"{TAILOR_PATH}/{quote(job_id, safe='')}")

    def request(
        self, method: str, path: str, *, body: bytes | None = None, headers: Mapping[str, str] | None = None
    ) -> ApiResponse:
        url = f"{self._base_url}/{path.lstrip('/')}"
        all_headers = {"Accept": _JSON, **(headers or {})}
        if body is not None:
            all_headers["Content-Type"] = _JSON
        signed = AWSRequest(method=method, url=url, data=body, headers=all_headers)
        credentials = Credentials(
            self._credentials.access_key, self._credentials.secret_key, self._credentials.token
        )
        SigV4Auth(credentials, EXECUTE_API_SERVICE, self._region).add_auth(signed)
        request = urllib.request.Request(  # noqa: S310 (the scheme is checked in __init__)
            url, data=body, headers=dict(signed.headers.items()), method=method
        )
        try:
            with urllib.request.urlopen(request, timeout=self._timeout_seconds) as response:  # noqa: S310
                return _response(response.status, response.read(), dict(response.headers.items()))
        except urllib.error.HTTPError as error:
            with error:
                return _response(error.code, error.read(), dict(error.headers.items()))
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            reason = getattr(error, "reason", error)
            raise ApiUnreachableError(f"cannot reach the API at {self._base_url} ({reason})") from error


def _response(status: int, raw: bytes, headers: Mapping[str, str]) -> ApiResponse:
    text = raw.decode("utf-8", errors="replace")
    try:
        body = json.loads(text) if text else None
    except json.JSONDecodeError:
        body = None
    return ApiResponse(status=status, body=body, text=text, headers=headers)
