"""Figure (a): how much a handler module's import adds to importing its bare dependencies.

Each sample is a fresh ``python -c`` process that times its own imports with ``perf_counter`` (interpreter
start-up is left out: it is the same on both sides and would only dilute the ratio). The figure comes from
processes that first import the bare dependencies and then the handler, timing both: a handler imports its
dependencies anyway, so the second clock is the handler's import time, and both clocks see the same machine.
The ratio is median(handler) / median(dependencies) over those processes.

The same ratio is also measured, and reported, with the handler and the baseline in separate processes that
alternate. On a shared machine whose speed swings for seconds at a time (samples of one import spread from
700 to 1,100 ms here) that ratio wanders by +-0.1 between runs of the same code; the one-process ratio holds
to about +-0.02.

The baseline is what a handler cannot do without: boto3 (with botocore), pydantic (with pydantic-core) and the
Powertools modules the handler's own modules import, found by reading their import statements. Powertools'
``Tracer`` loads the X-Ray SDK, which builds a botocore client when it is imported, so a handler that uses
``Tracer`` gets ``aws_xray_sdk.core`` in its baseline too. Everything else the handler imports (the project's
modules, tenacity, ...) is what the figure charges to the project.

Both sides load bytecode from a cache of their own (``build/bench/pycache``), filled by an untimed first run,
and run with the variables the stack sets on the functions that change import work (pydantic plugins off).
A second, reported-only measurement imports the handler with no bytecode at all: what a bundle without
``.pyc`` files would cost on Lambda, whose read-only file system makes Python compile every module on every
cold start. ``make build`` compiles the bundles' bytecode to avoid exactly that.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from bench.paths import PROJECT_PACKAGES, bench_work_dir, repo_root, source_dir
from bench.report import FigureResult, Measurement, at_most
from bench.stats import median, median_ratio, ratio
from careervp import constants

HANDLER_MODULES: Final = ("api.handler", "worker.handler")
TARGET_RATIO: Final = 1.15
# Top-level packages that count as the handlers' bare dependencies.
BASELINE_FAMILIES: Final = frozenset(
    {"boto3", "botocore", "pydantic", "pydantic_core", "aws_lambda_powertools"}
)
POWERTOOLS: Final = "aws_lambda_powertools"
XRAY_SDK_MODULE: Final = "aws_xray_sdk.core"
TIMING_TEMPLATE: Final = (
    "import time\n_bench_started = time.perf_counter()\n{statements}\n"
    "print(time.perf_counter() - _bench_started)\n"
)
# One process, two clocks: the bare dependencies, then the handler on top of them.
SAME_PROCESS_TEMPLATE: Final = (
    "import time\n_bench_started = time.perf_counter()\n{baseline}\n"
    "_bench_deps_done = time.perf_counter()\n{statements}\n"
    "print(_bench_deps_done - _bench_started, time.perf_counter() - _bench_started)\n"
)
PROCESS_TIMEOUT_SECONDS: Final = 180
_IMPORTTIME_LINE = re.compile(r"^import time:\s+(\d+)\s+\|\s+(\d+)\s+\|\s(\s*)(\S+)\s*$")
_TOP_OFFENDERS = 8


class ImportTimingError(RuntimeError):
    """A timing process failed or printed no time."""


# --- Which imports a handler makes ---------------------------------------------------------------------


@dataclass
class ImportGraph:
    """A handler's project modules and the import statements they make of other packages."""

    project_modules: set[str] = field(default_factory=set)
    # Dependency imports as the source writes them: (module, names) with names empty for ``import module``.
    external_imports: set[tuple[str, tuple[str, ...]]] = field(default_factory=set)

    def baseline_statements(self) -> list[str]:
        """The bare-dependency imports, in a stable order: boto3 and pydantic first, then Powertools."""
        statements = ["import boto3", "import pydantic"]
        names_by_module: dict[str, set[str]] = defaultdict(set)
        for module, imported in self.external_imports:
            if module.split(".")[0] in BASELINE_FAMILIES:
                names_by_module[module].update(imported)
        for module, names in sorted(names_by_module.items()):
            if names:
                statements.append(f"from {module} import {', '.join(sorted(names))}")
            else:
                statements.append(f"import {module}")
        if any(
            module.startswith(POWERTOOLS) and "Tracer" in names for module, names in names_by_module.items()
        ):
            statements.append(f"import {XRAY_SDK_MODULE}")
        return list(dict.fromkeys(statements))


def _module_file(module: str, root: Path) -> Path | None:
    base = root.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def is_type_checking_block(node: ast.stmt) -> bool:
    """``if TYPE_CHECKING:`` (or ``typing.TYPE_CHECKING``): its imports run only under a type checker."""
    if not isinstance(node, ast.If):
        return False
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_time_statements(body: Iterable[ast.stmt]) -> Iterable[ast.Import | ast.ImportFrom]:
    """Import statements that run when the module is imported (not in functions or TYPE_CHECKING blocks)."""
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If) and not is_type_checking_block(node):
            yield from _import_time_statements([*node.body, *node.orelse])
        elif isinstance(node, ast.Try):
            yield from _import_time_statements(
                [*node.body, *node.orelse, *node.finalbody, *(s for h in node.handlers for s in h.body)]
            )


def import_graph(module: str, root: Path | None = None) -> ImportGraph:
    """Follow a project module's module-level imports through the project (by reading, not importing)."""
    src = source_dir() if root is None else root
    graph = ImportGraph()
    pending = [module]
    while pending:
        current = pending.pop()
        parts = current.split(".")
        # Importing a submodule runs its packages' __init__ first.
        for depth in range(1, len(parts) + 1):
            name = ".".join(parts[:depth])
            if name in graph.project_modules:
                continue
            path = _module_file(name, src)
            if path is None:
                continue
            graph.project_modules.add(name)
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for statement in _import_time_statements(tree.body):
                pending.extend(_record(statement, graph, src))
    return graph


def _record(statement: ast.Import | ast.ImportFrom, graph: ImportGraph, src: Path) -> list[str]:
    """Note an import statement; return the project modules it imports."""
    project: list[str] = []
    if isinstance(statement, ast.Import):
        for alias in statement.names:
            if alias.name.split(".")[0] in PROJECT_PACKAGES:
                project.append(alias.name)
            else:
                graph.external_imports.add((alias.name, ()))
        return project
    if statement.level or statement.module is None:
        return project  # the project uses absolute imports only
    module = statement.module
    if module.split(".")[0] not in PROJECT_PACKAGES:
        if module != "__future__":
            graph.external_imports.add((module, tuple(sorted(alias.name for alias in statement.names))))
        return project
    project.append(module)
    # ``from package import submodule`` imports the submodule too.
    project.extend(
        f"{module}.{alias.name}" for alias in statement.names if _module_file(f"{module}.{alias.name}", src)
    )
    return project


# --- Timing processes ----------------------------------------------------------------------------------


def timing_environment(*, bytecode_cache: Path | None) -> dict[str, str]:
    """The child processes' environment: a bytecode cache of their own, or no bytecode at all."""
    env = dict(os.environ)
    for variable in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX", "PYTHONPROFILEIMPORTTIME"):
        env.pop(variable, None)
    # As the stack sets it on both functions (it changes what the first pydantic model costs).
    env["PYDANTIC_DISABLE_PLUGINS"] = constants.PYDANTIC_DISABLE_PLUGINS
    if bytecode_cache is None:
        # The standard library keeps its own .pyc (as Lambda's runtime does); nothing else has any.
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    else:
        env["PYTHONPYCACHEPREFIX"] = str(bytecode_cache)
    return env


def packages_without_bytecode(packages: Iterable[str] = ("boto3", "pydantic", POWERTOOLS)) -> bool:
    """Whether the dependencies and the project's sources have no ``__pycache__`` next to them.

    Only then does a run with PYTHONDONTWRITEBYTECODE import them as a bundle without .pyc files starts.
    """
    locations = [source_dir() / package for package in sorted(PROJECT_PACKAGES)]
    for package in packages:
        spec = importlib.util.find_spec(package)
        if spec is not None and spec.submodule_search_locations:
            locations.extend(Path(location) for location in spec.submodule_search_locations)
    return not any(next(location.rglob("*.pyc"), None) for location in locations if location.is_dir())


def time_imports(statements: Sequence[str], env: Mapping[str, str]) -> float:
    """Seconds one fresh interpreter spends running ``statements`` (its start-up excluded)."""
    code = TIMING_TEMPLATE.format(statements="\n".join(statements))
    return _timed_process(code, statements, env)[0]


def time_in_one_process(contender: Contender, env: Mapping[str, str]) -> tuple[float, float]:
    """One fresh interpreter's seconds to import the bare dependencies, then the handler on top of them."""
    code = SAME_PROCESS_TEMPLATE.format(
        baseline="\n".join(contender.baseline), statements="\n".join(contender.statements)
    )
    deps, handler = _timed_process(code, contender.statements, env, values=2)
    return deps, handler


def _timed_process(
    code: str, statements: Sequence[str], env: Mapping[str, str], *, values: int = 1
) -> tuple[float, ...]:
    completed = subprocess.run(  # noqa: S603 (our own interpreter, our own code)
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=dict(env),
        cwd=repo_root(),
        timeout=PROCESS_TIMEOUT_SECONDS,
        check=False,
    )
    lines = completed.stdout.strip().splitlines()
    if completed.returncode != 0 or not lines:
        detail = completed.stderr.strip().splitlines()[-1:] or ["no output"]
        raise ImportTimingError(f"timing {statements[0]!r}... failed: {detail[0]}")
    try:
        seconds = tuple(float(value) for value in lines[-1].split())
    except ValueError as error:
        raise ImportTimingError(f"timing printed {lines[-1]!r}, not seconds") from error
    if len(seconds) != values:
        raise ImportTimingError(f"timing printed {lines[-1]!r}, not {values} number(s) of seconds")
    return seconds


@dataclass(frozen=True)
class Contender:
    """A handler import and the baseline it is compared with."""

    label: str
    statements: tuple[str, ...]
    baseline: tuple[str, ...]


@dataclass
class PairedSamples:
    handler: list[float] = field(default_factory=list)
    baseline: list[float] = field(default_factory=list)

    def ratio_of_medians(self) -> float:
        return ratio(median(self.handler), median(self.baseline))

    def median_pair_ratio(self) -> float:
        """The median ratio of each handler sample to the baseline sample timed right after it."""
        return median_ratio(self.handler, self.baseline)

    def ratio_of_minimums(self) -> float:
        """The least-disturbed run of each side: a cross-check on the medians."""
        return ratio(min(self.handler), min(self.baseline))


def measure_interleaved(
    contenders: Sequence[Contender], repetitions: int, env: Mapping[str, str], *, warm_up: bool = True
) -> dict[str, PairedSamples]:
    """Handler, baseline, handler, baseline...: every contender's pair once per round, ``repetitions`` rounds.

    The optional warm-up run of each command (untimed) fills the bytecode cache and the file-system cache.
    """
    if repetitions < 1:
        raise ValueError("at least one repetition is needed")
    if warm_up:
        for contender in contenders:
            time_imports(contender.statements, env)
            time_imports(contender.baseline, env)
    samples = {contender.label: PairedSamples() for contender in contenders}
    for _ in range(repetitions):
        for contender in contenders:
            samples[contender.label].handler.append(time_imports(contender.statements, env))
            samples[contender.label].baseline.append(time_imports(contender.baseline, env))
    return samples


def measure_in_one_process(
    contenders: Sequence[Contender], repetitions: int, env: Mapping[str, str]
) -> dict[str, PairedSamples]:
    """``repetitions`` fresh processes per contender, each timing its baseline and then its handler.

    Both figures of a sample come from one process, so a machine running slow or fast for a while moves both.
    """
    if repetitions < 1:
        raise ValueError("at least one repetition is needed")
    samples = {contender.label: PairedSamples() for contender in contenders}
    for _ in range(repetitions):
        for contender in contenders:
            deps, handler = time_in_one_process(contender, env)
            samples[contender.label].handler.append(handler)
            samples[contender.label].baseline.append(deps)
    return samples


# --- Where the time goes (python -X importtime) ---------------------------------------------------------


@dataclass(frozen=True)
class ModuleTime:
    module: str
    self_ms: float
    cumulative_ms: float


def parse_importtime(stderr: str) -> dict[str, ModuleTime]:
    """``-X importtime`` output as each module's own and cumulative time (the first import of each)."""
    times: dict[str, ModuleTime] = {}
    for line in stderr.splitlines():
        found = _IMPORTTIME_LINE.match(line)
        if found is None:
            continue
        module = found.group(4)
        times.setdefault(
            module, ModuleTime(module, int(found.group(1)) / 1000.0, int(found.group(2)) / 1000.0)
        )
    return times


def importtime_profile(statements: Sequence[str], env: Mapping[str, str], runs: int) -> dict[str, ModuleTime]:
    """Per-module median times over ``runs`` processes."""
    collected: dict[str, list[ModuleTime]] = defaultdict(list)
    for _ in range(runs):
        completed = subprocess.run(  # noqa: S603 (our own interpreter, our own code)
            [sys.executable, "-X", "importtime", "-c", "\n".join(statements)],
            capture_output=True,
            text=True,
            env=dict(env),
            cwd=repo_root(),
            timeout=PROCESS_TIMEOUT_SECONDS,
            check=False,
        )
        if completed.returncode != 0:
            raise ImportTimingError(f"-X importtime of {statements[0]!r} failed")
        for module, timing in parse_importtime(completed.stderr).items():
            collected[module].append(timing)
    return {
        module: ModuleTime(
            module,
            median([timing.self_ms for timing in timings]),
            median([timing.cumulative_ms for timing in timings]),
        )
        for module, timings in collected.items()
    }


def attribute_extra_time(
    handler: Mapping[str, ModuleTime], baseline: Mapping[str, ModuleTime]
) -> dict[str, Any]:
    """What the handler imports beyond its baseline: its own modules, and other packages by top level."""
    extra = [timing for module, timing in handler.items() if module not in baseline]
    own = sorted(
        (timing for timing in extra if timing.module.split(".")[0] in PROJECT_PACKAGES),
        key=lambda timing: timing.self_ms,
        reverse=True,
    )
    by_package: dict[str, float] = defaultdict(float)
    module_counts: dict[str, int] = defaultdict(int)
    for timing in extra:
        top = timing.module.split(".")[0]
        if top in PROJECT_PACKAGES:
            continue
        by_package[top] += timing.self_ms
        module_counts[top] += 1
    packages = sorted(by_package.items(), key=lambda item: item[1], reverse=True)
    return {
        "extra_self_ms": round(sum(timing.self_ms for timing in extra), 1),
        "project_self_ms": round(sum(timing.self_ms for timing in own), 1),
        "project_modules": [
            {"module": t.module, "self_ms": round(t.self_ms, 1), "cumulative_ms": round(t.cumulative_ms, 1)}
            for t in own[:_TOP_OFFENDERS]
        ],
        "other_packages": [
            {"package": name, "self_ms": round(total, 1), "modules": module_counts[name]}
            for name, total in packages[:_TOP_OFFENDERS]
        ],
    }


# --- The figure ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ColdStartOptions:
    # Single samples scatter by +-15 % on a shared two-core machine; 15 rounds steady the medians.
    repetitions: int = 15
    no_bytecode_repetitions: int = 3
    importtime_runs: int = 3
    modules: tuple[str, ...] = HANDLER_MODULES
    warm_up: bool = True
    # Where the timed processes keep their bytecode; None: build/bench/pycache.
    bytecode_cache: Path | None = None


def contenders_for(modules: Sequence[str]) -> list[Contender]:
    return [
        Contender(
            label=module,
            statements=(f"import {module}",),
            baseline=tuple(import_graph(module).baseline_statements()),
        )
        for module in modules
    ]


def _ms(seconds: float) -> float:
    return round(seconds * 1000.0, 1)


def run_figure(options: ColdStartOptions) -> FigureResult:
    contenders = contenders_for(options.modules)
    cache = bench_work_dir() / "pycache" if options.bytecode_cache is None else options.bytecode_cache
    cached_env = timing_environment(bytecode_cache=cache)
    samples = measure_interleaved(contenders, options.repetitions, cached_env, warm_up=options.warm_up)
    in_one_process = measure_in_one_process(contenders, options.repetitions, cached_env)
    measurements: list[Measurement] = []
    details: dict[str, Any] = {"repetitions": options.repetitions, "handlers": {}}
    for contender in contenders:
        paired = in_one_process[contender.label]
        measurements.append(
            Measurement(
                f"cold start {contender.label} / deps",
                paired.ratio_of_medians(),
                "ratio",
                at_most(TARGET_RATIO),
            )
        )
        pair = samples[contender.label]
        measurements.append(
            Measurement(f"  same, separate processes {contender.label}", pair.ratio_of_medians(), "ratio")
        )
        handler_details: dict[str, Any] = {
            "handler_median_ms": _ms(median(paired.handler)),
            "baseline_median_ms": _ms(median(paired.baseline)),
            "handler_samples_ms": [_ms(value) for value in paired.handler],
            "baseline_samples_ms": [_ms(value) for value in paired.baseline],
            "separate_processes": {
                "ratio_of_medians": round(pair.ratio_of_medians(), 3),
                "median_pair_ratio": round(pair.median_pair_ratio(), 3),
                "ratio_of_minimums": round(pair.ratio_of_minimums(), 3),
                "handler_samples_ms": [_ms(value) for value in pair.handler],
                "baseline_samples_ms": [_ms(value) for value in pair.baseline],
            },
            "baseline_imports": list(contender.baseline),
        }
        if options.importtime_runs > 0:
            handler_profile = importtime_profile(contender.statements, cached_env, options.importtime_runs)
            baseline_profile = importtime_profile(contender.baseline, cached_env, options.importtime_runs)
            handler_details["where_the_extra_time_goes"] = attribute_extra_time(
                handler_profile, baseline_profile
            )
        details["handlers"][contender.label] = handler_details
    if options.no_bytecode_repetitions > 0 and not packages_without_bytecode():
        details["no_bytecode"] = "skipped: .pyc files exist next to the sources, so it cannot be measured"
    elif options.no_bytecode_repetitions > 0:
        uncached = measure_interleaved(
            contenders,
            options.no_bytecode_repetitions,
            timing_environment(bytecode_cache=None),
            warm_up=False,
        )
        for contender in contenders:
            pair = uncached[contender.label]
            handler_ms = _ms(median(pair.handler))
            measurements.append(Measurement(f"import {contender.label}, without bytecode", handler_ms, "ms"))
            details["handlers"][contender.label]["no_bytecode"] = {
                "handler_median_ms": handler_ms,
                "baseline_median_ms": _ms(median(pair.baseline)),
                "ratio_of_medians": round(pair.ratio_of_medians(), 3),
                "slowdown_vs_cached": round(
                    ratio(median(pair.handler), median(samples[contender.label].handler)), 2
                ),
            }
    return FigureResult(
        figure="a", title="Cold start (import time)", measurements=tuple(measurements), details=details
    )
