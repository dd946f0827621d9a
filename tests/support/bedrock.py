"""A Converse answer in the wire shape botocore's Stubber returns, for tests that drive the real worker."""

from __future__ import annotations

from typing import Any

from botocore.stub import ANY

from shared.tailoring import EDIT_TOOL_NAME

# The worker's Converse request, matched on its keys only: the prompt itself is tested elsewhere.
CONVERSE_PARAMS = dict.fromkeys(("modelId", "system", "messages", "inferenceConfig", "toolConfig"), ANY)


def converse_tool_answer(tool_input: Any) -> dict[str, Any]:
    """A Converse response whose assistant message calls the edit tool with ``tool_input``."""
    return {
        "output": {
            "message": {
                "role": "assistant",
                "content": [{"toolUse": {"toolUseId": "tu-1", "name": EDIT_TOOL_NAME, "input": tool_input}}],
            }
        },
        "stopReason": "tool_use",
        "usage": {"inputTokens": 2100, "outputTokens": 350, "totalTokens": 2450},
        "metrics": {"latencyMs": 900},
    }
