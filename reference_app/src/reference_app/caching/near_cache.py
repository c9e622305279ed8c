"""A near cache: Redis entries this process read lately, kept in its memory for a moment.

Every cached read used to be a Redis round trip: a cached ``GET /posts/{id}`` made one, and
``GET /users/me`` three (the logout denylist's generation, its answer for the token, the
profile). A round trip costs CPU in this process (redis-py sends and parses it on the event
loop) and in Redis. Hot entries are read far more often than they change, so this backend keeps
what it read from Redis for up to ``ttl_seconds`` (``APP_CACHE_NEAR_TTL_SECONDS``, 2 by default)
and answers the next reads from memory. ``bench/RESULTS.md`` has the measurements.

What keeps it right when another instance changes an entry: every write through this backend
(``set``, ``delete``, ``incr``) publishes the keys it changed on a Redis pub/sub channel, and
every instance listens to it and forgets those keys. Three cases would still serve an old value,
and each is closed:

- **A read in flight when an invalidation arrives** may have read the old value from Redis; it
  is returned (it was current when read) but not kept.
- **No subscription** (before it starts, or after Redis dropped it): nothing is kept, and
  everything kept before is forgotten, since invalidations may have been missed meanwhile.
  Reads then go to Redis as without a near cache, until the subscription is back.
- **A lost message** that does not break the connection is not something Redis pub/sub does;
  the time limit bounds the damage should it happen anyway.

So a change made on one instance reaches the others' readers once its invalidation arrives,
typically within a millisecond on one network; ADR 0015 weighs that window.

Written by hand because redis-py's client-side caching (Redis's own invalidation tracking) is
only in its synchronous client, and this app is asynchronous throughout.
"""

import asyncio
import contextvars
import json
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable

import structlog
from redis.asyncio import Redis

from reference_app.caching.cache import CacheBackend

logger = structlog.get_logger(__name__)

RESUBSCRIBE_AFTER_SECONDS = (0.1, 5.0)
"""After losing the subscription: first wait, and the longest (doubling in between)."""


class NearCacheBackend:
    """A :class:`CacheBackend` over ``remote`` (Redis) that keeps recent reads in memory."""

    def __init__(
        self,
        remote: CacheBackend,
        redis: Redis,
        channel: str,
        *,
        ttl_seconds: float,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.remote = remote
        self._redis = redis
        self._channel = channel
        self._ttl_seconds = ttl_seconds
        self._max_entries = max_entries
        self._clock = clock
        self._kept: OrderedDict[str, tuple[float, bytes]] = OrderedDict()  # least recent first
        self._invalidations = 0  # counts every invalidation heard or made here
        self._name = uuid.uuid4().hex  # in what it publishes, so it skips its own messages
        self.listening = False
        self.hits = 0
        self._listener: asyncio.Task[None] | None = None
        self._closing = False

    async def get(self, key: str) -> bytes | None:
        kept = self._kept.get(key)
        if kept is not None:
            expires_at, value = kept
            if expires_at > self._clock():
                self._kept.move_to_end(key)
                self.hits += 1
                return value
            del self._kept[key]
        invalidations_before = self._invalidations
        read = await self.remote.get(key)
        if read is not None and self.listening and self._invalidations == invalidations_before:
            self._keep(key, read)
        return read

    async def set(self, key: str, value: bytes, ttl_seconds: int) -> None:
        await self.remote.set(key, value, ttl_seconds)
        await self._announce(key)

    async def delete(self, *keys: str) -> None:
        await self.remote.delete(*keys)
        await self._announce(*keys)

    async def incr(self, key: str) -> int:
        value = await self.remote.incr(key)
        await self._announce(key)
        return value

    def _keep(self, key: str, value: bytes) -> None:
        self._kept[key] = (self._clock() + self._ttl_seconds, value)
        self._kept.move_to_end(key)
        while len(self._kept) > self._max_entries:
            self._kept.popitem(last=False)

    def _forget(self, keys: list[str]) -> None:
        self._invalidations += 1
        for key in keys:
            self._kept.pop(key, None)

    def _forget_everything(self) -> None:
        self._invalidations += 1
        self._kept.clear()

    async def _announce(self, *keys: str) -> None:
        """Forget ``keys`` here at once, and tell the other instances to."""
        if keys:
            self._forget(list(keys))
            message = {"from": self._name, "keys": list(keys)}
            await self._redis.publish(self._channel, json.dumps(message))

    async def start(self) -> None:
        """Start listening for invalidations (the app's lifespan calls this)."""
        if self._listener is None:
            self._closing = False
            # A fresh context: the listener outlives whatever started it, and its log lines
            # must not carry a request's id.
            self._listener = asyncio.create_task(
                self._listen(), name="near-cache-invalidations", context=contextvars.Context()
            )

    async def close(self) -> None:
        """Stop listening; from then on every read goes to Redis."""
        self._closing = True
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.cancel()
            await asyncio.wait([listener])  # waits for it to finish, without raising its cancel

    async def _listen(self) -> None:
        """Subscribe, and forget what other instances announce; subscribe again if dropped."""
        wait, longest = RESUBSCRIBE_AFTER_SECONDS
        failures_in_a_row = 0
        while not self._closing:
            pubsub = self._redis.pubsub()
            try:
                await pubsub.subscribe(self._channel)
                while not self._closing:
                    message = await pubsub.get_message(timeout=1.0)
                    if message is None:
                        continue
                    if message["type"] == "subscribe":
                        self.listening = True  # from here on, no invalidation is missed
                        wait, failures_in_a_row = RESUBSCRIBE_AFTER_SECONDS[0], 0
                    elif message["type"] == "message":
                        announced = json.loads(message["data"])
                        if announced["from"] != self._name:  # its own: forgotten when made
                            self._forget(announced["keys"])
            except Exception as exc:  # Redis dropped or refused us: read through until back
                failures_in_a_row += 1
                if failures_in_a_row == 1:  # once per outage, not at every attempt
                    logger.warning("near_cache_unsubscribed", error=type(exc).__name__)
            finally:
                self.listening = False
                self._forget_everything()
                await pubsub.aclose()  # type: ignore[no-untyped-call]  # redis-py: untyped
            if not self._closing:
                await asyncio.sleep(wait)
                wait = min(wait * 2, longest)
