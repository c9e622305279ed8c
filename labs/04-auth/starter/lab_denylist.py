"""Lab 4 — the access-token denylist behind logout.

An access token is a signed JWT: the server cannot take it back, so until it expires it keeps
working — unless the server remembers the tokens that were logged out. These functions keep
that memory in the app's ``revoked_access_tokens`` table (``RevokedAccessToken``).

The lab's tests call them directly, and through the app: its logout route stores the token
with ``revoke_access_token`` and every authenticated request asks ``is_access_token_revoked``.
"""

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from reference_app.core.security import TokenClaims


async def revoke_access_token(session: AsyncSession, claims: TokenClaims) -> None:
    """Remember that the token ``claims`` describe is revoked, and commit."""
    # TODO 1: add a RevokedAccessToken row (id: the token's id, expires_at: its expiry),
    #         then commit. Revoking the same token twice must not raise.


async def is_access_token_revoked(session: AsyncSession, token_id: uuid.UUID) -> bool:
    """Whether the token with id ``token_id`` was revoked."""
    # TODO 2: look the id up in the denylist.
    return False


async def purge_expired_revocations(session: AsyncSession, now: datetime) -> int:
    """Forget revoked tokens that expired at or before ``now``; return how many, and commit."""
    # TODO 3: delete the rows whose expires_at <= now. An expired token is refused anyway.
    return 0
