"""A Lambda context for in-process invocations: the remaining time counts down from the function timeout."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field


@dataclass
class LocalLambdaContext:
    """What Lambda passes as ``context``; Powertools reads the name, memory, ARN and request id."""

    function_name: str
    memory_limit_in_mb: int
    timeout_seconds: int
    region: str
    account_id: str
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    _started: float = field(default_factory=time.monotonic)

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{self.region}:{self.account_id}:function:{self.function_name}"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def log_stream_name(self) -> str:
        return f"local/[{self.function_version}]{self.aws_request_id}"

    def get_remaining_time_in_millis(self) -> int:
        elapsed_ms = int((time.monotonic() - self._started) * 1000)
        return max(self.timeout_seconds * 1000 - elapsed_ms, 0)

    @property
    def timed_out(self) -> bool:
        return self.get_remaining_time_in_millis() == 0
