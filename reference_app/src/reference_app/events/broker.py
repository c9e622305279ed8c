"""The event broker: one interface, two backends.

- :class:`~reference_app.events.memory.MemoryBroker` keeps events in this process: no services
  needed, but clients only see changes made through the same process.
- :class:`~reference_app.events.redis_streams.RedisStreamBroker` keeps them in a Redis stream
  that every app instance writes to and reads from.

``create_app`` picks one from the settings. Everything else is shared and lives here:

**Publishing.** :meth:`EventBroker.publish` is a change listener (see
:mod:`reference_app.changes`): services call it after their transaction commits, so a
client is never told about a change that was rolled back.

**Subscribing.** Each SSE connection holds a :class:`Subscription` from
:meth:`EventBroker.subscribe`. It gives the client, in order:

1. when it reconnects with ``Last-Event-ID``, the events it missed, or a single ``reset`` event
   when that id is no longer retained (the replay buffer is bounded);
2. then every new event, as the backend delivers it to this process.

Both parts skip events the viewer may not see. The subscription registers for new events
*before* it reads the missed ones, so nothing falls in between; an event that shows up in both
is passed on once.

**Slow clients.** A subscription queues at most ``replay_size`` new events. A client further
behind than that has its stream ended: it reconnects with ``Last-Event-ID`` and catches up from
the replay buffer, like after any other disconnect, instead of making the server hold an
ever-growing queue for it.
"""

import asyncio
import uuid
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog

from reference_app.changes import ChangeEvent
from reference_app.events.models import StreamEvent, event_position, reset_event
from reference_app.observability.metrics import SSE_CONNECTIONS

logger = structlog.get_logger(__name__)

EventQueue = asyncio.Queue[StreamEvent | None]
"""New events for one subscription; ``None`` means "the stream ends here"."""


class EventsUnavailableError(Exception):
    """The backend cannot be reached, so no subscription can start now."""


class Subscription:
    """One client's events: first the ones it missed, then new ones, all filtered for it."""

    def __init__(
        self,
        *,
        missed: list[StreamEvent],
        queue: EventQueue,
        viewer_id: uuid.UUID | None,
        seen_up_to: str | None,
    ) -> None:
        self._missed = deque(missed)
        self._queue = queue
        self._viewer_id = viewer_id
        self._seen_up_to = seen_up_to

    def __aiter__(self) -> "Subscription":
        return self

    async def __anext__(self) -> StreamEvent:
        while True:
            event = await self._next_event()
            if event.content.visible_to(self._viewer_id):
                return event

    async def _next_event(self) -> StreamEvent:
        if self._missed:
            return self._missed.popleft()
        while True:
            event = await self._queue.get()
            if event is None:
                raise StopAsyncIteration
            if not self._already_seen(event):
                return event

    def end(self) -> None:
        """Finish the iteration once the events already queued are passed on."""
        self._queue.put_nowait(None)

    def _already_seen(self, event: StreamEvent) -> bool:
        """Whether the event was replayed (or is older than a reset) and so was passed on."""
        if self._seen_up_to is None:
            return False
        return event_position(event.id) <= event_position(self._seen_up_to)


class EventBroker(ABC):
    """Records events and hands them to this process's subscriptions."""

    def __init__(self, *, replay_size: int) -> None:
        self._replay_size = replay_size
        self._queues: set[EventQueue] = set()

    @property
    def subscriber_count(self) -> int:
        """Open subscriptions in this process (for tests and metrics)."""
        return len(self._queues)

    @abstractmethod
    async def publish(self, change: ChangeEvent) -> None:
        """Record a committed change as an event. Never raises for a backend failure."""

    @abstractmethod
    async def _start(self, last_event_id: str | None) -> tuple[list[StreamEvent], str | None]:
        """Called by :meth:`subscribe` once the subscription is registered.

        Makes sure new events reach this process, then returns what :meth:`_catch_up` returns.
        Raises :class:`EventsUnavailableError` if the backend cannot be reached.
        """

    @abstractmethod
    async def _events_after(self, last_event_id: str) -> list[StreamEvent] | None:
        """The retained events after ``last_event_id``, oldest first.

        ``None`` when ``last_event_id`` itself is not retained: it is too old (trimmed from the
        buffer), from before a restart, or not an id at all. Only an id we still hold proves
        that nothing between it and the retained events was lost.
        """

    @abstractmethod
    async def _latest_id(self) -> str:
        """The id of the newest event (or a position before every event, when there is none)."""

    @asynccontextmanager
    async def subscribe(
        self, viewer_id: uuid.UUID | None, last_event_id: str | None = None
    ) -> AsyncIterator[Subscription]:
        """Open a subscription for ``viewer_id`` (``None``: anonymous), closed on exit."""
        queue: EventQueue = asyncio.Queue()
        self._queues.add(queue)
        SSE_CONNECTIONS.inc()  # each event stream holds exactly one subscription
        try:
            missed, seen_up_to = await self._start(last_event_id)
            yield Subscription(
                missed=missed, queue=queue, viewer_id=viewer_id, seen_up_to=seen_up_to
            )
        finally:
            self._queues.discard(queue)
            SSE_CONNECTIONS.dec()

    async def close(self) -> None:
        """At shutdown: end every subscription, so their streams finish and unsubscribe."""
        self._end_all()

    async def _catch_up(self, last_event_id: str | None) -> tuple[list[StreamEvent], str | None]:
        """What a reconnecting client missed, and the id up to which it has now seen events."""
        if last_event_id is None:
            return [], None
        missed = await self._events_after(last_event_id)
        if missed is None:
            reset = reset_event(await self._latest_id())
            return [reset], reset.id
        return missed, missed[-1].id if missed else last_event_id

    def _deliver(self, event: StreamEvent) -> None:
        """Hand a new event to every subscription in this process."""
        for queue in list(self._queues):
            if queue.qsize() >= self._replay_size:
                logger.warning("events_subscriber_too_slow", queued=queue.qsize())
                self._end(queue)
            else:
                queue.put_nowait(event)

    def _end_all(self) -> None:
        for queue in list(self._queues):
            self._end(queue)

    def _end(self, queue: EventQueue) -> None:
        self._queues.discard(queue)
        queue.put_nowait(None)
