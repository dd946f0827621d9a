"""Property tests: whatever the body, the API answers with a documented status, never a 5xx."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.unit.api.harness import ApiHarness
from tests.unit.api.rest_events import post_event, sample_request

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=30,
)
_DOCUMENTED = {202, 400, 413, 415, 422}
_FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@_FUZZ
@given(body=st.text(max_size=300))
def test_any_text_body_gets_a_documented_status(api: ApiHarness, body: str) -> None:
    # Given an arbitrary text body sent as JSON
    event = post_event(body=body, headers={"Content-Type": "application/json"})
    before = len(api.repository.records)

    # When it is sent
    response = api.call(event)

    # Then the status is documented, and a refusal says why and keeps nothing
    assert response.status in _DOCUMENTED
    if response.status != 202:
        assert response.error_code
        assert len(api.repository.records) == before


@_FUZZ
@given(resume=_JSON, job=_JSON, extra=st.dictionaries(st.text(max_size=8), _JSON, max_size=2))
def test_any_json_envelope_gets_a_documented_status(
    api: ApiHarness, resume: Any, job: Any, extra: dict[str, Any]
) -> None:
    # Given arbitrary JSON where the CV and the job belong
    document = {**extra, "resume": resume, "job": job}
    before = len(api.repository.records)

    # When it is submitted
    response = api.call(post_event(body=json.dumps(document), headers={"Content-Type": "application/json"}))

    # Then it is accepted or refused with a documented status, and only an acceptance writes
    assert response.status in _DOCUMENTED
    assert len(api.repository.records) == before + (1 if response.status == 202 else 0)


@_FUZZ
@given(highlight=st.text(max_size=200), name=st.text(max_size=50))
def test_any_text_inside_a_valid_cv_is_accepted_or_refused_as_422(
    api: ApiHarness, highlight: str, name: str
) -> None:
    # Given a valid CV whose texts are arbitrary Unicode (control characters, RTL, emoji, markup...)
    document = sample_request()
    document["resume"]["work"][0]["highlights"] = [highlight]
    document["resume"]["basics"]["name"] = name

    # When it is submitted
    response = api.submit(document)

    # Then it is accepted, or refused with a field-level 422
    assert response.status in {202, 422}
    if response.status == 422:
        assert response.body["error"]["fields"]
