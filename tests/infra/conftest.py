"""Synthesise the CDK app once per test session, against a copy of the source tree (no dependencies)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.infra.template_reader import SynthesizedStack

REPO_ROOT = Path(__file__).resolve().parents[2]
TEST_ENV = "test"
TEST_ALARM_EMAIL = "cv-tailor-alarms@example.com"
TEST_ALLOWED_ORIGINS = "https://app.careervp.example,https://admin.careervp.example"
TEST_WORKER_MAX_CONCURRENCY = 7

_BUNDLES = {"api": ("api", "shared"), "worker": ("worker", "shared")}


def _copy_source_bundles(asset_dir: Path) -> None:
    for bundle, packages in _BUNDLES.items():
        for package in packages:
            shutil.copytree(
                REPO_ROOT / "src" / package,
                asset_dir / bundle / package,
                ignore=shutil.ignore_patterns("tests", "__pycache__", "*.pyc"),
            )


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> SynthesizedStack:
    """The app as `make synth` builds it (cdk.json context), plus test values for every context key."""
    from careervp.app import cdk_json_context, create_app

    asset_dir = tmp_path_factory.mktemp("lambda-assets")
    _copy_source_bundles(asset_dir)
    outdir = tmp_path_factory.mktemp("cdk-out")
    context: dict[str, Any] = {
        **cdk_json_context(),
        "env": TEST_ENV,
        "lambda_asset_dir": str(asset_dir),
        "alarm_email": TEST_ALARM_EMAIL,
        "allowed_origins": TEST_ALLOWED_ORIGINS,
        "worker_max_concurrency": TEST_WORKER_MAX_CONCURRENCY,
    }
    app, stack = create_app(context, outdir=str(outdir))
    validation_error: str | None = None
    try:
        app.synth()
    except RuntimeError as error:
        # cdk-nag findings fail synthesis after the template is written; the nag test reports them.
        validation_error = str(error)
    template = json.loads((outdir / f"{stack.artifact_id}.template.json").read_text(encoding="utf-8"))
    report_file = outdir / "validation-report.json"
    report = json.loads(report_file.read_text(encoding="utf-8")) if report_file.exists() else {}
    return SynthesizedStack(
        stack=stack, template_json=template, validation_error=validation_error, validation_report=report
    )
