"""Tables that make tokens revocable: refresh tokens by family, and revoked access tokens."""

import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from reference_app.core.database import UTCDateTime


class RefreshToken(SQLModel, table=True):
    """One issued refresh token. A *family* is every token descended from one login.

    A token is single use: refreshing sets ``used_at`` and ``replaced_by``, the token issued in
    its place. Seeing a used token again means it was copied, so the whole family is revoked
    (``revoked_at``) and the session ends — unless it comes back within the short grace window
    of ``auth/service.py``, which answers with that same successor.
    """

    __tablename__ = "refresh_tokens"

    id: uuid.UUID = Field(primary_key=True, description="The token's `jti` claim.")
    family_id: uuid.UUID = Field(index=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    issued_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    replaced_by: uuid.UUID | None = Field(
        default=None, description="The id of the token issued when this one was used."
    )


class RevokedAccessToken(SQLModel, table=True):
    """An access token ended by logout before its expiry (the ``jti`` denylist).

    Kept only until the token would have expired anyway; the cleanup job removes older rows.
    """

    __tablename__ = "revoked_access_tokens"

    id: uuid.UUID = Field(primary_key=True, description="The token's `jti` claim.")
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)


class PasswordResetToken(SQLModel, table=True):
    """A password-reset token: only its SHA-256 is stored, never the token itself.

    Single use (``used_at``) and short-lived (``expires_at``); the cleanup job removes used and
    expired rows.
    """

    __tablename__ = "password_reset_tokens"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
