"""The app's Redis client: a burst wider than its pool waits for a connection instead of failing."""

import asyncio

from reference_app.core.config import Settings
from reference_app.shared_redis.connection import create_redis


async def test_more_concurrent_calls_than_connections_wait_for_one(
    redis_settings: Settings, redis_prefix: str
) -> None:
    """redis-py's default pool raised ``MaxConnectionsError`` past its size, and the app took
    that for a Redis outage (breaker open, limits counted in process, cache skipped) when it was
    only busy. Each BLPOP below holds its connection for 50 ms: ten of them on two connections
    take turns."""
    redis = create_redis(redis_settings.model_copy(update={"redis_max_connections": 2}))
    assert redis is not None
    try:
        replies = await asyncio.gather(
            *(redis.blpop([f"{redis_prefix}empty"], timeout=0.05) for _ in range(10))
        )
    finally:
        await redis.aclose()
    assert replies == [None] * 10
