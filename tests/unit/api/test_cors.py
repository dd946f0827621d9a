"""CORS headers on real responses (API Gateway answers the preflight; the Lambda answers everything else)."""

from __future__ import annotations

import pytest

from tests.unit.api.harness import ApiHarness
from tests.unit.api.rest_events import post_event, sample_request


def test_any_origin_is_allowed_by_default(api: ApiHarness) -> None:
    # Given the default configuration
    # When a browser submits a job
    response = api.call(post_event(sample_request(), headers={"Origin": "https://app.example.com"}))
    # Then the response lets any origin read it
    assert response.status == 202
    assert response.header("Access-Control-Allow-Origin") == "*"


@pytest.mark.parametrize(
    ("origin", "expected"),
    [("https://app.example.com", "https://app.example.com"), ("https://evil.example.net", None)],
)
def test_configured_origins_are_echoed_and_others_are_not(
    api: ApiHarness, monkeypatch: pytest.MonkeyPatch, origin: str, expected: str | None
) -> None:
    # Given a stack that allows two origins
    monkeypatch.setenv("ALLOWED_ORIGINS", "https://app.example.com, https://admin.example.com")
    # When a browser on some origin sends a request the API refuses
    response = api.call(post_event({"resume": {}}, headers={"Origin": origin}))
    # Then only an allowed origin is named back, even on an error
    assert response.status == 422
    assert response.header("Access-Control-Allow-Origin") == expected
