"""The CVTailor worker's configuration, read from its environment."""

from __future__ import annotations

from pydantic import Field

from shared.settings import HandlerSettings

HAIKU_4_5_GLOBAL_PROFILE = "global.anthropic.claude-haiku-4-5-20251001-v1:0"
SONNET_4_5_GLOBAL_PROFILE = "global.anthropic.claude-sonnet-4-5-20250929-v1:0"


class WorkerSettings(HandlerSettings):
    table_name: str = Field(min_length=3)
    event_bus_name: str = Field(min_length=1)
    max_receive_count: int = Field(
        ge=1, le=1000, description="Must equal the queue's redrive maxReceiveCount."
    )
    model_id: str = Field(default=HAIKU_4_5_GLOBAL_PROFILE, min_length=1)
    fallback_model_id: str | None = SONNET_4_5_GLOBAL_PROFILE
    lease_seconds: int = Field(default=90, ge=61, le=900)
