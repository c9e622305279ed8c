"""Cached user profiles: ``user:{id}`` for an hour, invalidated when the profile changes.

Only :class:`~reference_app.users.schemas.UserRead` is cached — never the password hash.
"""

import uuid

from pydantic import TypeAdapter
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reference_app.caching.cache import Cache, CacheKey, schema_version
from reference_app.changes import ChangeEvent, ChangeListener
from reference_app.users.models import User
from reference_app.users.schemas import UserRead

USER_ADAPTER = TypeAdapter(UserRead)
USER_VERSION = schema_version(USER_ADAPTER)


def user_key(user_id: uuid.UUID) -> CacheKey:
    return CacheKey("user", str(user_id), USER_VERSION)


async def get_user_profile(
    sessions: async_sessionmaker[AsyncSession], cache: Cache, user_id: uuid.UUID
) -> UserRead | None:
    """The user's whole profile, from the cache or the database; ``None`` if there is none.

    A session is opened only on a miss: most authenticated requests then touch no database.
    """

    async def load() -> UserRead | None:
        async with sessions() as session:
            user = await session.get(User, user_id)
            return None if user is None else UserRead.model_validate(user)

    return await cache.get_or_load(user_key(user_id), load, USER_ADAPTER)


def invalidate_users(cache: Cache) -> ChangeListener:
    """A change listener that forgets a user's cached profile when it changes."""

    async def on_change(event: ChangeEvent) -> None:
        if event.entity == "user":
            await cache.invalidate(user_key(event.entity_id))

    return on_change
