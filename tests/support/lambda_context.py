"""A Lambda context whose remaining time counts down from the function timeout."""

from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass
class FakeLambdaContext:
    function_name: str = "careervp-cv-tailor-lambda-test"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = (
        "arn:aws:lambda:eu-west-1:123456789012:function:careervp-cv-tailor-lambda-test"
    )
    aws_request_id: str = "00000000-0000-4000-8000-000000000000"
    timeout_ms: int = 60_000
    _started: float = field(default_factory=time.monotonic)

    def get_remaining_time_in_millis(self) -> int:
        elapsed_ms = int((time.monotonic() - self._started) * 1000)
        return max(self.timeout_ms - elapsed_ms, 0)
