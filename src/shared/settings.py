"""Handler configuration: one pydantic model per handler, read from the environment and validated once.

Each field is read from the environment variable of the same name in upper case (``table_name`` from
``TABLE_NAME``). A plain model over ``os.environ`` does this without pydantic-settings, whose import
(dotenv, argparse and its cloud-secret sources) cost the handlers' cold starts 20 to 40 ms for a few strings.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping
from typing import ParamSpec, Self, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

P = ParamSpec("P")
R = TypeVar("R")
SettingsT = TypeVar("SettingsT", bound="HandlerSettings")


class ConfigurationError(RuntimeError):
    """The function's environment is incomplete or invalid; the message names each bad variable."""


class HandlerSettings(BaseModel):
    """Base of the handlers' settings: each field is read from the upper-case variable of its name."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    @classmethod
    def from_environment(cls, environment: Mapping[str, str] | None = None) -> Self:
        """Validate the variables this model names; any other variable is ignored."""
        source = os.environ if environment is None else environment
        values = {name: source[name.upper()] for name in cls.model_fields if name.upper() in source}
        return cls.model_validate(values)


@functools.cache
def load_settings(model: type[SettingsT]) -> SettingsT:
    """The validated settings, read from the environment once per process."""
    try:
        return model.from_environment()
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
