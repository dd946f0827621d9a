"""``python -m bench`` (``make bench``)."""

from bench.cli import run

raise SystemExit(run())
