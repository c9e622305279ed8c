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

With Redis, each instance's near cache (``caching/near_cache.py``) also keeps the generation
and the answers it read; the logout's bump reaches the other instances as an invalidation,
so for the moment that message takes (about a millisecond), another instance may still
accept the token. ADR 0015 weighs that window.
"""

import uuid
from collections.abc import Awaitable, Callable

from pydantic import TypeAdapter
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reference_app.auth import service
from reference_app.caching.cache import Cache, CacheKey
from reference_app.core.security import TokenClaims

TOKEN_CHECKS = "token_check"
REVOKED_ADAPTER = TypeAdapter(bool)

IsTokenRevoked = Callable[[AsyncSession, uuid.UUID], Awaitable[bool]]


class AccessTokenDenylist:
    """The access tokens ended by a logout: stored by ``revoke``, looked up by ``is_revoked``.

    The storage is the app's ``revoked_access_tokens`` table unless other functions are given
    (lab 4 plugs its own in through ``Services.access_denylist``); the cache in front of it is
    this class's either way.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        cache: Cache,
        *,
        revoke: service.RevokeToken = service.revoke_access_token,
        is_revoked: IsTokenRevoked = service.is_access_token_revoked,
    ) -> None:
        self._sessions = sessions
        self._cache = cache
        self._store_revoked = revoke
        self._ask_store = is_revoked

    async def revoke(self, session: AsyncSession, claims: TokenClaims) -> None:
        """Deny the token from now on: commit its row, *then* forget every cached answer."""
        await self._store_revoked(session, claims)
        await self._cache.bump_generation(TOKEN_CHECKS)

    async def is_revoked(self, token_id: uuid.UUID) -> bool:
        """The denylist's answer for ``token_id``; a session is opened only on a cache miss."""

        async def ask_database() -> bool:
            async with self._sessions() as session:
                return await self._ask_store(session, token_id)

        if not self._cache.ttl_seconds.get(TOKEN_CHECKS):
            return await ask_database()
        generation = await self._cache.generation(TOKEN_CHECKS)  # before the database: see above
        key = CacheKey(TOKEN_CHECKS, f"g{generation}:{token_id}")
        revoked = await self._cache.get_or_load(key, ask_database, REVOKED_ADAPTER)
        return bool(revoked)
