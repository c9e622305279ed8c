"""What the users API accepts and returns. The password hash never leaves the server."""

import uuid
from datetime import datetime
from typing import Annotated, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, model_validator
from pydantic.config import JsonDict
from pydantic_core import PydanticCustomError

from reference_app.api.stored_text import StoredText
from reference_app.users.models import FULL_NAME_MAX_LENGTH
from reference_app.users.password_policy import refuse_common_password

PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 128  # bounds the hashing work a single request can demand

Email = Annotated[EmailStr, AfterValidator(str.lower)]
Password = Annotated[
    str,
    Field(
        min_length=PASSWORD_MIN_LENGTH,
        max_length=PASSWORD_MAX_LENGTH,
        description="Not one of the most common passwords (see users/password_policy.py).",
    ),
    AfterValidator(refuse_common_password),
]
FullName = Annotated[StoredText, Field(min_length=1, max_length=FULL_NAME_MAX_LENGTH)]


CREDENTIALS_EXAMPLE: JsonDict = {"email": "ada@example.com", "password": "correct horse battery"}
"""The example the API docs show for a sign-up and a login body."""


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [CREDENTIALS_EXAMPLE]})

    email: Email
    password: Password
    full_name: FullName | None = None


# In JSON Schema (``dependentSchemas``): a body with this property needs a current_password too.
_NEEDS_CURRENT_PASSWORD: JsonDict = {
    "required": ["current_password"],
    "properties": {"current_password": {"type": "string"}},
}


class UserUpdate(BaseModel):
    """Fields a user may change on their own profile; omitted fields stay as they are.

    A body that names ``email`` or ``password`` (even as ``null``) also needs ``current_password``:
    the password of whoever sends the request (a superuser editing someone else gives their own).
    An access token alone, copied from a browser or a log, then cannot take the account over.
    ``dependentSchemas`` says the same in the OpenAPI document.
    """

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"full_name": "Ada Lovelace"},
                {"password": "a new passphrase", "current_password": "correct horse battery"},
            ],
            "dependentSchemas": {
                "email": _NEEDS_CURRENT_PASSWORD,
                "password": _NEEDS_CURRENT_PASSWORD,
            },
        },
    )

    email: Email | None = None
    password: Password | None = None
    full_name: FullName | None = None
    current_password: str | None = Field(default=None, min_length=1, max_length=PASSWORD_MAX_LENGTH)

    @model_validator(mode="after")
    def _require_current_password(self) -> Self:
        names_credentials = bool({"email", "password"} & self.model_fields_set)
        if names_credentials and self.current_password is None:
            raise PydanticCustomError(
                "current_password_required",
                "current_password is required to change the email or the password",
            )
        return self


class UserPublic(BaseModel):
    """What any signed-in user may see of another: no email, no account flags."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    full_name: str | None
    created_at: datetime


class UserRead(BaseModel):
    """The whole profile: for the user themselves and for superusers."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    full_name: str | None
    is_active: bool
    is_superuser: bool
    created_at: datetime
    updated_at: datetime
