"""Figures (b), (c) and (d) each run in a child process of their own.

A fresh process per figure gives each its own moto state and handler environment, and keeps the handlers'
log lines and metric blobs (Powertools writes them to stdout) out of the benchmark's table: the child points
file descriptor 1 at /dev/null and reports its result on a duplicate of the original stdout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final, TextIO

from bench.paths import bench_work_dir, repo_root

RESULT_PREFIX: Final = "BENCH-RESULT "
_LOG_TAIL_LINES = 15


class ChildFailedError(RuntimeError):
    """A figure's child process failed or reported nothing; the message ends with its log's last lines."""


def silence_stdout() -> TextIO:
    """Send everything written to stdout from now on to /dev/null; return a stream on the real stdout."""
    sys.stdout.flush()
    report_stream = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)
    return report_stream


def emit(stream: TextIO, payload: Mapping[str, Any]) -> None:
    stream.write(RESULT_PREFIX + json.dumps(payload, separators=(",", ":")) + "\n")
    stream.flush()


def parse_result(output: str) -> dict[str, Any] | None:
    """The last result line in a child's output, if any."""
    for line in reversed(output.splitlines()):
        if line.startswith(RESULT_PREFIX):
            payload = json.loads(line[len(RESULT_PREFIX) :])
            if isinstance(payload, dict):
                return payload
    return None


def log_path(name: str) -> Path:
    return bench_work_dir() / f"{name}.log"


def _tail(path: Path) -> str:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    return "\n".join(lines[-_LOG_TAIL_LINES:])


def run_child(module: str, params: Mapping[str, Any], *, name: str, timeout_seconds: float) -> dict[str, Any]:
    """Run ``python -m module`` with ``params`` (JSON, first argument) and return the result it emits.

    The child's stderr goes to ``build/bench/<name>.log``.
    """
    log = log_path(name)
    log.parent.mkdir(parents=True, exist_ok=True)
    command: Sequence[str] = [sys.executable, "-m", module, json.dumps(dict(params))]
    with log.open("w", encoding="utf-8") as stderr:
        try:
            completed = subprocess.run(  # noqa: S603 (our own interpreter and module)
                command,
                stdout=subprocess.PIPE,
                stderr=stderr,
                stdin=subprocess.DEVNULL,
                text=True,
                cwd=repo_root(),
                timeout=timeout_seconds,
                check=False,
            )
        except subprocess.TimeoutExpired as error:
            raise ChildFailedError(
                f"{module} did not finish within {timeout_seconds:.0f} s; see {log}"
            ) from error
    result = parse_result(completed.stdout)
    if completed.returncode != 0 or result is None:
        raise ChildFailedError(
            f"{module} exited with {completed.returncode} and "
            f"{'no result' if result is None else 'a result'}; see {log}:\n{_tail(log)}"
        )
    return result


def child_main(measure: Callable[[dict[str, Any]], Mapping[str, Any]]) -> None:
    """Entry point of a figure module: ``measure(params) -> dict``, reported on the real stdout."""
    params = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    report_stream = silence_stdout()
    emit(report_stream, measure(params))
