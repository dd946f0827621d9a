"""Validate the AWS resource naming scheme of the CDK app: ``{prefix}-{feature}-{kind}-{env}``.

Checks, each violation reported on its own line:

1. ``constants.py``: AWS name parts (constants named ``*_FEATURE``, ``*_ALARM``, ``*_PREFIX``, ``*_ENV``,
   ``*_STAGE_NAME`` or ``GW_RESOURCE_*``) are kebab-case; construct ids (``*_LAMBDA``) are PascalCase.
2. Every name ``NamingUtils.service_names()`` produces, for each checked env, matches its kind's pattern
   (function, log group, queue, table, bus, ...) and AWS's length limit, and no two names collide.
3. No construct is given a hard-coded name: keyword arguments such as ``function_name=`` or
   ``queue_name=`` never receive a string literal.

Exit status: 1 when a violation is found and ``--strict`` is given (as ``make naming`` does), else 0.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

PACKAGE: Final = "careervp"
KEBAB: Final = r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*"
KEBAB_CASE: Final = re.compile(rf"^{KEBAB}$")
PASCAL_CASE: Final = re.compile(r"^[A-Z][A-Za-z0-9]*$")
AWS_NAME_SUFFIXES: Final = ("_FEATURE", "_ALARM", "_PREFIX", "_ENV", "_STAGE_NAME")
AWS_NAME_PREFIXES: Final = ("GW_RESOURCE_",)
CONSTRUCT_ID_SUFFIXES: Final = ("_LAMBDA",)
NAME_KEYWORDS: Final = frozenset(
    {
        "function_name",
        "queue_name",
        "table_name",
        "event_bus_name",
        "log_group_name",
        "alarm_name",
        "dashboard_name",
        "topic_name",
        "rest_api_name",
        "archive_name",
        "stack_name",
    }
)


@dataclass(frozen=True)
class NameRule:
    """The kind suffix a name ends with (before ``-{env}``) and the AWS length limit."""

    kind: str
    max_length: int


# ServiceNames field -> rule. A field with no rule is itself a violation, so new names get a rule.
NAME_RULES: Final[Mapping[str, NameRule]] = {
    "stack": NameRule("stack", 128),
    "worker_function": NameRule("lambda", 64),
    "api_function": NameRule("lambda", 64),
    "rest_api": NameRule("api", 1024),
    "queue": NameRule("queue", 80),
    "dead_letter_queue": NameRule("dlq", 80),
    "table": NameRule("table", 255),
    "event_bus": NameRule("bus", 256),
    "event_archive": NameRule("archive", 48),
    "alarm_topic": NameRule("topic", 256),
    "dashboard": NameRule("dashboard", 255),
}
ALARM_RULE: Final = NameRule("alarm", 255)
LOG_GROUP_MAX_LENGTH: Final = 512
# Log group field -> the field whose name it must embed, and the pattern of the whole name.
LOG_GROUP_RULES: Final[Mapping[str, tuple[str, str]]] = {
    "worker_log_group": ("worker_function", "/aws/lambda/{name}"),
    "api_log_group": ("api_function", "/aws/lambda/{name}"),
    "api_access_log_group": ("rest_api", "/aws/apigateway/{name}/access-logs"),
}


@dataclass(frozen=True)
class Violation:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def is_aws_name_constant(name: str) -> bool:
    return name.endswith(AWS_NAME_SUFFIXES) or name.startswith(AWS_NAME_PREFIXES)


def string_constants(tree: ast.Module) -> Iterator[tuple[str, str, int]]:
    """(name, value, line) of each module-level ``NAME = "text"`` or ``NAME: Final = "text"``."""
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name) and isinstance(value, ast.Constant) and isinstance(value.value, str):
            yield target.id, value.value, node.lineno


def check_constants(constants_file: Path) -> list[Violation]:
    tree = ast.parse(constants_file.read_text(encoding="utf-8"), filename=str(constants_file))
    violations = []
    for name, value, line in string_constants(tree):
        where = f"{constants_file}:{line}"
        if is_aws_name_constant(name) and not KEBAB_CASE.fullmatch(value):
            violations.append(
                Violation(where, f"{name} = {value!r} is an AWS name part and must be kebab-case")
            )
        if name.endswith(CONSTRUCT_ID_SUFFIXES) and not PASCAL_CASE.fullmatch(value):
            violations.append(
                Violation(where, f"{name} = {value!r} is a construct id and must be PascalCase")
            )
    return violations


def check_name(label: str, name: str, rule: NameRule, prefix: str, env: str) -> list[Violation]:
    where = f"NamingUtils(env={env!r}).{label}"
    pattern = rf"^{re.escape(prefix)}-{KEBAB}-{re.escape(rule.kind)}-{re.escape(env)}$"
    violations = []
    if not re.fullmatch(pattern, name):
        violations.append(
            Violation(where, f"{name!r} does not match {prefix}-<feature>-{rule.kind}-{env} (kebab-case)")
        )
    if len(name) > rule.max_length:
        violations.append(Violation(where, f"{name!r} is longer than AWS's {rule.max_length} characters"))
    return violations


def check_service_names(names: Mapping[str, Any], prefix: str, env: str) -> list[Violation]:
    """Check one env's names; ``names`` is ``ServiceNames`` as a dict (``alarms`` a nested dict)."""
    violations: list[Violation] = []
    flat: dict[str, str] = {}
    for label, value in names.items():
        if label == "alarms":
            for short_name, alarm_name in dict(value).items():
                flat[f"alarms[{short_name}]"] = alarm_name
                violations += check_name(f"alarms[{short_name!r}]", alarm_name, ALARM_RULE, prefix, env)
        elif label in NAME_RULES:
            flat[label] = value
            violations += check_name(label, value, NAME_RULES[label], prefix, env)
        elif label in LOG_GROUP_RULES:
            flat[label] = value
            source_label, template = LOG_GROUP_RULES[label]
            expected = template.format(name=names.get(source_label, "?"))
            where = f"NamingUtils(env={env!r}).{label}"
            if value != expected:
                violations.append(Violation(where, f"{value!r} should be {expected!r}"))
            if len(value) > LOG_GROUP_MAX_LENGTH:
                violations.append(
                    Violation(where, f"{value!r} is longer than {LOG_GROUP_MAX_LENGTH} characters")
                )
        else:
            violations.append(Violation(f"NamingUtils(env={env!r}).{label}", "no naming rule for this name"))
    seen: dict[str, str] = {}
    for label, value in flat.items():
        if value in seen:
            violations.append(
                Violation(f"NamingUtils(env={env!r})", f"{label} and {seen[value]} are both {value!r}")
            )
        seen.setdefault(value, label)
    return violations


def check_hard_coded_names(source_file: Path) -> list[Violation]:
    tree = ast.parse(source_file.read_text(encoding="utf-8"), filename=str(source_file))
    violations = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        for keyword in node.keywords:
            literal = isinstance(keyword.value, ast.JoinedStr) or (
                isinstance(keyword.value, ast.Constant) and isinstance(keyword.value.value, str)
            )
            if keyword.arg in NAME_KEYWORDS and literal:
                violations.append(
                    Violation(
                        f"{source_file}:{keyword.value.lineno}",
                        f"{keyword.arg}= is a hard-coded string; build the name with NamingUtils",
                    )
                )
    return violations


@contextmanager
def package_from(root: Path) -> Iterator[None]:
    """Import ``careervp`` from ``root``, leaving any already imported copy as it was afterwards."""
    saved = {name: module for name, module in sys.modules.items() if name.split(".")[0] == PACKAGE}
    for name in saved:
        del sys.modules[name]
    sys.path.insert(0, str(root))
    try:
        yield
    finally:
        sys.path.remove(str(root))
        for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
            del sys.modules[name]
        sys.modules.update(saved)


def check_naming_utils(root: Path, envs: Sequence[str]) -> tuple[list[Violation], int]:
    """Violations in every env's names, and how many names were checked."""
    violations: list[Violation] = []
    checked = 0
    with package_from(root):
        try:
            naming_utils = importlib.import_module(f"{PACKAGE}.naming_utils")
            constants = importlib.import_module(f"{PACKAGE}.constants")
        except Exception as error:  # any import failure is a violation to report, not a crash
            return [Violation(str(root / PACKAGE), f"cannot import the naming modules: {error}")], 0
        prefix = str(constants.DEFAULT_PREFIX)
        for env in envs or (str(constants.DEFAULT_ENV), str(getattr(constants, "PRODUCTION_ENV", "prod"))):
            try:
                names = naming_utils.NamingUtils(env=env).service_names()
            except ValueError as error:
                violations.append(Violation(f"NamingUtils(env={env!r})", str(error)))
                continue
            values = dict(vars(names))
            checked += len(values) - 1 + len(values.get("alarms", {}))
            violations += check_service_names(values, prefix, env)
    return violations, checked


def validate(root: Path, envs: Sequence[str]) -> tuple[list[Violation], int]:
    package_dir = root / PACKAGE
    if not package_dir.is_dir():
        return [Violation(str(root), f"no {PACKAGE}/ package here")], 0
    violations: list[Violation] = []
    constants_file = package_dir / "constants.py"
    if constants_file.is_file():
        violations += check_constants(constants_file)
    else:
        violations.append(Violation(str(constants_file), "missing"))
    for source_file in sorted(root.rglob("*.py")):
        violations += check_hard_coded_names(source_file)
    name_violations, checked = check_naming_utils(root, envs)
    return violations + name_violations, checked


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Validate the AWS resource naming scheme of the CDK app.")
    parser.add_argument("--path", type=Path, default=Path("infra"), help="directory holding careervp/")
    parser.add_argument("--strict", action="store_true", help="exit 1 when any violation is found")
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        help="env to check names for (repeatable; default: dev and prod)",
    )
    args = parser.parse_args(argv)
    violations, checked = validate(args.path.resolve(), args.env)
    label = "error" if args.strict else "warning"
    for violation in violations:
        print(f"{label}: {violation}", file=sys.stderr)
    print(f"naming: {checked} names checked, {len(violations)} violations")
    return 1 if violations and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
