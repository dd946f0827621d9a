"""Fault configuration, seeded fault selection and the sliding requests-per-minute window."""

from __future__ import annotations

from collections import Counter

import pytest

from local_stack.bedrock_emulator import (
    ENV_VARS,
    FaultConfig,
    FaultConfigError,
    FaultPlan,
    MalformedKind,
    Outcome,
    QuotaWindow,
)
from local_stack.bedrock_emulator.wire import ErrorCode


class FakeClock:
    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def test_the_environment_variables_keep_their_documented_names() -> None:
    # Given the emulator's settings
    # When their environment variables are listed
    # Then they carry the names the local stack and the benchmarks use
    assert ENV_VARS == {
        "throttle_rate": "BEDROCK_EMULATOR_THROTTLE_RATE",
        "server_error_rate": "BEDROCK_EMULATOR_5XX_RATE",
        "model_timeout_rate": "BEDROCK_EMULATOR_MODEL_TIMEOUT_RATE",
        "malformed_rate": "BEDROCK_EMULATOR_MALFORMED_RATE",
        "latency_ms": "BEDROCK_EMULATOR_LATENCY_MS",
        "latency_jitter_ms": "BEDROCK_EMULATOR_LATENCY_JITTER_MS",
        "requests_per_minute": "BEDROCK_EMULATOR_RPM",
        "seed": "BEDROCK_EMULATOR_SEED",
    }


def test_faults_are_read_from_the_environment_and_overrides_win() -> None:
    # Given every variable set, and an override for the throttle rate
    environ = {
        "BEDROCK_EMULATOR_THROTTLE_RATE": "0.3",
        "BEDROCK_EMULATOR_5XX_RATE": "0.1",
        "BEDROCK_EMULATOR_MODEL_TIMEOUT_RATE": "0.02",
        "BEDROCK_EMULATOR_MALFORMED_RATE": "0.05",
        "BEDROCK_EMULATOR_LATENCY_MS": "40",
        "BEDROCK_EMULATOR_LATENCY_JITTER_MS": "15",
        "BEDROCK_EMULATOR_RPM": "120",
        "BEDROCK_EMULATOR_SEED": "7",
    }

    # When the configuration is built
    config = FaultConfig.from_env(environ, throttle_rate=0.2)

    # Then each field holds its variable's value, except the overridden one
    assert config == FaultConfig(
        throttle_rate=0.2,
        server_error_rate=0.1,
        model_timeout_rate=0.02,
        malformed_rate=0.05,
        latency_ms=40,
        latency_jitter_ms=15,
        requests_per_minute=120,
        seed=7,
    )


@pytest.mark.parametrize(("rpm", "seed"), [("0", "random"), ("unlimited", "none"), ("", "")])
def test_words_lift_the_quota_and_unseed_the_rng(rpm: str, seed: str) -> None:
    # Given the quota and seed set to their "off" words (or left blank)
    environ = {"BEDROCK_EMULATOR_RPM": rpm, "BEDROCK_EMULATOR_SEED": seed}

    # When the configuration is built
    config = FaultConfig.from_env(environ)

    # Then the quota is unlimited, and the seed is random unless left at its default
    assert config.requests_per_minute is None
    assert config.seed == (0 if seed == "" else None)


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"BEDROCK_EMULATOR_THROTTLE_RATE": "lots"}, "BEDROCK_EMULATOR_THROTTLE_RATE"),
        ({"BEDROCK_EMULATOR_5XX_RATE": "1.5"}, "server_error_rate"),
        ({"BEDROCK_EMULATOR_LATENCY_MS": "-1"}, "latency_ms"),
        ({"BEDROCK_EMULATOR_THROTTLE_RATE": "0.7", "BEDROCK_EMULATOR_MALFORMED_RATE": "0.4"}, "add up"),
    ],
)
def test_bad_settings_are_refused_with_the_setting_named(environ: dict[str, str], named: str) -> None:
    # Given a bad value
    # When the configuration is built
    # Then it fails and says which setting is wrong
    with pytest.raises(FaultConfigError, match=named):
        FaultConfig.from_env(environ)


def test_the_same_seed_gives_the_same_sequence_of_faults() -> None:
    # Given two plans with the same seed and a mix of faults
    config = FaultConfig(
        throttle_rate=0.3,
        server_error_rate=0.1,
        malformed_rate=0.05,
        latency_ms=50,
        latency_jitter_ms=20,
        seed=42,
    )
    first, second = FaultPlan(config), FaultPlan(config)

    # When each draws 200 decisions
    # Then the sequences are identical
    assert [first.next_decision() for _ in range(200)] == [second.next_decision() for _ in range(200)]


def test_a_different_seed_gives_a_different_sequence() -> None:
    # Given two plans that differ only in their seed
    base = {"throttle_rate": 0.3, "server_error_rate": 0.1, "malformed_rate": 0.05}
    first, second = FaultPlan(FaultConfig(**base, seed=1)), FaultPlan(FaultConfig(**base, seed=2))

    # When each draws 200 decisions
    # Then their outcomes differ somewhere
    assert [first.next_decision().outcome for _ in range(200)] != [
        second.next_decision().outcome for _ in range(200)
    ]


def test_outcomes_follow_the_configured_shares() -> None:
    # Given the fault matrix's shares
    plan = FaultPlan(FaultConfig(throttle_rate=0.3, server_error_rate=0.1, malformed_rate=0.05, seed=3))

    # When 20,000 calls are decided
    outcomes = Counter(plan.next_decision().outcome for _ in range(20_000))

    # Then each share is met within a percentage point
    assert outcomes[Outcome.THROTTLE] / 20_000 == pytest.approx(0.30, abs=0.01)
    assert outcomes[Outcome.SERVER_ERROR] / 20_000 == pytest.approx(0.10, abs=0.01)
    assert outcomes[Outcome.MALFORMED] / 20_000 == pytest.approx(0.05, abs=0.01)
    assert outcomes[Outcome.MODEL_TIMEOUT] == 0
    assert outcomes[Outcome.ANSWER] / 20_000 == pytest.approx(0.55, abs=0.01)


def test_latency_stays_within_the_jitter_and_every_fault_shape_occurs() -> None:
    # Given latency with jitter and every call a fault
    plan = FaultPlan(
        FaultConfig(server_error_rate=0.5, malformed_rate=0.5, latency_ms=100, latency_jitter_ms=30)
    )

    # When many calls are decided
    decisions = [plan.next_decision() for _ in range(2_000)]

    # Then latency spans 70..130 ms, and every malformed shape and 5xx kind is drawn
    latencies = [decision.latency_seconds for decision in decisions]
    assert 0.070 <= min(latencies) < 0.075
    assert 0.125 < max(latencies) <= 0.130
    assert {decision.malformed_kind for decision in decisions} == set(MalformedKind)
    assert {decision.server_error for decision in decisions} == {
        ErrorCode.SERVICE_UNAVAILABLE,
        ErrorCode.INTERNAL_SERVER,
    }


def test_jitter_larger_than_the_latency_never_goes_negative() -> None:
    # Given 10 ms of latency with 50 ms of jitter
    plan = FaultPlan(FaultConfig(latency_ms=10, latency_jitter_ms=50))

    # When calls are decided
    # Then no latency is negative, and some are zero
    latencies = [plan.next_decision().latency_seconds for _ in range(500)]
    assert min(latencies) == 0.0
    assert max(latencies) <= 0.060


def test_no_faults_by_default() -> None:
    # Given the default configuration
    plan = FaultPlan(FaultConfig())

    # When calls are decided
    # Then every call is answered, at once
    decisions = [plan.next_decision() for _ in range(500)]
    assert {decision.outcome for decision in decisions} == {Outcome.ANSWER}
    assert {decision.latency_seconds for decision in decisions} == {0.0}


def test_the_quota_admits_the_limit_per_sliding_minute() -> None:
    # Given a quota of 3 requests per minute and a controllable clock
    clock = FakeClock()
    quota = QuotaWindow(3, clock=clock)

    # When 4 calls arrive within 20 s
    admitted = []
    for _ in range(4):
        admitted.append(quota.try_acquire())
        clock.advance(5)

    # Then the first 3 are admitted and the 4th is refused
    assert admitted == [True, True, True, False]

    # When the clock reaches 60 s after the first call
    clock.now = 1060.0
    # Then one slot is free again (the first call left the window), and only one
    assert quota.try_acquire() is True
    assert quota.try_acquire() is False


def test_refused_calls_do_not_use_up_the_quota() -> None:
    # Given a quota of 2 that is full
    clock = FakeClock()
    quota = QuotaWindow(2, clock=clock)
    assert [quota.try_acquire(), quota.try_acquire()] == [True, True]

    # When callers keep retrying for a minute
    for _ in range(30):
        clock.advance(1.9)
        quota.try_acquire()

    # Then as soon as the two admitted calls leave the window, two calls are admitted again
    clock.now = 1060.0
    assert [quota.try_acquire() for _ in range(3)] == [True, True, False]
    assert quota.in_window() == 2


def test_an_unlimited_quota_admits_everything_until_a_limit_is_set() -> None:
    # Given no quota
    clock = FakeClock()
    quota = QuotaWindow(None, clock=clock)

    # When 100 calls arrive at once
    # Then all are admitted
    assert all(quota.try_acquire() for _ in range(100))

    # When a limit of 50 is set with those 100 still in the window
    quota.set_limit(50)
    # Then calls are refused until the window drains
    assert quota.try_acquire() is False
    clock.advance(60)
    assert quota.try_acquire() is True
