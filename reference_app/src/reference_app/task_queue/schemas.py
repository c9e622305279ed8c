"""What the jobs API returns."""

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from reference_app.task_queue.models import JobStatus


class JobRead(BaseModel):
    """A job's state; ``result`` is the export once ``status`` is ``done``."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: str
    status: JobStatus
    attempts: int
    created_at: datetime
    finished_at: datetime | None
    expires_at: datetime | None
    error: str | None
    result: dict[str, Any] | None


class DeadLetterRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    task_id: str
    task_name: str
    task_args: list[Any]
    task_kwargs: dict[str, Any]
    error: str
    attempts: int
    failed_at: datetime
    redriven_at: datetime | None
