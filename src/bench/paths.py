"""Where the repository, its sources and the benchmark's own build files are."""

from __future__ import annotations

from pathlib import Path
from typing import Final

PROJECT_PACKAGES: Final = frozenset({"api", "worker", "shared"})


def repo_root() -> Path:
    """The checkout this package runs from (an editable install), else the working directory."""
    candidate = Path(__file__).resolve().parents[2]
    if (candidate / "pyproject.toml").is_file() and (candidate / "src").is_dir():
        return candidate
    return Path.cwd()


def source_dir() -> Path:
    return repo_root() / "src"


def build_dir() -> Path:
    return repo_root() / "build"


def bench_work_dir() -> Path:
    """Logs of the child processes and the bytecode cache of figure (a): never in the source tree."""
    return build_dir() / "bench"


def default_report_path() -> Path:
    return build_dir() / "bench.json"
