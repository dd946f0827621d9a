"""Reading a SigV4 ``Authorization`` header the way API Gateway's IAM authoriser reads it, minus the crypto.

The local gateway checks that a request is signed and well-formed, and takes the caller from the access key
id. It does NOT verify the signature or the secret: there is no IAM locally to look the secret up in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

ALGORITHM: Final = "AWS4-HMAC-SHA256"
EXECUTE_API_SERVICE: Final = "execute-api"
TERMINATION: Final = "aws4_request"
# IAM user names allow these characters, so the access key id fits in a user ARN as it is.
_ACCESS_KEY_ID = re.compile(r"^[A-Za-z0-9+=,.@_-]{1,128}$")
_SCOPE_DATE = re.compile(r"^[0-9]{8}$")
_REGION = re.compile(r"^[a-z0-9-]{1,32}$")
_SIGNATURE = re.compile(r"^[0-9a-fA-F]{64}$")
_REQUIRED_PARAMETERS: Final = ("Credential", "SignedHeaders", "Signature")


class SignatureRejectedError(Exception):
    """API Gateway would refuse the request with 403 and this message and ``x-amzn-ErrorType``."""

    def __init__(self, message: str, error_type: str) -> None:
        super().__init__(message)
        self.message = message
        self.error_type = error_type


@dataclass(frozen=True)
class SigV4Authorization:
    """The parts of a SigV4 ``Authorization`` header."""

    access_key_id: str
    scope_date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str


def missing_token() -> SignatureRejectedError:
    """What API Gateway answers for an unsigned request, and for a resource or method it does not have."""
    return SignatureRejectedError("Missing Authentication Token", "MissingAuthenticationTokenException")


def parse_authorization(headers: Mapping[str, str]) -> SigV4Authorization:
    """Parse and check the request's SigV4 ``Authorization`` header; raise ``SignatureRejectedError``."""
    lowered = {name.lower(): value for name, value in headers.items()}
    header = lowered.get("authorization", "").strip()
    if not header:
        raise missing_token()
    algorithm, _, rest = header.partition(" ")
    parameters = _parameters(rest) if algorithm == ALGORITHM else {}
    problems = [
        f"Authorization header requires '{name}' parameter."
        for name in _REQUIRED_PARAMETERS
        if not parameters.get(name)
    ]
    if not (lowered.get("x-amz-date") or lowered.get("date")):
        problems.append(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
        )
    if problems:
        # The header itself is never echoed: it is the caller's credential material.
        raise SignatureRejectedError(" ".join(problems), "IncompleteSignatureException")
    authorization = _authorization(parameters)
    if authorization.service != EXECUTE_API_SERVICE:
        raise SignatureRejectedError(
            f"Credential should be scoped to correct service: '{EXECUTE_API_SERVICE}'.",
            "InvalidSignatureException",
        )
    return authorization


def _parameters(text: str) -> dict[str, str]:
    parameters: dict[str, str] = {}
    for part in text.split(","):
        name, equals, value = part.strip().partition("=")
        if equals:
            parameters[name.strip()] = value.strip()
    return parameters


def _authorization(parameters: Mapping[str, str]) -> SigV4Authorization:
    scope = parameters["Credential"].split("/")
    if len(scope) != 5 or scope[4] != TERMINATION:
        raise SignatureRejectedError(
            "Credential should be of the form <access key id>/<yyyymmdd>/<region>/<service>/aws4_request.",
            "IncompleteSignatureException",
        )
    access_key_id, scope_date, region, service, _ = scope
    if not _ACCESS_KEY_ID.fullmatch(access_key_id):
        raise SignatureRejectedError(
            "The security token included in the request is invalid.", "UnrecognizedClientException"
        )
    if not _SCOPE_DATE.fullmatch(scope_date):
        raise SignatureRejectedError(
            "Credential should be scoped to a valid date in yyyyMMdd format.", "IncompleteSignatureException"
        )
    if not _REGION.fullmatch(region):
        raise SignatureRejectedError(
            "Credential should be scoped to a valid region.", "InvalidSignatureException"
        )
    signed_headers = tuple(name for name in parameters["SignedHeaders"].lower().split(";") if name)
    if "host" not in signed_headers:
        raise SignatureRejectedError(
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
            "IncompleteSignatureException",
        )
    if not _SIGNATURE.fullmatch(parameters["Signature"]):
        raise SignatureRejectedError(
            "The request signature we calculated does not match the signature you provided.",
            "InvalidSignatureException",
        )
    return SigV4Authorization(
        access_key_id=access_key_id,
        scope_date=scope_date,
        region=region,
        service=service,
        signed_headers=signed_headers,
        signature=parameters["Signature"].lower(),
    )
