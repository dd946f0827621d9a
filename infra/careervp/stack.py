"""The CV tailoring stack: table, bus, queue-driven worker, API and monitoring."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Stack, Tags
from constructs import Construct

from careervp import constants
from careervp.api_construct import ApiConstruct
from careervp.events_construct import JobEventsConstruct
from careervp.monitoring_construct import MonitoringConstruct
from careervp.settings import DeploymentSettings
from careervp.table_construct import JobsTableConstruct
from careervp.worker_construct import WorkerConstruct


class CvTailorStack(Stack):
    """Asynchronous CV tailoring: POST a job, a queue-driven worker tailors it, an event announces it."""

    def __init__(
        self, scope: Construct, construct_id: str, *, settings: DeploymentSettings, **kwargs: Any
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            stack_name=settings.naming.service_names().stack,
            description="CareerVP CV tailoring: API, queue-driven Bedrock worker, jobs table, events",
            termination_protection=settings.is_production,
            **kwargs,
        )
        Tags.of(self).add("project", constants.DEFAULT_PREFIX)
        Tags.of(self).add("service", constants.CV_TAILOR_FEATURE)
        Tags.of(self).add("environment", settings.env_name)

        self.jobs = JobsTableConstruct(self, "Jobs", settings=settings)
        self.events = JobEventsConstruct(self, "Events", settings=settings)
        self.worker = WorkerConstruct(
            self, "Worker", settings=settings, table=self.jobs.table, bus=self.events.bus
        )
        self.api = ApiConstruct(
            self, "Api", settings=settings, table=self.jobs.table, queue=self.worker.queue
        )
        self.monitoring = MonitoringConstruct(
            self,
            "Monitoring",
            settings=settings,
            rest_api=self.api.rest_api,
            api_function=self.api.function,
            worker_function=self.worker.function,
            queue=self.worker.queue,
            dead_letter_queue=self.worker.dead_letter_queue,
        )
        self._build_outputs()

    def _build_outputs(self) -> None:
        """What the careervp CLI reads to operate this stack (``--stack-name``)."""
        outputs = {
            constants.OUTPUT_API_URL: (self.api.rest_api.url, "Base URL of the API stage"),
            constants.OUTPUT_QUEUE_URL: (self.worker.queue.queue_url, "The jobs queue"),
            constants.OUTPUT_DLQ_URL: (self.worker.dead_letter_queue.queue_url, "The jobs dead-letter queue"),
            constants.OUTPUT_TABLE_NAME: (self.jobs.table.table_name, "The jobs table"),
            constants.OUTPUT_EVENT_BUS_NAME: (self.events.bus.event_bus_name, "The outcome events bus"),
        }
        for key, (value, description) in outputs.items():
            CfnOutput(self, key, value=value, description=description)
