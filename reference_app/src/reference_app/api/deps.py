"""Dependencies that route signatures read like sentences: ``user: CurrentUser``.

Everything here comes from ``request.app.state``, which ``create_app`` fills, so two apps built
with different settings never share an engine or a key.

Every dependency is ``async def``, even the trivial ones: FastAPI runs a plain ``def``
dependency in a worker thread, and those thread hops were most of a request's cost.
"""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from reference_app.auth.revocation import is_access_token_revoked
from reference_app.core.cache import Cache
from reference_app.core.config import Settings
from reference_app.core.database import session_scope
from reference_app.core.errors import AuthenticationError, ErrorCode
from reference_app.core.events import ChangeNotifier
from reference_app.core.security import TokenClaims, TokenType, decode_token
from reference_app.users.cache import get_user_profile
from reference_app.users.schemas import UserRead

API_PREFIX = "/api/v1"

# auto_error=False: a missing token is reported in the project's error shape, not FastAPI's.
bearer_scheme = OAuth2PasswordBearer(tokenUrl=f"{API_PREFIX}/auth/login", auto_error=False)


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    async for session in session_scope(request.app.state.sessionmaker):
        yield session


async def get_sessionmaker(request: Request) -> async_sessionmaker[AsyncSession]:
    """For cache-aside reads, which open a session only on a miss (see ``posts/service.py``)."""
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    return sessionmaker


async def get_cache(request: Request) -> Cache:
    cache: Cache = request.app.state.cache
    return cache


async def get_notifier(request: Request) -> ChangeNotifier:
    return ChangeNotifier(request.app.state.change_listeners)


SettingsDep = Annotated[Settings, Depends(get_settings)]
NotifierDep = Annotated[ChangeNotifier, Depends(get_notifier)]
CacheDep = Annotated[Cache, Depends(get_cache)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]
SessionmakerDep = Annotated[async_sessionmaker[AsyncSession], Depends(get_sessionmaker)]
BearerToken = Annotated[str | None, Depends(bearer_scheme)]


async def get_access_claims(
    token: BearerToken, settings: SettingsDep, sessions: SessionmakerDep, cache: CacheDep
) -> TokenClaims:
    """Verify the bearer access token and that it has not been revoked by logout."""
    if token is None:
        raise AuthenticationError("Not authenticated: send 'Authorization: Bearer <token>'")
    claims = decode_token(settings, token, TokenType.ACCESS)
    if await is_access_token_revoked(sessions, cache, claims.token_id):
        raise AuthenticationError("The token has been revoked", code=ErrorCode.TOKEN_REVOKED)
    return claims


AccessClaims = Annotated[TokenClaims, Depends(get_access_claims)]


async def get_current_user(
    claims: AccessClaims, sessions: SessionmakerDep, cache: CacheDep
) -> UserRead:
    """The caller's profile. Both checks go through the cache, so a typical authenticated
    request opens no database session at all (see ``auth/revocation.py``)."""
    user = await get_user_profile(sessions, cache, claims.user_id)
    if user is None or not user.is_active:
        raise AuthenticationError(
            "The token's user no longer exists or is disabled", code=ErrorCode.INVALID_TOKEN
        )
    return user


CurrentUser = Annotated[UserRead, Depends(get_current_user)]


async def get_optional_user(request: Request, token: BearerToken) -> UserRead | None:
    """The caller if a token was sent, else ``None``: for endpoints open to everyone.

    It asks FastAPI for nothing but the token: most readers of public endpoints are anonymous,
    and resolving settings, cache and sessionmaker only to return ``None`` was a measurable
    share of a cached read.
    """
    if token is None:
        return None
    state = request.app.state
    claims = await get_access_claims(token, state.settings, state.sessionmaker, state.cache)
    return await get_current_user(claims, state.sessionmaker, state.cache)


OptionalUser = Annotated[UserRead | None, Depends(get_optional_user)]
