"""The model ids the emulator answers for, and how an id in the URL resolves to one of them."""

from __future__ import annotations

import re

from local_stack.bedrock_emulator.wire import BedrockApiError, ErrorCode
from worker.settings import HAIKU_4_5_GLOBAL_PROFILE, SONNET_4_5_GLOBAL_PROFILE

_GLOBAL_PREFIX = "global."
INFERENCE_PROFILE_IDS = (HAIKU_4_5_GLOBAL_PROFILE, SONNET_4_5_GLOBAL_PROFILE)
FOUNDATION_MODEL_IDS = tuple(profile.removeprefix(_GLOBAL_PREFIX) for profile in INFERENCE_PROFILE_IDS)
ACCEPTED_MODEL_IDS = frozenset((*INFERENCE_PROFILE_IDS, *FOUNDATION_MODEL_IDS))

_ARN_RE = re.compile(
    r"arn:aws(?:-[a-z-]+)?:bedrock:[a-z0-9-]{1,20}:(?P<account>\d{12})?:"
    r"(?P<kind>inference-profile|foundation-model)/(?P<id>[A-Za-z0-9.:-]+)"
)


def resolve_model_id(model_id: str) -> str:
    """The canonical id a request's ``modelId`` names: an inference profile id or a foundation-model id.

    An unknown bare id is a ValidationException, as Bedrock answers it; an ARN naming a profile or model
    the emulator does not serve is a ResourceNotFoundException.
    """
    if model_id in ACCEPTED_MODEL_IDS:
        return model_id
    arn = _ARN_RE.fullmatch(model_id)
    if arn is None:
        raise BedrockApiError(ErrorCode.VALIDATION, "The provided model identifier is invalid.")
    served = INFERENCE_PROFILE_IDS if arn["kind"] == "inference-profile" else FOUNDATION_MODEL_IDS
    if arn["id"] not in served:
        raise BedrockApiError(
            ErrorCode.RESOURCE_NOT_FOUND, "The specified model or inference profile was not found."
        )
    return arn["id"]
