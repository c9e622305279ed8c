"""What the todos API accepts and returns."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from reference_app.todos.models import (
    DESCRIPTION_MAX_LENGTH,
    MAX_PRIORITY,
    MIN_PRIORITY,
    TITLE_MAX_LENGTH,
)

Title = Annotated[str, Field(min_length=1, max_length=TITLE_MAX_LENGTH)]
Description = Annotated[str, Field(max_length=DESCRIPTION_MAX_LENGTH)]
Priority = Annotated[int, Field(ge=MIN_PRIORITY, le=MAX_PRIORITY, description="0 (none) to 5.")]


class TodoSort(StrEnum):
    """List order; a leading ``-`` means descending."""

    CREATED = "created"
    CREATED_DESC = "-created"
    PRIORITY = "priority"
    PRIORITY_DESC = "-priority"


class TodoCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={"examples": [{"title": "Write the tests", "priority": 3}]},
    )

    title: Title
    description: Description | None = None
    completed: bool = False
    priority: Priority = MIN_PRIORITY


class TodoUpdate(BaseModel):
    """A partial update (PATCH): only the fields sent are changed; ``description`` may be null."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: Title | None = None
    description: Description | None = None
    completed: bool | None = None
    priority: Priority | None = None


class TodoRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    owner_id: uuid.UUID
    title: str
    description: str | None
    completed: bool
    priority: int
    created_at: datetime
    updated_at: datetime
