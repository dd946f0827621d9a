"""scripts/validate_naming.py: the naming scheme validator that `make naming` runs."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from scripts.validate_naming import (
    check_constants,
    check_hard_coded_names,
    check_service_names,
    main,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
GOOD_NAMES = {
    "stack": "careervp-cv-tailor-stack-dev",
    "worker_function": "careervp-cv-tailor-lambda-dev",
    "worker_log_group": "/aws/lambda/careervp-cv-tailor-lambda-dev",
    "api_function": "careervp-cv-tailor-api-lambda-dev",
    "api_log_group": "/aws/lambda/careervp-cv-tailor-api-lambda-dev",
    "rest_api": "careervp-cv-tailor-api-dev",
    "api_access_log_group": "/aws/apigateway/careervp-cv-tailor-api-dev/access-logs",
    "queue": "careervp-cv-tailor-queue-dev",
    "dead_letter_queue": "careervp-cv-tailor-dlq-dev",
    "table": "careervp-cv-tailor-jobs-table-dev",
    "event_bus": "careervp-cv-tailor-bus-dev",
    "event_archive": "careervp-cv-tailor-archive-dev",
    "alarm_topic": "careervp-cv-tailor-alarms-topic-dev",
    "dashboard": "careervp-cv-tailor-dashboard-dev",
    "alarms": {"cv-tailor-errors": "careervp-cv-tailor-errors-alarm-dev"},
}


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def _fake_infra(root: Path, *, constants: str, naming_utils: str, construct: str = "") -> Path:
    _write(root / "careervp" / "__init__.py", "")
    _write(root / "careervp" / "constants.py", constants)
    _write(root / "careervp" / "naming_utils.py", naming_utils)
    _write(root / "careervp" / "some_construct.py", construct)
    return root


_FAKE_CONSTANTS = """
    DEFAULT_PREFIX = "careervp"
    DEFAULT_ENV = "dev"
    PRODUCTION_ENV = "prod"
"""
_FAKE_NAMING_UTILS = """
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class Names:
        worker_function: str
        worker_log_group: str

    class NamingUtils:
        def __init__(self, env: str) -> None:
            self.env = env

        def service_names(self) -> Names:
            function = {function!r}.format(env=self.env)
            return Names(worker_function=function, worker_log_group=f"/aws/lambda/{{function}}")
"""


def test_the_real_infra_passes_in_strict_mode(capsys: pytest.CaptureFixture[str]) -> None:
    # Given the repository's infra/ package
    # When the validator runs as `make naming` runs it
    exit_code = main(["--path", str(REPO_ROOT / "infra"), "--strict"])
    # Then it checks names and finds no violation
    output = capsys.readouterr()
    assert exit_code == 0, output.err
    assert "0 violations" in output.out
    assert "names checked" in output.out
    assert int(output.out.split()[1]) > 20


def test_feature_constant_that_is_not_kebab_case_is_reported(tmp_path: Path) -> None:
    # Given a constants file whose feature name uses camel case
    constants = _write(
        tmp_path / "constants.py", 'CV_TAILOR_FEATURE = "cvTailor"\nOK_FEATURE = "cv-tailor"\n'
    )
    # When the constants are checked
    violations = check_constants(constants)
    # Then exactly the bad constant is reported, with its line
    assert [str(violation) for violation in violations] == [
        f"{constants}:1: CV_TAILOR_FEATURE = 'cvTailor' is an AWS name part and must be kebab-case"
    ]


def test_construct_id_that_is_not_pascal_case_is_reported(tmp_path: Path) -> None:
    # Given a construct id written in kebab case
    constants = _write(tmp_path / "constants.py", 'CV_TAILOR_LAMBDA: Final = "cv-tailor"\n')
    # When the constants are checked
    violations = check_constants(constants)
    # Then it is reported as a construct id that must be PascalCase
    assert len(violations) == 1
    assert "construct id and must be PascalCase" in violations[0].message


def test_scheme_names_pass() -> None:
    # Given every name the scheme produces for dev
    # When they are checked
    # Then none is reported
    assert check_service_names(GOOD_NAMES, "careervp", "dev") == []


@pytest.mark.parametrize(
    ("label", "bad_name", "expected"),
    [
        ("worker_function", "careervp_cv_tailor_lambda_dev", "does not match careervp-<feature>-lambda-dev"),
        ("queue", "careervp-cv-tailor-dev", "does not match careervp-<feature>-queue-dev"),
        ("table", "careervp-cv-tailor-jobs-table-prod", "does not match careervp-<feature>-table-dev"),
        ("event_bus", "CareerVP-cv-tailor-bus-dev", "does not match careervp-<feature>-bus-dev"),
        ("worker_log_group", "/aws/lambda/other", "should be '/aws/lambda/careervp-cv-tailor-lambda-dev'"),
        ("api_function", "careervp-" + "x" * 60 + "-lambda-dev", "longer than AWS's 64 characters"),
        ("future_thing", "careervp-x-thing-dev", "no naming rule for this name"),
    ],
)
def test_a_name_off_the_scheme_is_reported_with_a_clear_message(
    label: str, bad_name: str, expected: str
) -> None:
    # Given the scheme's names with one name off the scheme
    names = {**GOOD_NAMES, label: bad_name}
    # When they are checked
    violations = check_service_names(names, "careervp", "dev")
    # Then that name is reported, saying what is wrong
    assert len(violations) >= 1
    assert any(label in violation.where and expected in violation.message for violation in violations), (
        violations
    )


def test_two_resources_with_the_same_name_are_reported() -> None:
    # Given the DLQ named like the queue
    names = {**GOOD_NAMES, "dead_letter_queue": GOOD_NAMES["queue"]}
    # When the names are checked
    messages = [violation.message for violation in check_service_names(names, "careervp", "dev")]
    # Then the collision is reported (besides the DLQ's kind mismatch)
    assert any("dead_letter_queue and queue are both" in message for message in messages)


def test_hard_coded_resource_names_in_constructs_are_reported(tmp_path: Path) -> None:
    # Given a construct that names its queue and function with literals
    source = _write(
        tmp_path / "construct.py",
        """\
        queue = sqs.Queue(self, "Q", queue_name="my-queue")
        function = Function(self, "F", function_name=f"fn-{env}")
        table = Table(self, "T", table_name=names.table)
        """,
    )
    # When the source is scanned
    violations = check_hard_coded_names(source)
    # Then both literals are reported with their lines; the NamingUtils-built name is not
    assert [(violation.where, violation.message.split("=")[0]) for violation in violations] == [
        (f"{source}:1", "queue_name"),
        (f"{source}:2", "function_name"),
    ]


def test_strict_mode_fails_on_a_bad_package_and_lenient_mode_only_warns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given an infra package whose NamingUtils builds function names with underscores
    root = _fake_infra(
        tmp_path,
        constants=_FAKE_CONSTANTS,
        naming_utils=_FAKE_NAMING_UTILS.format(function="careervp_cv_tailor_lambda_{env}"),
        construct='topic = Topic(self, "T", topic_name="alarms")\n',
    )
    # When the validator runs strictly, then leniently
    strict_exit = main(["--path", str(root), "--strict"])
    strict_output = capsys.readouterr()
    lenient_exit = main(["--path", str(root)])
    lenient_output = capsys.readouterr()
    # Then strict mode exits 1 with one error line per violation (both envs, plus the literal)
    assert strict_exit == 1
    errors = [line for line in strict_output.err.splitlines() if line.startswith("error: ")]
    assert len(errors) == 3
    assert any("careervp_cv_tailor_lambda_dev" in line for line in errors)
    assert any("careervp_cv_tailor_lambda_prod" in line for line in errors)
    assert any("topic_name= is a hard-coded string" in line for line in errors)
    assert lenient_exit == 0
    assert lenient_output.err.count("warning: ") == 3


def test_validator_leaves_the_real_package_importable(tmp_path: Path) -> None:
    # Given the real careervp package imported in this process
    from careervp import naming_utils

    root = _fake_infra(
        tmp_path,
        constants=_FAKE_CONSTANTS,
        naming_utils=_FAKE_NAMING_UTILS.format(function="careervp-cv-tailor-lambda-{env}"),
    )
    # When the validator imports a different careervp package from another directory
    exit_code = main(["--path", str(root), "--strict"])
    # Then that package passes, and afterwards the real module is the one imported again
    from careervp import naming_utils as after

    assert exit_code == 0
    assert after is naming_utils
    assert hasattr(after, "ServiceNames")
