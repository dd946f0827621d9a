"""Write docs/openapi.json from the API resolver (`make openapi`). A unit test fails when the file drifts."""

from __future__ import annotations

from pathlib import Path

from api.openapi import openapi_document

OPENAPI_FILE = Path(__file__).resolve().parents[1] / "docs" / "openapi.json"


def main() -> int:
    OPENAPI_FILE.write_text(openapi_document(), encoding="utf-8")
    print(f"wrote {OPENAPI_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
