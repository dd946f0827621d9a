"""``python -m local_stack`` (``make run``): start the local stack, run the demo, serve until Ctrl-C.

The handlers' standard output (their JSON logs and EMF metrics: what CloudWatch Logs holds on AWS) goes to
``--lambda-log`` so the terminal shows the demo; ``--lambda-log -`` keeps it on the terminal.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import FrameType
from typing import TextIO

from local_stack.bedrock_emulator import ENV_VARS, FaultConfig, FaultConfigError
from local_stack.bedrock_emulator.faults import parse_setting
from local_stack.config import LocalConfigError, LocalStackConfig
from local_stack.demo import (
    DEFAULT_EVENT_TIMEOUT_SECONDS,
    DemoError,
    documents,
    print_outcome,
    print_services,
    print_try_it,
    run_demo,
)
from local_stack.stack import LocalStack

DEFAULT_LAMBDA_LOG = Path("build/local-stack/lambda.log")
FIRST_RESULT_TARGET_SECONDS = 10.0
# The fault flags and the FaultConfig field each sets (values are parsed as the emulator parses them).
FAULT_FLAGS: dict[str, str] = {
    "--throttle-rate": "throttle_rate",
    "--5xx-rate": "server_error_rate",
    "--model-timeout-rate": "model_timeout_rate",
    "--malformed-rate": "malformed_rate",
    "--latency-ms": "latency_ms",
    "--latency-jitter-ms": "latency_jitter_ms",
    "--requests-per-minute": "requests_per_minute",
    "--fault-seed": "seed",
}
_LOG = logging.getLogger("local_stack")


def build_parser(defaults: LocalStackConfig) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m local_stack",
        description="Run the CV tailoring pipeline locally (moto, a Bedrock emulator, a SigV4 API gateway "
        "and an SQS worker runner around the real handlers), tailor an example CV, and serve until Ctrl-C.",
    )
    ports = parser.add_argument_group("where to listen (0 picks a free port)")
    ports.add_argument("--host", default=defaults.host, help="interface (env CAREERVP_HOST)")
    ports.add_argument("--aws-port", type=int, default=defaults.aws_port, help="moto (env CAREERVP_AWS_PORT)")
    ports.add_argument(
        "--bedrock-port",
        type=int,
        default=defaults.bedrock_port,
        help="Bedrock emulator (env CAREERVP_BEDROCK_PORT)",
    )
    ports.add_argument(
        "--api-port", type=int, default=defaults.api_port, help="API gateway (env CAREERVP_API_PORT)"
    )
    runner = parser.add_argument_group("runtime")
    runner.add_argument("--region", default=defaults.region, help="region (env CAREERVP_LOCAL_REGION)")
    runner.add_argument(
        "--poll-wait-seconds",
        type=int,
        default=defaults.poll_wait_seconds,
        help="long-poll wait of the worker runner (env CAREERVP_POLL_WAIT_SECONDS)",
    )
    runner.add_argument(
        "--retry-delay-seconds",
        default=None if defaults.retry_delay_seconds is None else str(defaults.retry_delay_seconds),
        help="seconds before a failed record is retried; 'none' waits the queue's visibility timeout as on "
        "AWS (env CAREERVP_RETRY_DELAY_SECONDS)",
    )
    runner.add_argument(
        "--log-level", default=defaults.log_level, help="the handlers' LOG_LEVEL (env CAREERVP_LOG_LEVEL)"
    )
    runner.add_argument(
        "--lambda-log",
        default=str(DEFAULT_LAMBDA_LOG),
        help="file for the handlers' stdout (JSON logs, EMF metrics); '-' for the terminal",
    )
    demo = parser.add_argument_group("demo")
    demo.add_argument("--cv", type=Path, help="a JSON Resume CV to submit instead of the bundled example")
    demo.add_argument(
        "--job", type=Path, help="a job (JSON Resume job, or plain text) instead of the example"
    )
    demo.add_argument("--no-demo", action="store_true", help="only start the services")
    demo.add_argument("--exit-after-demo", action="store_true", help="stop once the demo result is printed")
    faults = parser.add_argument_group(
        "Bedrock emulator faults (flags win over the BEDROCK_EMULATOR_* variables; rates are shares of calls)"
    )
    for flag, field_name in FAULT_FLAGS.items():
        faults.add_argument(
            flag, dest=f"fault_{field_name}", metavar="VALUE", help=f"env {ENV_VARS[field_name]}"
        )
    return parser


def stack_config(args: argparse.Namespace, environ: Mapping[str, str]) -> LocalStackConfig:
    overrides = {
        field_name: parse_setting(field_name, raw, flag)
        for flag, field_name in FAULT_FLAGS.items()
        if (raw := getattr(args, f"fault_{field_name}")) is not None
    }
    faults = FaultConfig.from_env(environ, **overrides)
    retry = args.retry_delay_seconds
    try:
        retry_delay = None if retry is None or retry.strip().lower() == "none" else int(retry)
    except ValueError:
        raise LocalConfigError(
            f"--retry-delay-seconds must be a whole number or 'none', got {retry!r}"
        ) from None
    return LocalStackConfig(
        host=args.host,
        aws_port=args.aws_port,
        bedrock_port=args.bedrock_port,
        api_port=args.api_port,
        region=args.region,
        naming_env=LocalStackConfig.from_environment(environ).naming_env,
        poll_wait_seconds=args.poll_wait_seconds,
        retry_delay_seconds=retry_delay,
        log_level=str(args.log_level).upper(),
        faults=faults,
    )


@contextlib.contextmanager
def handler_output(target: str) -> Iterator[TextIO]:
    """Send file descriptor 1 (the handlers' stdout) to ``target``; yield a stream to the real terminal.

    Redirecting the descriptor, not ``sys.stdout``, also catches loggers that captured the stream object at
    import time. Python warnings (Powertools' "No application metrics") follow the handlers' output.
    """
    if target == "-":
        yield sys.stdout
        return
    path = Path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    terminal_fd = os.dup(1)
    terminal = os.fdopen(terminal_fd, "w", buffering=1, encoding="utf-8")
    with path.open("a", encoding="utf-8") as log_file:
        os.dup2(log_file.fileno(), 1)
        warnings_logger = logging.getLogger("py.warnings")
        warnings_handler = logging.StreamHandler(sys.stdout)
        warnings_logger.addHandler(warnings_handler)
        warnings_logger.propagate = False
        logging.captureWarnings(True)
        try:
            yield terminal
        finally:
            sys.stdout.flush()
            logging.captureWarnings(False)
            warnings_logger.removeHandler(warnings_handler)
            os.dup2(terminal_fd, 1)
            terminal.close()


def _wait_for_stop() -> None:
    """Block until Ctrl-C or SIGTERM."""
    stopping = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    previous = signal.signal(signal.SIGTERM, request_stop)
    try:
        # On POSIX a signal interrupts the wait: Ctrl-C raises KeyboardInterrupt, SIGTERM sets the event.
        stopping.wait()
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    env = os.environ if environ is None else environ
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        defaults = LocalStackConfig.from_environment(env)
        args = build_parser(defaults).parse_args(argv)
        config = stack_config(args, env)
        resume, job = documents(args.cv, args.job) if not args.no_demo else ({}, {})
    except (LocalConfigError, FaultConfigError, ValueError) as error:
        sys.stderr.write(f"error: {error}\n")
        return 2
    with handler_output(args.lambda_log) as console:
        if args.lambda_log != "-":
            console.write(f"Handler logs and metrics: {args.lambda_log}\n")
        stack = LocalStack(config)
        try:
            endpoints = stack.start()
        except OSError as error:
            console.write(f"error: cannot start the local stack: {error}\n")
            return 1
        services_up = time.monotonic()
        try:
            print_services(endpoints, console)
            job_id = None
            if not args.no_demo:
                console.write("\nSubmitting the example CV and job as the demo caller...\n")
                try:
                    outcome = run_demo(endpoints, resume, job, timeout_seconds=DEFAULT_EVENT_TIMEOUT_SECONDS)
                except DemoError as error:
                    console.write(f"error: {error}\n")
                    return 1
                job_id = outcome.job_id
                print_outcome(outcome, console)
                first_result = time.monotonic() - services_up
                verdict = "within" if first_result <= FIRST_RESULT_TARGET_SECONDS else "OVER"
                console.write(
                    f"First result {first_result:.2f} s after the services were up "
                    f"({verdict} the {FIRST_RESULT_TARGET_SECONDS:.0f} s target).\n"
                )
            if args.exit_after_demo:
                return 0
            print_try_it(endpoints, job_id, console)
            _wait_for_stop()
        except KeyboardInterrupt:
            console.write("\nInterrupted.\n")
        finally:
            _stop(stack, console)
    return 0


def _stop(stack: LocalStack, console: TextIO) -> None:
    """Stop the stack; a second Ctrl-C (a terminal signals uv and Python alike) must not cut it short."""
    console.write("Stopping...\n")
    stopped = time.monotonic()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        stack.stop()
    finally:
        signal.signal(signal.SIGINT, previous)
    console.write(f"Stopped in {time.monotonic() - stopped:.1f} s; ports freed.\n")


if __name__ == "__main__":
    sys.exit(main())
