"""Figure (a): the handler's baseline imports, the import-time attribution, and a one-repetition smoke run."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from bench.cold_start import (
    XRAY_SDK_MODULE,
    ColdStartOptions,
    Contender,
    ModuleTime,
    attribute_extra_time,
    import_graph,
    measure_in_one_process,
    measure_interleaved,
    parse_importtime,
    run_figure,
    timing_environment,
)
from bench.report import Status


def _write(root: Path, relative: str, source: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source), encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A miniature project: a handler importing a shared module, which imports the dependencies."""
    _write(tmp_path, "api/__init__.py", "")
    _write(
        tmp_path,
        "api/handler.py",
        """
        from __future__ import annotations
        from typing import TYPE_CHECKING
        from aws_lambda_powertools.event_handler import APIGatewayRestResolver
        from shared import observability
        import tenacity
        if TYPE_CHECKING:
            from mypy_boto3_sqs import SQSClient
        def later():
            import jsonschema
        """,
    )
    _write(tmp_path, "shared/__init__.py", "import json\n")
    _write(
        tmp_path,
        "shared/observability.py",
        """
        from aws_lambda_powertools import Logger, Tracer
        from botocore.exceptions import ClientError
        from pydantic import BaseModel
        try:
            from pydantic import Field
        except ImportError:
            pass
        """,
    )
    _write(tmp_path, "shared/unused.py", "import requests\n")
    return tmp_path


def test_the_import_graph_follows_module_level_imports_through_the_project(project: Path) -> None:
    # Given a handler that imports a shared module by ``from package import submodule``
    # When its import graph is read
    graph = import_graph("api.handler", root=project)

    # Then every project module it loads is found (packages included), and only those
    assert graph.project_modules == {"api", "api.handler", "shared", "shared.observability"}
    externals = {module for module, _ in graph.external_imports}
    # And imports inside functions or TYPE_CHECKING blocks are not import-time costs
    assert "jsonschema" not in externals
    assert "mypy_boto3_sqs" not in externals
    assert {"tenacity", "json", "pydantic", "botocore.exceptions"} <= externals


def test_the_baseline_holds_boto3_pydantic_and_the_powertools_imports_only(project: Path) -> None:
    # Given the miniature project's graph
    graph = import_graph("api.handler", root=project)

    # When its bare-dependency baseline is built
    statements = graph.baseline_statements()

    # Then it imports boto3 and pydantic first, then each dependency module once with the names used
    assert statements[:2] == ["import boto3", "import pydantic"]
    assert "from aws_lambda_powertools import Logger, Tracer" in statements
    assert "from aws_lambda_powertools.event_handler import APIGatewayRestResolver" in statements
    assert "from botocore.exceptions import ClientError" in statements
    assert "from pydantic import BaseModel, Field" in statements
    # And Tracer brings the X-Ray SDK it loads; the project's other dependencies stay on the handler's side
    assert statements[-1] == f"import {XRAY_SDK_MODULE}"
    assert not any("tenacity" in statement or "json" in statement for statement in statements)


def test_the_real_api_handler_baseline_names_its_powertools_modules() -> None:
    # Given the repository's API handler
    # When its graph is read
    graph = import_graph("api.handler")

    # Then the resolver it routes with is in the baseline, and its own modules are not
    statements = graph.baseline_statements()
    assert any(
        statement.startswith("from aws_lambda_powertools.event_handler import") for statement in statements
    )
    assert "shared.observability" in graph.project_modules
    imported_packages = {statement.split()[1].split(".")[0] for statement in statements}
    assert imported_packages.isdisjoint({"api", "shared", "worker"})


IMPORTTIME = """\
import time: self [us] | cumulative | imported package
import time:       150 |        150 |   _io
import time:      2000 |       5000 |     shared.resume.models
import time:      1000 |       1200 |       jsonschema
import time:       200 |        200 |       jsonschema.validators
import time:      3000 |      20000 | api.handler
import time:       999 |        999 |   jsonschema
this line is not a timing
"""


def test_importtime_output_is_read_as_self_and_cumulative_milliseconds() -> None:
    # Given -X importtime output, with a module listed twice
    # When it is parsed
    times = parse_importtime(IMPORTTIME)

    # Then each module keeps its first timing, in milliseconds
    assert times["shared.resume.models"] == ModuleTime("shared.resume.models", 2.0, 5.0)
    assert times["jsonschema"].self_ms == 1.0
    assert times["api.handler"].cumulative_ms == 20.0
    assert len(times) == 5


def test_the_extra_time_is_split_into_own_modules_and_other_packages() -> None:
    # Given a handler profile and a baseline that shares only _io
    handler = parse_importtime(IMPORTTIME)
    baseline = {"_io": ModuleTime("_io", 0.15, 0.15)}

    # When the extra time is attributed
    extra = attribute_extra_time(handler, baseline)

    # Then the project's modules are ranked by their own time, other packages are summed by top level
    assert [entry["module"] for entry in extra["project_modules"]] == ["api.handler", "shared.resume.models"]
    assert extra["other_packages"] == [{"package": "jsonschema", "self_ms": 1.2, "modules": 2}]
    assert extra["project_self_ms"] == 5.0
    assert extra["extra_self_ms"] == 6.2


def test_the_timing_environment_uses_its_own_bytecode_cache_or_none(tmp_path: Path) -> None:
    # Given the benchmark's timing environments
    cached = timing_environment(bytecode_cache=tmp_path)
    uncached = timing_environment(bytecode_cache=None)

    # Then the cached one writes bytecode under the given prefix, and the other writes and finds none
    assert cached["PYTHONPYCACHEPREFIX"] == str(tmp_path)
    assert "PYTHONDONTWRITEBYTECODE" not in cached
    assert uncached["PYTHONDONTWRITEBYTECODE"] == "1"
    assert "PYTHONPYCACHEPREFIX" not in uncached

    # And both switch pydantic plugins off, as the stack does on both functions
    assert cached["PYDANTIC_DISABLE_PLUGINS"] == uncached["PYDANTIC_DISABLE_PLUGINS"] == "__all__"


def test_interleaved_timing_collects_one_handler_and_one_baseline_sample_per_round(tmp_path: Path) -> None:
    # Given two cheap standard-library imports standing in for a handler and its baseline
    contender = Contender("json", ("import json",), ("import math",))
    env = timing_environment(bytecode_cache=tmp_path)

    # When two rounds are timed in fresh processes
    samples = measure_interleaved([contender], 2, env, warm_up=False)

    # Then each side has two positive durations and the ratio is computable
    pair = samples["json"]
    assert len(pair.handler) == len(pair.baseline) == 2
    assert all(value > 0 for value in [*pair.handler, *pair.baseline])
    assert pair.ratio_of_medians() > 0


def test_one_process_timing_times_the_baseline_and_then_the_handler_on_top(tmp_path: Path) -> None:
    # Given a "handler" that imports much more than its "baseline"
    contender = Contender("heavy", ("import json, decimal, email.parser, http.client",), ("import math",))
    env = timing_environment(bytecode_cache=tmp_path)

    # When two processes time both
    samples = measure_in_one_process([contender], 2, env)

    # Then each process gave one sample of each, and the handler's clock includes the baseline's
    pair = samples["heavy"]
    assert len(pair.handler) == len(pair.baseline) == 2
    assert all(handler > deps > 0 for handler, deps in zip(pair.handler, pair.baseline, strict=True))
    assert pair.ratio_of_medians() > 1


def test_zero_repetitions_are_refused(tmp_path: Path) -> None:
    # Given a request for no rounds
    # When it is measured
    # Then it is refused
    with pytest.raises(ValueError, match="at least one"):
        measure_interleaved([Contender("x", ("import json",), ("import math",))], 0, {})
    with pytest.raises(ValueError, match="at least one"):
        measure_in_one_process([Contender("x", ("import json",), ("import math",))], 0, {})


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="two fresh handler imports take too long on one core")
def test_figure_a_runs_once_for_the_api_handler(tmp_path: Path) -> None:
    # Given one repetition of the API handler only, without warm-up, profile or no-bytecode run
    options = ColdStartOptions(
        repetitions=1,
        no_bytecode_repetitions=0,
        importtime_runs=0,
        modules=("api.handler",),
        warm_up=False,
        bytecode_cache=tmp_path / "pycache",
    )

    # When the figure runs
    figure = run_figure(options)

    # Then it reports one ratio against the 1.15 target, with its samples and baseline
    assert figure.figure == "a"
    measurement, separate = figure.measurements
    assert measurement.unit == "ratio"
    assert measurement.value > 0
    assert measurement.target is not None
    assert measurement.target.threshold == 1.15
    assert measurement.status in {Status.PASS, Status.MISS}
    details = figure.details["handlers"]["api.handler"]
    assert len(details["handler_samples_ms"]) == len(details["baseline_samples_ms"]) == 1

    # And the separate-process ratio is reported beside it, without a target
    assert separate.target is None
    assert separate.value == pytest.approx(details["separate_processes"]["ratio_of_medians"], abs=0.001)
    assert details["baseline_imports"][0] == "import boto3"
