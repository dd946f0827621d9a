"""Integration tier: real adapters against moto's in-process AWS."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from moto import mock_aws

from tests.support.aws import AwsResources, provision


@pytest.fixture
def aws_resources() -> Iterator[AwsResources]:
    with mock_aws():
        yield provision()
