"""docs/openapi.json is generated from the resolver and must not drift from it."""

from __future__ import annotations

import json
from pathlib import Path

from api.openapi import API_VERSION, openapi_document

COMMITTED = Path(__file__).resolve().parents[3] / "docs" / "openapi.json"


def test_the_committed_openapi_document_matches_the_resolver() -> None:
    # Given the committed document
    committed = COMMITTED.read_text(encoding="utf-8")

    # When the document is regenerated in memory
    regenerated = openapi_document()

    # Then they are identical (run `make openapi` after changing the API)
    assert json.loads(committed) == json.loads(regenerated), "docs/openapi.json drifted: run `make openapi`"
    assert committed == regenerated


def test_the_document_describes_both_operations_and_their_errors() -> None:
    # Given the generated document
    document = json.loads(openapi_document())

    # When its operations are read
    submit = document["paths"]["/api/tailor-cv"]["post"]
    status = document["paths"]["/api/tailor-cv/{job_id}"]["get"]

    # Then the contract is spelled out: body model, the key header, every status and the shared error body
    assert document["info"]["version"] == API_VERSION
    assert submit["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/TailorRequest")
    assert [parameter["name"] for parameter in submit["parameters"]] == ["idempotency-key"]
    assert {"202", "400", "403", "409", "413", "415", "422", "503"} <= set(submit["responses"])
    assert {"200", "403", "404", "503"} <= set(status["responses"])
    error_ref = submit["responses"]["422"]["content"]["application/json"]["schema"]["$ref"]
    assert error_ref.endswith("/ErrorResponse")
    assert "Location" in submit["responses"]["202"]["headers"]
    assert "Retry-After" in submit["responses"]["503"]["headers"]
    assert document["components"]["schemas"]["TailorRequest"]["additionalProperties"] is False
