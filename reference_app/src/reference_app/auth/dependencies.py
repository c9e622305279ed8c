"""Who is calling: the dependencies that turn a bearer token into ``user: CurrentUser``.

The textbook chain of three small dependencies, each usable on its own:

    bearer token  ->  AccessClaims (verified, not revoked)  ->  CurrentUser (active profile)

FastAPI resolves each one once per request, however many routes and dependencies ask for it.
Verifying the token goes through the app's memo of tokens it has already verified
(``auth/verified_tokens.py``; lesson 17 measures why).
"""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from reference_app.api.deps import CacheDep, SessionmakerDep
from reference_app.auth.revocation import AccessTokenDenylist
from reference_app.auth.verified_tokens import VerifiedTokens
from reference_app.core.config import API_PREFIX
from reference_app.core.errors import AuthenticationError, ErrorCode
from reference_app.core.security import TokenClaims
from reference_app.users.cache import get_user_profile
from reference_app.users.schemas import UserRead

# auto_error=False: a missing token is reported in the project's error shape, not FastAPI's.
bearer_scheme = OAuth2PasswordBearer(tokenUrl=f"{API_PREFIX}/auth/login", auto_error=False)


async def get_verified_tokens(request: Request) -> VerifiedTokens:
    verified_tokens: VerifiedTokens = request.app.state.services.verified_tokens
    return verified_tokens


async def get_access_denylist(request: Request) -> AccessTokenDenylist:
    denylist: AccessTokenDenylist = request.app.state.services.access_denylist
    return denylist


VerifiedTokensDep = Annotated[VerifiedTokens, Depends(get_verified_tokens)]
AccessDenylistDep = Annotated[AccessTokenDenylist, Depends(get_access_denylist)]
BearerToken = Annotated[str | None, Depends(bearer_scheme)]


async def get_access_claims(
    token: BearerToken, tokens: VerifiedTokensDep, denylist: AccessDenylistDep
) -> TokenClaims:
    """The bearer access token's claims: signed by this app, unexpired, not revoked by logout.

    Both checks answer in the project's error shape (401 with ``NOT_AUTHENTICATED``,
    ``TOKEN_EXPIRED``, ``INVALID_TOKEN`` or ``TOKEN_REVOKED``). The revocation check goes
    through the cache (see ``auth/revocation.py``), so it rarely opens a database session.
    """
    if token is None:
        raise AuthenticationError("Not authenticated: send 'Authorization: Bearer <token>'")
    claims = tokens.verify(token)  # PyJWT, unless this app verified this token before
    if await denylist.is_revoked(claims.token_id):
        raise AuthenticationError("The token has been revoked", code=ErrorCode.TOKEN_REVOKED)
    return claims


AccessClaims = Annotated[TokenClaims, Depends(get_access_claims)]


async def get_current_user(
    claims: AccessClaims, sessions: SessionmakerDep, cache: CacheDep
) -> UserRead:
    """The caller's profile, from the cache or the database; 401 if the account is gone or
    disabled since the token was issued."""
    user = await get_user_profile(sessions, cache, claims.user_id)
    if user is None or not user.is_active:
        raise AuthenticationError(
            "The token's user no longer exists or is disabled", code=ErrorCode.INVALID_TOKEN
        )
    return user


CurrentUser = Annotated[UserRead, Depends(get_current_user)]


async def get_optional_user(
    token: BearerToken,
    tokens: VerifiedTokensDep,
    denylist: AccessDenylistDep,
    sessions: SessionmakerDep,
    cache: CacheDep,
) -> UserRead | None:
    """The caller on a public endpoint: ``None`` without a token, the user with a valid one.

    A token that is sent must still be valid: a bad one is a 401, never silently anonymous.
    """
    if token is None:
        return None
    claims = await get_access_claims(token, tokens, denylist)
    return await get_current_user(claims, sessions, cache)


OptionalUser = Annotated[UserRead | None, Depends(get_optional_user)]
