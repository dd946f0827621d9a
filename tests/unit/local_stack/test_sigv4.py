"""Reading SigV4 Authorization headers as API Gateway's IAM authoriser does (signatures not verified)."""

from __future__ import annotations

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from local_stack.sigv4 import SignatureRejectedError, parse_authorization

SIGNATURE = "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
DATE = {"X-Amz-Date": "20261126T120000Z"}


def curl_style(credential: str, signed_headers: str = "content-type;host;x-amz-date") -> dict[str, str]:
    """Headers as `curl --aws-sigv4` sends them."""
    return {
        "Authorization": f"AWS4-HMAC-SHA256 Credential={credential}, SignedHeaders={signed_headers}, "
        f"Signature={SIGNATURE}",
        **DATE,
    }


def test_a_curl_style_header_yields_the_access_key_id_and_its_scope() -> None:
    # Given the header curl sends for --aws-sigv4 "aws:amz:us-east-1:execute-api"
    headers = curl_style("AKIDEXAMPLE/20261126/us-east-1/execute-api/aws4_request")

    # When it is parsed
    authorization = parse_authorization(headers)

    # Then the caller is the access key id, with the scope it signed for
    assert authorization.access_key_id == "AKIDEXAMPLE"
    assert (authorization.scope_date, authorization.region, authorization.service) == (
        "20261126",
        "us-east-1",
        "execute-api",
    )
    assert authorization.signed_headers == ("content-type", "host", "x-amz-date")


def test_a_header_signed_by_botocore_is_accepted_with_a_wrong_secret_too() -> None:
    # Given a request botocore signed with a secret nobody can check locally
    request = AWSRequest(method="GET", url="http://127.0.0.1:3000/api/tailor-cv/abc")
    SigV4Auth(Credentials("AKIAOWNER", "any-secret"), "execute-api", "eu-west-1").add_auth(request)

    # When its headers are parsed
    authorization = parse_authorization(dict(request.headers.items()))

    # Then it is accepted: only the form is checked, never the secret
    assert authorization.access_key_id == "AKIAOWNER"
    assert authorization.region == "eu-west-1"


@pytest.mark.parametrize(
    ("headers", "error_type", "message_part"),
    [
        ({}, "MissingAuthenticationTokenException", "Missing Authentication Token"),
        ({"Authorization": "  "}, "MissingAuthenticationTokenException", "Missing Authentication Token"),
        ({"Authorization": "Bearer abc", **DATE}, "IncompleteSignatureException", "requires 'Credential'"),
        (
            {
                "Authorization": "AWS4-HMAC-SHA256 "
                f"Credential=A/20261126/us-east-1/execute-api/aws4_request, Signature={SIGNATURE}",
                **DATE,
            },
            "IncompleteSignatureException",
            "requires 'SignedHeaders'",
        ),
        (
            {
                k: v
                for k, v in curl_style("A/20261126/us-east-1/execute-api/aws4_request").items()
                if k != "X-Amz-Date"
            },
            "IncompleteSignatureException",
            "'X-Amz-Date' or a 'Date'",
        ),
        (curl_style("A/20261126/us-east-1/s3/aws4_request"), "InvalidSignatureException", "'execute-api'"),
        (
            curl_style("A/20261126/us-east-1/execute-api"),
            "IncompleteSignatureException",
            "Credential should be",
        ),
        (
            curl_style("A B/20261126/us-east-1/execute-api/aws4_request"),
            "UnrecognizedClientException",
            "invalid",
        ),
        (
            curl_style("A/2026-11-26/us-east-1/execute-api/aws4_request"),
            "IncompleteSignatureException",
            "yyyyMMdd",
        ),
        (
            curl_style("A/20261126/us-east-1/execute-api/aws4_request", signed_headers="x-amz-date"),
            "IncompleteSignatureException",
            "'Host'",
        ),
    ],
    ids=[
        "no-header",
        "blank-header",
        "not-sigv4",
        "no-signed-headers",
        "no-date",
        "wrong-service",
        "short-credential",
        "bad-access-key-id",
        "bad-date",
        "host-not-signed",
    ],
)
def test_unsigned_or_malformed_requests_are_refused_with_api_gateways_error_type(
    headers: dict[str, str], error_type: str, message_part: str
) -> None:
    # Given a request that is unsigned or signed in a malformed way
    # When its headers are parsed
    with pytest.raises(SignatureRejectedError) as refused:
        parse_authorization(headers)

    # Then it is refused with the error type and message API Gateway would use
    assert refused.value.error_type == error_type
    assert message_part in refused.value.message


def test_a_refusal_never_echoes_the_authorization_header() -> None:
    # Given a malformed header holding something secret-looking
    headers = {"Authorization": "Bearer super-secret-token-value", **DATE}

    # When it is refused
    with pytest.raises(SignatureRejectedError) as refused:
        parse_authorization(headers)

    # Then the message does not contain it
    assert "super-secret-token-value" not in refused.value.message
