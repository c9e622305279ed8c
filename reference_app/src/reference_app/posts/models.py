"""The ``posts`` table."""

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from reference_app.core.database import UTCDateTime, utcnow

TITLE_MIN_LENGTH = 3
TITLE_MAX_LENGTH = 200
CONTENT_MAX_LENGTH = 50_000


class Post(SQLModel, table=True):
    __tablename__ = "posts"
    __table_args__ = (sa.Index("ix_posts_published_created_at", "published", "created_at"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    title: str = Field(max_length=TITLE_MAX_LENGTH)
    content: str = Field(sa_type=sa.Text)
    published: bool = Field(default=False)
    author_id: uuid.UUID = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
