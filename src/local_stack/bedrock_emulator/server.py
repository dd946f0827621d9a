"""The HTTP side: a ThreadingHTTPServer in a background thread serving Converse and a small control API."""

from __future__ import annotations

import contextlib
import re
import socket
import threading
import time
from collections.abc import Callable
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, cast
from urllib.parse import unquote, urlsplit

from pydantic import ValidationError

from local_stack.bedrock_emulator.faults import FaultConfig
from local_stack.bedrock_emulator.service import ConverseService, EmulatorStats, logger
from local_stack.bedrock_emulator.wire import (
    MAX_BODY_BYTES,
    BedrockApiError,
    ErrorCode,
    HttpReply,
    error_reply,
    json_reply,
)
from shared.clock import utc_today

CONTROL_PREFIX = "/_emulator"
_MODEL_ROUTE_RE = re.compile(r"/model/(?P<model_id>[^/]+)/(?P<operation>[a-z-]+)")
_IDLE_CONNECTION_SECONDS = 30
_STOP_TIMEOUT_SECONDS = 5.0
_MAX_LINE_BYTES = 65_537


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], service: ConverseService) -> None:
        self.service = service
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up mid-answer is routine here; socketserver would print a traceback.
        logger.debug("connection ended with an error", extra={"client": str(client_address)})

    def close_connections(self) -> None:
        with self.connections_lock:
            open_connections = list(self.connections)
        for connection in open_connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "bedrock-emulator"
    timeout = _IDLE_CONNECTION_SECONDS

    @property
    def _server(self) -> _Server:
        return cast(_Server, self.server)

    def setup(self) -> None:
        super().setup()
        with self._server.connections_lock:
            self._server.connections.add(self.connection)

    def finish(self) -> None:
        with self._server.connections_lock:
            self._server.connections.discard(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: http.server would write every request line to stderr."""

    def _too_large(self) -> BedrockApiError:
        self.close_connection = True
        return BedrockApiError(ErrorCode.VALIDATION, "The request body is too large.")

    def _chunked_body(self) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            size_line = self.rfile.readline(_MAX_LINE_BYTES).split(b";", 1)[0].strip()
            try:
                size = int(size_line, 16)
            except ValueError as error:
                self.close_connection = True
                raise BedrockApiError(
                    ErrorCode.VALIDATION, "The chunked request body is malformed."
                ) from error
            if size == 0:
                while self.rfile.readline(_MAX_LINE_BYTES).strip():
                    pass  # trailers
                return b"".join(chunks)
            total += size
            if total > MAX_BODY_BYTES:
                raise self._too_large()
            chunks.append(self.rfile.read(size))
            self.rfile.readline(_MAX_LINE_BYTES)

    def _body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._chunked_body()
        length = self.headers.get("Content-Length")
        size = int(length) if length and length.isdigit() else 0
        if size > MAX_BODY_BYTES:
            raise self._too_large()
        return self.rfile.read(size) if size else b""

    def _send(self, reply: HttpReply) -> None:
        try:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
        except OSError:
            self.close_connection = True

    def _route(self, method: str) -> None:
        path = urlsplit(self.path).path
        try:
            body = self._body()
            if path.startswith(CONTROL_PREFIX):
                reply = _control(self._server.service, method, path[len(CONTROL_PREFIX) :], body)
            else:
                reply = _model_route(self._server.service, method, path, body)
        except BedrockApiError as error:
            reply = error_reply(error)
        self._send(reply)

    def do_POST(self) -> None:
        self._route("POST")

    def do_GET(self) -> None:
        self._route("GET")

    def do_PUT(self) -> None:
        self._route("PUT")

    def do_DELETE(self) -> None:
        self._route("DELETE")


def _unknown(method: str, path: str) -> BedrockApiError:
    return BedrockApiError(ErrorCode.UNKNOWN_OPERATION, f"The emulator does not serve {method} {path}.")


def _model_route(service: ConverseService, method: str, path: str, body: bytes) -> HttpReply:
    route = _MODEL_ROUTE_RE.fullmatch(path)
    if route is None or method != "POST" or route["operation"] != "converse":
        # InvokeModel, ConverseStream and the rest are not emulated.
        raise _unknown(method, path)
    return service.converse(unquote(route["model_id"]), body)


def _control(service: ConverseService, method: str, path: str, body: bytes) -> HttpReply:
    """``GET /health``, ``GET|PUT /faults``, ``GET|DELETE /stats`` under ``/_emulator``."""
    if (method, path) == ("GET", "/health"):
        return json_reply(200, {"status": "ok"})
    if (method, path) == ("GET", "/faults"):
        return json_reply(200, service.faults.model_dump(mode="json"))
    if (method, path) == ("PUT", "/faults"):
        try:
            faults = FaultConfig.model_validate_json(body or b"{}")
        except ValidationError as error:
            detail = "; ".join(
                f"{'.'.join(str(part) for part in problem['loc']) or 'faults'}: {problem['msg']}"
                for problem in error.errors(include_url=False)
            )
            raise BedrockApiError(ErrorCode.VALIDATION, f"invalid fault configuration: {detail}") from error
        service.set_faults(faults)
        return json_reply(200, faults.model_dump(mode="json"))
    if (method, path) == ("GET", "/stats"):
        return json_reply(200, service.stats.as_dict())
    if (method, path) == ("DELETE", "/stats"):
        service.reset_stats()
        return json_reply(200, service.stats.as_dict())
    raise _unknown(method, CONTROL_PREFIX + path)


class BedrockEmulator:
    """A bedrock-runtime Converse endpoint on ``host:port`` (port 0 picks a free one), with fault injection.

    Point boto3 at ``url`` (``AWS_ENDPOINT_URL_BEDROCK_RUNTIME`` or ``endpoint_url``) to use it.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        faults: FaultConfig | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        today: Callable[[], date] = utc_today,
    ) -> None:
        self._host = host
        self._requested_port = port
        self._service = ConverseService(faults, clock=clock, today=today)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> BedrockEmulator:
        """Bind and serve in a daemon thread. Raises OSError when the port is taken."""
        if self._server is not None:
            raise RuntimeError("the emulator is already running")
        server = _Server((self._host, self._requested_port), self._service)
        self._service.allow_waits()
        thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="bedrock-emulator", daemon=True
        )
        thread.start()
        self._server, self._thread = server, thread
        logger.info("bedrock emulator started", extra={"url": self.url})
        return self

    def stop(self) -> None:
        """Stop serving, close every connection and free the port. Safe to call twice."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        self._service.interrupt_waits()
        server.shutdown()
        server.close_connections()
        server.server_close()
        thread.join(_STOP_TIMEOUT_SECONDS)
        self._server = self._thread = None
        logger.info("bedrock emulator stopped")

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the emulator is not running")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self._host}:{self.port}"

    @property
    def faults(self) -> FaultConfig:
        return self._service.faults

    def set_faults(self, faults: FaultConfig) -> None:
        """Change faults while running; the next call draws from the new configuration."""
        self._service.set_faults(faults)

    @property
    def stats(self) -> EmulatorStats:
        return self._service.stats

    def reset_stats(self) -> None:
        self._service.reset_stats()

    def __enter__(self) -> BedrockEmulator:
        return self.start() if self._server is None else self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
