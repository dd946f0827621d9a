"""Powertools Logger, Tracer and Metrics shared by both handlers.

Powertools reads its own ``POWERTOOLS_*`` variables when these are built; the service's configuration is read
only through the settings models.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer

SERVICE_NAME = "cv-tailor"
METRICS_NAMESPACE = "CareerVP"

logger = Logger(service=SERVICE_NAME)
tracer = Tracer(service=SERVICE_NAME)
metrics = Metrics(namespace=METRICS_NAMESPACE, service=SERVICE_NAME)


class MetricName:
    JOBS_ACCEPTED = "JobsAccepted"
    JOBS_COMPLETED = "JobsCompleted"
    JOBS_FAILED = "JobsFailed"
    MODEL_THROTTLED = "ModelThrottled"
    MODEL_RETRIES = "ModelRetries"
    GUARD_REJECTIONS = "GuardRejections"
    INPUT_TOKENS = "InputTokens"
    OUTPUT_TOKENS = "OutputTokens"
