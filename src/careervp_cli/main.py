"""``careervp``: submit CVs, follow jobs and events, and inspect or redrive the DLQ, locally or on AWS.

Exit codes: 0 success; 1 the operation failed (an API error, a FAILED job, a failed redrive, a timeout);
2 bad usage or configuration.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final, TextIO

from careervp_cli import dlq
from careervp_cli.api_client import ApiResponse, ApiUnreachableError, SignedApiClient
from careervp_cli.aws import AwsAccessError, AwsServices, SigningCredentials
from careervp_cli.events import EVENT_PATTERN, tail_events
from careervp_cli.jobs import (
    DocumentError,
    load_job_file,
    load_json_file,
    tailoring_request,
    wait_for_terminal,
)
from careervp_cli.summary import event_line, status_lines
from careervp_cli.target import (
    LOCAL_FALLBACK_ACCESS_KEY_ID,
    LOCAL_FALLBACK_SECRET_ACCESS_KEY,
    ResourceName,
    Target,
    TargetError,
    TargetOptions,
    resolve_target,
)

EXIT_OK: Final = 0
EXIT_FAILED: Final = 1
EXIT_USAGE: Final = 2
DEFAULT_WAIT_TIMEOUT_SECONDS: Final = 300.0

Command = Callable[[argparse.Namespace, "Context"], int]


class CliError(Exception):
    """A failure to report as ``error: <message>`` with exit code 1."""


class Context:
    """The resolved target and the clients built for it, created on first use."""

    def __init__(self, target: Target, out: TextIO, err: TextIO) -> None:
        self.target = target
        self.out = out
        self.err = err
        self._services: AwsServices | None = None

    @property
    def services(self) -> AwsServices:
        if self._services is None:
            self._services = AwsServices.create(
                profile=self.target.profile,
                region=self.target.region,
                endpoint_url=self.target.endpoint_url,
                fallback_credentials=(
                    SigningCredentials(LOCAL_FALLBACK_ACCESS_KEY_ID, LOCAL_FALLBACK_SECRET_ACCESS_KEY)
                    if self.target.kind == "local"
                    else None
                ),
            )
        return self._services

    def api(self) -> SignedApiClient:
        region = self.target.region or self.services.region
        if not region:
            raise CliError("no AWS region: pass --region or configure one (AWS_REGION, ~/.aws/config)")
        api_url = self.target.require("API URL", self.target.api_url)
        return SignedApiClient(api_url, self.services.credentials(), region)

    def queue_url(self, label: str, queue: ResourceName | None) -> str:
        if queue is not None and queue.url:
            return queue.url
        if queue is not None and queue.name:
            return self.services.queue_url(queue.name)
        return self.target.require(label, None)

    def write(self, line: str = "") -> None:
        self.out.write(line + "\n")
        self.out.flush()


# --- commands ---------------------------------------------------------------------------------------------


def _api_failure(context: Context, response: ApiResponse, action: str) -> int:
    context.err.write(f"error: {action}: HTTP {response.status}: {response.error_message}\n")
    return EXIT_FAILED


def _print_status(context: Context, response: ApiResponse, as_json: bool) -> None:
    if as_json:
        context.write(json.dumps(response.body, indent=2, ensure_ascii=False))
    else:
        for line in status_lines(response.body if isinstance(response.body, dict) else {}):
            context.write(line)


def run_submit(args: argparse.Namespace, context: Context) -> int:
    try:
        resume = load_json_file(Path(args.cv), "CV")
        job = load_job_file(Path(args.job))
    except DocumentError as error:
        raise CliError(str(error)) from error
    api = context.api()
    accepted = api.submit(tailoring_request(resume, job), idempotency_key=args.idempotency_key)
    if accepted.status != 202 or not isinstance(accepted.body, dict):
        return _api_failure(context, accepted, "the API refused the job")
    job_id = str(accepted.body["job_id"])
    context.write(job_id)
    if not args.wait:
        return EXIT_OK
    final = wait_for_terminal(api, job_id, timeout_seconds=args.timeout)
    if final.status != 200 or not isinstance(final.body, dict):
        return _api_failure(context, final, f"reading job {job_id}")
    _print_status(context, final, args.json)
    status = final.body.get("status")
    if status == "COMPLETED":
        return EXIT_OK
    if status != "FAILED":
        context.err.write(f"error: job {job_id} is still {status} after {args.timeout:.0f} s\n")
    return EXIT_FAILED


def run_status(args: argparse.Namespace, context: Context) -> int:
    response = context.api().status(args.job_id)
    if response.status != 200:
        return _api_failure(context, response, f"reading job {args.job_id}")
    _print_status(context, response, args.json)
    return EXIT_OK


def run_events(args: argparse.Namespace, context: Context) -> int:
    target = context.target
    subscription = None
    if target.events_queue is not None and not args.ephemeral:
        queue_url = context.queue_url("events queue", target.events_queue)
    else:
        bus = target.require("event bus name", target.event_bus_name)
        subscription = context.services.subscribe(bus, EVENT_PATTERN)
        queue_url = subscription.queue_url
        context.err.write(f"Subscribed to {bus} through a temporary queue; Ctrl-C to stop.\n")

    def show(event: dict[str, Any]) -> None:
        context.write(json.dumps(event, ensure_ascii=False) if args.json else event_line(event))

    stop = threading.Event()
    try:
        tail_events(
            context.services,
            queue_url,
            show,
            job_id=args.job_id,
            max_events=args.max_events,
            timeout_seconds=args.timeout,
            should_stop=stop.is_set,
        )
    except KeyboardInterrupt:
        stop.set()
    finally:
        if subscription is not None:
            context.services.unsubscribe(subscription)
    return EXIT_OK


def _job_lookup(context: Context) -> dlq.JobLookup | None:
    table = context.target.table_name
    if not table:
        return None
    services = context.services
    return lambda job_id: services.job(table, job_id)


def run_dlq_inspect(args: argparse.Namespace, context: Context) -> int:
    dlq_url = context.queue_url("dead-letter queue URL", context.target.dead_letter_queue)
    entries = dlq.inspect(context.services, dlq_url, _job_lookup(context))
    if args.json:
        context.write(json.dumps([vars(entry) for entry in entries], indent=2, ensure_ascii=False))
        return EXIT_OK
    context.write(f"{len(entries)} message(s) in {dlq_url}")
    for entry in entries:
        age = "?" if entry.age_seconds is None else _duration(entry.age_seconds)
        failure = (
            f"{entry.failure_code}: {entry.failure_message}"
            if entry.failure_code
            else "(no failure recorded)"
        )
        attempts = "?" if entry.attempts is None else entry.attempts
        context.write(
            f"- job {entry.job_id or '(not a job message)'}  receives={entry.receive_count}  age={age}  "
            f"status={entry.job_status or '?'}  attempts={attempts}"
        )
        context.write(f"    {failure}")
    return EXIT_OK


def run_dlq_redrive(args: argparse.Namespace, context: Context) -> int:
    target = context.target
    dlq_url = context.queue_url("dead-letter queue URL", target.dead_letter_queue)
    queue_url = context.queue_url("jobs queue URL", target.queue)
    if args.all:
        services = context.services
        report = dlq.redrive_all(
            services,
            dlq_url=dlq_url,
            dlq_arn=services.queue_arn(dlq_url),
            queue_url=queue_url,
            queue_arn=services.queue_arn(queue_url),
            dry_run=args.dry_run,
        )
    else:
        report = dlq.redrive(
            context.services,
            dlq_url=dlq_url,
            queue_url=queue_url,
            job_ids=args.job_ids or None,
            dry_run=args.dry_run,
        )
    _print_redrive(context, report)
    return EXIT_FAILED if report.failed else EXIT_OK


def _print_redrive(context: Context, report: dlq.RedriveReport) -> None:
    if report.method == "move-task":
        context.write(
            f"Started SQS message move task {report.task_handle} for about {report.approximate_messages} "
            "message(s); SQS moves them in the background (see the DLQ depth, or `aws sqs "
            "list-message-move-tasks`)."
        )
        return
    if report.fallback_reason:
        context.write(f"{report.fallback_reason}; moved the messages one by one instead.")
    for outcome in report.outcomes:
        reason = f" ({outcome.reason})" if outcome.reason else ""
        context.write(f"- {outcome.action}: job {outcome.job_id or '?'} message {outcome.message_id}{reason}")
    verb = "would move" if report.dry_run else "moved"
    context.write(f"{verb} {report.moved}, skipped {report.skipped}, failed {report.failed}")


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f}s"
    if seconds < 7_200:
        return f"{seconds / 60:.0f}m"
    if seconds < 172_800:
        return f"{seconds / 3_600:.1f}h"
    return f"{seconds / 86_400:.1f}d"


# --- parser -----------------------------------------------------------------------------------------------


def _target_arguments(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """The target options, accepted before and after the command."""
    default = argparse.SUPPRESS if suppress else None
    group = parser.add_argument_group("target (flags win over CAREERVP_* variables and stack outputs)")
    group.add_argument(
        "--target",
        choices=("local", "aws"),
        default=default,
        help="local stack (default) or a deployed stack",
    )
    group.add_argument(
        "--stack-name",
        metavar="NAME",
        default=default,
        help="deployed stack to read outputs from (implies aws)",
    )
    group.add_argument(
        "--env",
        metavar="ENV",
        dest="deploy_env",
        default=default,
        help="deployment env naming the stack (dev)",
    )
    group.add_argument(
        "--region", metavar="REGION", default=default, help="AWS region (default: the ordinary resolution)"
    )
    group.add_argument("--profile", metavar="PROFILE", default=default, help="AWS profile")
    group.add_argument("--api-url", metavar="URL", default=default, help="base URL of the API stage")
    group.add_argument(
        "--endpoint-url", metavar="URL", default=default, help="endpoint for SQS, DynamoDB and EventBridge"
    )
    group.add_argument(
        "--queue-url", metavar="URL", dest="jobs_queue_url", default=default, help="jobs queue URL"
    )
    group.add_argument("--dlq-url", metavar="URL", default=default, help="dead-letter queue URL")
    group.add_argument("--table-name", metavar="NAME", default=default, help="jobs table")
    group.add_argument("--bus-name", metavar="NAME", default=default, help="event bus")


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    _target_arguments(common, suppress=True)
    parser = argparse.ArgumentParser(
        prog="careervp",
        description="Tailor CVs and operate the CV tailoring service, locally (make run) or on AWS.",
    )
    _target_arguments(parser, suppress=False)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    submit = commands.add_parser("submit", parents=[common], help="submit a CV and a job; print the job id")
    submit.add_argument("cv", help="the CV (JSON Resume)")
    submit.add_argument("job", help="the job (JSON Resume job description, or a plain-text posting)")
    submit.add_argument("--wait", action="store_true", help="follow the job to its end and print the result")
    submit.add_argument("--timeout", type=float, default=DEFAULT_WAIT_TIMEOUT_SECONDS, help="seconds to wait")
    submit.add_argument("--idempotency-key", help="repeat-safe key (same key and body, same job)")
    submit.add_argument("--json", action="store_true", help="print the status response as JSON")
    submit.set_defaults(run=run_submit)

    status = commands.add_parser("status", parents=[common], help="show a job's status (and result)")
    status.add_argument("job_id")
    status.add_argument("--json", action="store_true", help="print the status response as JSON")
    status.set_defaults(run=run_status)

    events = commands.add_parser("events", parents=[common], help="tail the outcome events")
    events.add_argument(
        "--events-queue-url",
        help="read this subscriber queue (env CAREERVP_EVENTS_QUEUE_URL; local default: the "
        "stack's subscriber queue)",
    )
    events.add_argument(
        "--ephemeral", action="store_true", help="subscribe a temporary queue to the bus (the default on AWS)"
    )
    events.add_argument("--job-id", help="only this job's events")
    events.add_argument("--max-events", type=int, help="stop after this many events")
    events.add_argument("--timeout", type=float, help="stop after this many seconds")
    events.add_argument("--json", action="store_true", help="print each event as JSON")
    events.set_defaults(run=run_events)

    dlq_parser = commands.add_parser("dlq", help="inspect or redrive the dead-letter queue")
    dlq_commands = dlq_parser.add_subparsers(dest="dlq_command", required=True, metavar="ACTION")
    inspect = dlq_commands.add_parser("inspect", parents=[common], help="list the dead-lettered jobs")
    inspect.add_argument("--json", action="store_true")
    inspect.set_defaults(run=run_dlq_inspect)
    redrive = dlq_commands.add_parser(
        "redrive", parents=[common], help="move messages back to the jobs queue"
    )
    selection = redrive.add_mutually_exclusive_group()
    selection.add_argument("--job-id", dest="job_ids", action="append", metavar="ID", help="only this job")
    selection.add_argument(
        "--all", action="store_true", help="everything: SQS StartMessageMoveTask where supported"
    )
    redrive.add_argument("--dry-run", action="store_true", help="report what would move; move nothing")
    redrive.set_defaults(run=run_dlq_redrive)
    return parser


def target_options(args: argparse.Namespace) -> TargetOptions:
    def value(name: str) -> Any:
        return getattr(args, name, None)

    return TargetOptions(
        target=value("target"),
        stack_name=value("stack_name"),
        deploy_env=value("deploy_env"),
        region=value("region"),
        profile=value("profile"),
        api_url=value("api_url"),
        endpoint_url=value("endpoint_url"),
        queue_url=value("jobs_queue_url"),
        dlq_url=value("dlq_url"),
        table_name=value("table_name"),
        event_bus_name=value("bus_name"),
        events_queue_url=value("events_queue_url"),
    )


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    stdout = out or sys.stdout
    stderr = err or sys.stderr
    args = build_parser().parse_args(argv)
    options = target_options(args)

    def stack_outputs(stack_name: str) -> dict[str, str]:
        services = AwsServices.create(profile=options.profile, region=options.region, endpoint_url=None)
        return services.stack_outputs(stack_name)

    try:
        target = resolve_target(options, stack_outputs)
        run: Command = args.run
        return run(args, Context(target, stdout, stderr))
    except TargetError as error:
        stderr.write(f"error: {error}\n")
        return EXIT_USAGE
    except (CliError, AwsAccessError, ApiUnreachableError) as error:
        stderr.write(f"error: {error}\n")
        if options.target != "aws" and isinstance(error, ApiUnreachableError | AwsAccessError):
            stderr.write(
                "hint: is the local stack running (make run)? For a deployed stack pass --stack-name.\n"
            )
        return EXIT_FAILED
    except KeyboardInterrupt:
        return EXIT_FAILED
    except BrokenPipeError:
        # The reader (``| head``) went away: nothing more to say, and nothing to flush at exit either.
        if stdout is sys.stdout:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
