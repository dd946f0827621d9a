"""Every class of bad input gets its documented 4xx JSON error, and nothing is written or queued."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

import pytest

from api.transport import MAX_BODY_BYTES, MAX_JSON_DEPTH
from tests.unit.api.harness import ApiHarness
from tests.unit.api.rest_events import OWNER, SENTINEL, post_event, sample_request, sample_resume


def _problems(body: dict[str, Any]) -> dict[str, str]:
    return {problem["path"]: problem["message"] for problem in body["error"]["fields"]}


@dataclass(frozen=True)
class BadInput:
    name: str
    event: dict[str, Any]
    status: int
    code: str


def _raw(body: str | None, content_type: str | None = "application/json", **kwargs: Any) -> dict[str, Any]:
    headers = {} if content_type is None else {"Content-Type": content_type}
    return post_event(body=body, headers=headers, **kwargs)


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


_VALID_TEXT = json.dumps(sample_request())
_CATALOGUE = [
    BadInput("malformed JSON", _raw('{"resume": {"work": [}'), 400, "malformed_json"),
    BadInput("truncated JSON", _raw(_VALID_TEXT[:-5]), 400, "malformed_json"),
    BadInput("single quotes", _raw("{'resume': {}}"), 400, "malformed_json"),
    BadInput("NaN literal", _raw('{"resume": NaN, "job": {}}'), 400, "malformed_json"),
    BadInput("Infinity literal", _raw('{"resume": {"x": -Infinity}, "job": {}}'), 400, "malformed_json"),
    BadInput("overflowing float", _raw('{"resume": {"x": 1e999}, "job": {}}'), 400, "malformed_json"),
    BadInput(
        "integer beyond the digit limit", _raw('{"resume": {"x": ' + "9" * 5000 + "}}"), 400, "malformed_json"
    ),
    BadInput("missing body", _raw(None), 400, "empty_body"),
    BadInput("empty body", _raw(""), 400, "empty_body"),
    BadInput("whitespace body", _raw(" \n\t "), 400, "empty_body"),
    BadInput("deep nesting beyond the parser", _raw(_nested(50_000)), 400, "json_too_deep"),
    BadInput("nesting beyond the limit", _raw(_nested(MAX_JSON_DEPTH + 1)), 400, "json_too_deep"),
    BadInput(
        "deep nesting inside an allowed extra field",
        _raw(json.dumps({**sample_request(), "resume": {**sample_resume(), "x": json.loads(_nested(200))}})),
        400,
        "json_too_deep",
    ),
    BadInput(
        "lone surrogate escape", _raw('{"resume": {"basics": {"name": "\\ud800"}}}'), 400, "invalid_body"
    ),
    BadInput(
        "invalid base64",
        _raw("%%%not-base64%%%", base64_encoded=False) | {"isBase64Encoded": True},
        400,
        "invalid_body",
    ),
    BadInput(
        "base64 of non-UTF-8 bytes",
        _raw(base64.b64encode(b"\xff\xfe{}").decode(), base64_encoded=False) | {"isBase64Encoded": True},
        400,
        "invalid_body",
    ),
    BadInput(
        "oversize body", _raw(json.dumps({"resume": {"x": "a" * MAX_BODY_BYTES}})), 413, "payload_too_large"
    ),
    BadInput(
        "oversize in bytes, not characters",
        _raw(json.dumps({"resume": {"x": "é" * (MAX_BODY_BYTES // 2 + 10)}}, ensure_ascii=False)),
        413,
        "payload_too_large",
    ),
    BadInput(
        "oversize base64 body",
        _raw(json.dumps({"resume": {"x": "a" * MAX_BODY_BYTES}}), base64_encoded=True),
        413,
        "payload_too_large",
    ),
    BadInput("text/plain", _raw(_VALID_TEXT, "text/plain"), 415, "unsupported_media_type"),
    BadInput("missing content type", _raw(_VALID_TEXT, None), 415, "unsupported_media_type"),
    BadInput(
        "form encoded",
        _raw("resume=x&job=y", "application/x-www-form-urlencoded"),
        415,
        "unsupported_media_type",
    ),
    BadInput(
        "multipart", _raw(_VALID_TEXT, "multipart/form-data; boundary=x"), 415, "unsupported_media_type"
    ),
    BadInput("xml", _raw("<resume/>", "application/xml"), 415, "unsupported_media_type"),
    BadInput("json lookalike", _raw(_VALID_TEXT, "application/jsonp"), 415, "unsupported_media_type"),
    BadInput(
        "non-UTF-8 charset",
        _raw(_VALID_TEXT, "application/json; charset=latin-1"),
        415,
        "unsupported_media_type",
    ),
    BadInput("no caller identity", post_event(sample_request(), owner=None), 403, "forbidden"),
    BadInput("no request context", post_event(sample_request()) | {"requestContext": None}, 403, "forbidden"),
    BadInput("not a proxy event", post_event(sample_request()) | {"httpMethod": None}, 400, "bad_request"),
    BadInput("body that is not text", post_event(sample_request()) | {"body": 123}, 400, "invalid_body"),
    BadInput(
        "blank caller identity", post_event(sample_request(), identity={"userArn": " "}), 403, "forbidden"
    ),
]


@pytest.mark.parametrize("case", _CATALOGUE, ids=[case.name for case in _CATALOGUE])
def test_transport_level_bad_input_is_refused_before_anything_is_kept(
    api: ApiHarness, case: BadInput
) -> None:
    # Given a request that is broken at the HTTP or JSON level
    # When it is sent
    response = api.call(case.event)

    # Then it gets its documented status and error code in the shared error shape, and nothing is kept
    assert (response.status, response.error_code) == (case.status, case.code)
    assert set(response.body["error"]) == {"code", "message", "fields"}
    assert response.body["error"]["message"]
    assert response.header("Content-Type") == "application/json"
    assert response.header("X-Content-Type-Options") == "nosniff"
    assert api.nothing_kept()


def _submit(api: ApiHarness, document: Any) -> Any:
    response = api.submit(document)
    assert response.status == 422, response.raw_body
    assert response.error_code == "validation_failed"
    assert api.nothing_kept()
    return response


def test_schema_violations_are_422_with_field_paths_and_clear_messages(api: ApiHarness) -> None:
    # Given a CV with a bad date and a NUL byte, and an empty job
    resume = sample_resume()
    resume["work"][0]["startDate"] = "April 2019"
    resume["work"][0]["highlights"][1] = "Owned\u0000 the estate"
    document = {"resume": resume, "job": {}}

    # When it is submitted
    response = _submit(api, document)

    # Then each problem is reported where it is, in words a person can act on
    assert _problems(response.body) == {
        "body.resume.work[0].startDate": "must be an ISO 8601 date: YYYY, YYYY-MM or YYYY-MM-DD",
        "body.resume.work[0].highlights[1]": "control characters (including NUL) are not allowed",
        "body.job": "a job needs a title, description, responsibilities, qualifications or skills",
    }


@pytest.mark.parametrize(
    ("date", "message"),
    [
        ("2021-13", "must be an ISO 8601 date: YYYY, YYYY-MM or YYYY-MM-DD"),
        ("2021-04-39", "must be an ISO 8601 date: YYYY, YYYY-MM or YYYY-MM-DD"),
        ("2023-02-30", "must be a real calendar date"),
        ("2023-04-31", "must be a real calendar date"),
    ],
)
def test_dates_that_do_not_exist_are_422(api: ApiHarness, date: str, message: str) -> None:
    # Given a CV whose start date has the right shape but no such month or day
    resume = sample_resume()
    resume["work"][0]["startDate"] = date

    # When it is submitted
    response = _submit(api, sample_request(resume=resume))

    # Then the date is named with what is wrong
    assert _problems(response.body) == {"body.resume.work[0].startDate": message}


@pytest.mark.parametrize("date", ["2024-02-29", "2021-12", "1999", "2021-04-30"])
def test_real_dates_in_every_json_resume_form_are_accepted(api: ApiHarness, date: str) -> None:
    # Given a CV with a real date in one of JSON Resume's forms
    resume = sample_resume()
    resume["work"][0]["startDate"] = date

    # When it is submitted
    response = api.submit(sample_request(resume=resume))

    # Then it is accepted
    assert response.status == 202


def test_an_unknown_field_sent_as_null_is_named_as_not_allowed(api: ApiHarness) -> None:
    # Given unknown members set to null at the top level and inside the options
    document = {**sample_request(), "callback_url": None, "options": {"tone": None}}

    # When it is submitted
    response = _submit(api, document)

    # Then they are refused as fields the API does not have, not as nulls to fill in
    assert _problems(response.body) == {
        "body.callback_url": "is not an allowed field",
        "body.options.tone": "is not an allowed field",
    }


def test_a_null_field_is_422_as_json_resume_allows_leaving_it_out_but_not_null(api: ApiHarness) -> None:
    # Given a CV and a job that send null for fields instead of leaving them out
    resume = sample_resume()
    resume["work"][0]["position"] = None
    resume["basics"]["location"] = None
    document = sample_request(resume=resume, job={"title": "Data engineer", "company": None})

    # When it is submitted
    response = _submit(api, document)

    # Then each null is named
    assert _problems(response.body) == {
        "body.resume.basics.location": "must not be null",
        "body.resume.work[0].position": "must not be null",
        "body.job.company": "must not be null",
    }


@pytest.mark.parametrize("character", ["\u0000", "\u001b", "\u007f", "\u0085", "\r"], ids=repr)
def test_control_characters_in_a_plain_text_job_are_422(api: ApiHarness, character: str) -> None:
    # Given a plain-text job carrying a control character
    document = sample_request(job={"description": f"Spark engineer{character}wanted"})

    # When it is submitted
    response = _submit(api, document)

    # Then the description is named
    assert _problems(response.body) == {
        "body.job.description": "control characters (including NUL) are not allowed"
    }


def test_missing_fields_are_reported_as_required(api: ApiHarness) -> None:
    # Given a body without a job
    # When it is submitted
    response = _submit(api, {"resume": sample_resume()})

    # Then the missing field is named
    assert _problems(response.body) == {"body.job": "is required"}


def test_an_extra_envelope_field_is_refused(api: ApiHarness) -> None:
    # Given a body with a field the envelope does not define
    # When it is submitted
    response = _submit(api, sample_request(callback_url="https://example.com"))

    # Then the field is named as not allowed
    assert _problems(response.body) == {"body.callback_url": "is not an allowed field"}


def test_a_body_that_is_not_an_object_is_refused(api: ApiHarness) -> None:
    # Given a JSON array instead of an object
    # When it is submitted
    response = _submit(api, [sample_request()])

    # Then the body itself is the problem (and its first element was not validated in its place)
    assert _problems(response.body) == {"body": "must be a JSON object"}


@pytest.mark.parametrize("literal", ["null", "42", '"text"', "true"])
def test_a_scalar_body_is_refused(api: ApiHarness, literal: str) -> None:
    # Given a JSON scalar as the body
    event = post_event(body=literal, headers={"Content-Type": "application/json"})

    # When it is sent
    response = api.call(event)

    # Then it is a schema violation on the body
    assert response.status == 422
    assert _problems(response.body) == {"body": "must be a JSON object"}
    assert api.nothing_kept()


@pytest.mark.parametrize(
    ("options", "path"),
    [
        ({"max_highlights_per_role": 3}, "body.options.max_highlights_per_role"),
        ({"target_keywords": [""]}, "body.options.target_keywords[0]"),
        ({"target_keywords": ["x"] * 21}, "body.options.target_keywords"),
        ({"target_keywords": ["bad\u0007bell"]}, "body.options.target_keywords[0]"),
        ({"temperature": 1.0}, "body.options.temperature"),
    ],
    ids=["zero-highlights", "too-many-highlights", "too-many-keywords", "control-char", "unknown-option"],
)
def test_invalid_options_are_refused(api: ApiHarness, options: dict[str, Any], path: str) -> None:
    # Given invalid tailoring options
    # When they are submitted
    response = _submit(api, sample_request(options=options))

    # Then the offending option is named
    assert path in _problems(response.body)


def test_ten_thousand_highlights_are_refused_without_listing_each(api: ApiHarness) -> None:
    # Given a role with 10,000 highlights (still under the body size limit)
    resume = sample_resume()
    resume["work"][0]["highlights"] = ["x"] * 10_000

    # When it is submitted
    response = _submit(api, {"resume": resume, "job": {"title": "Engineer"}})

    # Then the list size is the one problem reported
    assert _problems(response.body) == {
        "body.resume.work[0].highlights": "List should have at most 40 items after validation, not 10000"
    }


def test_ten_thousand_long_highlights_are_too_large(api: ApiHarness) -> None:
    # Given 10,000 highlights of realistic length
    resume = sample_resume()
    resume["work"][0]["highlights"] = ["Delivered a measurable improvement"] * 10_000

    # When it is submitted
    response = api.submit({"resume": resume, "job": {"title": "Engineer"}})

    # Then the size limit refuses it first
    assert response.status == 413
    assert api.nothing_kept()


def test_many_problems_are_capped_and_counted(api: ApiHarness) -> None:
    # Given a CV with 60 invalid entries
    resume = {"work": [{"startDate": "soon"} for _ in range(60)]}

    # When it is submitted
    response = _submit(api, {"resume": resume, "job": {"title": "Engineer"}})

    # Then 50 problems are listed and the message gives the total
    assert len(response.body["error"]["fields"]) == 50
    assert "60 problem(s)" in response.body["error"]["message"]


def test_the_offending_value_is_never_echoed_back(api: ApiHarness) -> None:
    # Given invalid values that carry a sentinel and markup
    resume = sample_resume()
    resume["work"][0]["startDate"] = f"<script>alert(1)</script>{SENTINEL}"
    resume["basics"]["name"] = f"{SENTINEL}\u0000"

    # When they are submitted
    response = _submit(api, {"resume": resume, "job": sample_request()["job"]})

    # Then neither value appears in the response
    assert SENTINEL not in response.raw_body
    assert "<script>" not in response.raw_body


def test_a_reflected_field_name_cannot_run_in_a_browser(api: ApiHarness) -> None:
    # Given an unknown envelope field whose name is markup
    # When it is submitted
    response = _submit(api, sample_request(**{"<img src=x onerror=alert(1)>": 1}))

    # Then the name comes back only JSON-escaped, inside a nosniff JSON response
    assert "<img" not in response.raw_body
    assert "\\u003cimg" in response.raw_body
    assert response.header("X-Content-Type-Options") == "nosniff"
    assert response.body["error"]["fields"][0]["path"] == 'body["<img src=x onerror=alert(1)>"]'


@pytest.mark.parametrize(
    "key",
    ["", "a" * 129, "has space", "semi;colon", "ünïcode", "new\nline"],
    ids=["empty", "too-long", "space", "semicolon", "non-ascii", "newline"],
)
def test_an_invalid_idempotency_key_is_400(api: ApiHarness, key: str) -> None:
    # Given an invalid Idempotency-Key
    # When a valid body is submitted with it
    response = api.submit(sample_request(), key=key)

    # Then the header is named and explained
    assert response.status == 400
    assert response.error_code == "invalid_header"
    assert _problems(response.body) == {
        "header.Idempotency-Key": "must be 1 to 128 characters of A-Z, a-z, 0-9, '_', '.', ':' or '-'"
    }
    assert api.nothing_kept()


@pytest.mark.parametrize("key", ["a", "A" * 128, "order_1.2:3-4"], ids=["one", "max", "punctuation"])
def test_valid_idempotency_keys_are_accepted(api: ApiHarness, key: str) -> None:
    # Given a valid key
    # When a job is submitted with it
    response = api.submit(sample_request(), key=key)

    # Then it is accepted
    assert response.status == 202


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/json; charset=utf-8", 'Application/JSON;charset="UTF-8"'],
    ids=["plain", "charset", "mixed-case"],
)
def test_json_content_types_are_accepted(api: ApiHarness, content_type: str) -> None:
    # Given a valid body with a JSON content type
    event = post_event(body=json.dumps(sample_request()), headers={"content-type": content_type})

    # When it is sent
    response = api.call(event)

    # Then it is accepted
    assert response.status == 202


def test_a_base64_encoded_body_is_accepted(api: ApiHarness) -> None:
    # Given a valid body that API Gateway passes base64-encoded
    event = post_event(sample_request(), base64_encoded=True)

    # When it is sent
    response = api.call(event)

    # Then it is accepted like a plain one
    assert response.status == 202
    assert len(api.queue.sent) == 1


def test_unicode_text_and_escaped_surrogate_pairs_are_accepted(api: ApiHarness) -> None:
    # Given a CV with RTL text, combining marks and an emoji written as a surrogate-pair escape
    resume = sample_resume()
    resume["basics"]["name"] = "שרה Zoë Ñandú 😀"
    body = json.dumps({"resume": resume, "job": sample_request()["job"]}, ensure_ascii=True)
    assert "\\ud83d\\ude00" in body

    # When it is submitted
    response = api.call(post_event(body=body, headers={"Content-Type": "application/json"}))

    # Then it is accepted and the text is stored intact
    assert response.status == 202
    record = api.repository.records[response.body["job_id"]]
    assert record.resume["basics"]["name"] == "שרה Zoë Ñandú 😀"


@pytest.mark.parametrize(
    ("identity", "owner"),
    [
        ({"userArn": OWNER, "caller": "AIDAEXAMPLE", "accessKey": "AKIAEXAMPLE"}, OWNER),
        ({"userArn": None, "caller": "AIDAEXAMPLE", "accessKey": "AKIAEXAMPLE"}, "AIDAEXAMPLE"),
        ({"accessKey": "AKIAEXAMPLE"}, "AKIAEXAMPLE"),
    ],
    ids=["user-arn", "caller", "access-key"],
)
def test_the_owner_is_the_first_identity_field_present(
    api: ApiHarness, identity: dict[str, Any], owner: str
) -> None:
    # Given a request context with some identity fields
    event = post_event(sample_request(), identity=identity)

    # When a job is submitted
    response = api.call(event)

    # Then the job belongs to the most specific identity
    assert response.status == 202
    assert api.repository.records[response.body["job_id"]].owner == owner
