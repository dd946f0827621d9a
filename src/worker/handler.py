"""CVTailor: the SQS-driven worker Lambda. Failed records are reported back as partial batch failures."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.clients.sqs_queue import JobMessage
from shared.logic.tailoring_job import Delivery, RetryLaterError
from shared.observability import logger, metrics, tracer
from shared.settings import with_settings
from worker.dependencies import job_processor
from worker.settings import WorkerSettings

# A batch whose records all failed is answered with batchItemFailures, not raised: SQS redelivers the same
# records either way, and Lambda's Errors metric (the cv-tailor-errors alarm) then counts only crashes.
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


@tracer.capture_method
def handle_record(record: SQSRecord, lambda_context: LambdaContext) -> str:
    try:
        message = JobMessage.model_validate_json(record.body)
        logger.set_correlation_id(message.job_id)
        logger.append_keys(job_id=message.job_id, message_id=record.message_id)
        receive_count = int(record.attributes.approximate_receive_count)
        delivery = Delivery(job_id=message.job_id, receive_count=receive_count)
        return job_processor().process(delivery, lambda_context.get_remaining_time_in_millis).value
    except RetryLaterError:
        logger.info("message returned to the queue", extra={"message_id": record.message_id})
        raise
    except Exception as error:
        # Powertools logs record failures at debug level only; the class name leaks no CV text.
        logger.warning(
            "record failed", extra={"message_id": record.message_id, "error_class": type(error).__name__}
        )
        raise


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
@with_settings(WorkerSettings)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=handle_record, processor=processor, context=context
    )
