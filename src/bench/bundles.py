"""Figure (e): the size of each Lambda bundle that ``make build`` produces (reported only).

The bundles are read from ``build/lambda/{api,worker}``; when they are missing,
``scripts/build_lambda_bundles.py`` builds them first (it needs uv and PyPI).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from bench.paths import build_dir, repo_root
from bench.report import FigureResult, Measurement

BUNDLES: Final = ("api", "worker")
BYTES_PER_MB: Final = 1024 * 1024
LAMBDA_UNZIPPED_LIMIT_MB: Final = 250
_BUILD_TIMEOUT_SECONDS: Final = 900
_LARGEST_SHOWN: Final = 6


@dataclass(frozen=True)
class BundleSize:
    name: str
    bytes: int
    files: int
    bytecode_files: int
    # Top-level entries (packages, modules, .dist-info folders) by size, largest first.
    largest: tuple[tuple[str, int], ...]

    @property
    def megabytes(self) -> float:
        return self.bytes / BYTES_PER_MB

    def as_dict(self) -> dict[str, Any]:
        return {
            "bytes": self.bytes,
            "megabytes": round(self.megabytes, 2),
            "files": self.files,
            "bytecode_files": self.bytecode_files,
            "share_of_lambda_limit": round(self.megabytes / LAMBDA_UNZIPPED_LIMIT_MB, 3),
            "largest": [
                {"entry": name, "megabytes": round(size / BYTES_PER_MB, 2)} for name, size in self.largest
            ],
        }


def measure_bundle(path: Path) -> BundleSize:
    """Total size and file count of a bundle directory (symbolic links are not followed)."""
    by_entry: dict[str, int] = {}
    files = 0
    bytecode = 0
    for file in path.rglob("*"):
        if not file.is_file() or file.is_symlink():
            continue
        size = file.stat().st_size
        files += 1
        bytecode += file.suffix == ".pyc"
        entry = file.relative_to(path).parts[0]
        by_entry[entry] = by_entry.get(entry, 0) + size
    largest = sorted(by_entry.items(), key=lambda item: item[1], reverse=True)[:_LARGEST_SHOWN]
    return BundleSize(
        name=path.name,
        bytes=sum(by_entry.values()),
        files=files,
        bytecode_files=bytecode,
        largest=tuple(largest),
    )


def build_bundles() -> None:
    script = repo_root() / "scripts" / "build_lambda_bundles.py"
    completed = subprocess.run(  # noqa: S603 (our own interpreter and build script)
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        cwd=repo_root(),
        timeout=_BUILD_TIMEOUT_SECONDS,
        check=False,
    )
    if completed.returncode != 0:
        last = (completed.stderr.strip() or completed.stdout.strip()).splitlines()[-1:] or ["no output"]
        raise RuntimeError(f"building the bundles failed: {last[0]}")


def run_figure(bundles: Sequence[str] = BUNDLES, root: Path | None = None) -> FigureResult:
    bundle_root = build_dir() / "lambda" if root is None else root
    built_now = False
    if not all((bundle_root / name).is_dir() for name in bundles):
        build_bundles()
        built_now = True
    sizes = [measure_bundle(bundle_root / name) for name in bundles]
    return FigureResult(
        figure="e",
        title="Lambda bundle size (unzipped)",
        measurements=tuple(Measurement(f"bundle {size.name}", size.megabytes, "MB") for size in sizes),
        details={
            "root": str(bundle_root),
            "built_by_this_run": built_now,
            "lambda_unzipped_limit_mb": LAMBDA_UNZIPPED_LIMIT_MB,
            "bundles": {size.name: size.as_dict() for size in sizes},
        },
    )
