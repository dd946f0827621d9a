"""Raw HTTP against the local API, SigV4-signed with botocore (or deliberately not), byte for byte.

``careervp_cli.api_client.SignedApiClient`` always sends well-formed JSON; hostile requests need control over
the body bytes, the content type, raw header bytes and the ``Authorization`` header itself.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from careervp_cli.aws import SigningCredentials

_SIGNATURE = re.compile(r"Signature=[0-9a-f]{64}")


class Signing(StrEnum):
    """How the request is (not) authenticated."""

    SIGNED = "signed"
    UNSIGNED = "unsigned"
    NOT_SIGV4 = "not SigV4 (Basic)"
    SIGNATURE_NOT_HEX = "a signature that is not 64 hex digits"
    OTHER_SERVICE = "signed for another service (s3)"
    NO_DATE = "no X-Amz-Date or Date header"
    NO_CREDENTIAL_SCOPE = "a Credential without its scope"


@dataclass(frozen=True)
class RawRequest:
    method: str
    path: str
    body: bytes | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    # Sent after signing, as raw bytes (values a client library would refuse to encode).
    raw_headers: Mapping[str, bytes] = field(default_factory=dict)
    signing: Signing = Signing.SIGNED


@dataclass(frozen=True)
class RawResponse:
    status: int
    headers: Mapping[str, str]
    body: bytes

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


def send(
    api_url: str, request: RawRequest, credentials: SigningCredentials, region: str, timeout: float = 30.0
) -> RawResponse:
    url = f"{api_url.rstrip('/')}/{request.path.lstrip('/')}"
    headers = _signed_headers(url, request, credentials, region)
    target = urlsplit(url)
    connection = http.client.HTTPConnection(target.hostname or "127.0.0.1", target.port, timeout=timeout)
    try:
        connection.putrequest(request.method, target.path or "/", skip_host=True, skip_accept_encoding=True)
        for name, value in headers.items():
            connection.putheader(name, value)
        for name, raw_value in request.raw_headers.items():
            connection.putheader(name, raw_value)
        if request.body is not None:
            connection.putheader("Content-Length", str(len(request.body)))
        connection.endheaders()
        if request.body:
            # The server may answer (413) and close before reading a body it refuses.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                connection.send(request.body)
        response = connection.getresponse()
        return RawResponse(
            status=response.status,
            headers={name.lower(): value for name, value in response.getheaders()},
            body=response.read(),
        )
    finally:
        connection.close()


def _signed_headers(
    url: str, request: RawRequest, credentials: SigningCredentials, region: str
) -> dict[str, str]:
    host = urlsplit(url).netloc
    headers = {"Host": host, **request.headers}
    if request.signing is Signing.UNSIGNED:
        return headers
    if request.signing is Signing.NOT_SIGV4:
        return {**headers, "Authorization": "Basic YWxpY2U6c2VjcmV0"}
    service = "s3" if request.signing is Signing.OTHER_SERVICE else "execute-api"
    signed = AWSRequest(method=request.method, url=url, data=request.body or b"", headers=headers)
    SigV4Auth(Credentials(credentials.access_key, credentials.secret_key), service, region).add_auth(signed)
    result = {name: str(value) for name, value in signed.headers.items()}
    if request.signing is Signing.SIGNATURE_NOT_HEX:
        result["Authorization"] = _SIGNATURE.sub("Signature=not-a-signature", result["Authorization"])
    elif request.signing is Signing.NO_DATE:
        result.pop("X-Amz-Date", None)
    elif request.signing is Signing.NO_CREDENTIAL_SCOPE:
        scope = re.compile(r"Credential=[^,]+")
        result["Authorization"] = scope.sub(f"Credential={credentials.access_key}", result["Authorization"])
    result.pop("Content-Length", None)
    return result
