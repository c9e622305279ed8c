"""Dependencies every feature's routes share: ``session: SessionDep``, ``cache: CacheDep``...

Everything here comes from the app's services (``request.app.state.services``, see
``reference_app/services.py``), which ``create_app`` builds, so two apps built with different
settings never share an engine or a key. Who is calling (``CurrentUser``) is the
auth feature's: see ``auth/dependencies.py``. This module imports no feature, so every feature
can build on it.

Every dependency is ``async def``, even the trivial ones: FastAPI runs a plain ``def``
dependency in a worker thread, a thread hop per dependency per request for no reason.
"""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reference_app.caching.cache import Cache
from reference_app.changes import ChangeNotifier
from reference_app.core.config import Settings
from reference_app.core.database import session_scope


async def app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.services.settings
    return settings


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    async for session in session_scope(request.app.state.services.sessionmaker):
        yield session


async def get_sessionmaker(request: Request) -> async_sessionmaker[AsyncSession]:
    """For cache-aside reads: they open a session only on a cache miss."""
    sessions: async_sessionmaker[AsyncSession] = request.app.state.services.sessionmaker
    return sessions


async def get_cache(request: Request) -> Cache:
    cache: Cache = request.app.state.services.cache
    return cache


async def get_notifier(request: Request) -> ChangeNotifier:
    notifier: ChangeNotifier = request.app.state.services.notifier()
    return notifier


SettingsDep = Annotated[Settings, Depends(app_settings)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]
SessionmakerDep = Annotated[async_sessionmaker[AsyncSession], Depends(get_sessionmaker)]
CacheDep = Annotated[Cache, Depends(get_cache)]
NotifierDep = Annotated[ChangeNotifier, Depends(get_notifier)]
