"""Figure (f): the crafted requests are real maximum-size requests, and the guard is timed on them."""

from __future__ import annotations

import itertools
import json

import pytest

from api.transport import MAX_BODY_BYTES
from bench import guard_time
from shared.resume.validation import validated_resume
from shared.tailoring import guard_edits, parse_edits


@pytest.mark.parametrize("shape", sorted(guard_time.SHAPES))
def test_a_crafted_request_fills_the_body_limit_and_is_admitted(shape: str) -> None:
    # Given a crafted request of one shape
    resume, job, tool_input = guard_time.crafted_request(guard_time.SHAPES[shape])

    # When its size and validity are checked
    size = len(json.dumps({"resume": resume, "job": job}, ensure_ascii=False).encode("utf-8"))

    # Then it is within a highlight of the body limit, passes the CV types, and every highlight is reworded
    assert MAX_BODY_BYTES - guard_time.HIGHLIGHT_CHARS - 200 < size <= MAX_BODY_BYTES
    validated_resume(resume)
    highlights = sum(len(entry["highlights"]) for entry in resume["work"])
    assert len(tool_input["rewordings"]) == highlights >= 15


def test_each_crafted_rewording_is_rejected_so_the_guard_does_its_whole_work() -> None:
    # Given the crafted number-word request, whose edits each add the word "patented"
    resume, job, tool_input = guard_time.crafted_request(guard_time.SHAPES["number words"])

    # When the guard checks it
    result = guard_edits(resume, parse_edits(tool_input), job=job, as_of=guard_time.AS_OF)

    # Then every edit is rejected: the timed run checks every word of every edit
    assert len(result.rejections) == len(tool_input["rewordings"]) + 1


def test_the_median_is_taken_over_the_clock_the_caller_passes() -> None:
    # Given a clock that advances 1, 2 and 3 seconds across three guard runs
    ticks = itertools.accumulate([0.0, 1.0, 0.0, 2.0, 0.0, 3.0])
    readings = iter(list(ticks))

    # When the honest request is timed with it
    seconds = guard_time.median_guard_seconds(guard_time.honest_request(), 3, clock=lambda: next(readings))

    # Then the figure is the middle of the three
    assert seconds == 2.0
