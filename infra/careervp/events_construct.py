"""The custom EventBridge bus that announces finished jobs, with an archive for replay."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_events as events
from constructs import Construct

from careervp import constants
from careervp.settings import DeploymentSettings


class JobEventsConstruct(Construct):
    """Bus for ``CV Tailoring Completed`` / ``CV Tailoring Failed`` events from ``careervp.cv-tailor``."""

    def __init__(self, scope: Construct, construct_id: str, *, settings: DeploymentSettings) -> None:
        super().__init__(scope, construct_id)
        names = settings.naming.service_names()
        self.bus = events.EventBus(self, "JobEventsBus", event_bus_name=names.event_bus)
        self.archive = self.bus.archive(
            "JobEventsArchive",
            archive_name=names.event_archive,
            description="Every CV tailoring outcome event, kept for replay to new or recovering subscribers.",
            event_pattern=events.EventPattern(
                source=[constants.EVENT_SOURCE],
                detail_type=[constants.DETAIL_TYPE_COMPLETED, constants.DETAIL_TYPE_FAILED],
            ),
            retention=Duration.days(constants.EVENT_ARCHIVE_RETENTION_DAYS),
        )
