"""Cache-aside caching with a stampede guard, TTL jitter and fail-open behaviour.

*Cache-aside*: read the cache; on a miss, load from the database and store the result. Writers
never update the cache; they invalidate it (see :meth:`Cache.invalidate` and the change
listener in ``create_app``), so the database stays the single source of truth.

- **Stampede guard**: when many requests miss the same key at once, one of them loads it and
  the others wait for that result (a per-key lock in this process) instead of all hitting the
  database.
- **TTL jitter**: expiries are spread by a random fraction so keys written together do not all
  expire — and reload — together.
- **Fail-open**: if the cache backend errors (Redis down), the error is logged, the request is
  served from the database, and :attr:`Cache.healthy` turns false for the health report.

Two backends share one interface: in-process memory (no services) and Redis (shared by every
app instance).
"""

import asyncio
import hashlib
import json
import random
import time
import weakref
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, ParamSpec, Protocol, TypeVar

import structlog
from pydantic import TypeAdapter, ValidationError
from redis.asyncio import Redis
from redis.exceptions import RedisError

from reference_app.observability.metrics import CACHE_ERRORS, CACHE_HITS, CACHE_MISSES
from reference_app.shared_redis.circuit_breaker import CircuitBreaker, CircuitOpenError

logger = structlog.get_logger(__name__)

ValueT = TypeVar("ValueT")
P = ParamSpec("P")


class CacheBackend(Protocol):
    async def get(self, key: str) -> bytes | None: ...

    async def set(self, key: str, value: bytes, ttl_seconds: int) -> None: ...

    async def delete(self, *keys: str) -> None: ...

    async def incr(self, key: str) -> int: ...


class MemoryCacheBackend:
    """A bounded in-process store with per-key expiry.

    Written by hand because the usual library (cachetools) gives every entry the same TTL, and
    this app needs one per kind of entry. Least recently written entries are evicted first.
    """

    def __init__(self, max_entries: int = 10_000) -> None:
        self._entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._max_entries = max_entries

    async def get(self, key: str) -> bytes | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires_at, value = entry
        if expires_at <= time.monotonic():
            del self._entries[key]
            return None
        return value

    async def set(self, key: str, value: bytes, ttl_seconds: int) -> None:
        self._entries[key] = (time.monotonic() + ttl_seconds, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)

    async def delete(self, *keys: str) -> None:
        for key in keys:
            self._entries.pop(key, None)

    async def incr(self, key: str) -> int:
        """Like Redis INCR: a counter stored as an ordinary entry that never expires."""
        value = int(await self.get(key) or 0) + 1
        self._entries[key] = (float("inf"), str(value).encode())
        self._entries.move_to_end(key)
        return value


class RedisCacheBackend:
    """Redis as the cache: every app instance sees the same entries and invalidations."""

    def __init__(self, client: Redis, prefix: str) -> None:
        self._client = client
        self._prefix = prefix

    async def get(self, key: str) -> bytes | None:
        value: bytes | None = await self._client.get(self._prefix + key)  # type: ignore[assignment]
        return value

    async def set(self, key: str, value: bytes, ttl_seconds: int) -> None:
        await self._client.set(self._prefix + key, value, ex=ttl_seconds)

    async def delete(self, *keys: str) -> None:
        if keys:
            await self._client.delete(*(self._prefix + key for key in keys))

    async def incr(self, key: str) -> int:
        value: int = await self._client.incr(self._prefix + key)
        return value


def schema_version(adapter: TypeAdapter[Any]) -> str:
    """A short fingerprint of the JSON schema entries are stored in.

    Part of every key (see :class:`CacheKey`): during a rolling deploy that changes a schema,
    old and new instances share one Redis, and each reads only entries written in its own
    shape. Without it, new instances failed to read the old entries until their TTL ran out.
    """
    schema = json.dumps(adapter.json_schema(), sort_keys=True).encode()
    return hashlib.sha256(schema).hexdigest()[:8]


@dataclass(frozen=True)
class CacheKey:
    """A cache key: its *family* (``user``, ``post``, ...) decides its time to live, and its
    *version* (:func:`schema_version` of what is stored) keeps schemas apart."""

    family: str
    id: str
    version: str = ""

    def __str__(self) -> str:
        if self.version:
            return f"{self.family}:v{self.version}:{self.id}"
        return f"{self.family}:{self.id}"


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0
    errors: int = 0
    loads: int = 0


class Cache:
    """Cache-aside over a :class:`CacheBackend`."""

    def __init__(
        self,
        backend: CacheBackend,
        *,
        ttl_seconds: Mapping[str, int],
        jitter: float = 0.1,
        enabled: bool = True,
        breaker: CircuitBreaker | None = None,
    ) -> None:
        self.backend = backend
        self.breaker = breaker
        self.ttl_seconds = ttl_seconds
        self.jitter = jitter
        self.enabled = enabled
        self.healthy = True
        self.stats = CacheStats()
        # One lock per key being loaded; entries vanish once no request holds them.
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        # While the cache is down: the load of each key under way, shared by all who ask for it.
        self._shared_loads: dict[str, asyncio.Future[Any]] = {}

    async def get_or_load(
        self,
        key: CacheKey,
        loader: Callable[[], Awaitable[ValueT | None]],
        adapter: TypeAdapter[ValueT],
    ) -> ValueT | None:
        """The value for ``key``, loading (once, however many callers) and storing it on a miss.

        ``None`` from the loader means "does not exist" and is not cached.
        """
        if not self.enabled:
            return await loader()
        name = str(key)
        cached = await self._read(name, adapter)
        if cached is not None:
            self.stats.hits += 1
            CACHE_HITS.inc()
            return cached
        self.stats.misses += 1
        CACHE_MISSES.inc()
        if not self.healthy:  # set by the read just made: nothing ran in between
            return await self._load_shared(name, loader)

        lock = self._locks.setdefault(name, asyncio.Lock())
        async with lock:
            # Whoever held the lock before us may have stored the value meanwhile.
            cached = await self._read(name, adapter)
            if cached is not None:
                return cached
            self.stats.loads += 1
            value = await loader()
            if value is not None:
                ttl = self._jittered(self.ttl_seconds[key.family])
                await self._guard(self.backend.set, name, adapter.dump_json(value), ttl)
            return value

    async def _load_shared(
        self, name: str, loader: Callable[[], Awaitable[ValueT | None]]
    ) -> ValueT | None:
        """Load ``name`` once for every request asking for it meanwhile, without the cache.

        The cache could not be asked (Redis is down, or its circuit breaker is open), so every
        miss goes to the database: a hot post read by a thousand requests would be a thousand
        queries queueing for the pool. The lock of :meth:`get_or_load` would queue them behind
        one holder instead, whose second cache read may wait for a Redis timeout. So the first
        request starts the load as a task and the others await that same task. Written by hand:
        asyncio has no "single flight"; ``shield`` keeps the load going for the others if the
        request that started it is cancelled.
        """
        load = self._shared_loads.get(name)
        if load is None:
            load = asyncio.ensure_future(loader())
            self._shared_loads[name] = load
            load.add_done_callback(lambda _: self._shared_loads.pop(name, None))
        value: ValueT | None = await asyncio.shield(load)
        return value

    async def invalidate(self, *keys: CacheKey) -> None:
        """Forget ``keys`` (the next read reloads them)."""
        await self._guard(self.backend.delete, *(str(key) for key in keys))

    async def generation(self, namespace: str) -> int:
        """The current generation of a group of keys (0 if unknown or the cache is down).

        Lists are cached under keys that include the generation, so bumping it invalidates the
        whole group at once — without scanning for keys, which Redis does slowly. Should the
        counter itself be evicted, old pages could be served again until their TTL ends; the TTL
        bounds that staleness.
        """
        value = await self._guard(self.backend.get, f"{namespace}:generation")
        return int(value) if value else 0

    async def bump_generation(self, namespace: str) -> None:
        await self._guard(self.backend.incr, f"{namespace}:generation")

    def _jittered(self, ttl_seconds: int) -> int:
        spread = ttl_seconds * self.jitter
        return max(1, round(ttl_seconds + random.uniform(-spread, spread)))  # noqa: S311 - not crypto

    async def _read(self, key: str, adapter: TypeAdapter[ValueT]) -> ValueT | None:
        """The stored value, or ``None`` when there is none or it no longer validates.

        An entry that fails validation (a schema changed without a new version, or a corrupt
        value) is a miss: the caller reloads it from the database and overwrites it.
        """
        raw = await self._guard(self.backend.get, key)
        if raw is None:
            return None
        try:
            return adapter.validate_json(raw)
        except ValidationError:
            logger.warning("cache_entry_invalid", key=key)
            return None

    async def _guard(
        self, operation: Callable[P, Awaitable[ValueT]], *args: P.args, **kwargs: P.kwargs
    ) -> ValueT | None:
        """Run a backend operation; on failure log it, mark the cache unhealthy, return None.

        Through the circuit breaker when there is one: while Redis keeps failing, the cache is
        skipped at once instead of every request waiting for its own timeout.
        """
        try:
            if self.breaker is None:
                result = await operation(*args, **kwargs)
            else:
                result = await self.breaker.call(operation, *args, **kwargs)
        except (RedisError, OSError, TimeoutError, CircuitOpenError) as exc:
            self.stats.errors += 1
            CACHE_ERRORS.inc()
            if self.healthy:
                logger.warning("cache_unavailable", error=type(exc).__name__)
            self.healthy = False
            return None
        if not self.healthy:
            logger.info("cache_recovered")
        self.healthy = True
        return result
