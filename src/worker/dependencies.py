"""Builds the worker's use case from its settings, once per container."""

from __future__ import annotations

from functools import cache

from shared.clients.bedrock import BedrockModelClient
from shared.clients.eventbridge import EventBridgePublisher
from shared.clock import utc_now
from shared.dal.dynamodb_jobs import DynamoDBJobRepository
from shared.logic.tailoring_job import TailoringJobConfig, TailoringJobPorts, TailoringJobProcessor
from shared.settings import load_settings
from worker.settings import WorkerSettings


@cache
def job_processor() -> TailoringJobProcessor:
    settings = load_settings(WorkerSettings)
    return TailoringJobProcessor(
        ports=TailoringJobPorts(
            repository=DynamoDBJobRepository(settings.table_name),
            publisher=EventBridgePublisher(settings.event_bus_name),
            model=BedrockModelClient(),
        ),
        config=TailoringJobConfig(
            model_id=settings.model_id,
            fallback_model_id=settings.fallback_model_id,
            max_receive_count=settings.max_receive_count,
            lease_seconds=settings.lease_seconds,
        ),
        clock=utc_now,
    )
