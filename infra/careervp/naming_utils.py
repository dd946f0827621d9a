"""The naming scheme of every AWS resource in the stack.

Scheme: ``{prefix}-{feature}-{kind}-{env}``, e.g. ``careervp-cv-tailor-lambda-dev``; a Lambda log group is
``/aws/lambda/{function name}``. Pure Python: the local emulator stack builds the same names from here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from careervp import constants

KEBAB_CASE: Final = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
MAX_ENV_LENGTH: Final = 12  # characters; keeps every name under the 64-character Lambda limit


class NamingError(ValueError):
    """A prefix, env or feature that the naming scheme cannot use."""


@dataclass(frozen=True)
class ServiceNames:
    """Every AWS resource name of the CV tailoring service for one prefix and env."""

    stack: str
    worker_function: str
    worker_log_group: str
    api_function: str
    api_log_group: str
    rest_api: str
    api_access_log_group: str
    queue: str
    dead_letter_queue: str
    table: str
    event_bus: str
    event_archive: str
    alarm_topic: str
    dashboard: str
    alarms: dict[str, str]

    def as_dict(self) -> dict[str, str]:
        """Flat mapping of label to name, alarms included (labelled ``alarm:<short name>``)."""
        flat = {key: value for key, value in vars(self).items() if isinstance(value, str)}
        flat.update({f"alarm:{short}": name for short, name in self.alarms.items()})
        return flat


@dataclass(frozen=True)
class NamingUtils:
    """Builds resource names as ``{prefix}-{feature}-{kind}-{env}``."""

    env: str = constants.DEFAULT_ENV
    prefix: str = constants.DEFAULT_PREFIX

    def __post_init__(self) -> None:
        _require_kebab("prefix", self.prefix)
        _require_kebab("env", self.env)
        if len(self.env) > MAX_ENV_LENGTH:
            raise NamingError(f"env {self.env!r} is longer than {MAX_ENV_LENGTH} characters")

    def resource_name(self, feature: str, kind: str) -> str:
        _require_kebab("feature", feature)
        _require_kebab("kind", kind)
        return f"{self.prefix}-{feature}-{kind}-{self.env}"

    def stack_name(self, feature: str = constants.CV_TAILOR_FEATURE) -> str:
        return self.resource_name(feature, "stack")

    def lambda_name(self, feature: str) -> str:
        return self.resource_name(feature, "lambda")

    @staticmethod
    def lambda_log_group_name(function_name: str) -> str:
        return f"/aws/lambda/{function_name}"

    def rest_api_name(self, feature: str) -> str:
        return self.resource_name(feature, "api")

    def api_access_log_group_name(self, feature: str) -> str:
        return f"/aws/apigateway/{self.rest_api_name(feature)}/access-logs"

    def queue_name(self, feature: str) -> str:
        return self.resource_name(feature, "queue")

    def dlq_name(self, feature: str) -> str:
        return self.resource_name(feature, "dlq")

    def table_name(self, feature: str) -> str:
        return self.resource_name(feature, "table")

    def event_bus_name(self, feature: str) -> str:
        return self.resource_name(feature, "bus")

    def event_archive_name(self, feature: str) -> str:
        return self.resource_name(feature, "archive")

    def topic_name(self, feature: str) -> str:
        return self.resource_name(feature, "topic")

    def dashboard_name(self, feature: str) -> str:
        return self.resource_name(feature, "dashboard")

    def alarm_name(self, alarm: str) -> str:
        return self.resource_name(alarm, "alarm")

    def service_names(self) -> ServiceNames:
        """All names of the CV tailoring service: the stack, the local emulator and the validator use it."""
        worker_function = self.lambda_name(constants.CV_TAILOR_FEATURE)
        api_function = self.lambda_name(constants.CV_TAILOR_API_FEATURE)
        alarms = (
            constants.ERRORS_ALARM,
            constants.DURATION_ALARM,
            constants.DLQ_DEPTH_ALARM,
            constants.QUEUE_AGE_ALARM,
            constants.API_5XX_ALARM,
            constants.WORKER_THROTTLES_ALARM,
            constants.MODEL_THROTTLED_ALARM,
        )
        return ServiceNames(
            stack=self.stack_name(),
            worker_function=worker_function,
            worker_log_group=self.lambda_log_group_name(worker_function),
            api_function=api_function,
            api_log_group=self.lambda_log_group_name(api_function),
            rest_api=self.rest_api_name(constants.CV_TAILOR_FEATURE),
            api_access_log_group=self.api_access_log_group_name(constants.CV_TAILOR_FEATURE),
            queue=self.queue_name(constants.CV_TAILOR_FEATURE),
            dead_letter_queue=self.dlq_name(constants.CV_TAILOR_FEATURE),
            table=self.table_name(constants.TABLE_FEATURE),
            event_bus=self.event_bus_name(constants.CV_TAILOR_FEATURE),
            event_archive=self.event_archive_name(constants.CV_TAILOR_FEATURE),
            alarm_topic=self.topic_name(constants.CV_TAILOR_ALARMS_FEATURE),
            dashboard=self.dashboard_name(constants.CV_TAILOR_FEATURE),
            alarms={alarm: self.alarm_name(alarm) for alarm in alarms},
        )


def _require_kebab(label: str, value: str) -> None:
    if not KEBAB_CASE.fullmatch(value):
        raise NamingError(
            f"{label} {value!r} is not kebab-case (lowercase letters, digits and single hyphens)"
        )
