"""The API Lambda's configuration, read from its environment and validated at cold start."""

from __future__ import annotations

from pydantic import Field

from shared.settings import HandlerSettings

DEFAULT_JOB_TTL_DAYS = 7


class ApiSettings(HandlerSettings):
    table_name: str = Field(min_length=3, description="DynamoDB table holding the jobs.")
    queue_url: str = Field(min_length=1, description="URL of the SQS queue the worker reads.")
    job_ttl_days: int = Field(
        default=DEFAULT_JOB_TTL_DAYS,
        ge=1,
        le=365,
        description="Days a job (and its Idempotency-Key) is kept before DynamoDB TTL removes it.",
    )
    allowed_origins: str = Field(
        default="*",
        description="Comma-separated origins a browser may read responses from (CORS); '*' allows any.",
    )

    @property
    def allowed_origin_list(self) -> tuple[str, ...]:
        return tuple(origin.strip() for origin in self.allowed_origins.split(",") if origin.strip())
