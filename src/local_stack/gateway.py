"""A local stand-in for the REST API: HTTP in, REST proxy events to the real API handler, HTTP out.

It behaves like the deployed stage where the handler can tell: the resources and methods of the CDK API
(``/api/tailor-cv`` and ``/api/tailor-cv/{job_id}``, with or without the ``/v1`` stage prefix), IAM auth
(a SigV4 ``Authorization`` header is required; the caller identity comes from its access key id), the
403 ``Missing Authentication Token`` answer for unsigned requests and unknown routes, and 502 when the
handler crashes. The signature and the secret are NOT verified: there is no IAM to check them against.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Final
from urllib.parse import parse_qsl, unquote, urlsplit

from careervp import constants
from local_stack.config import DEFAULT_HOST, LOCAL_ACCOUNT_ID
from local_stack.lambda_context import LocalLambdaContext
from local_stack.sigv4 import SignatureRejectedError, SigV4Authorization, missing_token, parse_authorization
from shared.clock import Clock, utc_now

ApiHandler = Callable[[dict[str, Any], Any], Mapping[str, Any]]

# API Gateway's payload limit for REST APIs.
MAX_PAYLOAD_BYTES: Final = 10 * 1024 * 1024
LOCAL_API_ID: Final = "local"
_IDLE_CONNECTION_TIMEOUT_SECONDS: Final = 5
_LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class Route:
    """One resource of the REST API and the methods it has."""

    resource: str
    pattern: re.Pattern[str]
    parameter_names: tuple[str, ...]
    methods: frozenset[str]

    def match(self, path: str) -> dict[str, str] | None:
        found = self.pattern.fullmatch(path)
        if found is None:
            return None
        return {name: unquote(found.group(name)) for name in self.parameter_names}


def api_routes() -> tuple[Route, ...]:
    """The resources of the deployed API, built from the same constants as the CDK construct."""
    tailor = f"/{constants.GW_RESOURCE_API}/{constants.GW_RESOURCE_TAILOR}"
    parameter = constants.GW_PATH_PARAM_JOB_ID
    return (
        Route(tailor, re.compile(re.escape(tailor)), (), frozenset({"POST"})),
        Route(
            f"{tailor}/{{{parameter}}}",
            re.compile(re.escape(tailor) + f"/(?P<{parameter}>[^/]+)"),
            (parameter,),
            frozenset({"GET"}),
        ),
    )


@dataclass(frozen=True)
class HttpRequest:
    method: str
    target: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    source_ip: str


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


def identity_for(authorization: SigV4Authorization, source_ip: str, user_agent: str | None) -> dict[str, Any]:
    """The ``requestContext.identity`` IAM auth produces: one IAM user per access key id."""
    access_key_id = authorization.access_key_id
    return {
        "cognitoIdentityPoolId": None,
        "cognitoIdentityId": None,
        "cognitoAuthenticationType": None,
        "cognitoAuthenticationProvider": None,
        "accountId": LOCAL_ACCOUNT_ID,
        "caller": access_key_id,
        "accessKey": access_key_id,
        "user": access_key_id,
        "userArn": f"arn:aws:iam::{LOCAL_ACCOUNT_ID}:user/{access_key_id}",
        "principalOrgId": None,
        "sourceIp": source_ip,
        "userAgent": user_agent,
    }


def proxy_event(
    request: HttpRequest,
    *,
    route: Route,
    path: str,
    full_path: str,
    stage: str,
    path_parameters: dict[str, str],
    identity: dict[str, Any],
    request_id: str,
    now: datetime,
) -> dict[str, Any]:
    """The REST API (v1) Lambda proxy event API Gateway sends for ``request``."""
    headers: dict[str, str] = {}
    multi_headers: dict[str, list[str]] = {}
    for name, value in request.headers:
        headers[name] = value
        multi_headers.setdefault(name, []).append(value)
    query = parse_qsl(urlsplit(request.target).query, keep_blank_values=True)
    multi_query: dict[str, list[str]] = {}
    for name, value in query:
        multi_query.setdefault(name, []).append(value)
    body, is_base64 = _event_body(request.body)
    host = next((value for name, value in request.headers if name.lower() == "host"), DEFAULT_HOST)
    return {
        "resource": route.resource,
        "path": path,
        "httpMethod": request.method,
        "headers": headers or None,
        "multiValueHeaders": multi_headers or None,
        "queryStringParameters": {name: values[-1] for name, values in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": path_parameters or None,
        "stageVariables": None,
        "requestContext": {
            "resourceId": LOCAL_API_ID,
            "resourcePath": route.resource,
            "httpMethod": request.method,
            "extendedRequestId": request_id,
            "requestTime": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "path": full_path,
            "accountId": LOCAL_ACCOUNT_ID,
            "protocol": "HTTP/1.1",
            "stage": stage,
            "domainPrefix": host.split(".")[0].split(":")[0],
            "requestTimeEpoch": int(now.timestamp() * 1000),
            "requestId": request_id,
            "identity": identity,
            "domainName": host,
            "apiId": LOCAL_API_ID,
        },
        "body": body,
        "isBase64Encoded": is_base64,
    }


def _event_body(raw: bytes) -> tuple[str | None, bool]:
    if not raw:
        return None, False
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        return base64.b64encode(raw).decode("ascii"), True


def gateway_error(status: int, message: str, error_type: str, request_id: str) -> HttpResponse:
    """An error API Gateway itself answers, before or instead of the integration."""
    body = json.dumps({"message": message}).encode("utf-8")
    return HttpResponse(
        status=status,
        headers=(
            ("Content-Type", "application/json"),
            ("x-amzn-ErrorType", error_type),
            ("x-amzn-RequestId", request_id),
        ),
        body=body,
    )


def integration_response(result: Mapping[str, Any], request_id: str) -> HttpResponse:
    """Turn the handler's proxy result into HTTP; a malformed result is a 502, as on API Gateway."""
    status = result.get("statusCode")
    if not isinstance(status, int) or not 100 <= status <= 599:
        raise ValueError("the integration returned no valid statusCode")
    headers: list[tuple[str, str]] = []
    multi = result.get("multiValueHeaders") or {}
    single = result.get("headers") or {}
    if not isinstance(multi, Mapping) or not isinstance(single, Mapping):
        raise ValueError("the integration returned malformed headers")
    for name, values in multi.items():
        headers.extend((str(name), str(value)) for value in values)
    taken = {name.lower() for name, _ in headers}
    headers.extend(
        (str(name), str(value)) for name, value in single.items() if str(name).lower() not in taken
    )
    headers.append(("x-amzn-RequestId", request_id))
    raw_body = result.get("body")
    if raw_body is None:
        body = b""
    elif not isinstance(raw_body, str):
        raise ValueError("the integration returned a body that is not a string")
    elif result.get("isBase64Encoded"):
        body = base64.b64decode(raw_body, validate=True)
    else:
        body = raw_body.encode("utf-8")
    return HttpResponse(status=status, headers=tuple(headers), body=body)


class ApiGatewayEmulator:
    """Routes, authorises and proxies one request at a time to the API handler, like one warm container."""

    def __init__(
        self,
        handler: ApiHandler,
        *,
        function_name: str,
        region: str,
        stage: str = constants.API_STAGE_NAME,
        timeout_seconds: int = constants.API_TIMEOUT_SECONDS,
        memory_mb: int = constants.API_MEMORY_MB,
        clock: Clock = utc_now,
    ) -> None:
        self._handler = handler
        # Stamps each proxy event's requestTime, as API Gateway does.
        self._clock = clock
        self._function_name = function_name
        self._region = region
        self._stage = stage
        self._timeout_seconds = timeout_seconds
        self._memory_mb = memory_mb
        self._routes = api_routes()
        # The resolver in the handler module keeps the current event in a module-level object, as one
        # Lambda container does: invocations must not overlap.
        self._invocation_lock = threading.Lock()

    def handle(self, request: HttpRequest) -> HttpResponse:
        request_id = str(uuid.uuid4())
        full_path = unquote(urlsplit(request.target).path) or "/"
        path = self._without_stage(full_path)
        found = self._route(path)
        if found is None:
            return self._rejection(missing_token(), request_id)
        route, path_parameters = found
        if request.method == "OPTIONS":
            return _preflight(route, request_id)
        if request.method not in route.methods:
            return self._rejection(missing_token(), request_id)
        headers = dict(request.headers)
        try:
            authorization = parse_authorization(headers)
        except SignatureRejectedError as rejection:
            return self._rejection(rejection, request_id)
        if len(request.body) > MAX_PAYLOAD_BYTES:
            return gateway_error(413, "Request Too Long", "RequestEntityTooLargeException", request_id)
        user_agent = next((value for name, value in request.headers if name.lower() == "user-agent"), None)
        event = proxy_event(
            request,
            route=route,
            path=path,
            full_path=full_path,
            stage=self._stage,
            path_parameters=path_parameters,
            identity=identity_for(authorization, request.source_ip, user_agent),
            request_id=request_id,
            now=self._clock(),
        )
        return self._invoke(event, request_id)

    def _without_stage(self, full_path: str) -> str:
        prefix = f"/{self._stage}"
        return full_path[len(prefix) :] if full_path.startswith(prefix + "/") else full_path

    def _route(self, path: str) -> tuple[Route, dict[str, str]] | None:
        for route in self._routes:
            parameters = route.match(path)
            if parameters is not None:
                return route, parameters
        return None

    @staticmethod
    def _rejection(rejection: SignatureRejectedError, request_id: str) -> HttpResponse:
        return gateway_error(403, rejection.message, rejection.error_type, request_id)

    def _invoke(self, event: dict[str, Any], request_id: str) -> HttpResponse:
        context = LocalLambdaContext(
            function_name=self._function_name,
            memory_limit_in_mb=self._memory_mb,
            timeout_seconds=self._timeout_seconds,
            region=self._region,
            account_id=LOCAL_ACCOUNT_ID,
        )
        with self._invocation_lock:
            started = time.monotonic()
            try:
                result = self._handler(event, context)
                response = integration_response(result, request_id)
            except (ValueError, binascii.Error):
                _LOG.exception("the API handler returned a malformed proxy response")
                return gateway_error(502, "Internal server error", "InternalServerErrorException", request_id)
            except Exception:
                # Lambda reports an unhandled error to API Gateway, which answers 502.
                _LOG.exception("the API handler raised")
                return gateway_error(502, "Internal server error", "InternalServerErrorException", request_id)
        if context.timed_out:
            _LOG.warning(
                "the API handler ran past its timeout (Lambda would have stopped it)",
                extra={"seconds": round(time.monotonic() - started, 3)},
            )
        return response


def _preflight(route: Route, request_id: str) -> HttpResponse:
    """CORS preflight, answered by API Gateway itself (no auth), as the CDK API configures it."""
    methods = ",".join(sorted({*route.methods, "OPTIONS"}))
    return HttpResponse(
        status=204,
        headers=(
            ("Access-Control-Allow-Origin", ",".join(constants.DEFAULT_ALLOWED_ORIGINS)),
            ("Access-Control-Allow-Methods", methods),
            ("Access-Control-Allow-Headers", ",".join(constants.CORS_ALLOWED_HEADERS)),
            ("Access-Control-Max-Age", str(constants.CORS_MAX_AGE_SECONDS)),
            ("x-amzn-RequestId", request_id),
        ),
        body=b"",
    )


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = _IDLE_CONNECTION_TIMEOUT_SECONDS
    server: _GatewayServer

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def do_OPTIONS(self) -> None:
        self._serve()

    def do_HEAD(self) -> None:
        self._serve()

    def _serve(self) -> None:
        try:
            body = self._read_body()
        except _BodyTooLargeError:
            self._write(gateway_error(413, "Request Too Long", "RequestEntityTooLargeException", "-"))
            self.close_connection = True
            return
        except ValueError:
            self._write(gateway_error(400, "Malformed request body framing", "BadRequestException", "-"))
            self.close_connection = True
            return
        request = HttpRequest(
            method=self.command.upper(),
            target=self.path,
            headers=tuple((name, value) for name, value in self.headers.items()),
            body=body,
            source_ip=self.client_address[0],
        )
        self._write(self.server.gateway.handle(request))

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return self._read_chunked()
        length_header = self.headers.get("Content-Length")
        if not length_header:
            return b""
        length = int(length_header)
        if length < 0:
            raise ValueError("negative Content-Length")
        if length > MAX_PAYLOAD_BYTES:
            raise _BodyTooLargeError
        return self.rfile.read(length)

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                # Read past the optional trailer fields, up to the blank line that ends the request, so
                # the connection is left at the next request; nothing in them is used.
                while self.rfile.readline().strip():
                    pass
                return b"".join(chunks)
            total += size
            if total > MAX_PAYLOAD_BYTES:
                raise _BodyTooLargeError
            chunks.append(self.rfile.read(size))
            self.rfile.readline()

    def _write(self, response: HttpResponse) -> None:
        self.send_response(response.status)
        for name, value in response.headers:
            if name.lower() not in {"content-length", "connection", "transfer-encoding"}:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def log_message(self, format: str, *args: Any) -> None:
        _LOG.debug("%s %s", self.address_string(), format % args)


class _BodyTooLargeError(ValueError):
    """A chunked body grew past the gateway's payload limit."""


class _GatewayServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], gateway: ApiGatewayEmulator) -> None:
        self.gateway = gateway
        super().__init__(address, _RequestHandler)


class LocalApiGateway:
    """Serves an ``ApiGatewayEmulator`` over HTTP on ``host:port`` (port 0 picks a free one)."""

    def __init__(self, gateway: ApiGatewayEmulator, host: str = DEFAULT_HOST, port: int = 0) -> None:
        self._gateway = gateway
        self._host = host
        self._port = port
        self._server: _GatewayServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the local API gateway is not running")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self._host}:{self.port}"

    def start(self) -> None:
        if self._server is not None:
            return
        server = _GatewayServer((self._host, self._port), self._gateway)
        thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="local-api-gateway", daemon=True
        )
        thread.start()
        self._server, self._thread = server, thread

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join()
