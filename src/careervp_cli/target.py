"""Which stack the CLI talks to, and where its API, queues, table and bus are.

Each name comes from, in order: a flag, a ``CAREERVP_*`` environment variable, the deployed stack's
CloudFormation outputs (``--stack-name``, or ``--target aws`` with the stack named by ``--env``), or, for the
local stack (the default), the names ``make run`` provisions.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final, Literal

from careervp.constants import (
    OUTPUT_API_URL,
    OUTPUT_DLQ_URL,
    OUTPUT_EVENT_BUS_NAME,
    OUTPUT_QUEUE_URL,
    OUTPUT_TABLE_NAME,
)
from careervp.naming_utils import NamingUtils
from local_stack.config import DEMO_ACCESS_KEY_ID, DEMO_SECRET_ACCESS_KEY, LocalStackConfig

TargetKind = Literal["local", "aws"]

# The CloudFormation output keys the stack publishes.

ENV_TARGET: Final = "CAREERVP_TARGET"
ENV_STACK_NAME: Final = "CAREERVP_STACK_NAME"
ENV_DEPLOY_ENV: Final = "CAREERVP_ENV"
ENV_API_URL: Final = "CAREERVP_API_URL"
ENV_ENDPOINT_URL: Final = "CAREERVP_AWS_ENDPOINT_URL"
ENV_QUEUE_URL: Final = "CAREERVP_QUEUE_URL"
ENV_DLQ_URL: Final = "CAREERVP_DLQ_URL"
ENV_TABLE_NAME: Final = "CAREERVP_TABLE_NAME"
ENV_EVENT_BUS_NAME: Final = "CAREERVP_EVENT_BUS_NAME"
ENV_EVENTS_QUEUE_URL: Final = "CAREERVP_EVENTS_QUEUE_URL"

# The local stack signs nothing it verifies; with no credentials configured, the CLI signs as the demo caller.
LOCAL_FALLBACK_ACCESS_KEY_ID: Final = DEMO_ACCESS_KEY_ID
LOCAL_FALLBACK_SECRET_ACCESS_KEY: Final = DEMO_SECRET_ACCESS_KEY


class TargetError(Exception):
    """A name the CLI needs is known from no flag, variable or stack output."""


@dataclass(frozen=True)
class TargetOptions:
    """What the user passed (None when not given)."""

    target: TargetKind | None = None
    stack_name: str | None = None
    deploy_env: str | None = None
    region: str | None = None
    profile: str | None = None
    api_url: str | None = None
    endpoint_url: str | None = None
    queue_url: str | None = None
    dlq_url: str | None = None
    table_name: str | None = None
    event_bus_name: str | None = None
    events_queue_url: str | None = None


@dataclass(frozen=True)
class ResourceName:
    """A queue known by URL, or by name (resolved with GetQueueUrl when used)."""

    url: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class Target:
    kind: TargetKind
    region: str | None
    profile: str | None
    endpoint_url: str | None
    api_url: str | None
    queue: ResourceName
    dead_letter_queue: ResourceName
    events_queue: ResourceName | None
    table_name: str | None
    event_bus_name: str | None
    stack_name: str | None

    def require(self, label: str, value: str | None) -> str:
        if value:
            return value
        hint = (
            f"pass it as a flag or set its CAREERVP_* variable, or publish it as an output of stack "
            f"{self.stack_name}"
            if self.kind == "aws"
            else "pass it as a flag or set its CAREERVP_* variable"
        )
        raise TargetError(f"the {label} is not known: {hint}")


def resolve_target(
    options: TargetOptions,
    stack_outputs: Callable[[str], Mapping[str, str]],
    environ: Mapping[str, str] | None = None,
) -> Target:
    """The target from flags, then environment, then stack outputs or local defaults.

    ``stack_outputs(stack_name)`` is called only for a deployed stack, and only when a name is missing.
    """
    env = os.environ if environ is None else environ

    def pick(flag: str | None, variable: str) -> str | None:
        return flag or env.get(variable) or None

    stack_name = pick(options.stack_name, ENV_STACK_NAME)
    kind_text = options.target or env.get(ENV_TARGET) or ("aws" if stack_name else "local")
    if kind_text not in {"local", "aws"}:
        raise TargetError(f"{ENV_TARGET} must be 'local' or 'aws', got {kind_text!r}")
    kind: TargetKind = "aws" if kind_text == "aws" else "local"
    api_url = pick(options.api_url, ENV_API_URL)
    queue_url = pick(options.queue_url, ENV_QUEUE_URL)
    dlq_url = pick(options.dlq_url, ENV_DLQ_URL)
    table_name = pick(options.table_name, ENV_TABLE_NAME)
    bus_name = pick(options.event_bus_name, ENV_EVENT_BUS_NAME)
    events_queue_url = pick(options.events_queue_url, ENV_EVENTS_QUEUE_URL)
    endpoint_url = pick(options.endpoint_url, ENV_ENDPOINT_URL)

    if kind == "local":
        local = LocalStackConfig.from_environment(env)
        names = local.names
        return Target(
            kind="local",
            region=options.region or local.region,
            profile=options.profile,
            endpoint_url=endpoint_url or local.url(local.aws_port),
            api_url=api_url or local.url(local.api_port),
            queue=ResourceName(url=queue_url, name=names.queue),
            dead_letter_queue=ResourceName(url=dlq_url, name=names.dead_letter_queue),
            events_queue=ResourceName(url=events_queue_url, name=local.events_queue_name),
            table_name=table_name or names.table,
            event_bus_name=bus_name or names.event_bus,
            stack_name=None,
        )

    deploy_env = pick(options.deploy_env, ENV_DEPLOY_ENV)
    stack = stack_name or NamingUtils(**({"env": deploy_env} if deploy_env else {})).stack_name()
    outputs: Mapping[str, str] = {}
    if not all((api_url, queue_url, dlq_url, table_name, bus_name)):
        outputs = stack_outputs(stack)
    return Target(
        kind="aws",
        region=options.region,
        profile=options.profile,
        endpoint_url=endpoint_url,
        api_url=api_url or outputs.get(OUTPUT_API_URL),
        queue=ResourceName(url=queue_url or outputs.get(OUTPUT_QUEUE_URL)),
        dead_letter_queue=ResourceName(url=dlq_url or outputs.get(OUTPUT_DLQ_URL)),
        events_queue=ResourceName(url=events_queue_url) if events_queue_url else None,
        table_name=table_name or outputs.get(OUTPUT_TABLE_NAME),
        event_bus_name=bus_name or outputs.get(OUTPUT_EVENT_BUS_NAME),
        stack_name=stack,
    )
