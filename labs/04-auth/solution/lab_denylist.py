"""Lab 4 — the access-token denylist behind logout.

An access token is a signed JWT: the server cannot take it back, so until it expires it keeps
working — unless the server remembers the tokens that were logged out. These functions keep
that memory in the app's ``revoked_access_tokens`` table (``RevokedAccessToken``).

The lab's tests call them directly, and through the app: its logout route stores the token
with ``revoke_access_token`` and every authenticated request asks ``is_access_token_revoked``.
"""

import uuid
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from reference_app.auth.models import RevokedAccessToken
from reference_app.core.security import TokenClaims


async def revoke_access_token(session: AsyncSession, claims: TokenClaims) -> None:
    """Remember that the token ``claims`` describe is revoked, and commit."""
    # Idempotent: a second logout with the same token (a retried request) changes nothing.
    if await session.get(RevokedAccessToken, claims.token_id) is None:
        # The expiry goes with it, so the row can be forgotten once the token is dead anyway.
        session.add(RevokedAccessToken(id=claims.token_id, expires_at=claims.expires_at))
        await session.commit()


async def is_access_token_revoked(session: AsyncSession, token_id: uuid.UUID) -> bool:
    """Whether the token with id ``token_id`` was revoked."""
    # The id is the table's primary key: one indexed lookup on every authenticated request.
    return await session.get(RevokedAccessToken, token_id) is not None


async def purge_expired_revocations(session: AsyncSession, now: datetime) -> int:
    """Forget revoked tokens that expired at or before ``now``; return how many, and commit."""
    # Past its expiry a token is refused by its signature check alone: the row is dead weight.
    result = await session.execute(
        delete(RevokedAccessToken).where(col(RevokedAccessToken.expires_at) <= now)
    )
    await session.commit()
    return int(result.rowcount)  # type: ignore[attr-defined]
