"""Deployment settings read from CDK context, validated before any construct is built."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from careervp import constants
from careervp.naming_utils import NamingError, NamingUtils

CONTEXT_ENV: Final = "env"
CONTEXT_ALLOWED_ORIGINS: Final = "allowed_origins"
CONTEXT_WORKER_MAX_CONCURRENCY: Final = "worker_max_concurrency"
CONTEXT_ALARM_EMAIL: Final = "alarm_email"
CONTEXT_LAMBDA_ASSET_DIR: Final = "lambda_asset_dir"
CONTEXT_LOG_LEVEL: Final = "log_level"

_ORIGIN = re.compile(r"^(\*|https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?)$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LOG_LEVELS: Final = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

ContextLookup = Callable[[str], object]


class ContextValueError(ValueError):
    """A CDK context value that the stack cannot use; the message names the key."""


@dataclass(frozen=True)
class DeploymentSettings:
    """What varies between deployments of the same stack."""

    env_name: str
    allowed_origins: tuple[str, ...]
    worker_max_concurrency: int
    alarm_email: str | None
    lambda_asset_dir: Path
    log_level: str

    @property
    def naming(self) -> NamingUtils:
        return NamingUtils(env=self.env_name)

    @property
    def is_production(self) -> bool:
        return self.env_name == constants.PRODUCTION_ENV

    @classmethod
    def from_context(cls, lookup: ContextLookup) -> DeploymentSettings:
        """Read and validate every context value; ``lookup`` is ``node.try_get_context``."""
        env_name = _text(lookup, CONTEXT_ENV) or constants.DEFAULT_ENV
        try:
            NamingUtils(env=env_name)
        except NamingError as error:
            raise ContextValueError(f"context '{CONTEXT_ENV}': {error}") from error
        return cls(
            env_name=env_name,
            allowed_origins=_origins(lookup),
            worker_max_concurrency=_concurrency(lookup),
            alarm_email=_email(lookup),
            lambda_asset_dir=Path(
                _text(lookup, CONTEXT_LAMBDA_ASSET_DIR) or constants.DEFAULT_LAMBDA_ASSET_DIR
            ),
            log_level=_log_level(lookup),
        )


def _text(lookup: ContextLookup, key: str) -> str | None:
    value = lookup(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ContextValueError(f"context '{key}' must be a string, got {type(value).__name__}")
    return value.strip() or None


def _origins(lookup: ContextLookup) -> tuple[str, ...]:
    raw = lookup(CONTEXT_ALLOWED_ORIGINS)
    if raw is None:
        return constants.DEFAULT_ALLOWED_ORIGINS
    origins: list[str]
    if isinstance(raw, list):
        origins = [str(item).strip() for item in raw]
    elif isinstance(raw, str):
        # `-c allowed_origins=a,b` arrives as text; a JSON list is accepted as well.
        text = raw.strip()
        origins = [str(item) for item in json.loads(text)] if text.startswith("[") else text.split(",")
        origins = [origin.strip() for origin in origins]
    else:
        raise ContextValueError(f"context '{CONTEXT_ALLOWED_ORIGINS}' must be a list or comma-separated text")
    origins = [origin for origin in origins if origin]
    if not origins:
        raise ContextValueError(f"context '{CONTEXT_ALLOWED_ORIGINS}' names no origin")
    bad = [origin for origin in origins if not _ORIGIN.fullmatch(origin)]
    if bad:
        raise ContextValueError(
            f"context '{CONTEXT_ALLOWED_ORIGINS}': {bad} are not origins like https://app.example.com or *"
        )
    if "*" in origins and len(origins) > 1:
        raise ContextValueError(
            f"context '{CONTEXT_ALLOWED_ORIGINS}': '*' cannot be combined with other origins"
        )
    return tuple(origins)


def _concurrency(lookup: ContextLookup) -> int:
    raw = lookup(CONTEXT_WORKER_MAX_CONCURRENCY)
    if raw is None:
        return constants.DEFAULT_WORKER_MAX_CONCURRENCY
    try:
        value = int(str(raw))
    except ValueError as error:
        raise ContextValueError(f"context '{CONTEXT_WORKER_MAX_CONCURRENCY}' must be an integer") from error
    low, high = constants.MIN_WORKER_MAX_CONCURRENCY, constants.MAX_WORKER_MAX_CONCURRENCY
    if not low <= value <= high:
        raise ContextValueError(
            f"context '{CONTEXT_WORKER_MAX_CONCURRENCY}' must be in {low}..{high}, got {value}"
        )
    return value


def _email(lookup: ContextLookup) -> str | None:
    email = _text(lookup, CONTEXT_ALARM_EMAIL)
    if email is not None and not _EMAIL.fullmatch(email):
        raise ContextValueError(f"context '{CONTEXT_ALARM_EMAIL}' is not an email address")
    return email


def _log_level(lookup: ContextLookup) -> str:
    level = (_text(lookup, CONTEXT_LOG_LEVEL) or constants.DEFAULT_LOG_LEVEL).upper()
    if level not in _LOG_LEVELS:
        raise ContextValueError(f"context '{CONTEXT_LOG_LEVEL}' must be one of {', '.join(_LOG_LEVELS)}")
    return level
