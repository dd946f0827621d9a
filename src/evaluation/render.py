"""Render a tailored CV to HTML with a JSON Resume theme from npm, so a person can look at it.

Two ways, tried in order:

1. the JSON Resume CLI (``resume export --theme even``) from ``resume-cli``, run from the directory whose
   ``node_modules`` holds the CLI and the theme (the CLI resolves themes from its working directory);
2. the theme package alone: a few lines of ESM that import ``jsonresume-theme-<theme>`` and call its
   ``render(resume)``. Recent ``jsonresume-theme-even`` releases load only as ES modules, which the CLI's
   ``require`` cannot do on Node 20, so this path renders them.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evaluation.corpus import CorpusError, find_repo_root

NODE_PREFIX_ENV = "EVAL_RENDER_NODE_PREFIX"
RENDER_TIMEOUT_SECONDS = 120
_THEME_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,60}$")
# Reads the CV from stdin, renders it with the theme package and writes the HTML to stdout.
_THEME_SCRIPT = """
const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const resume = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const theme = await import(process.argv[1]);
const html = await theme.render(resume);
process.stdout.write(html);
"""


class RenderUnavailableError(Exception):
    """Node, the CLI or the theme is not installed; nothing was rendered."""


class RenderError(Exception):
    """Rendering was attempted and failed."""


@dataclass(frozen=True)
class Rendered:
    path: Path
    method: str


def theme_package(theme: str) -> str:
    if not _THEME_RE.match(theme):
        raise ValueError(f"not a theme name: {theme!r}")
    return f"jsonresume-theme-{theme}"


def find_node_prefix(theme: str, prefix: Path | None = None) -> Path:
    """The directory whose ``node_modules`` holds the theme: the argument, else $EVAL_RENDER_NODE_PREFIX,
    else the repository root."""
    candidates = [prefix] if prefix is not None else []
    if prefix is None and os.environ.get(NODE_PREFIX_ENV):
        candidates.append(Path(os.environ[NODE_PREFIX_ENV]))
    if prefix is None:
        with contextlib.suppress(CorpusError):
            candidates.append(find_repo_root())
    package = theme_package(theme)
    for candidate in candidates:
        if (candidate / "node_modules" / package / "package.json").is_file():
            return candidate
    searched = ", ".join(str(candidate) for candidate in candidates) or "nowhere"
    raise RenderUnavailableError(
        f"npm package {package} not found under {searched}; install resume-cli and {package} "
        f"(see docs/evaluation.md) or set {NODE_PREFIX_ENV}"
    )


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        raise RenderUnavailableError("node is not on PATH; rendering needs Node.js 18 or newer")
    return node


def _run(command: list[str], cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    try:
        # The command is built here from fixed arguments and resolved paths; no shell is involved.
        return subprocess.run(  # noqa: S603
            command,
            cwd=cwd,
            input=stdin,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=RENDER_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise RenderError(f"{Path(command[0]).name} timed out after {RENDER_TIMEOUT_SECONDS} s") from error


def _error_line(text: str) -> str:
    """The most telling line of a Node error: the last one naming an error, else the last one."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    errors = [line for line in lines if "error" in line.lower() and not line.startswith("at ")]
    return (errors or lines or [""])[-1][:300]


def _render_with_cli(node: str, prefix: Path, resume_file: Path, out: Path, theme: str) -> str | None:
    """Render with ``resume export``; the reason it failed, or None on success."""
    cli = prefix / "node_modules" / "resume-cli" / "build" / "main.js"
    if not cli.is_file():
        return "resume-cli is not installed"
    completed = _run(
        [
            node,
            str(cli),
            "export",
            str(out),
            "--format",
            "html",
            "--theme",
            theme,
            "--resume",
            str(resume_file),
        ],
        cwd=prefix,
    )
    if completed.returncode != 0 or not out.is_file() or out.stat().st_size == 0:
        return (
            _error_line(completed.stderr) or _error_line(completed.stdout) or f"exit {completed.returncode}"
        )
    return None


def _render_with_theme(node: str, prefix: Path, resume: Mapping[str, Any], out: Path, theme: str) -> None:
    # A bare specifier in --eval code resolves from the working directory, i.e. the prefix's node_modules.
    completed = _run(
        [node, "--input-type=module", "--eval", _THEME_SCRIPT, theme_package(theme)],
        cwd=prefix,
        stdin=json.dumps(resume, ensure_ascii=False),
    )
    if completed.returncode != 0 or "<html" not in completed.stdout.lower():
        raise RenderError(f"{theme_package(theme)} failed: {_error_line(completed.stderr) or 'no HTML'}")
    out.write_text(completed.stdout, encoding="utf-8")


def render_resume_html(
    resume: Mapping[str, Any], out: Path, theme: str = "even", *, node_prefix: Path | None = None
) -> Rendered:
    """Write ``resume`` as HTML to ``out`` with the JSON Resume CLI, or the theme alone when the CLI cannot.

    Raises RenderUnavailableError when node or the theme is missing, RenderError when rendering fails.
    """
    node = _node()
    prefix = find_node_prefix(theme, node_prefix)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="careervp-render-") as scratch:
        resume_file = Path(scratch) / "resume.json"
        resume_file.write_text(json.dumps(resume, ensure_ascii=False), encoding="utf-8")
        failure = _render_with_cli(node, prefix, resume_file, out.resolve(), theme)
    if failure is None:
        return Rendered(out, "resume-cli")
    _render_with_theme(node, prefix, resume, out, theme)
    return Rendered(out, f"{theme_package(theme)} render() (resume-cli: {failure})")


def resume_from_job_result(document: Mapping[str, Any]) -> dict[str, Any]:
    """The tailored CV in a job result: a GET response, a stored result, an outcome, or a bare CV."""
    candidates: list[Any] = []
    result = document.get("result")
    if isinstance(result, Mapping):
        candidates.append(result.get("resume"))
    candidates.extend([document.get("resume"), document.get("tailored_resume")])
    for candidate in candidates:
        if isinstance(candidate, dict):
            return candidate
    if isinstance(document.get("basics"), Mapping) or isinstance(document.get("work"), list):
        return dict(document)
    status = document.get("status")
    raise ValueError(
        f"no tailored resume in this document (status {status!r})" if status else "no tailored resume"
    )
