"""The renderer's inputs: which CV a job result holds, which themes are allowed, what is missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from evaluation.render import (
    RenderUnavailableError,
    render_resume_html,
    resume_from_job_result,
    theme_package,
)

CV = {"basics": {"name": "Ayşe Çelik"}, "work": []}


@pytest.mark.parametrize(
    "document",
    [
        {"job_id": "j-1", "status": "COMPLETED", "result": {"resume": CV, "changes": []}},
        {"resume": CV, "match_report": {}},
        {"tailored_resume": CV, "changes": []},
        CV,
    ],
    ids=["get-response", "stored-result", "outcome", "bare-cv"],
)
def test_the_tailored_cv_is_found_in_every_result_shape(document: dict[str, object]) -> None:
    # Given a job result in one of the shapes the service and the CLI produce
    # When the tailored CV is taken from it
    # Then it is the CV
    assert resume_from_job_result(document) == CV


def test_a_result_without_a_cv_is_refused() -> None:
    # Given a pending job's GET response
    # When its CV is asked for
    # Then the refusal names the status
    with pytest.raises(ValueError, match="PENDING"):
        resume_from_job_result({"job_id": "j-1", "status": "PENDING"})


@pytest.mark.parametrize("theme", ["../evil", "Even", "even theme", ""])
def test_only_plain_theme_names_are_accepted(theme: str) -> None:
    # Given a theme name that is not a plain npm name suffix
    # When its package is asked for
    # Then it is refused
    with pytest.raises(ValueError, match="not a theme name"):
        theme_package(theme)


def test_a_missing_theme_is_reported_as_unavailable(tmp_path: Path) -> None:
    # Given a node prefix without the theme installed
    # When a CV is rendered there
    # Then the renderer reports the setup problem, which tests turn into a skip
    with pytest.raises(RenderUnavailableError, match=r"node|jsonresume-theme-even"):
        render_resume_html(CV, tmp_path / "out.html", node_prefix=tmp_path)
    assert not (tmp_path / "out.html").exists()
