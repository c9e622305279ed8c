"""The ``users`` table."""

import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from reference_app.core.database import UTCDateTime, utcnow

EMAIL_MAX_LENGTH = 320
FULL_NAME_MAX_LENGTH = 100


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    email: str = Field(max_length=EMAIL_MAX_LENGTH, unique=True, index=True)
    hashed_password: str = Field(max_length=255)
    full_name: str | None = Field(default=None, max_length=FULL_NAME_MAX_LENGTH)
    is_active: bool = Field(default=True)
    is_superuser: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
