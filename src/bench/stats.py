"""Order statistics and ratios for the benchmark figures (no numpy: the samples are small)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass


class EmptySampleError(ValueError):
    """A statistic was asked of no samples."""


def _sorted_finite(samples: Sequence[float]) -> list[float]:
    if not samples:
        raise EmptySampleError("no samples")
    values = sorted(float(sample) for sample in samples)
    if not all(math.isfinite(value) for value in values):
        raise ValueError("samples must be finite numbers")
    return values


def percentile(samples: Sequence[float], fraction: float) -> float:
    """The ``fraction`` quantile (0 to 1), interpolated linearly between the closest ranks.

    The same definition as numpy's default (``linear``): 0 gives the minimum, 1 the maximum, 0.5 the median.
    """
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"the fraction must be between 0 and 1, got {fraction}")
    values = _sorted_finite(samples)
    position = fraction * (len(values) - 1)
    lower = math.floor(position)
    upper = math.ceil(position)
    weight = position - lower
    return values[lower] + (values[upper] - values[lower]) * weight


def median(samples: Sequence[float]) -> float:
    return percentile(samples, 0.5)


def ratio(numerator: float, denominator: float) -> float:
    """``numerator / denominator``; a zero or negative denominator is an error, not infinity."""
    if denominator <= 0.0 or not math.isfinite(denominator):
        raise ValueError(f"the denominator must be a positive number, got {denominator}")
    return numerator / denominator


def median_ratio(numerators: Sequence[float], denominators: Sequence[float]) -> float:
    """The median of the element-wise ratios of two paired samples (pairs measured side by side)."""
    if len(numerators) != len(denominators):
        raise ValueError("paired samples must have the same length")
    return median([ratio(top, bottom) for top, bottom in zip(numerators, denominators, strict=True)])


@dataclass(frozen=True)
class Summary:
    """The shape of a sample; times in whatever unit the samples are in."""

    count: int
    minimum: float
    p50: float
    p90: float
    p99: float
    maximum: float
    mean: float

    def as_dict(self, digits: int = 6) -> dict[str, float | int]:
        return {
            name: value if isinstance(value, int) else round(value, digits)
            for name, value in asdict(self).items()
        }


def summarize(samples: Sequence[float]) -> Summary:
    values = _sorted_finite(samples)
    return Summary(
        count=len(values),
        minimum=values[0],
        p50=percentile(values, 0.5),
        p90=percentile(values, 0.9),
        p99=percentile(values, 0.99),
        maximum=values[-1],
        mean=math.fsum(values) / len(values),
    )
