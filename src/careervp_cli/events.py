"""Following outcome events through a subscriber queue."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from typing import Any, Final, Protocol

from careervp import constants
from careervp_cli.aws import QueueMessage

EVENT_PATTERN: Final[Mapping[str, Any]] = {
    "source": [constants.EVENT_SOURCE],
    "detail-type": [constants.DETAIL_TYPE_COMPLETED, constants.DETAIL_TYPE_FAILED],
}
_RECEIVE_BATCH: Final = 10
_MAX_WAIT_SECONDS: Final = 5


class EventQueues(Protocol):
    def receive(
        self, queue_url: str, *, max_messages: int, wait_seconds: int, visibility_timeout: int
    ) -> list[QueueMessage]: ...

    def delete(self, queue_url: str, receipt_handle: str) -> None: ...


def parse_event(body: str) -> dict[str, Any] | None:
    """The EventBridge event in a subscriber queue message, or None when it is not one."""
    try:
        event = json.loads(body)
    except (json.JSONDecodeError, RecursionError):
        return None
    if not isinstance(event, dict) or "detail-type" not in event or not isinstance(event.get("detail"), dict):
        return None
    return event


def tail_events(
    queues: EventQueues,
    queue_url: str,
    on_event: Callable[[dict[str, Any]], None],
    *,
    job_id: str | None = None,
    max_events: int | None = None,
    timeout_seconds: float | None = None,
    should_stop: Callable[[], bool] = lambda: False,
    clock: Callable[[], float] = time.monotonic,
) -> int:
    """Consume the queue's events, passing each (of ``job_id`` only, when given) to ``on_event``.

    Returns how many were passed on; stops after ``max_events``, after ``timeout_seconds``, or when
    ``should_stop()`` says so. Every consumed message is deleted, as a tail reads a stream once.
    """
    deadline = None if timeout_seconds is None else clock() + timeout_seconds
    delivered = 0
    while not should_stop() and (max_events is None or delivered < max_events):
        remaining = None if deadline is None else deadline - clock()
        if remaining is not None and remaining <= 0:
            break
        wait = _MAX_WAIT_SECONDS if remaining is None else max(0, min(_MAX_WAIT_SECONDS, int(remaining)))
        for message in queues.receive(
            queue_url, max_messages=_RECEIVE_BATCH, wait_seconds=wait, visibility_timeout=30
        ):
            event = parse_event(message.body)
            queues.delete(queue_url, message.receipt_handle)
            if event is None or (job_id is not None and event["detail"].get("job_id") != job_id):
                continue
            if max_events is not None and delivered >= max_events:
                continue
            on_event(event)
            delivered += 1
    return delivered
