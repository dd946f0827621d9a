"""Every name part and number of the CV tailoring stack.

Pure Python on purpose: the local emulator stack imports this module (without aws_cdk) to provision
identically configured tables, queues and buses. Durations carry their unit in the name or a comment.
"""

from __future__ import annotations

from typing import Final

# --- Values fixed by the task spec -------------------------------------------------------------------
CV_TAILOR_LAMBDA: Final = "CVTailor"  # construct id of the worker function (not an AWS name)
CV_TAILOR_FEATURE: Final = "cv-tailor"
GW_RESOURCE_TAILOR: Final = "tailor-cv"
CV_TAILOR_MEMORY_MB: Final = 512  # MB
CV_TAILOR_TIMEOUT_SECONDS: Final = 60  # seconds

# --- Naming (see naming_utils.py for the scheme) ------------------------------------------------------
DEFAULT_PREFIX: Final = "careervp"
DEFAULT_ENV: Final = "dev"
PRODUCTION_ENV: Final = "prod"  # the env whose data is retained on stack deletion
CV_TAILOR_API_FEATURE: Final = "cv-tailor-api"  # the API function (the REST API is named after the feature)
CV_TAILOR_ALARMS_FEATURE: Final = "cv-tailor-alarms"  # the SNS topic alarms notify
ERRORS_ALARM: Final = "cv-tailor-errors"
DURATION_ALARM: Final = "cv-tailor-duration"
DLQ_DEPTH_ALARM: Final = "cv-tailor-dlq-depth"
QUEUE_AGE_ALARM: Final = "cv-tailor-queue-age"
API_5XX_ALARM: Final = "cv-tailor-api-5xx"
WORKER_THROTTLES_ALARM: Final = "cv-tailor-throttles"
MODEL_THROTTLED_ALARM: Final = "cv-tailor-model-throttled"
GW_RESOURCE_API: Final = "api"  # first path segment: /api/tailor-cv
GW_PATH_PARAM_JOB_ID: Final = "job_id"  # /api/tailor-cv/{job_id}
API_STAGE_NAME: Final = "v1"

# --- Construct ids (PascalCase, never AWS names) ------------------------------------------------------
CV_TAILOR_API_LAMBDA: Final = "CVTailorApi"

# --- Lambda ------------------------------------------------------------------------------------------
LAMBDA_PYTHON_VERSION: Final = "3.12"  # Lambda runtime; the bundle's binary wheels are built for it
LAMBDA_ARCHITECTURE: Final = "arm64"  # Graviton: cheaper per GB-second; every dependency ships aarch64 wheels
API_HANDLER: Final = "api.handler.lambda_handler"
WORKER_HANDLER: Final = "worker.handler.lambda_handler"
API_MEMORY_MB: Final = 512  # MB; CPU scales with memory, which shortens the pydantic/jsonschema cold start
API_TIMEOUT_SECONDS: Final = 10  # seconds; one DynamoDB write and one SQS send, well under API GW's 29 s
LOG_RETENTION_DAYS: Final = 7  # days, for both functions' log groups
API_ACCESS_LOG_RETENTION_DAYS: Final = 30  # days; access logs are the audit trail of who called the API
DEFAULT_LOG_LEVEL: Final = "INFO"
API_BUNDLE_DIR: Final = "api"  # sub-directory of lambda_asset_dir holding the API bundle
WORKER_BUNDLE_DIR: Final = "worker"  # sub-directory of lambda_asset_dir holding the worker bundle
DEFAULT_LAMBDA_ASSET_DIR: Final = "build/lambda"

# --- Queue and dead-letter queue ---------------------------------------------------------------------
VISIBILITY_TIMEOUT_MULTIPLIER: Final = 6  # AWS guidance: >= 6x the function timeout for SQS event sources
QUEUE_VISIBILITY_TIMEOUT_SECONDS: Final = VISIBILITY_TIMEOUT_MULTIPLIER * CV_TAILOR_TIMEOUT_SECONDS  # 360 s
MAX_RECEIVE_COUNT: Final = 5  # deliveries before a message moves to the DLQ; the worker reads it too
QUEUE_RETENTION_DAYS: Final = 4  # days (the SQS default)
DLQ_RETENTION_DAYS: Final = 14  # days (the SQS maximum); must exceed QUEUE_RETENTION_DAYS, since a
# message keeps its original enqueue time when it moves to a standard DLQ.

# --- Event source mapping ----------------------------------------------------------------------------
# One job per invocation: a Haiku call with retries can take tens of seconds, so a second job in the same
# batch could push the invocation past the 60 s timeout and fail both. Throughput comes from concurrency.
WORKER_BATCH_SIZE: Final = 1  # messages per invocation
WORKER_MAX_BATCHING_WINDOW_SECONDS: Final = 0  # seconds; no waiting to fill a batch of one
DEFAULT_WORKER_MAX_CONCURRENCY: Final = 5  # concurrent invocations; see docs/deployment.md for the sizing
MIN_WORKER_MAX_CONCURRENCY: Final = 2  # Lambda's lower bound for SQS maximum concurrency
MAX_WORKER_MAX_CONCURRENCY: Final = 1000  # Lambda's upper bound for SQS maximum concurrency

# --- DynamoDB ----------------------------------------------------------------------------------------
TABLE_FEATURE: Final = "cv-tailor-jobs"
TABLE_PARTITION_KEY: Final = "job_id"  # String; no sort key
TABLE_TTL_ATTRIBUTE: Final = "expires_at"  # epoch seconds
JOB_TTL_DAYS: Final = 7  # days a job record (which holds the CV) lives before TTL deletes it

# --- EventBridge -------------------------------------------------------------------------------------
EVENT_SOURCE: Final = "careervp.cv-tailor"
DETAIL_TYPE_COMPLETED: Final = "CV Tailoring Completed"
DETAIL_TYPE_FAILED: Final = "CV Tailoring Failed"
EVENT_ARCHIVE_RETENTION_DAYS: Final = 30  # days of events kept for replay

# --- Bedrock -----------------------------------------------------------------------------------------
# Global cross-Region inference profiles. The foundation-model id is the profile id without "global.".
GLOBAL_PROFILE_ID_START: Final = "global."
MODEL_ID: Final = "global.anthropic.claude-haiku-4-5-20251001-v1:0"
FALLBACK_MODEL_ID: Final = "global.anthropic.claude-sonnet-4-5-20250929-v1:0"

# --- Observability -----------------------------------------------------------------------------------
POWERTOOLS_SERVICE_NAME: Final = "cv-tailor"
# Set on both functions. The service uses no pydantic plugins, and without this pydantic looks for them by
# reading the metadata of every installed distribution when the first model is built, during the cold start.
PYDANTIC_DISABLE_PLUGINS: Final = "__all__"
METRICS_NAMESPACE: Final = "CareerVP"
METRICS_SERVICE_DIMENSION: Final = "service"  # Powertools Metrics adds service=<POWERTOOLS_SERVICE_NAME>
METRIC_JOBS_ACCEPTED: Final = "JobsAccepted"
METRIC_JOBS_COMPLETED: Final = "JobsCompleted"
METRIC_JOBS_FAILED: Final = "JobsFailed"
METRIC_MODEL_THROTTLED: Final = "ModelThrottled"
METRIC_MODEL_RETRIES: Final = "ModelRetries"
METRIC_GUARD_REJECTIONS: Final = "GuardRejections"
METRIC_INPUT_TOKENS: Final = "InputTokens"
METRIC_OUTPUT_TOKENS: Final = "OutputTokens"
ALARM_PERIOD_MINUTES: Final = 5  # minutes, for every alarm below
ERRORS_ALARM_THRESHOLD: Final = 5  # worker Errors (sum) per period, alarm at >=
DURATION_ALARM_THRESHOLD_MS: Final = 55_000  # ms, worker Duration (maximum), alarm at >= ...
DURATION_ALARM_EVALUATION_PERIODS: Final = 2  # ... for two consecutive periods
DLQ_DEPTH_ALARM_THRESHOLD: Final = 0  # visible DLQ messages, alarm at >
QUEUE_AGE_ALARM_THRESHOLD_SECONDS: Final = 900  # seconds; oldest message older than 15 minutes
API_5XX_RATE_ALARM_THRESHOLD: Final = 0.05  # fraction of requests answered 5xx per period, alarm at >
WORKER_THROTTLES_ALARM_THRESHOLD: Final = 5  # worker Throttles (sum) per period, alarm at >=
MODEL_THROTTLED_ALARM_THRESHOLD: Final = 10  # ModelThrottled (sum) per period, alarm at >=
KMS_KEY_PENDING_WINDOW_DAYS: Final = 7  # days before a deleted alarm-topic key is destroyed (the minimum)

# --- API Gateway -------------------------------------------------------------------------------------
API_THROTTLING_RATE_LIMIT: Final = 20  # requests per second, steady state, for the whole stage
API_THROTTLING_BURST_LIMIT: Final = 40  # requests, token-bucket burst for the whole stage
# Headers on API Gateway's own refusals (403 unsigned, 429 throttled, 413, 5xx...): the same as the function
# puts on its responses (api.responses.SECURITY_HEADERS; a test keeps the two equal).
GATEWAY_RESPONSE_HEADERS: Final = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}
DEFAULT_ALLOWED_ORIGINS: Final = ("*",)  # CORS default; set allowed_origins in CDK context for production
CORS_MAX_AGE_SECONDS: Final = 600  # seconds a browser may cache the preflight answer
CORS_ALLOWED_HEADERS: Final = (
    "Content-Type",
    "Authorization",
    "Idempotency-Key",
    "X-Amz-Date",
    "X-Amz-Security-Token",
    "X-Amz-Content-Sha256",
)

# --- Stack outputs (the careervp CLI finds a deployed stack's resources by these keys) ----------------
OUTPUT_API_URL: Final = "ApiUrl"
OUTPUT_QUEUE_URL: Final = "QueueUrl"
OUTPUT_DLQ_URL: Final = "DeadLetterQueueUrl"
OUTPUT_TABLE_NAME: Final = "TableName"
OUTPUT_EVENT_BUS_NAME: Final = "EventBusName"
