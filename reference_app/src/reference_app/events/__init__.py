"""Live events: committed changes to posts and todos, streamed to clients over SSE.

- ``models.py``: what an event is, and who may see it.
- ``broker.py``: the interface both backends offer, and the subscription logic they share.
- ``memory.py``: events kept in this process.
- ``redis_streams.py``: events in a Redis stream, shared by every app instance.
- ``routes.py``: ``GET /api/v1/events``.
"""

from redis.asyncio import Redis

from reference_app.core.config import Settings
from reference_app.events.broker import EventBroker
from reference_app.events.memory import MemoryBroker
from reference_app.events.redis_streams import RedisStreamBroker


def create_broker(settings: Settings, redis: Redis | None) -> EventBroker:
    """The Redis backend when the app has a Redis client, else the in-process one."""
    if redis is None:
        return MemoryBroker(replay_size=settings.events_replay_size)
    return RedisStreamBroker(
        redis, key=f"{settings.redis_key_prefix}events", replay_size=settings.events_replay_size
    )
