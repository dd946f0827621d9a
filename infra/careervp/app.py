"""Builds the CDK app: settings from context, the stack, and cdk-nag's rule packs as validation plugins."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from aws_cdk import App, Validations
from cdk_nag import AwsSolutionsChecks, ServerlessChecks

from careervp.lambda_function import LambdaAssetError
from careervp.settings import ContextValueError, DeploymentSettings
from careervp.stack import CvTailorStack

STACK_CONSTRUCT_ID: Final = "CvTailor"
CDK_JSON: Final = Path(__file__).resolve().parents[2] / "cdk.json"


def cdk_json_context(cdk_json: Path = CDK_JSON) -> dict[str, Any]:
    """The ``context`` of cdk.json (feature flags and defaults), for building the app outside the CLI."""
    context = json.loads(cdk_json.read_text(encoding="utf-8")).get("context", {})
    if not isinstance(context, dict):
        raise ContextValueError(f"{cdk_json}: 'context' is not an object")
    return context


def create_app(
    context: Mapping[str, Any] | None = None, outdir: str | None = None
) -> tuple[App, CvTailorStack]:
    """The app and its one stack. Under the CLI, cdk.json and ``-c`` values override ``context``."""
    app = App(context=dict(context or {}), outdir=outdir)
    settings = DeploymentSettings.from_context(app.node.try_get_context)
    # No env: the template is account- and Region-agnostic, so synth needs neither credentials nor network.
    stack = CvTailorStack(app, STACK_CONSTRUCT_ID, settings=settings)
    Validations.of(app).add_plugins(
        AwsSolutionsChecks(app, write_suppressions_to_cloud_formation=True),
        ServerlessChecks(app, write_suppressions_to_cloud_formation=True),
    )
    return app, stack


def main() -> None:
    try:
        app, _ = create_app()
    except (ContextValueError, LambdaAssetError) as error:
        sys.stderr.write(f"error: {error}\n")
        sys.exit(1)
    app.synth()
