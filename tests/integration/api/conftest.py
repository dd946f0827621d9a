"""The API Lambda against moto: real DynamoDBJobRepository and SqsJobQueue, fresh resources per test."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest

from api.dependencies import clear_port_cache
from tests.support.aws import AwsResources
from tests.unit.api.harness import set_api_environment


@pytest.fixture
def api_on_moto(aws_resources: AwsResources, monkeypatch: pytest.MonkeyPatch) -> Iterator[AwsResources]:
    """The handler configured for moto's table and queue, with no port built by an earlier test."""
    set_api_environment(monkeypatch, table=aws_resources.table_name, queue=aws_resources.queue_url)
    clear_port_cache()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="No application metrics to publish")
        yield aws_resources
    clear_port_cache()
