"""A local bedrock-runtime Converse endpoint, answered by the offline tailoring engine, with fault injection.

    emulator = BedrockEmulator(port=0, faults=FaultConfig(throttle_rate=0.3, seed=7)).start()
    # AWS_ENDPOINT_URL_BEDROCK_RUNTIME=emulator.url
    emulator.set_faults(FaultConfig())
    emulator.stop()

Standalone: ``python -m local_stack.bedrock_emulator --port 4567 --throttle-rate 0.3``.
"""

from local_stack.bedrock_emulator.faults import (
    ENV_VARS,
    FaultConfig,
    FaultConfigError,
    FaultDecision,
    FaultPlan,
    MalformedKind,
    Outcome,
    QuotaWindow,
)
from local_stack.bedrock_emulator.model_ids import (
    ACCEPTED_MODEL_IDS,
    FOUNDATION_MODEL_IDS,
    INFERENCE_PROFILE_IDS,
)
from local_stack.bedrock_emulator.prompt_parser import RecoveredPrompt, parse_prompt
from local_stack.bedrock_emulator.server import BedrockEmulator
from local_stack.bedrock_emulator.service import ConverseService, EmulatorStats

DEFAULT_PORT = 4567

__all__ = [
    "ACCEPTED_MODEL_IDS",
    "DEFAULT_PORT",
    "ENV_VARS",
    "FOUNDATION_MODEL_IDS",
    "INFERENCE_PROFILE_IDS",
    "BedrockEmulator",
    "ConverseService",
    "EmulatorStats",
    "FaultConfig",
    "FaultConfigError",
    "FaultDecision",
    "FaultPlan",
    "MalformedKind",
    "Outcome",
    "QuotaWindow",
    "RecoveredPrompt",
    "parse_prompt",
]
