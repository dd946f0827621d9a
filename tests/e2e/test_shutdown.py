"""Stopping the stack joins every thread, frees every port and restores the environment."""

from __future__ import annotations

import os
import socket
import threading
from dataclasses import replace

import pytest

from local_stack.stack import LocalStack
from tests.e2e.conftest import e2e_config

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")

_STACK_THREADS = ("local-api-gateway", "local-worker-runner", "bedrock-emulator")


def _port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def test_a_stopped_stack_leaves_no_thread_no_listening_port_and_no_environment_behind() -> None:
    # Given a running stack (on free ports) and the environment before it started
    before = dict(os.environ)
    stack = LocalStack(e2e_config())
    endpoints = stack.start()
    ports = [_port_of(url) for url in (endpoints.api_url, endpoints.aws_url, endpoints.bedrock_url)]
    assert os.environ["TABLE_NAME"] == endpoints.resources.table_name
    assert set(_STACK_THREADS) <= {thread.name for thread in threading.enumerate() if thread.is_alive()}

    # When it stops
    stack.stop()

    # Then its threads are gone
    alive = [thread.name for thread in threading.enumerate() if thread.name in _STACK_THREADS]
    assert alive == []
    # And each port can be bound again at once
    for port in ports:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(("127.0.0.1", port))
    # And the process environment is as it was
    assert dict(os.environ) == before


def test_a_stack_restarts_on_the_ports_it_just_released() -> None:
    # Given a stack that ran and stopped on some ports
    first = LocalStack(e2e_config())
    endpoints = first.start()
    first.stop()
    ports = {url: _port_of(url) for url in (endpoints.api_url, endpoints.aws_url, endpoints.bedrock_url)}

    # When a new stack starts on exactly those ports
    config = e2e_config()
    again = LocalStack(
        replace(
            config,
            api_port=ports[endpoints.api_url],
            aws_port=ports[endpoints.aws_url],
            bedrock_port=ports[endpoints.bedrock_url],
        )
    )
    try:
        restarted = again.start()

        # Then it serves there
        assert restarted.api_url == endpoints.api_url
        assert restarted.aws_url == endpoints.aws_url
    finally:
        again.stop()
