"""The in-process backend: for development, tests, and single-instance deployments.

The last ``replay_size`` events are kept in a ring buffer (a ``deque`` with ``maxlen``: the
oldest event falls out as a new one comes in) for clients that reconnect.

Ids are ``<start>-<counter>``: the counter orders the events, and ``<start>`` (when this broker
was created, in milliseconds) keeps an id handed out before a restart from naming a different
event of this process. Clients connected to another process never see these events: that is
what the Redis backend is for.
"""

import time
from collections import deque
from collections.abc import Callable, Sequence

from reference_app.changes import ChangeEvent
from reference_app.events.broker import EventBroker
from reference_app.events.models import EventContent, StreamEvent

ReplayPolicy = Callable[[Sequence[StreamEvent], str], list[StreamEvent] | None]
"""Given the replay buffer (oldest first) and a reconnecting client's ``Last-Event-ID``: the
events it missed, or ``None`` when they cannot be known (the client then gets a ``reset``)."""


def events_after(recent: Sequence[StreamEvent], last_event_id: str) -> list[StreamEvent] | None:
    """The events after ``last_event_id``; ``None`` when the buffer no longer holds that id."""
    ids = [event.id for event in recent]
    if last_event_id not in ids:
        return None
    return list(recent)[ids.index(last_event_id) + 1 :]


class MemoryBroker(EventBroker):
    """``replay`` decides what a reconnecting client missed (lab 5 plugs its own in)."""

    def __init__(self, *, replay_size: int, replay: ReplayPolicy = events_after) -> None:
        super().__init__(replay_size=replay_size)
        self._recent: deque[StreamEvent] = deque(maxlen=replay_size)
        self._replay = replay
        self._started_ms = time.time_ns() // 1_000_000
        self._counter = 0

    async def publish(self, change: ChangeEvent) -> None:
        self._counter += 1
        event = StreamEvent(f"{self._started_ms}-{self._counter}", EventContent.from_change(change))
        self._recent.append(event)
        self._deliver(event)

    async def _start(self, last_event_id: str | None) -> tuple[list[StreamEvent], str | None]:
        return await self._catch_up(last_event_id)

    async def _events_after(self, last_event_id: str) -> list[StreamEvent] | None:
        return self._replay(self._recent, last_event_id)

    async def _latest_id(self) -> str:
        return f"{self._started_ms}-{self._counter}"
