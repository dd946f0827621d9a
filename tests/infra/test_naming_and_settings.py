"""NamingUtils and DeploymentSettings: pure Python, importable by the local emulator stack."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from careervp import constants
from careervp.naming_utils import NamingError, NamingUtils
from careervp.settings import ContextValueError, DeploymentSettings

REPO_ROOT = Path(__file__).resolve().parents[2]


def _settings(**context: object) -> DeploymentSettings:
    return DeploymentSettings.from_context(context.get)


def test_constants_naming_and_settings_import_without_aws_cdk() -> None:
    # Given a fresh interpreter in which aws_cdk and constructs cannot be imported
    code = (
        "import sys; sys.modules['aws_cdk'] = None; sys.modules['constructs'] = None; "
        f"sys.path.insert(0, {str(REPO_ROOT / 'infra')!r}); "
        "import careervp.constants, careervp.naming_utils, careervp.settings; "
        "print(careervp.naming_utils.NamingUtils(env='local').service_names().table)"
    )
    # When the modules the local stack needs are imported there
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    # Then they import and build names
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "careervp-cv-tailor-jobs-table-local"


def test_lambda_names_follow_the_spec_example() -> None:
    # Given the default prefix and env
    naming = NamingUtils()
    # When the CV tailoring function and its log group are named
    function_name = naming.lambda_name(constants.CV_TAILOR_FEATURE)
    # Then they are the spec's example and its /aws/lambda/ group
    assert function_name == "careervp-cv-tailor-lambda-dev"
    assert naming.lambda_log_group_name(function_name) == "/aws/lambda/careervp-cv-tailor-lambda-dev"


def test_every_service_name_carries_prefix_and_env() -> None:
    # Given a custom prefix and env
    names = NamingUtils(env="stage", prefix="acme").service_names().as_dict()
    # When every produced name is listed
    # Then each carries both, and no two resources share a name
    assert len(names) == len(set(names.values()))
    for label, name in names.items():
        assert "acme-" in name, label
        assert name.endswith(("-stage", "-stage/access-logs")), label


@pytest.mark.parametrize(
    ("env", "prefix"),
    [
        ("Dev", "careervp"),
        ("dev_1", "careervp"),
        ("dev", "CareerVP"),
        ("a-very-long-env", "careervp"),
        ("", "x"),
    ],
)
def test_names_that_break_the_scheme_are_refused(env: str, prefix: str) -> None:
    # Given an env or prefix that is not short kebab-case
    # When NamingUtils is built with it
    # Then it refuses with a NamingError
    with pytest.raises(NamingError):
        NamingUtils(env=env, prefix=prefix)


def test_settings_default_to_the_documented_values() -> None:
    # Given no context at all
    # When settings are read
    settings = _settings()
    # Then every value has its documented default
    assert settings.env_name == "dev"
    assert settings.allowed_origins == ("*",)
    assert settings.worker_max_concurrency == constants.DEFAULT_WORKER_MAX_CONCURRENCY
    assert settings.alarm_email is None
    assert settings.lambda_asset_dir == Path("build/lambda")
    assert settings.log_level == "INFO"
    assert settings.is_production is False


def test_settings_read_cli_style_text_values() -> None:
    # Given context as `cdk -c key=value` passes it: everything is text
    settings = _settings(
        env="prod",
        allowed_origins="https://app.example.com, https://admin.example.com:8443",
        worker_max_concurrency="12",
        alarm_email="ops@example.com",
        log_level="debug",
    )
    # When settings are read
    # Then the values are parsed and normalised
    assert settings.naming.service_names().queue == "careervp-cv-tailor-queue-prod"
    assert settings.allowed_origins == ("https://app.example.com", "https://admin.example.com:8443")
    assert settings.worker_max_concurrency == 12
    assert settings.alarm_email == "ops@example.com"
    assert settings.log_level == "DEBUG"
    assert settings.is_production is True


def test_settings_accept_a_json_list_of_origins() -> None:
    # Given origins as cdk.json writes a list, and as a JSON list in text
    # When settings are read
    # Then both give the same origins
    origins = ["https://a.example.com", "https://b.example.com"]
    assert _settings(allowed_origins=origins).allowed_origins == tuple(origins)
    assert _settings(
        allowed_origins='["https://a.example.com", "https://b.example.com"]'
    ).allowed_origins == tuple(origins)


@pytest.mark.parametrize(
    ("context", "named_key"),
    [
        ({"env": "Prod"}, "env"),
        ({"worker_max_concurrency": "1"}, "worker_max_concurrency"),
        ({"worker_max_concurrency": 1001}, "worker_max_concurrency"),
        ({"worker_max_concurrency": "many"}, "worker_max_concurrency"),
        ({"allowed_origins": "app.example.com"}, "allowed_origins"),
        ({"allowed_origins": "*,https://a.example.com"}, "allowed_origins"),
        ({"allowed_origins": " , "}, "allowed_origins"),
        ({"alarm_email": "not-an-address"}, "alarm_email"),
        ({"log_level": "LOUD"}, "log_level"),
        ({"lambda_asset_dir": 3}, "lambda_asset_dir"),
    ],
)
def test_bad_context_values_fail_with_the_key_named(context: dict[str, object], named_key: str) -> None:
    # Given one unusable context value
    # When settings are read
    # Then a ContextValueError names the key
    with pytest.raises(ContextValueError, match=f"'{named_key}'"):
        _settings(**context)
