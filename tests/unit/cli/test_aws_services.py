"""The CLI's AWS client module: the StartMessageMoveTask call and the stack outputs, with botocore Stubber."""

from __future__ import annotations

import pytest
from botocore.stub import Stubber

from careervp_cli.aws import AwsAccessError, AwsServices, MoveTaskUnsupportedError, SigningCredentials

DLQ_ARN = "arn:aws:sqs:eu-west-1:111122223333:careervp-cv-tailor-dlq-dev"
QUEUE_ARN = "arn:aws:sqs:eu-west-1:111122223333:careervp-cv-tailor-queue-dev"


def services() -> AwsServices:
    return AwsServices.with_credentials(
        SigningCredentials("AKIA", "secret"), region="eu-west-1", endpoint_url=None
    )


def test_start_message_move_task_sends_the_dlq_and_the_destination_and_returns_the_handle() -> None:
    # Given SQS answering StartMessageMoveTask
    aws = services()
    client = aws.sqs_client(single_attempt=True)
    with Stubber(client) as stub:
        stub.add_response(
            "start_message_move_task",
            {"TaskHandle": "handle-123"},
            {"SourceArn": DLQ_ARN, "DestinationArn": QUEUE_ARN},
        )

        # When a move task is started
        handle = aws.start_message_move_task(DLQ_ARN, QUEUE_ARN)

        # Then the request named both queues and the handle comes back
        assert handle == "handle-123"
        stub.assert_no_pending_responses()


@pytest.mark.parametrize(
    ("code", "status"),
    [("AWS.SimpleQueueService.UnsupportedOperation", 400), ("UnsupportedOperation", 400), ("500", 500)],
)
def test_an_endpoint_without_move_tasks_is_reported_as_unsupported(code: str, status: int) -> None:
    # Given an endpoint refusing the operation as unsupported (or failing on it as moto does)
    aws = services()
    with Stubber(aws.sqs_client(single_attempt=True)) as stub:
        stub.add_client_error("start_message_move_task", service_error_code=code, http_status_code=status)

        # When a move task is started
        # Then the caller learns it must move the messages itself
        with pytest.raises(MoveTaskUnsupportedError):
            aws.start_message_move_task(DLQ_ARN, QUEUE_ARN)


def test_a_denied_move_task_is_an_error_not_a_silent_fallback() -> None:
    # Given a caller without sqs:StartMessageMoveTask
    aws = services()
    with Stubber(aws.sqs_client(single_attempt=True)) as stub:
        stub.add_client_error(
            "start_message_move_task", service_error_code="AccessDenied", http_status_code=403
        )

        # When a move task is started
        with pytest.raises(AwsAccessError) as error:
            aws.start_message_move_task(DLQ_ARN, QUEUE_ARN)

    # Then the error says what failed and why
    assert "AccessDenied" in str(error.value)


def test_stack_outputs_are_read_by_output_key() -> None:
    # Given a stack with outputs
    aws = services()
    client = aws.client("cloudformation")
    with Stubber(client) as stub:
        stub.add_response(
            "describe_stacks",
            {
                "Stacks": [
                    {
                        "StackName": "careervp-cv-tailor-stack-dev",
                        "CreationTime": "2026-11-26T12:00:00Z",
                        "StackStatus": "CREATE_COMPLETE",
                        "Outputs": [
                            {"OutputKey": "ApiUrl", "OutputValue": "https://api/v1/"},
                            {"OutputKey": "TableName", "OutputValue": "jobs"},
                        ],
                    }
                ]
            },
            {"StackName": "careervp-cv-tailor-stack-dev"},
        )

        # When they are read
        outputs = aws.stack_outputs("careervp-cv-tailor-stack-dev")

    # Then each is keyed by its OutputKey
    assert outputs == {"ApiUrl": "https://api/v1/", "TableName": "jobs"}
