"""The statistics behind every figure: percentiles, medians and ratios."""

from __future__ import annotations

import pytest

from bench.stats import EmptySampleError, median, median_ratio, percentile, ratio, summarize


def test_the_median_of_an_odd_sample_is_its_middle_value_whatever_the_order() -> None:
    # Given an unsorted sample
    samples = [9.0, 1.0, 5.0, 3.0, 7.0]

    # When its median is taken
    result = median(samples)

    # Then it is the middle of the sorted values
    assert result == 5.0


def test_the_median_of_an_even_sample_lies_halfway_between_the_two_middle_values() -> None:
    # Given an even number of samples
    samples = [4.0, 1.0, 2.0, 3.0]

    # When its median is taken
    result = median(samples)

    # Then it interpolates between 2 and 3
    assert result == 2.5


@pytest.mark.parametrize(
    ("fraction", "expected"),
    [(0.0, 10.0), (0.25, 20.0), (0.9, 46.0), (0.99, 49.6), (1.0, 50.0)],
)
def test_percentiles_interpolate_linearly_between_closest_ranks(fraction: float, expected: float) -> None:
    # Given five evenly spaced values
    samples = [50.0, 10.0, 40.0, 20.0, 30.0]

    # When a percentile is taken
    result = percentile(samples, fraction)

    # Then it matches numpy's default (linear) definition
    assert result == pytest.approx(expected)


def test_a_percentile_of_one_sample_is_that_sample() -> None:
    # Given a single sample
    # When any percentile is taken
    # Then it is the sample itself
    assert percentile([3.5], 0.99) == 3.5


@pytest.mark.parametrize("fraction", [-0.1, 1.5])
def test_a_fraction_outside_zero_to_one_is_refused(fraction: float) -> None:
    # Given a fraction that is not a quantile
    # When it is used
    # Then it is refused
    with pytest.raises(ValueError, match="between 0 and 1"):
        percentile([1.0, 2.0], fraction)


def test_no_samples_have_no_median() -> None:
    # Given an empty sample
    # When its median is asked for
    # Then it is an error rather than a made-up number
    with pytest.raises(EmptySampleError):
        median([])


def test_non_finite_samples_are_refused() -> None:
    # Given a sample holding NaN
    # When a statistic is taken
    # Then it is refused
    with pytest.raises(ValueError, match="finite"):
        median([1.0, float("nan")])


def test_a_ratio_divides_and_refuses_a_zero_denominator() -> None:
    # Given a handler time and a baseline time
    # When their ratio is taken
    # Then it is the quotient
    assert ratio(1.3, 1.0) == pytest.approx(1.3)

    # And a zero baseline is an error, not infinity
    with pytest.raises(ValueError, match="positive"):
        ratio(1.0, 0.0)


def test_the_median_ratio_pairs_samples_side_by_side() -> None:
    # Given paired block means where one block was disturbed on both sides
    handler = [1.1, 2.2, 1.2]
    baseline = [1.0, 2.0, 1.0]

    # When the median of the pairwise ratios is taken
    result = median_ratio(handler, baseline)

    # Then the disturbance cancels out within its pair: ratios 1.1, 1.1, 1.2
    assert result == pytest.approx(1.1)


def test_paired_samples_must_have_the_same_length() -> None:
    # Given samples of different lengths
    # When they are paired
    # Then it is refused
    with pytest.raises(ValueError, match="same length"):
        median_ratio([1.0, 2.0], [1.0])


def test_a_summary_describes_the_sample() -> None:
    # Given the numbers 1 to 100
    samples = [float(value) for value in range(100, 0, -1)]

    # When it is summarised
    summary = summarize(samples)

    # Then every field describes it
    assert summary.count == 100
    assert (summary.minimum, summary.maximum) == (1.0, 100.0)
    assert summary.p50 == pytest.approx(50.5)
    assert summary.p90 == pytest.approx(90.1)
    assert summary.p99 == pytest.approx(99.01)
    assert summary.mean == pytest.approx(50.5)
    assert summary.as_dict(1)["p99"] == 99.0
