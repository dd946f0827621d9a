"""The environment the handlers run in: the only thing that differs between the local stack and AWS.

The handlers read their names and settings from environment variables (set by the CDK stack on AWS) and
their endpoints from boto3's standard ``AWS_ENDPOINT_URL_<SERVICE>`` variables. The local stack sets the
same variables in this process before it imports the handlers, and restores the previous values on stop.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from typing import Final

from careervp import constants
from local_stack.config import LOCAL_ACCESS_KEY_ID, LOCAL_SECRET_ACCESS_KEY, LocalStackConfig
from local_stack.provision import LocalResources

# Variables that would send the handlers somewhere else than the local endpoints.
_CLEARED: Final = (
    "AWS_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
)


def handler_environment(
    config: LocalStackConfig, resources: LocalResources, *, aws_url: str, bedrock_url: str
) -> dict[str, str]:
    """Both functions' variables (as the CDK stack sets them), plus the local endpoints and credentials."""
    return {
        # What Lambda itself provides.
        "AWS_ACCESS_KEY_ID": LOCAL_ACCESS_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": LOCAL_SECRET_ACCESS_KEY,
        "AWS_DEFAULT_REGION": config.region,
        "AWS_REGION": config.region,
        # The local endpoints, through boto3's own variables.
        "AWS_ENDPOINT_URL_DYNAMODB": aws_url,
        "AWS_ENDPOINT_URL_SQS": aws_url,
        "AWS_ENDPOINT_URL_EVENTBRIDGE": aws_url,  # boto3 names it after the service id, EventBridge
        "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": bedrock_url,
        # What the CDK stack sets on the functions.
        "POWERTOOLS_SERVICE_NAME": constants.POWERTOOLS_SERVICE_NAME,
        "POWERTOOLS_METRICS_NAMESPACE": constants.METRICS_NAMESPACE,
        "POWERTOOLS_TRACE_DISABLED": "true",  # no X-Ray daemon locally
        "LOG_LEVEL": config.log_level,
        "PYDANTIC_DISABLE_PLUGINS": constants.PYDANTIC_DISABLE_PLUGINS,
        "TABLE_NAME": resources.table_name,
        "QUEUE_URL": resources.queue_url,
        "JOB_TTL_DAYS": str(constants.JOB_TTL_DAYS),
        "EVENT_BUS_NAME": resources.event_bus_name,
        "MODEL_ID": constants.MODEL_ID,
        "FALLBACK_MODEL_ID": constants.FALLBACK_MODEL_ID,
        "MAX_RECEIVE_COUNT": str(constants.MAX_RECEIVE_COUNT),
    }


class ProcessEnvironment:
    """Sets variables in ``os.environ`` and puts the previous values back."""

    def __init__(self) -> None:
        self._saved: dict[str, str | None] | None = None

    def apply(self, values: Mapping[str, str]) -> None:
        if self._saved is not None:
            raise RuntimeError("the handler environment is already applied")
        names = [*values, *_CLEARED]
        self._saved = {name: os.environ.get(name) for name in names}
        for name in _CLEARED:
            os.environ.pop(name, None)
        os.environ.update(values)

    def restore(self) -> None:
        saved, self._saved = self._saved, None
        if saved is None:
            return
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def reset_handler_caches() -> None:
    """Forget the clients, settings and ports the handler modules built (a cold start, as in a new container).

    They are cached per process on purpose; here the process outlives one configuration.
    """
    aws = importlib.import_module("shared.clients.aws")
    for factory_name in ("dynamodb_client", "sqs_client", "events_client", "bedrock_runtime_client"):
        getattr(aws, factory_name).cache_clear()
    importlib.import_module("shared.settings").clear_settings_cache()
    api_dependencies = importlib.import_module("api.dependencies")
    api_dependencies.clear_port_cache()
    # A new container reads the wall clock (the stack hands its own clock in after this reset).
    api_dependencies.providers.clock = importlib.import_module("shared.clock").utc_now
    importlib.import_module("worker.dependencies").job_processor.cache_clear()
