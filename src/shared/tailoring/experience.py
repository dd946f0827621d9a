"""Length of work experience, computed from the CV's own work dates."""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import ROUND_DOWN, Decimal
from typing import Any

_PARTIAL_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")
_DAYS_PER_YEAR = Decimal("365.25")


def _parse(value: object, *, as_end: bool) -> date | None:
    """A JSON Resume partial date; a missing month or day is read generously (January 1 / December 31)."""
    if not isinstance(value, str):
        return None
    match = _PARTIAL_DATE_RE.match(value.strip())
    if match is None:
        return None
    year = int(match.group(1))
    month = int(match.group(2)) if match.group(2) else (12 if as_end else 1)
    if not 1 <= month <= 12:
        return None
    last_day = calendar.monthrange(year, month)[1]
    day = int(match.group(3)) if match.group(3) else (last_day if as_end else 1)
    try:
        return date(year, month, min(day, last_day))
    except ValueError:
        return None


def experience_years(work: Iterable[Mapping[str, Any]], as_of: date) -> Decimal:
    """Years covered by the union of all work periods (overlaps count once), to two decimals."""
    periods: list[tuple[date, date]] = []
    for entry in work:
        start = _parse(entry.get("startDate"), as_end=False)
        if start is None:
            continue
        end = _parse(entry.get("endDate"), as_end=True) if entry.get("endDate") else as_of
        if end is None or end < start:
            continue
        periods.append((start, min(end, max(as_of, start))))
    days = 0
    current: tuple[date, date] | None = None
    for start, end in sorted(periods):
        if current is None or start > current[1]:
            if current is not None:
                days += (current[1] - current[0]).days + 1
            current = (start, end)
        else:
            current = (current[0], max(current[1], end))
    if current is not None:
        days += (current[1] - current[0]).days + 1
    return (Decimal(days) / _DAYS_PER_YEAR).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
