"""``python -m local_stack.bedrock_emulator``: serve until Ctrl-C or SIGTERM.

Flags win over the ``BEDROCK_EMULATOR_*`` environment variables, which win over the defaults.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Mapping, Sequence
from types import FrameType
from typing import Any

from local_stack.bedrock_emulator import (
    DEFAULT_PORT,
    ENV_VARS,
    BedrockEmulator,
    FaultConfig,
    FaultConfigError,
)
from local_stack.bedrock_emulator.faults import parse_setting
from local_stack.bedrock_emulator.service import logger

HOST_VARIABLE = "BEDROCK_EMULATOR_HOST"
PORT_VARIABLE = "BEDROCK_EMULATOR_PORT"
LOG_LEVEL_VARIABLE = "BEDROCK_EMULATOR_LOG_LEVEL"
# Flag spelling of each FaultConfig field; the environment variable is ENV_VARS[field].
FLAGS: dict[str, tuple[str, ...]] = {
    "throttle_rate": ("--throttle-rate",),
    "server_error_rate": ("--5xx-rate", "--server-error-rate"),
    "model_timeout_rate": ("--model-timeout-rate",),
    "malformed_rate": ("--malformed-rate",),
    "latency_ms": ("--latency-ms",),
    "latency_jitter_ms": ("--latency-jitter-ms",),
    "requests_per_minute": ("--rpm", "--requests-per-minute"),
    "seed": ("--seed",),
}
_HELP = {
    "throttle_rate": "share of calls answered with ThrottlingException (429)",
    "server_error_rate": "share answered with ServiceUnavailableException (503) or InternalServerException",
    "model_timeout_rate": "share answered with ModelTimeoutException (408)",
    "malformed_rate": "share answered with a tool call the edit contract rejects",
    "latency_ms": "latency added before each admitted call is answered",
    "latency_jitter_ms": "uniform jitter, plus or minus, around --latency-ms",
    "requests_per_minute": "quota over a sliding 60 s window, all models together; 0 means unlimited",
    "seed": "seed of the fault RNG; 'random' for a fresh one each run",
}


def _parser(environ: Mapping[str, str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m local_stack.bedrock_emulator",
        description="A local bedrock-runtime Converse endpoint answered by the offline tailoring engine.",
    )
    parser.add_argument(
        "--host", default=environ.get(HOST_VARIABLE, "127.0.0.1"), help=f"env {HOST_VARIABLE}"
    )
    parser.add_argument(
        "--port", type=int, default=int(environ.get(PORT_VARIABLE, DEFAULT_PORT)), help=f"env {PORT_VARIABLE}"
    )
    for name, flags in FLAGS.items():
        parser.add_argument(
            *flags, dest=name, default=None, metavar="VALUE", help=f"{_HELP[name]} (env {ENV_VARS[name]})"
        )
    parser.add_argument(
        "--log-level",
        default=environ.get(LOG_LEVEL_VARIABLE, "WARNING").upper(),
        choices=("DEBUG", "INFO", "WARNING", "ERROR"),
        help=f"default WARNING, quiet (env {LOG_LEVEL_VARIABLE}); logs never hold CV or job text",
    )
    return parser


def fault_config(args: argparse.Namespace, environ: Mapping[str, str]) -> FaultConfig:
    """Flags over environment over defaults."""
    overrides: dict[str, Any] = {
        name: parse_setting(name, getattr(args, name), FLAGS[name][0])
        for name in FLAGS
        if getattr(args, name) is not None
    }
    return FaultConfig.from_env(environ, **overrides)


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    source = os.environ if environ is None else environ
    parser = _parser(source)
    args = parser.parse_args(argv)
    try:
        faults = fault_config(args, source)
    except FaultConfigError as error:
        parser.error(str(error))
    logger.setLevel(args.log_level)
    emulator = BedrockEmulator(host=args.host, port=args.port, faults=faults).start()
    stopping = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    sys.stderr.write(f"bedrock emulator listening on {emulator.url} ({faults.model_dump_json()})\n")
    stopping.wait()
    emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
