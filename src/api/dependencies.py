"""What the routes need from outside: settings, the two ports and the clock.

Ports are built once per container from the settings, on first use (never at import). Tests swap any provider
on ``providers`` (e.g. ``monkeypatch.setattr(providers, "repository", lambda: fake)``). A plain provider
object, not Powertools ``Depends``: that resolves type hints on every request, which costs milliseconds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from api.settings import ApiSettings
from shared.clients.ports import JobQueue
from shared.clients.sqs_queue import SqsJobQueue
from shared.clock import Clock, utc_now
from shared.dal.dynamodb_jobs import DynamoDBJobRepository
from shared.dal.ports import JobRepository
from shared.settings import load_settings


def api_settings() -> ApiSettings:
    settings: ApiSettings = load_settings(ApiSettings)
    return settings


@cache
def _repository(table_name: str) -> DynamoDBJobRepository:
    return DynamoDBJobRepository(table_name)


@cache
def _queue(queue_url: str) -> SqsJobQueue:
    return SqsJobQueue(queue_url)


def dynamodb_job_repository() -> JobRepository:
    return _repository(api_settings().table_name)


def sqs_job_queue() -> JobQueue:
    return _queue(api_settings().queue_url)


@dataclass
class Providers:
    settings: Callable[[], ApiSettings] = api_settings
    repository: Callable[[], JobRepository] = dynamodb_job_repository
    queue: Callable[[], JobQueue] = sqs_job_queue
    clock: Clock = utc_now


providers = Providers()


def clear_port_cache() -> None:
    """Forget the built ports (tests change the environment and the AWS mock between cases)."""
    _repository.cache_clear()
    _queue.cache_clear()
