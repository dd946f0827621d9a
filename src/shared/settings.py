"""Handler configuration: one pydantic settings model per handler, validated once, at the first invocation."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from pydantic import ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

P = ParamSpec("P")
R = TypeVar("R")
SettingsT = TypeVar("SettingsT", bound="HandlerSettings")


class ConfigurationError(RuntimeError):
    """The function's environment is incomplete or invalid; the message names each bad variable."""


class HandlerSettings(BaseSettings):
    """Base of the handlers' settings: read from environment variables named like the fields, upper case."""

    model_config = SettingsConfigDict(case_sensitive=False, frozen=True, extra="ignore")


@functools.cache
def load_settings(model: type[SettingsT]) -> SettingsT:
    """The validated settings, read from the environment once per process."""
    try:
        return model()
    except ValidationError as error:
        problems = "; ".join(
            f"{str(problem['loc'][0]).upper()}: {problem['msg']}"
            for problem in error.errors(include_url=False)
        )
        raise ConfigurationError(f"invalid environment for {model.__name__}: {problems}") from error


def with_settings(model: type[HandlerSettings]) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorator: validate the handler's settings before its first invocation runs."""

    def decorate(handler: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(handler)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            load_settings(model)
            return handler(*args, **kwargs)

        return wrapper

    return decorate


def clear_settings_cache() -> None:
    """Forget loaded settings (tests change the environment between cases)."""
    load_settings.cache_clear()


__all__ = ["ConfigurationError", "HandlerSettings", "clear_settings_cache", "load_settings", "with_settings"]
