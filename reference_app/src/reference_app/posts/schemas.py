"""What the posts API accepts and returns."""

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from reference_app.api.stored_text import StoredText
from reference_app.posts.models import CONTENT_MAX_LENGTH, TITLE_MAX_LENGTH, TITLE_MIN_LENGTH

Title = Annotated[StoredText, Field(min_length=TITLE_MIN_LENGTH, max_length=TITLE_MAX_LENGTH)]
Content = Annotated[StoredText, Field(max_length=CONTENT_MAX_LENGTH)]


class PostCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {"title": "Hello, FastAPI", "content": "My first post.", "published": True}
            ]
        },
    )

    title: Title
    content: Content = ""
    # Strict: the schema says boolean, so 0, 1 or "true" are refused, not converted.
    published: StrictBool = False


class PostUpdate(BaseModel):
    """A partial update: only the fields sent are changed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: Title | None = None
    content: Content | None = None
    published: StrictBool | None = None


class PostRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    title: str
    content: str
    published: bool
    author_id: uuid.UUID
    created_at: datetime
    updated_at: datetime
