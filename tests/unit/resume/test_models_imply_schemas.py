"""Whatever the service's JSON Resume types accept is valid JSON Resume: the Lambdas need no JSON Schema.

Every property the vendored schemas declare is set, one at a time and then in random combinations, to values
of every JSON type (and to near-miss dates); whenever the types accept the document, the schema must accept
both the document and the validated copy of it (which is what the service stores and returns).
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from evaluation.schema_checks import json_resume_schema, schema_errors
from shared.resume.validation import validated_job, validated_resume

Path = tuple[str | int, ...]

PROBE_VALUES: tuple[Any, ...] = (
    None,
    0,
    1.5,
    True,
    "",
    "text",
    "2020",
    "2020-01",
    "2020-01-31",
    "2020-1-31",
    "31-01-2020",
    "May 2020",
    "Full",
    "full",
    [],
    ["text"],
    [1],
    [None],
    [{}],
    {},
    {"extra": 1},
)
# Each document needs some content before anything else is judged.
BASES: Mapping[str, dict[str, Any]] = {
    "schema.json": {"skills": [{"name": "Python"}]},
    "job-schema.json": {"title": "Engineer"},
}
VALIDATORS: Mapping[str, Callable[[Any], dict[str, Any]]] = {
    "schema.json": validated_resume,
    "job-schema.json": validated_job,
}


def _resolved(node: Mapping[str, Any], root: Mapping[str, Any]) -> Mapping[str, Any]:
    reference = node.get("$ref")
    if not isinstance(reference, str):
        return node
    target: Any = root
    for part in reference.removeprefix("#/").split("/"):
        target = target[part]
    return _resolved(target, root)


def _property_paths(node: Mapping[str, Any], root: Mapping[str, Any], path: Path = ()) -> Iterator[Path]:
    node = _resolved(node, root)
    if path:
        yield path
    for name, child in node.get("properties", {}).items():
        yield from _property_paths(child, root, (*path, name))
    items = node.get("items")
    if isinstance(items, Mapping):
        yield from _property_paths(items, root, (*path, 0))


def property_paths(schema_file: str) -> list[Path]:
    schema = json_resume_schema(schema_file)
    return list(_property_paths(schema, schema))


def placed(document: dict[str, Any], path: Path, value: Any) -> dict[str, Any]:
    """A copy of ``document`` with ``value`` at ``path``, creating the objects and lists on the way."""
    result = copy.deepcopy(document)
    container: Any = result
    for step, following in itertools.pairwise(path):
        child: Any = [] if isinstance(following, int) else {}
        if isinstance(container, list):
            container[:] = [child]
        else:
            container[step] = child
        container = child
    if isinstance(container, list):
        container[:] = [value]
    else:
        container[path[-1]] = value
    return result


def accepted_copy(schema_file: str, document: dict[str, Any]) -> dict[str, Any] | None:
    try:
        return VALIDATORS[schema_file](document)
    except ValidationError:
        return None


def assert_accepted_implies_valid(schema_file: str, document: dict[str, Any]) -> bool:
    dumped = accepted_copy(schema_file, document)
    if dumped is None:
        return False
    assert schema_errors(schema_file, document) == [], document
    assert schema_errors(schema_file, dumped) == [], dumped
    return True


def test_the_sweep_reaches_every_declared_property() -> None:
    # Given the vendored schemas
    # When their property paths are listed
    resume_paths = property_paths("schema.json")
    job_paths = property_paths("job-schema.json")

    # Then nested objects and list items are reached too
    assert ("work", 0, "highlights", 0) in resume_paths
    assert ("basics", "location", "city") in resume_paths
    assert ("basics", "profiles", 0, "network") in resume_paths
    assert ("skills", 0, "keywords", 0) in job_paths
    assert len(resume_paths) > 100


@pytest.mark.parametrize("schema_file", sorted(VALIDATORS))
def test_every_property_set_to_any_json_value_is_refused_unless_the_schema_allows_it(
    schema_file: str,
) -> None:
    # Given each declared property in turn, set to each probe value
    accepted = 0
    for path in property_paths(schema_file):
        for value in PROBE_VALUES:
            document = placed(BASES[schema_file], path, value)

            # When the service's types judge it
            # Then an accepted document, and its validated copy, are valid against the schema
            accepted += assert_accepted_implies_valid(schema_file, document)

    # And the sweep is not vacuous: plenty of documents were accepted
    assert accepted > len(property_paths(schema_file))


@pytest.mark.parametrize("schema_file", sorted(VALIDATORS))
def test_the_sweep_would_catch_types_laxer_than_the_schema(schema_file: str) -> None:
    # Given a document that sets a declared string property to null (the schema refuses null)
    document = placed(BASES[schema_file], property_paths(schema_file)[0], None)

    # When the schema judges it
    # Then it is refused, so types accepting it would fail the sweep above
    assert schema_errors(schema_file, document) != []


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), schema_file=st.sampled_from(sorted(VALIDATORS)))
def test_random_combinations_of_properties_keep_the_implication(
    data: st.DataObject, schema_file: str
) -> None:
    # Given several declared properties set at once to probe values
    paths = property_paths(schema_file)
    document = BASES[schema_file]
    for _ in range(data.draw(st.integers(min_value=1, max_value=6))):
        document = placed(
            document, data.draw(st.sampled_from(paths)), data.draw(st.sampled_from(PROBE_VALUES))
        )

    # When the service's types judge the document
    # Then accepting it implies the schema does too
    assert_accepted_implies_valid(schema_file, document)
