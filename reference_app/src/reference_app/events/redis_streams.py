"""The Redis backend: one stream that every app instance writes to and reads from.

**Why a stream, not pub/sub.** A Redis stream is an append-only log whose entries get ids that
grow with time (``<milliseconds>-<sequence>``), the same on every instance. One structure gives
both things we need: ``XADD ... MAXLEN ~ N`` keeps the last N events for replay, and ``XREAD``
from an id returns everything after it, so a client resuming from ``Last-Event-ID`` gets the
events it missed in order. Pub/sub forgets a message once it is sent: we would need a second
structure for replay, and a client could miss an event published between reading that and
subscribing.

**Why one reader per instance, not one per client.** ``XREAD BLOCK`` occupies a Redis
connection while it waits. Each instance runs a single reader task that follows the stream and
hands new events to its local subscriptions (see :mod:`reference_app.events.broker`); a
thousand open streams then cost one Redis connection, not a thousand. Reading a client's missed
events is a short ``XRANGE`` when it connects.

**Failures.** Publishing logs a Redis error and carries on: the change is committed, and a
request must not fail because its notification could not be sent. If the reader fails, it stops
and ends every stream of this instance; clients reconnect with ``Last-Event-ID`` and catch up
from the stream, and the first reconnect starts a new reader. Recovery takes the same path as
any reconnect, with the client's reconnect delay as the back-off.
"""

import asyncio
import contextvars
from typing import Any, cast

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError
from redis.typing import StreamEntry

from reference_app.changes import ChangeEvent
from reference_app.events.broker import EventBroker, EventsUnavailableError
from reference_app.events.models import EventContent, StreamEvent, is_event_id

logger = structlog.get_logger(__name__)

READ_BLOCK_MILLISECONDS = 250
"""How long one ``XREAD`` waits for new entries: less than the client's socket timeout (1 s, see
:mod:`reference_app.shared_redis.connection`), so a waiting read is never mistaken for a dead
server."""
READ_BATCH_SIZE = 100
FIELD = "event"
"""The one field of each stream entry: the event's content as JSON."""


class RedisStreamBroker(EventBroker):
    def __init__(self, redis: Redis, *, key: str, replay_size: int) -> None:
        super().__init__(replay_size=replay_size)
        self._redis = redis
        self._key = key
        self._reader: asyncio.Task[None] | None = None
        self._reader_lock = asyncio.Lock()
        self._closing = False

    async def publish(self, change: ChangeEvent) -> None:
        content = EventContent.from_change(change)
        try:
            await self._redis.xadd(
                self._key,
                {FIELD: content.model_dump_json()},
                maxlen=self._replay_size,
                approximate=True,  # "~": Redis trims whole blocks, which is much cheaper
            )
        except RedisError:
            logger.warning("events_publish_failed", event_type=content.type, exc_info=True)

    async def _start(self, last_event_id: str | None) -> tuple[list[StreamEvent], str | None]:
        try:
            await self._start_reader()
            return await self._catch_up(last_event_id)
        except RedisError as exc:
            raise EventsUnavailableError(f"Redis: {exc}") from exc

    async def _events_after(self, last_event_id: str) -> list[StreamEvent] | None:
        if not is_event_id(last_event_id):
            return None
        entries = await self._redis.xrange(self._key, min=last_event_id)
        events = [_to_event(entry) for entry in entries or []]
        if not events or events[0].id != last_event_id:
            return None
        return events[1:]

    async def _latest_id(self) -> str:
        entries = await self._redis.xrevrange(self._key, count=1)
        if not entries:
            return "0-0"  # before every possible entry
        return _text(entries[0][0])

    async def _start_reader(self) -> None:
        """Start this instance's reader unless it is running.

        :meth:`EventBroker.subscribe` calls this after registering the subscription and before
        reading what the client missed: the reader then delivers every entry added after that
        read, and the read covers everything before.
        """
        async with self._reader_lock:
            if self._reader is None:
                newest = await self._latest_id()
                # A fresh context: the reader outlives the request that started it, and its log
                # lines must not carry that request's id.
                self._reader = asyncio.create_task(
                    self._follow(newest), name="events-reader", context=contextvars.Context()
                )

    async def _follow(self, last_id: str) -> None:
        """Deliver every entry after ``last_id`` to this instance's subscriptions, until stopped."""
        try:
            while not self._closing:
                reply = await self._redis.xread(
                    {self._key: last_id}, count=READ_BATCH_SIZE, block=READ_BLOCK_MILLISECONDS
                )
                # redis-py returns [[stream key, [entry, ...]]] (for RESP2 and RESP3 alike), or
                # nothing when no entry came within the block time.
                for _key, entries in cast("list[list[Any]]", reply or []):
                    for entry in entries:
                        event = _to_event(entry)
                        last_id = event.id
                        self._deliver(event)
        except Exception:  # Redis failed (or a bug): log it, and recover as described above
            logger.exception("events_reader_failed")
        finally:
            self._reader = None
            self._end_all()

    async def close(self) -> None:
        """Stop the reader, then end every stream.

        The flag alone stops the reader within one ``XREAD`` block; cancelling makes it quicker.
        Both, because on Python 3.11 a cancellation that lands while redis-py sends a command
        can be lost (``asyncio.wait_for`` swallows it), and the reader would then run on.
        """
        self._closing = True
        reader = self._reader
        if reader is not None:
            reader.cancel()
            await asyncio.wait([reader])  # waits for it to finish, without raising its cancel
        await super().close()


def _text(value: bytes | str | None) -> str:
    """Replies are bytes, or text when a client is created with ``decode_responses``."""
    if value is None:
        raise ValueError("unexpected empty reply from Redis")
    return value.decode() if isinstance(value, bytes) else value


def _to_event(entry: StreamEntry) -> StreamEvent:
    """Read back one stream entry written by :meth:`RedisStreamBroker.publish`."""
    entry_id, fields = entry
    values = {_text(name): value for name, value in (fields or {}).items()}
    return StreamEvent(_text(entry_id), EventContent.model_validate_json(values[FIELD]))
