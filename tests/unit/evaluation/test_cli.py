"""`python -m evaluation`: a table on stdout, JSON under build/, a non-zero exit when a target is missed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from evaluation.__main__ import EXIT_TARGETS_MISSED, EXIT_USAGE, main

from .conftest import REPO_ROOT

SPARSE = "11-sparse-retail"


def _mini_repo(
    tmp_path: Path, responses: list[dict[str, Any]], cases: list[dict[str, Any]] | None = None
) -> Path:
    """A repository with one corpus pair, the given recorded responses and, optionally, adversarial cases."""
    shutil.copytree(REPO_ROOT / "eval" / "corpus" / SPARSE, tmp_path / "eval" / "corpus" / SPARSE)
    (tmp_path / "eval" / "responses").mkdir(parents=True)
    (tmp_path / "eval" / "responses" / f"{SPARSE}.json").write_text(
        json.dumps({"pair": SPARSE, "responses": responses}), encoding="utf-8"
    )
    if cases is not None:
        (tmp_path / "eval" / "adversarial").mkdir(parents=True)
        (tmp_path / "eval" / "adversarial" / "cases.json").write_text(
            json.dumps({"bullet": "test", "cases": cases}), encoding="utf-8"
        )
    return tmp_path


def test_a_run_that_meets_every_target_exits_zero_and_writes_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given the real sparse pair and its recorded responses
    out = tmp_path / "build" / "eval.json"

    # When the evaluation runs on that pair without the suite
    code = main(["--pair", SPARSE, "--no-adversarial", "--out", str(out), "--repo-root", str(REPO_ROOT)])

    # Then it exits 0, prints the table, and writes a JSON report with every run and target
    printed = capsys.readouterr().out
    report = json.loads(out.read_text(encoding="utf-8"))
    assert code == 0
    assert "All targets met." in printed
    assert f"recorded  {SPARSE}/summary-from-skills" in printed
    assert report["ok"] is True
    assert [run["engine"] for run in report["runs"]] == ["offline", "recorded", "recorded"]
    assert {target["name"] for target in report["targets"]} >= {
        "schema-valid rate",
        "fabricated facts",
        "silently dropped facts",
        "edit/full output token ratio",
    }
    assert report["totals"]["recorded"]["edit_cost_per_tailoring_usd"] > 0


def test_a_missed_target_exits_non_zero_and_names_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a recorded response cut off at the token limit
    root = _mini_repo(tmp_path, [{"id": "cut-off", "stop_reason": "max_tokens", "tool_input": {}}])

    # When the evaluation runs
    code = main(["--no-adversarial", "--out", str(tmp_path / "eval.json"), "--repo-root", str(root)])

    # Then it exits non-zero and says which target was missed
    captured = capsys.readouterr()
    assert code == EXIT_TARGETS_MISSED
    assert "unusable recorded responses = 1" in captured.err
    assert "is unusable: truncated_output" in captured.out


def test_the_adversarial_suite_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Given a one-case suite whose attack the guard rejects
    case = {
        "id": "sparse-years",
        "pair": SPARSE,
        "reply": {"tool_input": {"summary": {"text": "Cashier with 12 years of experience.", "sources": []}}},
        "expect": {
            "outcome": "rejected",
            "rejections": [{"ref": "basics.summary", "reasons": ["unsupported_years_claim"]}],
            "kept_original": ["basics"],
        },
    }
    root = _mini_repo(tmp_path, [{"id": "empty", "tool_input": {}}], [case])

    # When the evaluation runs with the suite
    code = main(["--out", str(tmp_path / "eval.json"), "--repo-root", str(root)])

    # Then the suite's score is printed and stored
    report = json.loads((tmp_path / "eval.json").read_text(encoding="utf-8"))
    assert code == 0
    assert "Adversarial cases handled as expected: 1/1" in capsys.readouterr().out
    assert report["adversarial"]["passed"] == report["adversarial"]["total"] == 1


def test_an_unknown_pair_is_a_usage_error(tmp_path: Path) -> None:
    # Given a pair name that is not in the corpus
    # When the evaluation is asked for it
    code = main(["--pair", "99-nothing", "--out", str(tmp_path / "eval.json"), "--repo-root", str(REPO_ROOT)])

    # Then it exits with the usage code and writes nothing
    assert code == EXIT_USAGE
    assert not (tmp_path / "eval.json").exists()


def test_render_needs_a_document_with_a_tailored_cv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a job result of a failed job, which carries no CV
    failed = tmp_path / "failed.json"
    failed.write_text(
        json.dumps({"job_id": "j-1", "status": "FAILED", "error": {"code": "x"}}), encoding="utf-8"
    )

    # When it is rendered
    code = main(["render", "--job-result", str(failed), "--out", str(tmp_path / "x.html")])

    # Then the command refuses with a usage error and names the status
    assert code == EXIT_USAGE
    assert "status 'FAILED'" in capsys.readouterr().err
