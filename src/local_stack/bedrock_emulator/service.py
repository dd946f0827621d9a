"""One Converse call from raw model id and body to HTTP reply: validation, quota, faults, latency, answer.

No sockets here, so the whole behaviour is testable without a network.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from aws_lambda_powertools import Logger

from local_stack.bedrock_emulator import model
from local_stack.bedrock_emulator.faults import FaultConfig, FaultDecision, FaultPlan, Outcome, QuotaWindow
from local_stack.bedrock_emulator.model_ids import resolve_model_id
from local_stack.bedrock_emulator.wire import (
    BedrockApiError,
    ConverseCall,
    ErrorCode,
    HttpReply,
    converse_reply,
    error_reply,
    estimate_tokens,
    parse_converse_request,
)
from shared.clock import utc_today

logger = Logger(service="bedrock-emulator", level="WARNING")

_MESSAGES = {
    ErrorCode.THROTTLING: "Too many requests, please wait before trying again.",
    ErrorCode.SERVICE_UNAVAILABLE: "The service is temporarily unable to handle the request.",
    ErrorCode.INTERNAL_SERVER: "The server encountered an internal error.",
    ErrorCode.MODEL_TIMEOUT: "The model took too long to process the request.",
}
_INJECTED = " (bedrock-emulator: injected fault)"


@dataclass(frozen=True)
class EmulatorStats:
    """Counts since start (or the last reset). Every Converse call lands in exactly one outcome count:
    ``calls == answered + malformed + throttled + server_errors + model_timeouts + rejected
    + internal_errors``.
    ``throttled`` counts every ThrottlingException; ``quota_throttled`` is the part the RPM quota caused."""

    calls: int = 0
    answered: int = 0
    malformed: int = 0
    throttled: int = 0
    quota_throttled: int = 0
    server_errors: int = 0
    model_timeouts: int = 0
    rejected: int = 0
    internal_errors: int = 0
    input_tokens: int = 0
    output_tokens: int = 0

    def as_dict(self) -> dict[str, int]:
        return dataclasses.asdict(self)


class _Counters:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stats = EmulatorStats()

    def add(self, **increments: int) -> None:
        with self._lock:
            current = self._stats
            self._stats = dataclasses.replace(
                current, **{name: getattr(current, name) + value for name, value in increments.items()}
            )

    def snapshot(self) -> EmulatorStats:
        with self._lock:
            return self._stats

    def reset(self) -> None:
        with self._lock:
            self._stats = EmulatorStats()


class ConverseService:
    """The emulator's behaviour behind HTTP. Thread-safe: the server calls it from one thread per request."""

    def __init__(
        self,
        faults: FaultConfig | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        today: Callable[[], date] = utc_today,
        wait: Callable[[float], Any] | None = None,
    ) -> None:
        self._lock = threading.Lock()
        self._today = today
        self._faults = faults or FaultConfig()
        self._plan = FaultPlan(self._faults)
        self._quota = QuotaWindow(self._faults.requests_per_minute, clock=clock)
        self._clock = clock
        self._stopping = threading.Event()
        self._wait = wait or self._stopping.wait
        self._counters = _Counters()

    @property
    def faults(self) -> FaultConfig:
        with self._lock:
            return self._faults

    def set_faults(self, faults: FaultConfig) -> None:
        """Switch faults at runtime. The RNG restarts from the new seed; the quota keeps its window."""
        with self._lock:
            self._faults = faults
            self._plan = FaultPlan(faults)
            self._quota.set_limit(faults.requests_per_minute)

    @property
    def stats(self) -> EmulatorStats:
        return self._counters.snapshot()

    def reset_stats(self) -> None:
        self._counters.reset()

    def interrupt_waits(self) -> None:
        """Cut injected latency short (the server is stopping)."""
        self._stopping.set()

    def allow_waits(self) -> None:
        self._stopping.clear()

    def converse(self, raw_model_id: str, body: bytes) -> HttpReply:
        started = self._clock()
        self._counters.add(calls=1)
        try:
            model_id = resolve_model_id(raw_model_id)
            call = parse_converse_request(body)
        except BedrockApiError as error:
            self._counters.add(rejected=1)
            logger.info("converse rejected", extra={"error_code": error.code.value})
            return error_reply(error)
        with self._lock:
            plan, quota = self._plan, self._quota
        decision = plan.next_decision()
        if decision.outcome is Outcome.THROTTLE:
            self._counters.add(throttled=1)
            logger.info("converse throttled", extra={"model_id": model_id, "cause": "injected"})
            return self._fault_reply(ErrorCode.THROTTLING, _INJECTED)
        if not quota.try_acquire():
            self._counters.add(throttled=1, quota_throttled=1)
            logger.info("converse throttled", extra={"model_id": model_id, "cause": "quota"})
            limit = f" (bedrock-emulator: over {quota.limit} requests per minute)"
            return self._fault_reply(ErrorCode.THROTTLING, limit)
        try:
            reply = self._admitted(call, decision, started)
        except Exception as error:
            # A bug in the emulator must still answer, and must not pass for an injected fault.
            self._counters.add(internal_errors=1)
            logger.warning("emulator failed to answer", extra={"error_type": type(error).__name__})
            return error_reply(
                BedrockApiError(ErrorCode.INTERNAL_SERVER, "bedrock-emulator failed to answer.")
            )
        logger.info(
            "converse answered",
            extra={"model_id": model_id, "outcome": decision.outcome.value, "status": reply.status},
        )
        return reply

    def _fault_reply(self, code: ErrorCode, note: str) -> HttpReply:
        return error_reply(BedrockApiError(code, _MESSAGES[code] + note))

    def _admitted(self, call: ConverseCall, decision: FaultDecision, started: float) -> HttpReply:
        if decision.latency_seconds > 0:
            self._wait(decision.latency_seconds)
        if decision.outcome is Outcome.SERVER_ERROR:
            self._counters.add(server_errors=1)
            return self._fault_reply(decision.server_error, _INJECTED)
        if decision.outcome is Outcome.MODEL_TIMEOUT:
            self._counters.add(model_timeouts=1)
            return self._fault_reply(ErrorCode.MODEL_TIMEOUT, _INJECTED)
        if decision.outcome is Outcome.MALFORMED:
            answer = model.malformed_answer(call, decision.malformed_kind, self._today())
            self._counters.add(malformed=1)
        else:
            answer = model.answer(call, self._today())
            self._counters.add(answered=1)
        self._counters.add(input_tokens=call.input_tokens, output_tokens=estimate_tokens(answer.output_chars))
        latency_ms = round((self._clock() - started) * 1000)
        return converse_reply(answer, call.input_tokens, max(0, latency_ms))
