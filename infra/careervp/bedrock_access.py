"""IAM statements that let a role invoke a model through a *global* cross-Region inference profile.

AWS documents three statements per global profile: the profile itself in the source Region; the foundation
model in the source Region, only when reached through that profile; and the Region-less foundation model
``arn:aws:bedrock:::foundation-model/...`` (for which ``aws:RequestedRegion`` is ``unspecified``), again only
through that profile. Converse calls are authorised as ``bedrock:InvokeModel``.
"""

from __future__ import annotations

from typing import Final

from aws_cdk import ArnFormat, Stack
from aws_cdk import aws_iam as iam

from careervp import constants

INVOKE_ACTIONS: Final = ("bedrock:InvokeModel",)
GLOBAL_REQUESTED_REGION: Final = "unspecified"


class InferenceProfileError(ValueError):
    """A model id that is not a global cross-Region inference profile id."""


def foundation_model_id(profile_id: str) -> str:
    """``global.anthropic.x`` -> ``anthropic.x``."""
    if not profile_id.startswith(constants.GLOBAL_PROFILE_ID_START):
        raise InferenceProfileError(f"{profile_id!r} is not a global inference profile id")
    return profile_id.removeprefix(constants.GLOBAL_PROFILE_ID_START)


def inference_profile_arn(stack: Stack, profile_id: str) -> str:
    return stack.format_arn(
        service="bedrock",
        resource="inference-profile",
        resource_name=profile_id,
        arn_format=ArnFormat.SLASH_RESOURCE_NAME,
    )


def global_profile_statements(stack: Stack, profile_id: str, sid_prefix: str) -> list[iam.PolicyStatement]:
    """The three statements for one global profile, with Sids starting ``sid_prefix``."""
    model_id = foundation_model_id(profile_id)
    profile_arn = inference_profile_arn(stack, profile_id)
    regional_model_arn = stack.format_arn(
        service="bedrock",
        account="",
        resource="foundation-model",
        resource_name=model_id,
        arn_format=ArnFormat.SLASH_RESOURCE_NAME,
    )
    global_model_arn = stack.format_arn(
        service="bedrock",
        region="",
        account="",
        resource="foundation-model",
        resource_name=model_id,
        arn_format=ArnFormat.SLASH_RESOURCE_NAME,
    )
    return [
        iam.PolicyStatement(
            sid=f"{sid_prefix}Profile",
            actions=list(INVOKE_ACTIONS),
            resources=[profile_arn],
            conditions={"StringEquals": {"aws:RequestedRegion": stack.region}},
        ),
        iam.PolicyStatement(
            sid=f"{sid_prefix}RegionalModel",
            actions=list(INVOKE_ACTIONS),
            resources=[regional_model_arn],
            conditions={
                "StringEquals": {
                    "aws:RequestedRegion": stack.region,
                    "bedrock:InferenceProfileArn": profile_arn,
                }
            },
        ),
        iam.PolicyStatement(
            sid=f"{sid_prefix}GlobalModel",
            actions=list(INVOKE_ACTIONS),
            resources=[global_model_arn],
            conditions={
                "StringEquals": {
                    "aws:RequestedRegion": GLOBAL_REQUESTED_REGION,
                    "bedrock:InferenceProfileArn": profile_arn,
                }
            },
        ),
    ]
