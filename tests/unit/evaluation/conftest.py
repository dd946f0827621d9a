"""Shared fixtures for the evaluation tests: the repository root, the corpus and the worker's fakes."""

from __future__ import annotations

from pathlib import Path

import pytest

from evaluation.corpus import CorpusPair, load_pair
from evaluation.worker_rig import Rig
from shared.clients.model_types import ModelReply
from tests.support.fakes import InMemoryJobRepository, RecordingEventPublisher, ScriptedModelClient

REPO_ROOT = Path(__file__).resolve().parents[3]


def shared_fakes_rig(replies: list[ModelReply]) -> Rig:
    """The worker's ports as the other worker tests fake them."""
    return Rig(
        repository=InMemoryJobRepository(),
        publisher=RecordingEventPublisher(),
        model=ScriptedModelClient(script=[*replies]),
    )


_PAIRS: dict[str, CorpusPair] = {}


def corpus_pair(name: str) -> CorpusPair:
    """A corpus pair, read once per test session; tests must not mutate it."""
    if name not in _PAIRS:
        _PAIRS[name] = load_pair(REPO_ROOT, name)
    return _PAIRS[name]


@pytest.fixture
def repo_root() -> Path:
    return REPO_ROOT
