"""The Lambda packages import only the standard library, each other and the locked runtime dependencies.

A dev-only package (jsonschema, moto, hypothesis...) imported by ``api``, ``worker`` or ``shared`` would pass
every local test and then fail on Lambda, where the bundle holds the runtime dependencies alone.
"""

from __future__ import annotations

import ast
import sys
import tomllib
from collections.abc import Iterator
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

from bench.cold_start import is_type_checking_block

REPO_ROOT = Path(__file__).resolve().parents[2]
LAMBDA_PACKAGES = ("api", "worker", "shared")
PROJECT_DISTRIBUTION = "careervp-cv-tailor"


def _normalised(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def runtime_distributions(lock_file: Path = REPO_ROOT / "uv.lock") -> set[str]:
    """The project's runtime dependencies and theirs (with requested extras), as uv locked them."""
    packages = {
        _normalised(package["name"]): package for package in tomllib.loads(lock_file.read_text())["package"]
    }
    found: set[str] = set()
    pending = list(packages[PROJECT_DISTRIBUTION].get("dependencies", []))
    while pending:
        requirement = pending.pop()
        name = _normalised(requirement["name"])
        package = packages[name]
        pending.extend(package.get("dependencies", []) if name not in found else [])
        for extra in requirement.get("extra", []):
            pending.extend(package.get("optional-dependencies", {}).get(extra, []))
        found.add(name)
    return found


def importable_names(distributions: set[str]) -> set[str]:
    """Top-level module names the given installed distributions provide."""
    return {
        module
        for module, providers in packages_distributions().items()
        if any(_normalised(provider) in distributions for provider in providers)
    }


def _imports(node: ast.AST) -> Iterator[tuple[int, str]]:
    """Every absolute import's top-level module, except those only type checkers run."""
    if isinstance(node, ast.If) and is_type_checking_block(node):
        for branch in node.orelse:
            yield from _imports(branch)
        return
    if isinstance(node, ast.Import):
        yield from ((node.lineno, alias.name.split(".")[0]) for alias in node.names)
    elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        yield node.lineno, node.module.split(".")[0]
    for child in ast.iter_child_nodes(node):
        yield from _imports(child)


def foreign_imports(source_root: Path, allowed: set[str]) -> list[str]:
    """``file:line module`` for each import of a module outside ``allowed`` and the standard library."""
    found = []
    for package in LAMBDA_PACKAGES:
        for path in sorted((source_root / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for line, module in _imports(tree):
                if module not in allowed and module not in sys.stdlib_module_names:
                    found.append(f"{path.relative_to(source_root)}:{line} {module}")
    return found


@pytest.fixture(scope="module")
def allowed_modules() -> set[str]:
    return {*LAMBDA_PACKAGES, *importable_names(runtime_distributions())}


def test_the_runtime_closure_holds_the_lambda_dependencies_and_no_dev_tools() -> None:
    # Given the lock file
    # When the runtime closure is walked
    closure = runtime_distributions()

    # Then it holds the declared dependencies and the Tracer extra, and none of the dev or infra tools
    assert {"boto3", "botocore", "pydantic", "pydantic-core", "tenacity", "aws-xray-sdk"} <= closure
    assert closure.isdisjoint(
        {"jsonschema", "moto", "hypothesis", "pytest", "aws-cdk-lib", "pydantic-settings"}
    )


def test_the_lambda_packages_import_nothing_the_bundles_lack(allowed_modules: set[str]) -> None:
    # Given the source of the packages the bundles ship
    # When their imports are read
    foreign = foreign_imports(REPO_ROOT / "src", allowed_modules)

    # Then each is the standard library, the project or a runtime dependency
    assert foreign == []


def test_a_dev_only_import_is_reported(tmp_path: Path, allowed_modules: set[str]) -> None:
    # Given a shared module that imports jsonschema at run time and moto only for type checking
    module = tmp_path / "shared" / "checks.py"
    module.parent.mkdir()
    module.write_text(
        "from typing import TYPE_CHECKING\n"
        "import boto3\n"
        "if TYPE_CHECKING:\n    import moto\n"
        "def check():\n    from jsonschema import Draft7Validator\n"
    )

    # When its imports are read
    foreign = foreign_imports(tmp_path, allowed_modules)

    # Then the run-time import is reported with its place, and the type-checking one is not
    assert foreign == ["shared/checks.py:6 jsonschema"]
