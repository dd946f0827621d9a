"""ApiSettings: read from the environment at the first invocation; a missing variable is named."""

from __future__ import annotations

from datetime import timedelta

import pytest

from api.settings import ApiSettings
from shared.settings import ConfigurationError, load_settings
from tests.unit.api.harness import FIXED_NOW, ApiHarness, invoke
from tests.unit.api.rest_events import post_event, sample_request


@pytest.mark.parametrize("missing", ["TABLE_NAME", "QUEUE_URL"])
def test_a_missing_variable_fails_the_invocation_with_its_name(
    api: ApiHarness, monkeypatch: pytest.MonkeyPatch, missing: str
) -> None:
    # Given an environment without one required variable
    monkeypatch.delenv(missing)

    # When the handler is invoked
    with pytest.raises(ConfigurationError) as raised:
        invoke(post_event(sample_request()))

    # Then the error names the variable, and nothing was written
    assert missing in str(raised.value)
    assert api.nothing_kept()


def test_an_invalid_ttl_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a TTL of zero days
    monkeypatch.setenv("TABLE_NAME", "jobs-table")
    monkeypatch.setenv("QUEUE_URL", "https://sqs.eu-west-1.amazonaws.com/123456789012/q")
    monkeypatch.setenv("JOB_TTL_DAYS", "0")

    # When the settings are loaded
    with pytest.raises(ConfigurationError) as raised:
        load_settings(ApiSettings)

    # Then the error names the variable
    assert "JOB_TTL_DAYS" in str(raised.value)


def test_the_ttl_defaults_to_7_days_and_can_be_set(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given only the required variables
    monkeypatch.setenv("TABLE_NAME", "jobs-table")
    monkeypatch.setenv("QUEUE_URL", "https://sqs.eu-west-1.amazonaws.com/123456789012/q")

    # When the settings are loaded
    settings = ApiSettings.from_environment()

    # Then the retention is 7 days
    assert settings.job_ttl_days == 7

    # And JOB_TTL_DAYS overrides it
    monkeypatch.setenv("JOB_TTL_DAYS", "30")
    assert ApiSettings.from_environment().job_ttl_days == 30


def test_settings_read_upper_case_variables_and_ignore_the_rest() -> None:
    # Given an environment with the model's variables, a lower-case lookalike and unrelated variables
    environment = {
        "TABLE_NAME": "jobs-table",
        "QUEUE_URL": "https://sqs.eu-west-1.amazonaws.com/123456789012/q",
        "job_ttl_days": "0",
        "AWS_REGION": "eu-west-1",
        "PATH": "/usr/bin",
    }

    # When the settings are read from it
    settings = ApiSettings.from_environment(environment)

    # Then each field took its upper-case variable, the lookalike was not read and nothing else was kept
    assert settings.table_name == "jobs-table"
    assert settings.queue_url.endswith("/q")
    assert settings.job_ttl_days == 7
    assert set(settings.model_dump()) == set(ApiSettings.model_fields)


def test_the_configured_ttl_sets_the_records_expiry(api: ApiHarness, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a 7-day retention
    monkeypatch.setenv("JOB_TTL_DAYS", "7")

    # When a job is submitted
    response = api.submit(sample_request())

    # Then the record expires 7 days after it was created
    record = api.repository.records[response.body["job_id"]]
    assert record.expires_at == int((FIXED_NOW + timedelta(days=7)).timestamp())
