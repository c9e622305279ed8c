"""Counting hits in a moving window: in Redis (shared by every instance) or in this process.

A moving window counts each hit for exactly one window after it was made (see
:mod:`reference_app.rate_limiting.limiter`). Both counters answer three questions in one call — was
this hit allowed, how many are left, how long until the oldest hit leaves the window — because
every response carries all three in its ``RateLimit-*`` headers.

**In this process**, :class:`MemoryWindowCounter`: the ``limits`` library's moving window on its
``MemoryStorage``. Used without Redis, and as the fallback while Redis fails.

**In Redis**, :class:`RedisWindowCounter`: a short Lua script of our own. Written by hand because
``limits`` answers in two round trips to Redis — its hit script, then its window-stats script —
and every API request paid for both: they were two of the three Redis round trips of a cached
``GET /posts/{id}``. Redis runs a script atomically, so one
``EVALSHA`` checks, records and reports. The script also

- reads the clock in Redis (``TIME``), so instances whose clocks drift still agree on a window;
- drops the hits that have left the window from the tail of the list as it goes (the list is
  newest first), so each hit is pushed once and popped once: a call costs the same whatever the
  limit, where a search of the list grows with it.

``tests/test_rate_limit.py`` runs the same hits through both counters and checks they agree.
"""

import math
import time
from dataclasses import dataclass
from typing import Protocol

from limits import RateLimitItem
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter
from redis.asyncio import Redis

MOVING_WINDOW_SCRIPT = """
-- KEYS[1]: the times of the hits in the window, newest first. ARGV: the limit, the window (s).
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000

-- The oldest hits are at the tail: drop those that have left the window.
while true do
    local oldest = redis.call('LINDEX', KEYS[1], -1)
    if not oldest or tonumber(oldest) > now - window then break end
    redis.call('RPOP', KEYS[1])
end

local count = redis.call('LLEN', KEYS[1])
local allowed = 0
if count < limit then
    redis.call('LPUSH', KEYS[1], string.format('%.6f', now))
    redis.call('EXPIRE', KEYS[1], math.ceil(window))
    count = count + 1
    allowed = 1
end

local reset_after = window
local oldest = redis.call('LINDEX', KEYS[1], -1)
if oldest then reset_after = tonumber(oldest) + window - now end
-- Lua numbers would reach Redis truncated to integers: the fraction travels as a string.
return {allowed, limit - count, tostring(reset_after)}
"""


@dataclass(frozen=True)
class WindowCount:
    """One hit counted: allowed or not, hits left in the window, seconds until one frees up."""

    allowed: bool
    remaining: int
    reset_after: int


class WindowCounter(Protocol):
    async def hit(self, limit: RateLimitItem, identifiers: tuple[str, ...]) -> WindowCount: ...


class MemoryWindowCounter:
    """This process's count, kept by ``limits`` (each process counts on its own)."""

    def __init__(self) -> None:
        self._window = MovingWindowRateLimiter(MemoryStorage())

    async def hit(self, limit: RateLimitItem, identifiers: tuple[str, ...]) -> WindowCount:
        allowed = await self._window.hit(limit, *identifiers)
        stats = await self._window.get_window_stats(limit, *identifiers)
        reset_after = max(1, math.ceil(stats.reset_time - time.time()))
        return WindowCount(allowed, max(0, stats.remaining), reset_after)


class RedisWindowCounter:
    """The count every instance shares: one script call per hit (see the module docstring).

    Keys are ``key_prefix`` followed by the limit's own key (``LIMITER/<bucket>/<client>/...``),
    so they can be told apart from the cache's.
    """

    def __init__(self, redis: Redis, key_prefix: str) -> None:
        self._script = redis.register_script(MOVING_WINDOW_SCRIPT)
        self._key_prefix = key_prefix

    async def hit(self, limit: RateLimitItem, identifiers: tuple[str, ...]) -> WindowCount:
        key = f"{self._key_prefix}{limit.key_for(*identifiers)}"
        # redis-py sends EVALSHA, and the whole script only the first time Redis lacks it.
        allowed, remaining, reset_after = await self._script(
            keys=[key], args=[limit.amount, limit.get_expiry()]
        )
        return WindowCount(
            allowed=bool(allowed),
            remaining=max(0, int(remaining)),
            reset_after=max(1, math.ceil(float(reset_after))),
        )
