"""The demo's inputs and the hints it prints."""

from __future__ import annotations

from pathlib import Path

from evaluation.schema_checks import resume_schema_errors
from local_stack.demo import cli_environment, documents, example_documents
from local_stack.provision import LocalResources
from local_stack.stack import StackEndpoints

RESOURCES = LocalResources(
    table_name="t",
    queue_url="q",
    queue_arn="qa",
    dead_letter_queue_url="d",
    dead_letter_queue_arn="da",
    event_bus_name="b",
    events_queue_url="e",
    events_queue_arn="ea",
    events_rule_name="r",
)


def endpoints(api_port: int, aws_port: int) -> StackEndpoints:
    return StackEndpoints(
        aws_url=f"http://127.0.0.1:{aws_port}",
        bedrock_url="http://127.0.0.1:4567",
        api_url=f"http://127.0.0.1:{api_port}",
        region="us-east-1",
        resources=RESOURCES,
        startup_seconds=1.0,
    )


def test_the_bundled_example_is_a_valid_cv_and_a_job() -> None:
    # Given the example shipped with the package
    resume, job = example_documents()

    # Then the CV is valid JSON Resume and the job has a title and skills
    assert resume_schema_errors(resume) == []
    assert job["title"]
    assert job["skills"]


def test_own_documents_replace_the_example(tmp_path: Path) -> None:
    # Given a plain-text job of one's own
    job_path = tmp_path / "job.txt"
    job_path.write_text("Staff engineer, Python", encoding="utf-8")

    # When the demo documents are chosen
    resume, job = documents(None, job_path)

    # Then the example CV goes with that job
    assert resume == example_documents()[0]
    assert job == {"description": "Staff engineer, Python"}


def test_the_cli_hint_needs_no_variables_on_the_default_ports() -> None:
    # Given the stack on its default ports, then on others
    # When the CLI environment for the hints is built
    # Then it is empty by default, and names each port that differs
    assert cli_environment(endpoints(3000, 4566)) == ""
    assert cli_environment(endpoints(13000, 4566)) == "CAREERVP_API_PORT=13000 "
