"""Authentication: sign-up, login, refresh-token rotation with reuse detection, logout.

Refresh tokens are single use. Each refresh marks the presented token used and issues a new
pair in the same *family* (the login session). If a used token is ever presented again, someone
holds a copy — the legitimate client or an attacker, we cannot tell which — so the whole family
is revoked and both must log in again (OAuth 2.0 Security BCP, "refresh token rotation").

One exception, the *reuse grace window* (``refresh_reuse_grace_seconds``: 10 s by default, 0
turns it off). Two browser tabs whose access tokens expire together send the same refresh token
at once; one rotates it, and without the window the other would end the session for both. So a
used token presented again within the window after its rotation gets the *same* successor that
rotation issued (signed again from its row), with a new access token. Not a new refresh token:
that would start a second chain in the family, which a thief replaying a copy in time could
refresh forever unnoticed. With one chain, a thief and the real client hold the same token, and
whichever of them refreshes second after the window reveals the copy and revokes the family.
Revocation is checked first: a logged-out or otherwise revoked family gets no grace.
"""

import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta

from sqlalchemy import exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from reference_app.auth.models import RefreshToken, RevokedAccessToken
from reference_app.auth.schemas import LoginRequest, TokenPair
from reference_app.core.config import Settings
from reference_app.core.database import release_connection, utcnow
from reference_app.core.errors import AppError, AuthenticationError, ErrorCode
from reference_app.core.security import (
    TokenClaims,
    TokenType,
    create_token,
    decode_token,
    sign_token,
    verify_password,
    waste_password_check,
)
from reference_app.users import service as users_service
from reference_app.users.models import User
from reference_app.users.schemas import UserCreate


class AccountDisabledError(AppError):
    status_code = 403
    code = ErrorCode.ACCOUNT_DISABLED
    message = "This account is disabled"


def _pair(
    settings: Settings, user_id: uuid.UUID, session_id: uuid.UUID, refresh_token: str
) -> TokenPair:
    """``refresh_token`` together with a new access token of the same session."""
    access_lifetime = timedelta(minutes=settings.access_token_expire_minutes)
    access_token, _ = create_token(
        settings,
        user_id=user_id,
        token_type=TokenType.ACCESS,
        session_id=session_id,
        lifetime=access_lifetime,
    )
    return TokenPair(
        access_token=access_token,
        refresh_token=refresh_token,
        expires_in=int(access_lifetime.total_seconds()),
    )


def _new_tokens(
    settings: Settings, user_id: uuid.UUID, session_id: uuid.UUID
) -> tuple[TokenPair, RefreshToken]:
    """Sign a new pair; return it with the refresh token's row, for the caller to store."""
    refresh_token, claims = create_token(
        settings,
        user_id=user_id,
        token_type=TokenType.REFRESH,
        session_id=session_id,
        lifetime=timedelta(days=settings.refresh_token_expire_days),
    )
    row = RefreshToken(
        id=claims.token_id,
        family_id=session_id,
        user_id=user_id,
        issued_at=claims.issued_at,
        expires_at=claims.expires_at,
    )
    return _pair(settings, user_id, session_id, refresh_token), row


def _issue_tokens(
    session: AsyncSession, settings: Settings, user: User, session_id: uuid.UUID
) -> TokenPair:
    """Sign a new access + refresh pair and stage the refresh token's row (caller commits)."""
    tokens, row = _new_tokens(settings, user.id, session_id)
    session.add(row)
    return tokens


def _stored_refresh_token(settings: Settings, row: RefreshToken) -> str:
    """The refresh token that ``row`` records, signed again from its claims (see sign_token)."""
    claims = TokenClaims(
        user_id=row.user_id,
        token_type=TokenType.REFRESH,
        token_id=row.id,
        session_id=row.family_id,
        issued_at=row.issued_at,
        expires_at=row.expires_at,
    )
    return sign_token(settings, claims)


async def signup(
    session: AsyncSession, settings: Settings, data: UserCreate
) -> tuple[User, TokenPair]:
    """Create the account and its first session in one transaction."""
    user = await users_service.add_user(session, data)
    await session.flush()
    tokens = _issue_tokens(session, settings, user, session_id=uuid.uuid4())
    await session.commit()
    return user, tokens


async def login(session: AsyncSession, settings: Settings, credentials: LoginRequest) -> TokenPair:
    """Check the credentials and start a new session.

    An unknown email and a wrong password give the same error after the same amount of work, so
    the response does not reveal which accounts exist.
    """
    invalid = AuthenticationError("Incorrect email or password", code=ErrorCode.INVALID_CREDENTIALS)
    user = await users_service.get_user_by_email(session, credentials.email)
    await release_connection(session)  # not held through the password check: see its docstring
    if user is None:
        await waste_password_check(credentials.password)
        raise invalid
    is_valid, upgraded_hash = await verify_password(credentials.password, user.hashed_password)
    if not is_valid:
        raise invalid
    if not user.is_active:
        raise AccountDisabledError()
    if upgraded_hash is not None:
        user.hashed_password = upgraded_hash
    tokens = _issue_tokens(session, settings, user, session_id=uuid.uuid4())
    await session.commit()
    return tokens


async def _revoke_family(session: AsyncSession, family_id: uuid.UUID) -> None:
    await session.execute(
        update(RefreshToken)
        .where(col(RefreshToken.family_id) == family_id, col(RefreshToken.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )


async def refresh(session: AsyncSession, settings: Settings, refresh_token: str) -> TokenPair:
    """Exchange a refresh token for a new pair; a reused token revokes its family.

    A reuse within the grace window gets the same successor instead (see the module docstring).
    """
    claims = decode_token(settings, refresh_token, TokenType.REFRESH)
    # Signed first, so that the UPDATE claiming the token can record its successor.
    tokens, successor = _new_tokens(settings, claims.user_id, claims.session_id)
    # One conditional UPDATE claims the token atomically, so two concurrent refreshes with the
    # same token cannot both rotate it.
    claimed = await session.execute(
        update(RefreshToken)
        .where(
            col(RefreshToken.id) == claims.token_id,
            col(RefreshToken.used_at).is_(None),
            col(RefreshToken.revoked_at).is_(None),
        )
        .values(used_at=utcnow(), replaced_by=successor.id)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return await _refresh_used_token(session, settings, claims)
    await _check_user_active(session, claims.user_id)
    session.add(successor)
    await session.commit()
    return tokens


async def _check_user_active(session: AsyncSession, user_id: uuid.UUID) -> None:
    user = await session.get(User, user_id)
    if user is None or not user.is_active:
        raise AuthenticationError(
            "The token's user no longer exists or is disabled", code=ErrorCode.INVALID_TOKEN
        )


async def _refresh_used_token(
    session: AsyncSession, settings: Settings, claims: TokenClaims
) -> TokenPair:
    """A token that could not be claimed: within the grace window, the pair its rotation gave
    (a new access token, the same refresh token); otherwise say why, revoking on reuse."""
    await session.rollback()
    row = await session.get(RefreshToken, claims.token_id)
    if row is None:
        raise AuthenticationError("Unknown refresh token", code=ErrorCode.INVALID_TOKEN)
    if row.revoked_at is not None:
        raise AuthenticationError("The session has ended", code=ErrorCode.TOKEN_REVOKED)
    successor = await _successor_within_grace(session, settings, row)
    if successor is not None:
        await _check_user_active(session, row.user_id)
        return _pair(
            settings, row.user_id, row.family_id, _stored_refresh_token(settings, successor)
        )
    await _revoke_family(session, row.family_id)
    await session.commit()
    raise AuthenticationError(
        "This refresh token was already used; the session has been revoked",
        code=ErrorCode.REFRESH_TOKEN_REUSED,
    )


async def _successor_within_grace(
    session: AsyncSession, settings: Settings, row: RefreshToken
) -> RefreshToken | None:
    """The token that replaced ``row``, if ``row`` was used less than the grace window ago."""
    if row.used_at is None or row.replaced_by is None:
        return None  # used before successors were recorded
    grace = timedelta(seconds=settings.refresh_reuse_grace_seconds)
    if utcnow() - row.used_at >= grace:
        return None
    return await session.get(RefreshToken, row.replaced_by)


RevokeToken = Callable[[AsyncSession, TokenClaims], Awaitable[None]]
"""Store that a token is revoked, and commit (the caller's pending changes go with it)."""


async def logout(
    session: AsyncSession, claims: TokenClaims, deny_access_token: RevokeToken
) -> None:
    """End the session: revoke its refresh-token family and deny the current access token.

    ``deny_access_token`` (the app's denylist, ``AccessTokenDenylist.revoke``) commits, so both
    changes land in one transaction.
    """
    await _revoke_family(session, claims.session_id)
    await deny_access_token(session, claims)


async def revoke_access_token(session: AsyncSession, claims: TokenClaims) -> None:
    """Add the token to the denylist table, and commit."""
    session.add(RevokedAccessToken(id=claims.token_id, expires_at=claims.expires_at))
    await session.commit()


async def is_access_token_revoked(session: AsyncSession, token_id: uuid.UUID) -> bool:
    revoked: bool | None = await session.scalar(
        select(exists().where(col(RevokedAccessToken.id) == token_id))
    )
    return bool(revoked)
