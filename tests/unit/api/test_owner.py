"""Who owns a job: the strongest identity in the request context, for every kind of SigV4 caller.

The request contexts below are shaped as API Gateway sends them for IAM authorisation (REST API, proxy
integration): ``requestContext.identity`` with the fields each kind of credentials fills.
"""

from __future__ import annotations

from typing import Any

import pytest

from api.transport import caller_identity
from tests.unit.api.harness import ApiHarness, invoke
from tests.unit.api.rest_events import get_event, post_event, sample_request

ACCOUNT = "123456789012"
POOL_ROLE_ARN = f"arn:aws:sts::{ACCOUNT}:assumed-role/careervp_Auth_Role/CognitoIdentityCredentials"
POOL_ID = "eu-west-1:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"


def cognito_user(identity_id: str, authentication: str = "authenticated") -> dict[str, Any]:
    return {
        "cognitoIdentityPoolId": POOL_ID,
        "cognitoIdentityId": identity_id,
        "cognitoAuthenticationType": authentication,
        "cognitoAuthenticationProvider": "cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc,login",
        "accountId": ACCOUNT,
        "caller": "AROAEXAMPLEROLEID:CognitoIdentityCredentials",
        "userArn": POOL_ROLE_ARN,
        "accessKey": "ASIAEXAMPLEKEY",
        "user": "AROAEXAMPLEROLEID:CognitoIdentityCredentials",
    }


IAM_USER = {
    "accountId": ACCOUNT,
    "caller": "AIDAEXAMPLEUSERID",
    "userArn": f"arn:aws:iam::{ACCOUNT}:user/alice",
    "accessKey": "AKIAEXAMPLEKEY",
    "user": "AIDAEXAMPLEUSERID",
}
ASSUMED_ROLE = {
    "accountId": ACCOUNT,
    "caller": "AROAEXAMPLEROLEID:build-42",
    "userArn": f"arn:aws:sts::{ACCOUNT}:assumed-role/ci-runner/build-42",
    "accessKey": "ASIAEXAMPLEKEY",
    "user": "AROAEXAMPLEROLEID:build-42",
}
ALICE = cognito_user("eu-west-1:11111111-1111-1111-1111-111111111111")
BOB = cognito_user("eu-west-1:22222222-2222-2222-2222-222222222222")


@pytest.mark.parametrize(
    ("identity", "owner"),
    [
        (IAM_USER, f"arn:aws:iam::{ACCOUNT}:user/alice"),
        (ASSUMED_ROLE, f"arn:aws:sts::{ACCOUNT}:assumed-role/ci-runner/build-42"),
        (ALICE, "cognito:eu-west-1:11111111-1111-1111-1111-111111111111"),
        ({"accountId": ACCOUNT, "caller": "AIDAONLYCALLER"}, "AIDAONLYCALLER"),
    ],
    ids=["iam-user", "assumed-role-session", "cognito-authenticated", "caller-only"],
)
def test_each_caller_type_gets_its_own_owner(identity: dict[str, Any], owner: str) -> None:
    # Given a request context as API Gateway sends it for this kind of caller
    event = {"requestContext": {"identity": {"sourceIp": "203.0.113.7", **identity}}}

    # When its owner is derived
    # Then it is the strongest identity the context holds
    assert caller_identity(event) == owner


def test_two_users_of_one_identity_pool_role_do_not_share_an_owner() -> None:
    # Given two Cognito users whose requests carry the same role ARN
    assert ALICE["userArn"] == BOB["userArn"]

    # When their owners are derived
    alice = caller_identity({"requestContext": {"identity": ALICE}})
    bob = caller_identity({"requestContext": {"identity": BOB}})

    # Then they differ
    assert alice != bob


def test_a_user_of_a_shared_pool_role_gets_404_for_another_users_job(api: ApiHarness) -> None:
    # Given a job Alice submitted through the identity pool
    accepted = invoke(post_event(sample_request(), identity=ALICE))
    assert accepted.status == 202
    job_id = accepted.body["job_id"]
    assert invoke(get_event(job_id, identity=ALICE)).status == 200

    # When Bob, signing with the same pool role, reads it
    response = invoke(get_event(job_id, identity=BOB))

    # Then he gets the same 404 as for an unknown id
    assert response.status == 404
    assert response.body == invoke(get_event("00000000-0000-4000-8000-000000000000", identity=BOB)).body


def test_reusing_another_pool_users_idempotency_key_reveals_nothing(api: ApiHarness) -> None:
    # Given Alice used an Idempotency-Key for one request
    first = invoke(post_event(sample_request(), identity=ALICE, headers={"Idempotency-Key": "key-shared-1"}))
    assert first.status == 202

    # When Bob sends a different body under the same key
    document = sample_request()
    document["job"] = {"description": "A different job entirely: staff accountant."}
    second = invoke(post_event(document, identity=BOB, headers={"Idempotency-Key": "key-shared-1"}))

    # Then his request is a new job of his own (202, another id), not a 409 that would reveal Alice's key
    assert second.status == 202
    assert second.body["job_id"] != first.body["job_id"]


def test_an_unauthenticated_cognito_identity_is_refused_and_nothing_is_written(api: ApiHarness) -> None:
    # Given a guest identity of the pool
    guest = cognito_user("eu-west-1:33333333-3333-3333-3333-333333333333", authentication="unauthenticated")

    # When it submits a job
    response = invoke(post_event(sample_request(), identity=guest))

    # Then it gets 403 with the reason, and nothing is written or queued
    assert response.status == 403
    assert "Unauthenticated Cognito identities" in response.body["error"]["message"]
    assert api.nothing_kept()
