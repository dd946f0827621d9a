"""DLQ inspect and redrive: on moto's in-process SQS, and with a fake endpoint for the move-task choice."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from moto import mock_aws

from careervp_cli import dlq
from careervp_cli.aws import (
    AwsAccessError,
    AwsServices,
    MoveTaskUnsupportedError,
    QueueMessage,
    SigningCredentials,
)
from shared.dal.models import JobError, JobRecord, JobStatus

REGION = "eu-west-1"


@dataclass(frozen=True)
class Queues:
    services: AwsServices
    queue_url: str
    dlq_url: str


@pytest.fixture
def queues() -> Iterator[Queues]:
    with mock_aws():
        sqs = boto3.client("sqs", region_name=REGION)
        queue_url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
        dlq_url = sqs.create_queue(QueueName="jobs-dlq")["QueueUrl"]
        services = AwsServices.with_credentials(
            SigningCredentials("testing", "testing"), region=REGION, endpoint_url=None
        )
        yield Queues(services, queue_url, dlq_url)


def dead_letter(queues: Queues, *bodies: str) -> None:
    sqs = boto3.client("sqs", region_name=REGION)
    for body in bodies:
        sqs.send_message(QueueUrl=queues.dlq_url, MessageBody=body)


def job_message(job_id: str) -> str:
    return json.dumps({"schema_version": 1, "job_id": job_id})


def bodies_in(queue_url: str) -> list[str]:
    sqs = boto3.client("sqs", region_name=REGION)
    found: list[str] = []
    while messages := sqs.receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=60
    ).get("Messages", []):
        found.extend(message["Body"] for message in messages)
    return sorted(found)


def failed_record(job_id: str) -> JobRecord:
    now = datetime(2026, 11, 26, 12, tzinfo=UTC)
    return JobRecord(
        job_id=job_id,
        owner="arn:aws:iam::000000000000:user/A",
        status=JobStatus.FAILED,
        created_at=now,
        updated_at=now,
        expires_at=0,
        request_hash="h",
        resume={},
        job={},
        attempts=5,
        error=JobError(code="model_unavailable", message="the model kept failing", retryable=True),
    )


def test_inspect_lists_each_message_with_its_job_and_recorded_failure_and_keeps_it(queues: Queues) -> None:
    # Given a dead-lettered job message and a message that is not a job's
    dead_letter(queues, job_message("job-1"), "not json")
    records = {"job-1": failed_record("job-1")}

    # When the DLQ is inspected
    entries = dlq.inspect(queues.services, queues.dlq_url, records.get, wait_seconds=0)

    # Then both are listed, the job's with its failure, and both are still in the DLQ, visible again
    by_job = {entry.job_id: entry for entry in entries}
    assert set(by_job) == {"job-1", None}
    assert by_job["job-1"].failure_code == "model_unavailable"
    assert by_job["job-1"].job_status == "FAILED"
    assert by_job["job-1"].attempts == 5
    assert by_job["job-1"].receive_count == 1
    age = by_job["job-1"].age_seconds
    assert age is not None
    assert age < 60
    assert bodies_in(queues.dlq_url) == sorted([job_message("job-1"), "not json"])


def test_redrive_moves_only_the_selected_jobs(queues: Queues) -> None:
    # Given three dead-lettered jobs
    dead_letter(queues, job_message("job-1"), job_message("job-2"), job_message("job-3"))

    # When two of them are redriven
    report = dlq.redrive(
        queues.services,
        dlq_url=queues.dlq_url,
        queue_url=queues.queue_url,
        job_ids=["job-1", "job-3"],
        wait_seconds=0,
    )

    # Then they are on the jobs queue, the third stays, and the counts say so
    assert (report.moved, report.skipped, report.failed) == (2, 1, 0)
    assert bodies_in(queues.queue_url) == sorted([job_message("job-1"), job_message("job-3")])
    assert bodies_in(queues.dlq_url) == [job_message("job-2")]


def test_a_dry_run_moves_nothing(queues: Queues) -> None:
    # Given two dead-lettered jobs
    dead_letter(queues, job_message("job-1"), job_message("job-2"))

    # When a dry run redrives everything
    report = dlq.redrive(
        queues.services, dlq_url=queues.dlq_url, queue_url=queues.queue_url, dry_run=True, wait_seconds=0
    )

    # Then it reports what would move, and both stay in the DLQ
    assert (report.moved, report.skipped, report.failed) == (2, 0, 0)
    assert {outcome.action for outcome in report.outcomes} == {"would move"}
    assert bodies_in(queues.queue_url) == []
    assert len(bodies_in(queues.dlq_url)) == 2


def test_a_message_that_is_not_a_job_is_skipped_not_moved(queues: Queues) -> None:
    # Given a stray message in the DLQ
    dead_letter(queues, "{broken")

    # When everything is redriven
    report = dlq.redrive(queues.services, dlq_url=queues.dlq_url, queue_url=queues.queue_url, wait_seconds=0)

    # Then it stays, skipped, with the reason
    assert (report.moved, report.skipped) == (0, 1)
    assert report.outcomes[0].reason == "not a job message"
    assert bodies_in(queues.dlq_url) == ["{broken"]


@dataclass
class FakeQueues:
    """An in-memory SQS with visibility, where StartMessageMoveTask can be missing."""

    messages: dict[str, list[QueueMessage]] = field(default_factory=dict)
    invisible: set[str] = field(default_factory=set)
    move_task_supported: bool = True
    fail_sends: bool = False
    move_tasks: list[tuple[str, str]] = field(default_factory=list)

    def add(self, queue_url: str, job_id: str) -> None:
        index = sum(len(queue) for queue in self.messages.values())
        message = QueueMessage(
            message_id=f"m{index}",
            receipt_handle=f"r{index}",
            body=job_message(job_id),
            receive_count=5,
            sent_at=datetime.now(UTC) - timedelta(hours=1),
        )
        self.messages.setdefault(queue_url, []).append(message)

    def receive(
        self, queue_url: str, *, max_messages: int, wait_seconds: int, visibility_timeout: int
    ) -> list[QueueMessage]:
        visible = [m for m in self.messages.get(queue_url, []) if m.receipt_handle not in self.invisible]
        batch = visible[:max_messages]
        self.invisible.update(message.receipt_handle for message in batch)
        return batch

    def send(self, queue_url: str, message: QueueMessage) -> None:
        if self.fail_sends:
            raise AwsAccessError("sending failed (AccessDenied)")
        self.messages.setdefault(queue_url, []).append(message)

    def delete(self, queue_url: str, receipt_handle: str) -> None:
        self.messages[queue_url] = [m for m in self.messages[queue_url] if m.receipt_handle != receipt_handle]

    def release(self, queue_url: str, receipt_handles: Collection[str]) -> None:
        self.invisible.difference_update(receipt_handles)

    def start_message_move_task(self, source_arn: str, destination_arn: str) -> str:
        if not self.move_task_supported:
            raise MoveTaskUnsupportedError("500")
        self.move_tasks.append((source_arn, destination_arn))
        return "task-handle-1"

    def approximate_message_count(self, queue_url: str) -> int:
        return len(self.messages.get(queue_url, []))


def redrive_all(fake: FakeQueues, *, dry_run: bool = False) -> dlq.RedriveReport:
    return dlq.redrive_all(
        fake,
        dlq_url="dlq",
        dlq_arn="arn:dlq",
        queue_url="queue",
        queue_arn="arn:queue",
        dry_run=dry_run,
        wait_seconds=0,
    )


def test_redrive_all_starts_an_sqs_message_move_task_where_supported() -> None:
    # Given an endpoint with StartMessageMoveTask and two dead-lettered jobs
    fake = FakeQueues()
    fake.add("dlq", "job-1")
    fake.add("dlq", "job-2")

    # When everything is redriven
    report = redrive_all(fake)

    # Then SQS is asked to move the DLQ back to the jobs queue, and the CLI moves nothing itself
    assert fake.move_tasks == [("arn:dlq", "arn:queue")]
    assert (report.method, report.task_handle, report.approximate_messages) == (
        "move-task",
        "task-handle-1",
        2,
    )
    assert "queue" not in fake.messages


def test_redrive_all_falls_back_to_moving_messages_itself_where_unsupported() -> None:
    # Given an endpoint without StartMessageMoveTask (like moto)
    fake = FakeQueues(move_task_supported=False)
    fake.add("dlq", "job-1")
    fake.add("dlq", "job-2")

    # When everything is redriven
    report = redrive_all(fake)

    # Then the CLI moves both, and says why it did it itself
    assert report.method == "messages"
    assert report.moved == 2
    assert "StartMessageMoveTask" in (report.fallback_reason or "")
    assert [json.loads(m.body)["job_id"] for m in fake.messages["queue"]] == ["job-1", "job-2"]
    assert fake.messages["dlq"] == []


def test_redrive_all_as_a_dry_run_starts_no_task() -> None:
    # Given a supported endpoint
    fake = FakeQueues()
    fake.add("dlq", "job-1")

    # When a dry run redrives everything
    report = redrive_all(fake, dry_run=True)

    # Then nothing is started or moved, and the count is reported
    assert fake.move_tasks == []
    assert report.moved == 1
    assert len(fake.messages["dlq"]) == 1


def test_a_failed_send_leaves_the_message_in_the_dlq_and_counts_as_failed() -> None:
    # Given sends that fail
    fake = FakeQueues(fail_sends=True)
    fake.add("dlq", "job-1")

    # When it is redriven
    report = dlq.redrive(fake, dlq_url="dlq", queue_url="queue", wait_seconds=0)

    # Then it stays, visible again, and is reported as failed with the reason
    assert (report.moved, report.failed) == (0, 1)
    assert "AccessDenied" in report.outcomes[0].reason
    assert len(fake.messages["dlq"]) == 1
    assert fake.invisible == set()
