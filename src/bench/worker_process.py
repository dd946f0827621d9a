"""One more concurrent execution of the worker Lambda, for figure (c): a process with its own runner.

The local stack runs one worker runner, i.e. a concurrency of one. On AWS the event source mapping runs up
to ``worker_max_concurrency`` execution environments side by side, each its own process, so the benchmark
adds runner processes the same way (the handler's module-level state, such as its batch processor, is per
process, as in Lambda).

Protocol: the parent writes one JSON line (``environment``, ``runner``) on stdin; the process answers
``READY`` once the handler is imported and the runner polls, then runs until stdin closes, and answers
with its runner's counters as a result line (``bench.child``).
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import threading
from collections.abc import Mapping
from dataclasses import asdict
from typing import IO, Any, Final

from bench.child import emit, parse_result, silence_stdout
from bench.paths import repo_root
from local_stack.environment import ProcessEnvironment
from local_stack.worker_runner import RunnerSettings, WorkerRunner

READY: Final = "READY"


def serve() -> None:
    report_stream = silence_stdout()
    spec: dict[str, Any] = json.loads(sys.stdin.readline())
    ProcessEnvironment().apply(spec["environment"])
    handler = importlib.import_module("worker.handler").lambda_handler
    runner = WorkerRunner(handler, RunnerSettings(**spec["runner"]))
    runner.start()
    report_stream.write(READY + "\n")
    report_stream.flush()
    sys.stdin.read()  # until the parent closes our stdin
    runner.stop()
    emit(report_stream, runner.stats.snapshot())


class WorkerProcess:
    """The parent's handle on one worker process."""

    def __init__(self, environment: Mapping[str, str], settings: RunnerSettings, stderr: IO[str]) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "bench.worker_process"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            cwd=repo_root(),
        )
        self._ready = threading.Event()
        self._output: list[str] = []
        self._reader = threading.Thread(target=self._read, name="bench-worker-output", daemon=True)
        self._reader.start()
        assert self._process.stdin is not None
        self._process.stdin.write(json.dumps({"environment": dict(environment), "runner": asdict(settings)}))
        self._process.stdin.write("\n")
        self._process.stdin.flush()

    def _read(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            self._output.append(line)
            if line.strip() == READY:
                self._ready.set()
        self._ready.set()  # the process ended; wait_ready() then reports whether it said READY

    def wait_ready(self, timeout_seconds: float) -> bool:
        return self._ready.wait(timeout_seconds) and any(line.strip() == READY for line in self._output)

    def request_stop(self) -> None:
        """Close stdin: the runner finishes its batch in flight and the process reports its counters."""
        if self._process.stdin is not None and not self._process.stdin.closed:
            self._process.stdin.close()

    def finish(self, timeout_seconds: float) -> dict[str, Any] | None:
        """Wait for the counters; a process that does not stop in time is killed and reports none."""
        self.request_stop()
        try:
            self._process.wait(timeout_seconds)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._reader.join(timeout=5)
        return parse_result("".join(self._output))


if __name__ == "__main__":
    serve()
