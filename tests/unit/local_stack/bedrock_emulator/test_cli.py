"""The standalone command's settings: flags over environment variables over defaults."""

from __future__ import annotations

import argparse

import pytest

from local_stack.bedrock_emulator import DEFAULT_PORT, FaultConfig, FaultConfigError
from local_stack.bedrock_emulator.__main__ import _parser, fault_config


def _parse(argv: list[str], environ: dict[str, str]) -> tuple[argparse.Namespace, FaultConfig]:
    args = _parser(environ).parse_args(argv)
    return args, fault_config(args, environ)


def test_defaults_are_a_fault_free_emulator_on_port_4567() -> None:
    # Given no flags and no variables
    # When the command line is read
    args, faults = _parse([], {})

    # Then it serves on 127.0.0.1:4567 without faults
    assert (args.host, args.port) == ("127.0.0.1", DEFAULT_PORT)
    assert faults == FaultConfig()


def test_every_fault_has_a_flag() -> None:
    # Given every fault flag
    argv = [
        "--throttle-rate", "0.3", "--5xx-rate", "0.1", "--model-timeout-rate", "0.01",
        "--malformed-rate", "0.05", "--latency-ms", "250", "--latency-jitter-ms", "50",
        "--rpm", "60", "--seed", "7",
    ]  # fmt: skip

    # When the command line is read
    _, faults = _parse(argv, {})

    # Then each lands in its field
    assert faults == FaultConfig(
        throttle_rate=0.3,
        server_error_rate=0.1,
        model_timeout_rate=0.01,
        malformed_rate=0.05,
        latency_ms=250,
        latency_jitter_ms=50,
        requests_per_minute=60,
        seed=7,
    )


def test_flags_win_over_environment_variables() -> None:
    # Given variables for the port, throttling and the quota, and flags for two of them
    environ = {
        "BEDROCK_EMULATOR_PORT": "5000",
        "BEDROCK_EMULATOR_THROTTLE_RATE": "0.5",
        "BEDROCK_EMULATOR_RPM": "100",
        "BEDROCK_EMULATOR_SEED": "3",
    }

    # When the command line is read
    args, faults = _parse(["--throttle-rate", "0.1", "--rpm", "0"], environ)

    # Then the flags win and the rest come from the environment
    assert args.port == 5000
    assert (faults.throttle_rate, faults.requests_per_minute, faults.seed) == (0.1, None, 3)


@pytest.mark.parametrize("argv", [["--throttle-rate", "many"], ["--5xx-rate", "2"], ["--rpm", "-5"]])
def test_a_bad_flag_is_refused(argv: list[str]) -> None:
    # Given a bad flag value
    # When the command line is read
    # Then the command stops with a usage error
    parser = _parser({})
    args = parser.parse_args(argv)
    with pytest.raises(FaultConfigError, match="invalid fault configuration"):
        fault_config(args, {})
