"""The shifted-clock pass really runs shifted (its Given state), and the clocks the code is handed behave."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.clock import fixed_clock, utc_now, utc_today
from tests.support import clock_shift


def test_a_shifted_run_reads_the_shifted_date() -> None:
    # Given a run started with CAREERVP_CLOCK_SHIFT_DAYS (make test-shifted); a plain run has nothing to check
    shift = clock_shift.active_shift
    if clock_shift.requested_shift_days() is None:
        assert shift is None
        return
    assert shift is not None, (
        "the shift was requested but the plugin is not loaded (-p tests.support.clock_shift)"
    )

    # When the production clock is read
    now = utc_now()

    # Then it is the real time moved by the requested number of days (give or take the run's own length)
    offset = now - shift.real_start
    assert abs(offset - timedelta(days=shift.days)) < timedelta(hours=2)
    assert utc_today() == now.date()


def test_a_fixed_clock_always_reads_its_moment() -> None:
    # Given a fixed clock
    moment = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    clock = fixed_clock(moment)

    # When it is read twice
    # Then both readings are the moment
    assert clock() == clock() == moment


def test_a_fixed_clock_refuses_a_naive_moment() -> None:
    # Given a moment without a time zone
    # When a clock is made of it
    # Then it is refused: every decision compares aware UTC datetimes
    with pytest.raises(ValueError, match="aware UTC"):
        fixed_clock(datetime(2026, 11, 26, 12, 0))
