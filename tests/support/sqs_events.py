"""SQS event source mapping events, as Lambda delivers them to the worker."""

from __future__ import annotations

import json
from typing import Any


def sqs_record(
    job_id: str, message_id: str, receive_count: int = 1, body: str | None = None
) -> dict[str, Any]:
    return {
        "messageId": message_id,
        "receiptHandle": f"handle-{message_id}",
        "body": body if body is not None else json.dumps({"schema_version": 1, "job_id": job_id}),
        "attributes": {
            "ApproximateReceiveCount": str(receive_count),
            "SentTimestamp": "1764158400000",
            "SenderId": "AIDAEXAMPLE",
            "ApproximateFirstReceiveTimestamp": "1764158400001",
        },
        "messageAttributes": {},
        "md5OfBody": "0" * 32,
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:careervp-cv-tailor-queue-test",
        "awsRegion": "eu-west-1",
    }


def sqs_event(*records: dict[str, Any]) -> dict[str, Any]:
    return {"Records": list(records)}
