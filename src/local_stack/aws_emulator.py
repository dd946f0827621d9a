"""moto's server in a thread: DynamoDB, SQS and EventBridge over HTTP on one port.

moto keeps its state in module-level backends, so there is one emulated AWS per process: starting the
emulator resets that state, and two local stacks must not run in the same process at once.
"""

from __future__ import annotations

import logging
import threading
import urllib.request
from typing import Any

from moto.server import ThreadedMotoServer

from local_stack.config import DEFAULT_HOST

_RESET_PATH = "/moto-api/reset"
_WERKZEUG_LOGGER = "werkzeug"


class EmulatorStartError(OSError):
    """The emulator could not listen (most often: the port is taken)."""


class _QuietRequests(logging.Filter):
    """Drops werkzeug's per-request lines and the traceback of actions moto does not implement.

    The CLI probes SQS StartMessageMoveTask, which moto lacks, and falls back by itself; real errors stay.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return False
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, NotImplementedError)


_quiet_requests = _QuietRequests()


class _MotoServer(ThreadedMotoServer):
    """ThreadedMotoServer that reports a failed bind instead of waiting for it forever."""

    def __init__(self, ip_address: str, port: int) -> None:
        super().__init__(ip_address=ip_address, port=port, verbose=False)
        self.startup_error: OSError | None = None

    def _server_entry(self) -> None:
        try:
            super()._server_entry()
        except OSError as error:
            self.startup_error = error
            self._server_ready_event.set()

    @property
    def server(self) -> Any:
        return self._server


class AwsEmulator:
    """DynamoDB, SQS and EventBridge on ``host:port`` (port 0 picks a free one)."""

    def __init__(self, host: str = DEFAULT_HOST, port: int = 0) -> None:
        self._host = host
        self._port = port
        self._server: _MotoServer | None = None
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the AWS emulator is not running")
        host, port = self._server.get_host_and_port()
        return f"http://{host}:{port}"

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the AWS emulator is not running")
        return int(self._server.get_host_and_port()[1])

    def start(self) -> None:
        with self._lock:
            if self._server is not None:
                return
            logging.getLogger(_WERKZEUG_LOGGER).addFilter(_quiet_requests)
            server = _MotoServer(self._host, self._port)
            server.start()
            if server.startup_error is not None:
                raise EmulatorStartError(
                    f"the AWS emulator cannot listen on {self._host}:{self._port}: {server.startup_error}"
                ) from server.startup_error
            self._server = server
        self.reset()

    def reset(self) -> None:
        """Forget every table, queue, bus and message."""
        request = urllib.request.Request(self.url + _RESET_PATH, method="POST")  # noqa: S310 (http://host)
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            response.read()

    def stop(self) -> None:
        """Stop serving, join the thread and close the listening socket, so the port is free again."""
        with self._lock:
            server, self._server = self._server, None
        if server is None:
            return
        server.stop()
        wsgi_server = server.server
        if wsgi_server is not None:
            wsgi_server.server_close()
