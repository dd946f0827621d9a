"""Build the two Lambda deployment bundles from uv.lock, for Python 3.12 on arm64.

``build/lambda/api/`` holds ``api`` + ``shared`` + the runtime dependencies, ``build/lambda/worker/`` holds
``worker`` + ``shared`` + the same dependencies. Dependencies are the locked versions of the project's
runtime dependencies, installed from wheels built for the Lambda platform (manylinux2014 aarch64, CPython
3.12), never the build machine's own wheels; a check of every installed wheel's tags enforces that.

Every module is then compiled to CPython 3.12 bytecode (``scripts/compile_bytecode.mjs``, which runs
Pyodide's CPython 3.12 under Node): Lambda cannot write ``__pycache__`` in ``/var/task``, so a bundle without
it compiles every module it imports on every cold start.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Final

REPO_ROOT: Final = Path(__file__).resolve().parent.parent
SRC_DIR: Final = REPO_ROOT / "src"
BUILD_DIR: Final = REPO_ROOT / "build"
DEFAULT_OUTPUT_DIR: Final = BUILD_DIR / "lambda"
REQUIREMENTS_FILE: Final = BUILD_DIR / "requirements.txt"

PYTHON_VERSION: Final = "3.12"
PYTHON_TAG: Final = "cp312"
CACHE_TAG: Final = "cpython-312"  # what Python 3.12 names its .pyc files, and looks for
BYTECODE_COMPILER: Final = REPO_ROOT / "scripts" / "compile_bytecode.mjs"
UV_PYTHON_PLATFORM: Final = "aarch64-manylinux2014"
PLATFORM_MARKER: Final = "aarch64"
MAX_UNZIPPED_BYTES: Final = 250 * 1024 * 1024  # Lambda's limit for an unzipped deployment package
BYTES_PER_MB: Final = 1024 * 1024

# Each bundle: the packages copied from src/ next to the dependencies.
BUNDLES: Final = {"api": ("api", "shared"), "worker": ("worker", "shared")}
SOURCE_IGNORE: Final = shutil.ignore_patterns(
    "tests", "test_*.py", "__pycache__", "*.pyc", ".pytest_cache", ".mypy_cache", ".ruff_cache"
)


class BundleBuildError(RuntimeError):
    """The bundles could not be built; the message says what to fix."""


@dataclass(frozen=True)
class BundleSize:
    name: str
    total_bytes: int
    file_count: int

    def describe(self) -> str:
        return f"{self.name}: {self.total_bytes / BYTES_PER_MB:.1f} MB, {self.file_count} files"


def uv_command() -> list[str]:
    """The uv executable: the one running us (uv run sets UV), else uv on PATH, else ``python -m uv``."""
    from_env = os.environ.get("UV")
    if from_env:
        return [from_env]
    on_path = shutil.which("uv")
    if on_path:
        return [on_path]
    return [sys.executable, "-m", "uv"]


def run(command: list[str]) -> None:
    print("$", " ".join(command), flush=True)
    completed = subprocess.run(command, cwd=REPO_ROOT, check=False)  # noqa: S603 - fixed argv, no shell
    if completed.returncode != 0:
        raise BundleBuildError(f"command failed with exit code {completed.returncode}: {' '.join(command)}")


def export_requirements(requirements: Path) -> None:
    """The locked runtime dependencies only: no dev or infra groups, not the project itself."""
    requirements.parent.mkdir(parents=True, exist_ok=True)
    run(
        [
            *uv_command(),
            "export",
            "--frozen",
            "--no-dev",
            "--no-default-groups",
            "--no-emit-project",
            "--no-hashes",
            "--output-file",
            str(requirements),
        ]
    )


def install_dependencies(requirements: Path, target: Path) -> None:
    run(
        [
            *uv_command(),
            "pip",
            "install",
            "--requirements",
            str(requirements),
            "--target",
            str(target),
            "--python-platform",
            UV_PYTHON_PLATFORM,
            "--python-version",
            PYTHON_VERSION,
            "--only-binary",
            ":all:",
            "--no-deps",
            "--no-compile",
            "--quiet",
        ]
    )
    # Console scripts carry the build machine's interpreter path in their shebang; Lambda never runs them.
    shutil.rmtree(target / "bin", ignore_errors=True)


def wheel_tags(dist_info: Path) -> list[str]:
    wheel_file = dist_info / "WHEEL"
    if not wheel_file.is_file():
        return []
    lines = wheel_file.read_text(encoding="utf-8").splitlines()
    return [line.split(":", 1)[1].strip() for line in lines if line.startswith("Tag:")]


def tag_fits_lambda(tag: str) -> bool:
    """``py3-none-any``, or a CPython 3.12 (or abi3) manylinux wheel for aarch64 (Lambda is glibc-based)."""
    python, abi, platform = tag.split("-", 2)
    if platform == "any":
        return python.startswith("py3") or python == PYTHON_TAG
    if not (platform.startswith("manylinux") and platform.endswith(f"_{PLATFORM_MARKER}")):
        return False
    return python == PYTHON_TAG or (abi == "abi3" and python.startswith("cp3"))


def check_platforms(target: Path) -> None:
    """Fail when any installed distribution was built for another platform or Python."""
    dist_infos = sorted(target.glob("*.dist-info"))
    if not dist_infos:
        raise BundleBuildError(f"no distributions were installed into {target}")
    wrong = []
    for dist_info in dist_infos:
        tags = wheel_tags(dist_info)
        if not tags or not any(tag_fits_lambda(tag) for tag in tags):
            wrong.append(f"{dist_info.name} (tags: {', '.join(tags) or 'none'})")
    if wrong:
        raise BundleBuildError(
            f"wheels not built for Python {PYTHON_VERSION} on {PLATFORM_MARKER} Linux: " + "; ".join(wrong)
        )


def compile_bytecode(bundles: list[Path]) -> int:
    """Compile every module of ``bundles`` to hash-checked CPython 3.12 bytecode; the number compiled."""
    node = shutil.which("node")
    if node is None:
        raise BundleBuildError("node is not on PATH: it runs Pyodide (CPython 3.12) to compile the bytecode")
    if not (REPO_ROOT / "node_modules" / "pyodide").is_dir():
        raise BundleBuildError("node_modules/pyodide is missing: run `make install`")
    command = [node, str(BYTECODE_COMPILER), *(str(bundle) for bundle in bundles)]
    print("$", " ".join(command), flush=True)
    completed = subprocess.run(  # noqa: S603 - fixed argv, no shell
        command, cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )
    lines = completed.stdout.strip().splitlines()
    try:
        summary = json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        detail = completed.stderr.strip()[-500:] or "no output"
        raise BundleBuildError(f"bytecode compilation failed: {detail}") from None
    if completed.returncode != 0 or summary["problems"]:
        raise BundleBuildError("bytecode compilation failed: " + "; ".join(summary["problems"]))
    if summary["cache_tag"] != CACHE_TAG:
        raise BundleBuildError(f"bytecode is for {summary['cache_tag']}, Lambda needs {CACHE_TAG}")
    print(f"compiled {summary['compiled']} modules with Python {summary['python']} ({CACHE_TAG})", flush=True)
    return int(summary["compiled"])


def measure(name: str, directory: Path) -> BundleSize:
    files = [path for path in directory.rglob("*") if path.is_file()]
    return BundleSize(
        name=name, total_bytes=sum(path.stat().st_size for path in files), file_count=len(files)
    )


def assemble_bundle(
    name: str, packages: tuple[str, ...], dependencies: Path, output_dir: Path, src_dir: Path = SRC_DIR
) -> BundleSize:
    """``output_dir/name``: the installed dependencies plus the source packages, without tests or caches.

    The size is measured before ``compile_bytecode`` adds bytecode; ``build`` checks the limit again after.
    """
    bundle = output_dir / name
    shutil.copytree(dependencies, bundle)
    for package in packages:
        source = src_dir / package
        if not (source / "__init__.py").is_file():
            raise BundleBuildError(f"{source} is not a Python package (no __init__.py)")
        shutil.copytree(source, bundle / package, ignore=SOURCE_IGNORE)
    size = measure(name, bundle)
    if size.total_bytes > MAX_UNZIPPED_BYTES:
        raise BundleBuildError(f"{size.describe()} exceeds Lambda's 250 MB unzipped limit")
    return size


def build(output_dir: Path) -> list[BundleSize]:
    shutil.rmtree(output_dir, ignore_errors=True)
    output_dir.mkdir(parents=True)
    dependencies = BUILD_DIR / "lambda-dependencies"
    shutil.rmtree(dependencies, ignore_errors=True)
    export_requirements(REQUIREMENTS_FILE)
    install_dependencies(REQUIREMENTS_FILE, dependencies)
    check_platforms(dependencies)
    for name, packages in BUNDLES.items():
        assemble_bundle(name, packages, dependencies, output_dir)
    shutil.rmtree(dependencies)
    compile_bytecode([output_dir / name for name in BUNDLES])
    sizes = [measure(name, output_dir / name) for name in BUNDLES]
    for size in sizes:
        if size.total_bytes > MAX_UNZIPPED_BYTES:
            raise BundleBuildError(f"{size.describe()} exceeds Lambda's 250 MB unzipped limit")
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--output-dir",
        type=Path,
        default=DEFAULT_OUTPUT_DIR,
        help="where the api/ and worker/ bundles go (default: build/lambda)",
    )
    args = parser.parse_args(argv)
    try:
        sizes = build(args.output_dir.resolve())
    except BundleBuildError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for size in sizes:
        print(f"bundle {size.describe()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
