"""Password reset: a single-use, short-lived token sent by email.

Only the token's SHA-256 is stored (the token is 256 random bits, so a fast hash is enough: there
is nothing to brute-force). The worker creates the token when it sends the email, so the token
never travels through the job queue. Confirming claims the token with one conditional
``UPDATE`` (two concurrent confirmations cannot both succeed), sets the new password, and
revokes every refresh-token family of the user: sessions an attacker may hold end with it.
"""

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from reference_app.auth.models import PasswordResetToken
from reference_app.auth.sessions import end_sessions
from reference_app.changes import ChangeNotifier
from reference_app.core.config import Settings
from reference_app.core.database import utcnow
from reference_app.core.errors import AppError, ErrorCode
from reference_app.core.security import hash_password
from reference_app.users.models import User
from reference_app.users.service import user_changed


class InvalidResetTokenError(AppError):
    status_code = 400
    code = ErrorCode.INVALID_TOKEN
    message = "This password-reset link is invalid, expired or already used"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: AsyncSession, settings: Settings, user: User) -> str:
    """Stage a new token's row (the caller commits) and return the token itself."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        PasswordResetToken(
            user_id=user.id,
            token_hash=hash_token(token),
            created_at=now,
            expires_at=now + timedelta(minutes=settings.password_reset_expire_minutes),
        )
    )
    return token


async def confirm_reset(
    session: AsyncSession, token: str, new_password: str, *, notifier: ChangeNotifier
) -> None:
    # Hashed before the token is claimed, so the claim's connection is not held through Argon2
    # (see ``release_connection`` in core/database.py); an invalid link costs the same work.
    new_password_hash = await hash_password(new_password)
    now = utcnow()
    token_hash = hash_token(token)
    user_id = await session.scalar(
        select(col(PasswordResetToken.user_id)).where(
            col(PasswordResetToken.token_hash) == token_hash
        )
    )
    claimed = await session.execute(
        update(PasswordResetToken)
        .where(
            col(PasswordResetToken.token_hash) == token_hash,
            col(PasswordResetToken.used_at).is_(None),
            col(PasswordResetToken.expires_at) > now,
        )
        .values(used_at=now)
    )
    user = None if user_id is None else await session.get(User, user_id)
    if claimed.rowcount != 1 or user is None:  # type: ignore[attr-defined]
        await session.rollback()
        raise InvalidResetTokenError()
    user.hashed_password = new_password_hash
    user.updated_at = now
    # Every other link sent to this user stops working too, and so does every session.
    await session.execute(
        update(PasswordResetToken)
        .where(
            col(PasswordResetToken.user_id) == user.id, col(PasswordResetToken.used_at).is_(None)
        )
        .values(used_at=now)
    )
    await end_sessions(session, user.id)
    await session.commit()
    await notifier.notify(user_changed(user))
