"""Where the service learns the time.

Code that decides by time (job expiry, leases, years of experience) takes a ``Clock`` from its caller. The
composition roots (the handlers' dependency modules, the local stack, the CLI) pass ``utc_now``; tests pass a
fixed or controlled clock, so no verdict depends on the day the code runs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The wall clock, in UTC: the production default."""
    return datetime.now(UTC)


def utc_today() -> date:
    """Today's date in UTC, for "as of" decisions made outside a job (the emulated model)."""
    return utc_now().date()


def fixed_clock(moment: datetime) -> Clock:
    """A clock that always reads ``moment`` (tests and evaluations with dated fixtures)."""
    if moment.tzinfo is None:
        raise ValueError("a clock reads aware UTC datetimes")

    def now() -> datetime:
        return moment

    return now
