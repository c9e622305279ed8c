"""What the todos API accepts and returns."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool
from pydantic_core import PydanticCustomError

from reference_app.api.stored_text import StoredText
from reference_app.todos.models import (
    DESCRIPTION_MAX_LENGTH,
    MAX_PRIORITY,
    MIN_PRIORITY,
    TITLE_MAX_LENGTH,
)

Title = Annotated[StoredText, Field(min_length=1, max_length=TITLE_MAX_LENGTH)]
Description = Annotated[StoredText, Field(max_length=DESCRIPTION_MAX_LENGTH)]


def _refuse_bool_and_text(value: object) -> object:
    """Keep pydantic from converting what the schema's ``integer`` excludes.

    JSON Schema's integer includes ``3.0`` (pydantic accepts that too) but not ``true`` or
    ``"3"``, which pydantic would otherwise turn into 1 and 3. ``StrictInt`` would refuse
    ``3.0`` as well, so it cannot be used here.
    """
    if isinstance(value, bool | str):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


# The validator comes after Field: placed before, it would hide ge/le from the OpenAPI schema.
Priority = Annotated[
    int,
    Field(ge=MIN_PRIORITY, le=MAX_PRIORITY, description="0 (none) to 5."),
    BeforeValidator(_refuse_bool_and_text),
]


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
    # Strict: the schema says boolean, so 0, 1 or "true" are refused, not converted.
    completed: StrictBool = False
    priority: Priority = MIN_PRIORITY


class TodoUpdate(BaseModel):
    """A partial update (PATCH): only the fields sent are changed; ``description`` may be null."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: Title | None = None
    description: Description | None = None
    completed: StrictBool | None = None
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
