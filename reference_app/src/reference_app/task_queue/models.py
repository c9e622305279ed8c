"""The jobs tables: job records (exports), dead letters, and sent-email idempotency keys."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from reference_app.core.database import UTCDateTime, utcnow

TASK_NAME_MAX_LENGTH = 200
IDEMPOTENCY_KEY_MAX_LENGTH = 200


class JobStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(SQLModel, table=True):
    """A job a user asked for and may follow (``GET /jobs/{id}``): today, data exports.

    Its id is also the Celery task id. ``result`` holds the export once ``done``; the row is
    removed by the cleanup after ``expires_at``.
    """

    __tablename__ = "jobs"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    kind: str = Field(max_length=50)
    owner_id: uuid.UUID = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    status: str = Field(default=JobStatus.PENDING.value, max_length=20)
    attempts: int = Field(default=0)
    result: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    error: str | None = Field(default=None, sa_type=sa.Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)


class DeadLetter(SQLModel, table=True):
    """A task that kept failing (or failed permanently): what it was, and why it failed.

    A superuser can re-drive it, which enqueues the same task with the same arguments.
    """

    __tablename__ = "dead_letters"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    task_id: str = Field(max_length=255)
    task_name: str = Field(max_length=TASK_NAME_MAX_LENGTH)
    task_args: list[Any] = Field(default_factory=list, sa_type=sa.JSON)
    task_kwargs: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    error: str = Field(sa_type=sa.Text)
    attempts: int
    failed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    redriven_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SentEmail(SQLModel, table=True):
    """One email's idempotency key, e.g. ``welcome:<user id>``.

    A task inserts the key in the transaction that sends the email; a second delivery of the
    same task hits the primary key and sends nothing. ``expires_at`` ``NULL`` keeps the key for
    good (a post is announced once, ever); the cleanup removes expired keys.
    """

    __tablename__ = "sent_emails"

    key: str = Field(primary_key=True, max_length=IDEMPOTENCY_KEY_MAX_LENGTH)
    sent_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
