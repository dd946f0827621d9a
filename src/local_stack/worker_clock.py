"""The worker's clock when the local stack fast-forwards leases.

The runner makes a failed or crashed message visible again after a second or two, not after the queue's
360 s visibility timeout. On AWS, by the time such a message comes back, the lease its invocation may still
hold (90 s) has long expired, so the next delivery claims the job. Moving the worker's clock forward by the
part of the visibility timeout the runner skipped keeps that true locally, without shortening the lease.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from shared.clock import Clock, utc_now


class FastForwardClock:
    """``base`` (the wall clock unless the caller passes another) plus an offset that only grows."""

    def __init__(self, base: Clock = utc_now) -> None:
        self._base = base
        self._offset_seconds = 0.0
        self._lock = threading.Lock()

    @property
    def offset_seconds(self) -> float:
        with self._lock:
            return self._offset_seconds

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._offset_seconds += seconds

    def now(self) -> datetime:
        return self._base() + timedelta(seconds=self.offset_seconds)
