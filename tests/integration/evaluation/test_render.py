"""Rendering one tailored corpus CV to HTML with the JSON Resume CLI and the `even` theme from npm."""

from __future__ import annotations

import html
from pathlib import Path

import pytest

from evaluation.corpus import load_pair
from evaluation.render import RenderUnavailableError, find_node_prefix, render_resume_html
from evaluation.report import DEFAULT_AS_OF
from shared.tailoring import tailor_offline
from tests.support.examples import REPO_ROOT


@pytest.fixture
def node_prefix() -> Path:
    try:
        return find_node_prefix("even")
    except RenderUnavailableError as error:
        pytest.skip(f"rendering check skipped: {error}")


def test_a_tailored_unicode_cv_renders_to_html(node_prefix: Path, tmp_path: Path) -> None:
    # Given the offline tailoring of the right-to-left construction CV
    pair = load_pair(REPO_ROOT, "15-unicode-rtl-construction-pm")
    tailored = tailor_offline(pair.resume, pair.job, as_of=DEFAULT_AS_OF).tailored_resume

    # When it is rendered with the even theme
    try:
        rendered = render_resume_html(tailored, tmp_path / "render" / "cv.html", node_prefix=node_prefix)
    except RenderUnavailableError as error:
        pytest.skip(f"rendering check skipped: {error}")

    # Then an HTML page comes out with the candidate, an employer and the Arabic text intact
    page = html.unescape(rendered.path.read_text(encoding="utf-8"))
    assert page.lstrip().lower().startswith("<!doctype html")
    assert "ليلى حداد (Layla Haddad)" in page
    assert "Thameside Build Partners Ltd" in page
    assert "«مشروع النخيل»" in page
