"""The ``todos`` table."""

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from reference_app.core.database import UTCDateTime, utcnow

TITLE_MAX_LENGTH = 100
DESCRIPTION_MAX_LENGTH = 500
MIN_PRIORITY = 0
MAX_PRIORITY = 5


class Todo(SQLModel, table=True):
    __tablename__ = "todos"
    __table_args__ = (
        sa.CheckConstraint(
            f"priority >= {MIN_PRIORITY} AND priority <= {MAX_PRIORITY}",
            name="priority_range",
        ),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    owner_id: uuid.UUID = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    title: str = Field(max_length=TITLE_MAX_LENGTH)
    description: str | None = Field(default=None, max_length=DESCRIPTION_MAX_LENGTH)
    completed: bool = Field(default=False)
    priority: int = Field(default=MIN_PRIORITY)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
