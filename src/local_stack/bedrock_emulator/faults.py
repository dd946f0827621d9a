"""Fault injection: the configuration, a seeded per-request fault plan, and a requests-per-minute quota."""

from __future__ import annotations

import os
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from local_stack.bedrock_emulator.wire import ErrorCode

QUOTA_WINDOW_SECONDS = 60.0
_RATE_TOLERANCE = 1e-9
_UNLIMITED_WORDS = frozenset({"none", "off", "unlimited", "0"})
_RANDOM_SEED_WORDS = frozenset({"none", "random"})

# The environment variable of each FaultConfig field; CLI flags use the same names (see __main__).
ENV_VARS: dict[str, str] = {
    "throttle_rate": "BEDROCK_EMULATOR_THROTTLE_RATE",
    "server_error_rate": "BEDROCK_EMULATOR_5XX_RATE",
    "model_timeout_rate": "BEDROCK_EMULATOR_MODEL_TIMEOUT_RATE",
    "malformed_rate": "BEDROCK_EMULATOR_MALFORMED_RATE",
    "latency_ms": "BEDROCK_EMULATOR_LATENCY_MS",
    "latency_jitter_ms": "BEDROCK_EMULATOR_LATENCY_JITTER_MS",
    "requests_per_minute": "BEDROCK_EMULATOR_RPM",
    "seed": "BEDROCK_EMULATOR_SEED",
}


class FaultConfigError(ValueError):
    """A fault setting is out of range or not a number; the message names the setting."""


class FaultConfig(BaseModel):
    """Which share of Converse calls fail and how, plus added latency and a requests-per-minute quota.

    The four rates are shares of all validated calls and may add up to at most 1. ``seed`` makes the
    sequence of faults reproducible; ``None`` seeds from the operating system.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    throttle_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    server_error_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    model_timeout_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    malformed_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    latency_ms: int = Field(default=0, ge=0, le=600_000)
    latency_jitter_ms: int = Field(default=0, ge=0, le=600_000)
    requests_per_minute: int | None = Field(default=None, ge=1)
    seed: int | None = 0

    @model_validator(mode="after")
    def _rates_fit(self) -> FaultConfig:
        if self.total_fault_rate > 1.0 + _RATE_TOLERANCE:
            raise ValueError("throttle, 5xx, model timeout and malformed rates must add up to at most 1")
        return self

    @property
    def total_fault_rate(self) -> float:
        return self.throttle_rate + self.server_error_rate + self.model_timeout_rate + self.malformed_rate

    @classmethod
    def build(cls, values: Mapping[str, Any]) -> FaultConfig:
        """Validate settings, raising FaultConfigError with every bad setting named."""
        try:
            return cls.model_validate(dict(values))
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(str(part) for part in problem['loc']) or 'faults'}: {problem['msg']}"
                for problem in error.errors(include_url=False)
            )
            raise FaultConfigError(f"invalid fault configuration: {problems}") from error

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> FaultConfig:
        """Settings from the ``BEDROCK_EMULATOR_*`` variables; keyword overrides win over them."""
        source = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for name, variable in ENV_VARS.items():
            raw = source.get(variable, "").strip()
            if raw:
                values[name] = parse_setting(name, raw, variable)
        values.update(overrides)
        return cls.build(values)


def parse_setting(name: str, raw: str, label: str) -> object:
    """One setting from its text form: ``0``/``none``/``unlimited`` lift the quota, ``random`` unseeds."""
    word = raw.strip().lower()
    if name == "requests_per_minute" and word in _UNLIMITED_WORDS:
        return None
    if name == "seed" and word in _RANDOM_SEED_WORDS:
        return None
    try:
        return (
            int(word)
            if name in {"latency_ms", "latency_jitter_ms", "requests_per_minute", "seed"}
            else float(word)
        )
    except ValueError as error:
        raise FaultConfigError(f"invalid fault configuration: {label}: not a number") from error


class Outcome(StrEnum):
    """What happens to one validated call."""

    ANSWER = "answer"
    THROTTLE = "throttle"
    SERVER_ERROR = "server_error"
    MODEL_TIMEOUT = "model_timeout"
    MALFORMED = "malformed"


class MalformedKind(StrEnum):
    """The ways an injected answer is unusable as an edit set."""

    INVALID_JSON = "invalid_json"
    WRONG_TYPES = "wrong_types"
    EXTRA_FIELD = "extra_field"
    NOT_AN_OBJECT = "not_an_object"
    EMPTY_INPUT = "empty_input"
    TEXT_ONLY = "text_only"
    TRUNCATED = "truncated"


SERVER_ERROR_CODES = (ErrorCode.SERVICE_UNAVAILABLE, ErrorCode.INTERNAL_SERVER)


@dataclass(frozen=True)
class FaultDecision:
    """The fate of one call, drawn up front so that a seed fixes the whole sequence."""

    outcome: Outcome
    latency_seconds: float
    malformed_kind: MalformedKind
    server_error: ErrorCode


class FaultPlan:
    """Draws a FaultDecision per call from a seeded RNG; every call consumes the same number of draws."""

    def __init__(self, config: FaultConfig) -> None:
        self._config = config
        # Fault injection wants reproducibility, not unpredictability.
        self._random = random.Random(config.seed)  # noqa: S311
        self._lock = threading.Lock()

    def next_decision(self) -> FaultDecision:
        with self._lock:
            outcome_draw, latency_draw, kind_draw, error_draw = (self._random.random() for _ in range(4))
        config = self._config
        bands = (
            (Outcome.THROTTLE, config.throttle_rate),
            (Outcome.SERVER_ERROR, config.server_error_rate),
            (Outcome.MODEL_TIMEOUT, config.model_timeout_rate),
            (Outcome.MALFORMED, config.malformed_rate),
        )
        outcome, ceiling = Outcome.ANSWER, 0.0
        for candidate, rate in bands:
            ceiling += rate
            if outcome_draw < ceiling:
                outcome = candidate
                break
        jitter = (2.0 * latency_draw - 1.0) * config.latency_jitter_ms
        kinds = list(MalformedKind)
        return FaultDecision(
            outcome=outcome,
            latency_seconds=max(0.0, config.latency_ms + jitter) / 1000.0,
            malformed_kind=kinds[min(int(kind_draw * len(kinds)), len(kinds) - 1)],
            server_error=SERVER_ERROR_CODES[min(int(error_draw * len(SERVER_ERROR_CODES)), 1)],
        )


class QuotaWindow:
    """A sliding-window requests-per-minute quota shared by every model; None means unlimited."""

    def __init__(
        self,
        limit: int | None,
        clock: Callable[[], float] = time.monotonic,
        window_seconds: float = QUOTA_WINDOW_SECONDS,
    ) -> None:
        self._limit = limit
        self._clock = clock
        self._window = window_seconds
        self._admitted: deque[float] = deque()
        self._lock = threading.Lock()

    @property
    def limit(self) -> int | None:
        return self._limit

    def set_limit(self, limit: int | None) -> None:
        """Change the quota; calls already admitted keep counting until they leave the window."""
        with self._lock:
            self._limit = limit

    def try_acquire(self) -> bool:
        """Admit one call when fewer than ``limit`` were admitted in the last window."""
        with self._lock:
            now = self._clock()
            while self._admitted and self._admitted[0] <= now - self._window:
                self._admitted.popleft()
            if self._limit is not None and len(self._admitted) >= self._limit:
                return False
            self._admitted.append(now)
            return True

    def in_window(self) -> int:
        with self._lock:
            now = self._clock()
            return sum(1 for admitted in self._admitted if admitted > now - self._window)
