"""Ending a user's sessions at once: when their password changes, or is reset.

A session is a refresh-token family (see ``auth/models.py``); revoking the family ends it. A
password change (``PATCH /users/{id}``, in ``profiles/``) hands this function to the users
service, which runs it in the transaction that stores the new password.
"""

import uuid

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from reference_app.auth.models import RefreshToken
from reference_app.core.database import utcnow


async def end_sessions(
    session: AsyncSession, user_id: uuid.UUID, *, keep: uuid.UUID | None = None
) -> None:
    """Revoke every refresh-token family of the user but ``keep``; the caller commits.

    Access tokens already issued keep working until they expire (minutes), as after a logout:
    what ends is the ability to refresh.
    """
    statement = update(RefreshToken).where(
        col(RefreshToken.user_id) == user_id, col(RefreshToken.revoked_at).is_(None)
    )
    if keep is not None:
        statement = statement.where(col(RefreshToken.family_id) != keep)
    await session.execute(statement.values(revoked_at=utcnow()))
