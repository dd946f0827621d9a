"""Token estimates and prices.

No tokenizer is installed, so tokens are estimated with one documented heuristic, applied the same way to
every text compared: a quarter token per ASCII character (English averages about four characters per
token) and one token per non-ASCII character (CJK, Arabic and accented letters tokenise far worse than
English). The edit contract and the full document are serialised the same way (compact JSON, UTF-8 kept),
so their ratio does not depend on the heuristic's absolute accuracy.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

TOKEN_METHOD = "ceil(ASCII chars / 4) + 1 per non-ASCII char, over compact JSON"  # noqa: S105 (not a secret)
# Claude Haiku 4.5 on Amazon Bedrock, global inference profile, US dollars per million tokens.
INPUT_USD_PER_MILLION = 1.0
OUTPUT_USD_PER_MILLION = 5.0


def estimate_tokens(text: str) -> int:
    ascii_chars = sum(1 for char in text if char.isascii())
    return math.ceil(ascii_chars / 4) + (len(text) - ascii_chars)


def compact_json(value: object) -> str:
    """The serialisation both sides of the comparison use: no spaces, no key sorting, UTF-8 kept."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def cost_usd(input_tokens: int, output_tokens: int) -> float:
    return (input_tokens * INPUT_USD_PER_MILLION + output_tokens * OUTPUT_USD_PER_MILLION) / 1_000_000


@dataclass(frozen=True)
class TokenBudget:
    """Estimated tokens of one tailoring: the prompt in, and the edits or a whole regenerated CV out."""

    input_tokens: int
    edit_output_tokens: int
    full_output_tokens: int

    @property
    def ratio(self) -> float:
        return self.edit_output_tokens / self.full_output_tokens if self.full_output_tokens else 0.0

    @property
    def edit_cost_usd(self) -> float:
        return cost_usd(self.input_tokens, self.edit_output_tokens)

    @property
    def full_cost_usd(self) -> float:
        # A regeneration prompt would be about as long, so the same input is charged.
        return cost_usd(self.input_tokens, self.full_output_tokens)
