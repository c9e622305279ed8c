"""Authentication: sign-up, login, refresh-token rotation with reuse detection, logout.

Refresh tokens are single use. Each refresh marks the presented token used and issues a new
pair in the same *family* (the login session). If a used token is ever presented again, someone
holds a copy — the legitimate client or an attacker, we cannot tell which — so the whole family
is revoked and both must log in again (OAuth 2.0 Security BCP, "refresh token rotation").
"""

import uuid
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


def _issue_tokens(
    session: AsyncSession, settings: Settings, user: User, session_id: uuid.UUID
) -> TokenPair:
    """Sign a new access + refresh pair and stage the refresh token's row (caller commits)."""
    access_lifetime = timedelta(minutes=settings.access_token_expire_minutes)
    access_token, _ = create_token(
        settings,
        user_id=user.id,
        token_type=TokenType.ACCESS,
        session_id=session_id,
        lifetime=access_lifetime,
    )
    refresh_token, refresh_claims = create_token(
        settings,
        user_id=user.id,
        token_type=TokenType.REFRESH,
        session_id=session_id,
        lifetime=timedelta(days=settings.refresh_token_expire_days),
    )
    session.add(
        RefreshToken(
            id=refresh_claims.token_id,
            family_id=session_id,
            user_id=user.id,
            issued_at=refresh_claims.issued_at,
            expires_at=refresh_claims.expires_at,
        )
    )
    return TokenPair(
        access_token=access_token,
        refresh_token=refresh_token,
        expires_in=int(access_lifetime.total_seconds()),
    )


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
    """Exchange a refresh token for a new pair; a reused token revokes its family."""
    claims = decode_token(settings, refresh_token, TokenType.REFRESH)
    now = utcnow()
    # One conditional UPDATE claims the token atomically, so two concurrent refreshes with the
    # same token cannot both succeed.
    claimed = await session.execute(
        update(RefreshToken)
        .where(
            col(RefreshToken.id) == claims.token_id,
            col(RefreshToken.used_at).is_(None),
            col(RefreshToken.revoked_at).is_(None),
        )
        .values(used_at=now)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        await _reject_unusable_refresh_token(session, claims)

    user = await session.get(User, claims.user_id)
    if user is None or not user.is_active:
        raise AuthenticationError(
            "The token's user no longer exists or is disabled", code=ErrorCode.INVALID_TOKEN
        )
    tokens = _issue_tokens(session, settings, user, session_id=claims.session_id)
    await session.commit()
    return tokens


async def _reject_unusable_refresh_token(session: AsyncSession, claims: TokenClaims) -> None:
    """Explain why a refresh token could not be claimed, revoking its family on reuse."""
    await session.rollback()
    row = await session.get(RefreshToken, claims.token_id)
    if row is None:
        raise AuthenticationError("Unknown refresh token", code=ErrorCode.INVALID_TOKEN)
    if row.revoked_at is not None:
        raise AuthenticationError("The session has ended", code=ErrorCode.TOKEN_REVOKED)
    await _revoke_family(session, row.family_id)
    await session.commit()
    raise AuthenticationError(
        "This refresh token was already used; the session has been revoked",
        code=ErrorCode.REFRESH_TOKEN_REUSED,
    )


async def logout(session: AsyncSession, claims: TokenClaims) -> None:
    """End the session: revoke its refresh-token family and deny the current access token."""
    await _revoke_family(session, claims.session_id)
    session.add(RevokedAccessToken(id=claims.token_id, expires_at=claims.expires_at))
    await session.commit()


async def is_access_token_revoked(session: AsyncSession, token_id: uuid.UUID) -> bool:
    revoked: bool | None = await session.scalar(
        select(exists().where(col(RevokedAccessToken.id) == token_id))
    )
    return bool(revoked)
