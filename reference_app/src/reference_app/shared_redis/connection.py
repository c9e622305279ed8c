"""The Redis client, when ``APP_REDIS_URL`` is set.

Redis is optional: without it the cache, the rate limiter and the event stream use in-process
backends with the same interfaces. With it, several app instances share one cache, one limit and
one event stream.
"""

from redis.asyncio import BlockingConnectionPool, Redis
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

    The pool *blocks*: with ``APP_REDIS_MAX_CONNECTIONS`` in use, a request waits for one to be
    free. redis-py's default pool raises ``MaxConnectionsError`` instead (at 100), which under a
    burst of concurrent requests looks like Redis failing: the breaker opened and every request
    went to the database, exactly when the app was busiest.
    """
    if settings.redis_url is None:
        return None
    pool = BlockingConnectionPool.from_url(
        settings.redis_url,
        max_connections=settings.redis_max_connections,
        timeout=SOCKET_TIMEOUT_SECONDS,  # waiting for a free connection
        socket_timeout=SOCKET_TIMEOUT_SECONDS,
        socket_connect_timeout=SOCKET_TIMEOUT_SECONDS,
        health_check_interval=30,
    )
    return Redis.from_pool(pool)


async def ping_redis(client: Redis) -> None:
    """Health check: raises if Redis does not answer."""
    await client.ping()
