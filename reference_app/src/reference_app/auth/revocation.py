"""Has this access token been revoked by a logout? The denylist, with the cache in front.

Every authenticated request asks, so asking the database each time made the database round
trip the biggest part of a request like ``GET /users/me``. The answers are cached under a
*generation* (as the public post pages are, see ``posts/cache.py``):

- ``token_check:g{n}:{jti}`` holds the answer found while the generation was ``n``;
- every logout commits its denylist row, *then* bumps the generation, so every answer cached
  before it becomes unreachable at once;
- a check reads the generation *before* asking the database, so an answer that raced with a
  logout is stored under the old generation, where no later check looks.

The database stays the source of truth: with the cache down or disabled every check goes to it.
Two failures can leave a stale "not revoked" answer readable, for at most
``cache_token_check_ttl_seconds`` (30 s by default; 0 turns the cache off for this): Redis
failing during the logout's bump but not during later reads, and the generation counter being
evicted. That bound is the price of not querying the database on every request.
"""

import uuid

from pydantic import TypeAdapter
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reference_app.auth import service
from reference_app.caching.cache import Cache, CacheKey

TOKEN_CHECKS = "token_check"
REVOKED_ADAPTER = TypeAdapter(bool)


async def is_revoked_cached(
    sessions: async_sessionmaker[AsyncSession], cache: Cache, token_id: uuid.UUID
) -> bool:
    """The denylist's answer for ``token_id``; a session is opened only on a cache miss."""

    async def ask_database() -> bool:
        async with sessions() as session:
            return await service.is_access_token_revoked(session, token_id)

    if not cache.ttl_seconds.get(TOKEN_CHECKS):
        return await ask_database()
    generation = await cache.generation(TOKEN_CHECKS)  # before the database: see above
    key = CacheKey(TOKEN_CHECKS, f"g{generation}:{token_id}")
    revoked = await cache.get_or_load(key, ask_database, REVOKED_ADAPTER)
    return bool(revoked)


async def forget_token_checks(cache: Cache) -> None:
    """Call after a logout has committed: every cached answer is asked again."""
    await cache.bump_generation(TOKEN_CHECKS)
