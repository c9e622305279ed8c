"""The Redis client, when ``APP_REDIS_URL`` is set.

Redis is optional: without it the cache, the rate limiter and the event stream use in-process
backends with the same interfaces. With it, several app instances share one cache, one limit and
one event stream.
"""

from redis.asyncio import Redis
from redis.exceptions import TimeoutError as RedisTimeoutError

from reference_app.core.config import Settings

SOCKET_TIMEOUT_SECONDS = 1.0

REDIS_TIMEOUTS: tuple[type[Exception], ...] = (RedisTimeoutError, TimeoutError)
"""What a Redis call raises when it waited ``SOCKET_TIMEOUT_SECONDS`` for nothing: one opens the
circuit breaker (:mod:`reference_app.shared_redis.circuit_breaker` says why)."""


def create_redis(settings: Settings) -> Redis | None:
    """A client for ``settings.redis_url`` (or ``None``), with short timeouts.

    Short timeouts matter: when Redis stalls, requests fall back to the database after a second
    instead of hanging (the cache fails open).
    """
    if settings.redis_url is None:
        return None
    client: Redis = Redis.from_url(
        settings.redis_url,
        socket_timeout=SOCKET_TIMEOUT_SECONDS,
        socket_connect_timeout=SOCKET_TIMEOUT_SECONDS,
        health_check_interval=30,
    )
    return client


async def ping_redis(client: Redis) -> None:
    """Health check: raises if Redis does not answer."""
    await client.ping()
