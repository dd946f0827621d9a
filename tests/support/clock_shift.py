"""A pytest plugin that shifts the wall clock for the whole run: proof that no verdict depends on the date.

``CAREERVP_CLOCK_SHIFT_DAYS=1900 pytest -p tests.support.clock_shift`` starts time-machine's travel before
any test is collected, with ``tick=True`` so time keeps moving (leases, timeouts and waits behave as usual).
It moves ``time.time``, ``datetime.now`` and friends in this process, the in-process moto server included;
``time.monotonic`` and ``threading.Event.wait`` are untouched, so the threaded local stack keeps its pace.
Subprocesses (node for the CDK synth, the emulator started as a program) keep the real clock.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

import pytest
import time_machine

SHIFT_ENVIRONMENT_VARIABLE = "CAREERVP_CLOCK_SHIFT_DAYS"


class ClockShift(NamedTuple):
    days: int
    real_start: datetime
    shifted_start: datetime


# Set while a shifted run is under way, so a test can check that the shift really happened.
active_shift: ClockShift | None = None
_traveller: time_machine.travel | None = None


def requested_shift_days() -> int | None:
    raw = os.environ.get(SHIFT_ENVIRONMENT_VARIABLE, "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError as error:
        raise pytest.UsageError(
            f"{SHIFT_ENVIRONMENT_VARIABLE} must be a whole number of days: {raw!r}"
        ) from error


def pytest_configure(config: pytest.Config) -> None:
    global active_shift, _traveller  # noqa: PLW0603 - one travel for the whole session
    days = requested_shift_days()
    if days is None:
        return
    real_start = datetime.now(UTC)
    _traveller = time_machine.travel(real_start + timedelta(days=days), tick=True)
    _traveller.start()
    active_shift = ClockShift(days=days, real_start=real_start, shifted_start=datetime.now(UTC))


def pytest_report_header(config: pytest.Config) -> str | None:
    if active_shift is None:
        return None
    return (
        f"clock shifted by {active_shift.days} days: the run starts at "
        f"{active_shift.shifted_start.isoformat(timespec='seconds')} (really "
        f"{active_shift.real_start.isoformat(timespec='seconds')})"
    )


def pytest_unconfigure(config: pytest.Config) -> None:
    global active_shift, _traveller
    if _traveller is not None:
        _traveller.stop()
    _traveller, active_shift = None, None
