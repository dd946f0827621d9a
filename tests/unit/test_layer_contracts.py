"""The import-linter contracts in pyproject.toml break the build when a forbidden import appears.

Each case copies the source packages to a temporary directory, writes one forbidden import into the copy and
runs ``lint-imports`` with the repository's configuration over the copy: the working tree is never touched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
CONFIG = REPO_ROOT / "pyproject.toml"
# The import paths of the root packages, as in [tool.pytest.ini_options] pythonpath.
SOURCE_DIRS = ("src", "infra")
LINT_IMPORTS = (
    "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
)

BOTO3_CONTRACT = "Only shared.dal and shared.clients import boto3 or botocore"
TOOLING_CONTRACT = "The Lambda code (api, worker, shared) imports no tooling, infra or tests"


def copy_sources(destination: Path) -> Path:
    """Copy ``src/*`` and ``infra/careervp`` under ``destination``, keeping the ``src`` / ``infra`` layout."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(REPO_ROOT / "src", destination / "src", ignore=ignore)
    shutil.copytree(REPO_ROOT / "infra" / "careervp", destination / "infra" / "careervp", ignore=ignore)
    return destination


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """Run ``lint-imports`` with the repository's contracts over the packages under ``root``."""
    env = dict(os.environ)
    # PYTHONPATH precedes site-packages, so the copies shadow the editable install of the working tree.
    env["PYTHONPATH"] = os.pathsep.join(str(root / directory) for directory in SOURCE_DIRS)
    env["COLUMNS"] = "1000"  # one line per contract, so a name is never wrapped
    return subprocess.run(
        [sys.executable, "-c", LINT_IMPORTS, str(CONFIG), "--no-cache", "--no-logo"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def add_import(root: Path, module_path: str, statement: str) -> None:
    """Append ``statement`` to the copy of ``src/<module_path>``."""
    path = root / "src" / module_path
    path.write_text(f"{path.read_text(encoding='utf-8')}\n{statement}\n", encoding="utf-8")


def test_the_unmodified_sources_keep_every_contract(tmp_path: Path) -> None:
    # Given an unmodified copy of the source packages
    root = copy_sources(tmp_path)
    # When lint-imports checks it
    result = lint_imports(root)
    # Then every contract is kept, so a broken contract below comes from the added import alone
    assert result.returncode == 0, result.stdout + result.stderr
    assert " 0 broken." in result.stdout
    assert f"{BOTO3_CONTRACT} KEPT" in result.stdout
    assert f"{TOOLING_CONTRACT} KEPT" in result.stdout


@pytest.mark.parametrize(
    ("module_path", "statement", "contract", "illegal_import"),
    [
        pytest.param(
            "shared/logic/tailoring_job.py",
            "import boto3",
            BOTO3_CONTRACT,
            "shared.logic.tailoring_job -> boto3",
            id="boto3-in-logic",
        ),
        pytest.param(
            "api/handler.py",
            "import local_stack",
            TOOLING_CONTRACT,
            "api.handler -> local_stack",
            id="local-stack-in-api",
        ),
    ],
)
def test_a_forbidden_import_breaks_its_contract(
    tmp_path: Path, module_path: str, statement: str, contract: str, illegal_import: str
) -> None:
    # Given a copy of the source packages with one forbidden import written into a Lambda module
    root = copy_sources(tmp_path)
    add_import(root, module_path, statement)
    # When lint-imports checks it
    result = lint_imports(root)
    # Then the build fails, naming the broken contract and the import that broke it
    assert result.returncode != 0, result.stdout + result.stderr
    assert f"{contract} BROKEN" in result.stdout
    assert illegal_import in result.stdout
