"""The tailoring API Lambda (API Gateway REST, IAM auth, Lambda proxy).

``POST /api/tailor-cv`` validates a CV and a job, stores a PENDING job and queues it (202);
``GET /api/tailor-cv/{job_id}`` reports the caller's own job. Routes stay thin: each calls one use case in
``shared.logic`` with ports that ``api.dependencies`` provides.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.api_gateway import ResponseBuilder
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.event_handler.openapi.params import Body, Header, Path
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent
from aws_lambda_powertools.utilities.typing import LambdaContext

from api.dependencies import providers
from api.models import ErrorResponse, JobStatusResponse, TailorAccepted, TailorRequest
from api.responses import (
    MAX_FIELD_PROBLEMS,
    RETRY_AFTER_SECONDS,
    ApiRequestError,
    ForbiddenError,
    api_error_response,
    error_response,
    field_problems,
    json_response,
    serialize_json,
    unavailable_response,
)
from api.settings import ApiSettings
from api.transport import MAX_BODY_BYTES, admit_request, caller_identity, cors_headers, status_path
from shared.errors import ConflictError, DependencyUnavailableError, NotFoundError, ThrottledError
from shared.logic.job_status import job_status_for_owner
from shared.logic.submission import (
    IdempotencyKeyReusedError,
    TailoringSubmission,
    owner_fingerprint,
    submit_tailoring_job,
)
from shared.observability import MetricName, logger, metrics, tracer
from shared.settings import with_settings

TAILOR_PATH = "/api/tailor-cv"
IDEMPOTENCY_KEY_PATTERN = r"^[A-Za-z0-9_.:-]{1,128}$"
IDEMPOTENCY_KEY_RULE = "must be 1 to 128 characters of A-Z, a-z, 0-9, '_', '.', ':' or '-'"
JOB_NOT_FOUND_MESSAGE = "No job with this id exists for the caller."
_TAG = "CV tailoring"

app = APIGatewayRestResolver(enable_validation=True, serializer=serialize_json)


def request_owner() -> str:
    """The caller identity of the current request (admit_request has already refused a missing one)."""
    owner = caller_identity(app.current_event.raw_event)
    if owner is None:
        raise ForbiddenError("The request carries no IAM caller identity; sign it with AWS Signature V4.")
    return owner


_ErrorHandler = Callable[[Any], Response[Any]]


def _handles(*errors: type[Exception]) -> Callable[[_ErrorHandler], _ErrorHandler]:
    """``app.exception_handler`` with types: each error class maps to one response, once, here."""

    def register(handler: _ErrorHandler) -> _ErrorHandler:
        app.exception_handler(list(errors))(handler)
        return handler

    return register


def _error(description: str, headers: dict[str, Any] | None = None) -> OpenAPIResponse:
    response: OpenAPIResponse = {
        "description": description,
        "content": {"application/json": {"model": ErrorResponse}},
    }
    if headers:
        response["headers"] = headers
    return response


_RETRY_AFTER_HEADER = {
    "Retry-After": {"description": "Seconds to wait before retrying.", "schema": {"type": "integer"}}
}
_COMMON_ERRORS: dict[int, OpenAPIResponse] = {
    403: _error("The request carries no IAM caller identity."),
    500: _error("Unexpected error."),
    503: _error(
        "A dependency is throttled or unavailable; nothing was kept. Retry later.", _RETRY_AFTER_HEADER
    ),
}
_SUBMIT_RESPONSES: dict[int, OpenAPIResponse] = {
    202: {
        "description": "Accepted: the job is queued (or, for an idempotent repeat, was queued before).",
        "headers": {"Location": {"description": "The job's status URL.", "schema": {"type": "string"}}},
        "content": {"application/json": {"model": TailorAccepted}},
    },
    400: _error("Empty, undecodable, malformed or too deeply nested JSON, or an invalid Idempotency-Key."),
    409: _error("The Idempotency-Key was already used with a different body."),
    413: _error(f"The body is larger than {MAX_BODY_BYTES} bytes."),
    415: _error("The body is not application/json (UTF-8)."),
    422: _error("The body does not match the schema; `fields` lists each problem."),
    **_COMMON_ERRORS,
}
_STATUS_RESPONSES: dict[int, OpenAPIResponse] = {
    200: {
        "description": "The job's status, and its result or error once it is terminal.",
        "content": {"application/json": {"model": JobStatusResponse}},
    },
    404: _error("No such job for this caller (unknown, malformed, or someone else's id)."),
    **_COMMON_ERRORS,
}


@_handles(RequestValidationError)
def _invalid_request(error: RequestValidationError) -> Response[Any]:
    errors = list(error.errors())
    problems = field_problems(errors)
    shown = problems[:MAX_FIELD_PROBLEMS]
    header_problems = [problem for problem in shown if problem["path"].startswith("header.")]
    if header_problems:
        for problem in header_problems:
            if problem["path"] == "header.Idempotency-Key":
                problem["message"] = IDEMPOTENCY_KEY_RULE
        return error_response(
            HTTPStatus.BAD_REQUEST, "invalid_header", "A request header is invalid.", header_problems
        )
    more = f" The first {MAX_FIELD_PROBLEMS} are listed." if len(problems) > MAX_FIELD_PROBLEMS else ""
    return error_response(
        HTTPStatus.UNPROCESSABLE_ENTITY,
        "validation_failed",
        f"The request body does not match the schema: {len(problems)} problem(s).{more}",
        shown,
    )


@_handles(RequestUnsupportedContentType)
def _unsupported_content_type(_: RequestUnsupportedContentType) -> Response[Any]:
    return error_response(
        HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        "Only application/json bodies are accepted.",
    )


@_handles(ApiRequestError)
def _refused_request(error: ApiRequestError) -> Response[Any]:
    return api_error_response(error)


@_handles(NotFoundError)
def _job_not_found(_: NotFoundError) -> Response[Any]:
    return error_response(HTTPStatus.NOT_FOUND, "not_found", JOB_NOT_FOUND_MESSAGE)


@app.not_found
def _no_such_route(_: Exception) -> Response[Any]:
    return error_response(HTTPStatus.NOT_FOUND, "not_found", "No such resource.")


@_handles(IdempotencyKeyReusedError)
def _idempotency_key_reused(_: IdempotencyKeyReusedError) -> Response[Any]:
    return error_response(
        HTTPStatus.CONFLICT,
        "idempotency_key_reused",
        "This Idempotency-Key was already used with a different request body; use a new key.",
    )


@_handles(ConflictError)
def _conflict(_: ConflictError) -> Response[Any]:
    return error_response(HTTPStatus.CONFLICT, "conflict", "The job is not in a state that allows this.")


@_handles(ThrottledError, DependencyUnavailableError)
def _unavailable(error: Exception) -> Response[Any]:
    logger.warning("dependency unavailable", extra={"error_class": type(error).__name__})
    return unavailable_response(
        f"The service is busy or a dependency is unavailable; retry in {RETRY_AFTER_SECONDS} seconds."
    )


@_handles(Exception)
def _unexpected(error: Exception) -> Response[Any]:
    # The stack without the exception's message: messages (pydantic's especially) can quote CV text.
    logger.error(
        "unhandled error",
        extra={"error_class": type(error).__name__, "stack": traceback.format_tb(error.__traceback__)},
    )
    return error_response(HTTPStatus.INTERNAL_SERVER_ERROR, "internal_error", "An unexpected error occurred.")


@app.post(
    TAILOR_PATH,
    status_code=HTTPStatus.ACCEPTED,
    summary="Submit a CV and a job for tailoring",
    description=(
        "Validates the CV and the job, stores a PENDING job and queues it. The result is fetched from "
        "`status_url`. With an `Idempotency-Key`, a repeat with the same body returns the same job; a "
        f"different body returns 409. Bodies are limited to {MAX_BODY_BYTES} bytes of UTF-8 JSON."
    ),
    tags=[_TAG],
    operation_id="submitTailoringJob",
    responses=_SUBMIT_RESPONSES,
)
def submit_tailoring_request(
    request: Annotated[TailorRequest, Body(description="The CV, the job and optional hints.")],
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            pattern=IDEMPOTENCY_KEY_PATTERN,
            description="Optional. A repeat with the same key and body returns the same job; the key "
            + IDEMPOTENCY_KEY_RULE
            + ".",
        ),
    ] = None,
) -> Response[Any]:
    owner = request_owner()
    submission = TailoringSubmission(
        owner=owner,
        resume=request.resume,
        job=request.job,
        options={} if request.options is None else request.options.model_dump(mode="json", exclude_none=True),
        idempotency_key=idempotency_key,
    )
    accepted = submit_tailoring_job(
        submission,
        repository=providers.repository(),
        queue=providers.queue(),
        now=providers.clock(),
        ttl_days=providers.settings().job_ttl_days,
    )
    logger.set_correlation_id(accepted.job_id)
    logger.append_keys(job_id=accepted.job_id)
    if not accepted.replayed:
        metrics.add_metric(name=MetricName.JOBS_ACCEPTED, unit=MetricUnit.Count, value=1)
    logger.info(
        "tailoring job accepted",
        extra={
            "replayed": accepted.replayed,
            "status": accepted.status.value,
            "owner_hash": owner_fingerprint(owner),
        },
    )
    status_url = status_path(app.current_event.raw_event, f"{TAILOR_PATH}/{accepted.job_id}")
    body = TailorAccepted(job_id=accepted.job_id, status=accepted.status, status_url=status_url)
    return json_response(HTTPStatus.ACCEPTED, body.model_dump(mode="json"), headers={"Location": status_url})


@app.get(
    f"{TAILOR_PATH}/<job_id>",
    summary="Get a tailoring job's status and result",
    description=(
        "Only the job's owner (the IAM caller that submitted it) can read it; anyone else, and any unknown "
        "or malformed id, gets the same 404. The submitted CV and job are never returned."
    ),
    tags=[_TAG],
    operation_id="getTailoringJob",
    responses=_STATUS_RESPONSES,
)
def get_tailoring_job(
    job_id: Annotated[str, Path(description="The id returned by POST /api/tailor-cv.")],
) -> Response[Any]:
    view = job_status_for_owner(
        providers.repository(), job_id=job_id, owner=request_owner(), now=providers.clock()
    )
    logger.set_correlation_id(view.job_id)
    logger.append_keys(job_id=view.job_id)
    body = JobStatusResponse.from_view(view).model_dump(mode="json", exclude_none=True)
    return json_response(HTTPStatus.OK, body)


def _refuse(event: dict[str, Any], error: ApiRequestError) -> dict[str, Any]:
    """Render a refusal from before routing exactly as the resolver renders its own responses."""
    logger.info("request refused before routing", extra={"status": int(error.status), "code": error.code})
    builder: ResponseBuilder[APIGatewayProxyEvent] = ResponseBuilder(
        response=api_error_response(error), serializer=serialize_json
    )
    return builder.build(APIGatewayProxyEvent(event))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
# The response can hold a tailored CV, so it is kept out of the trace.
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
@with_settings(ApiSettings)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    try:
        admit_request(event)
    except ApiRequestError as error:
        response = _refuse(event, error)
    else:
        response = app.resolve(event, context)
    return _with_cors(response, event)


def _with_cors(response: dict[str, Any], event: dict[str, Any]) -> dict[str, Any]:
    headers = cors_headers(event, providers.settings().allowed_origin_list)
    if "multiValueHeaders" in response:
        response["multiValueHeaders"].update({name: [value] for name, value in headers.items()})
    else:
        response.setdefault("headers", {}).update(headers)
    return response
