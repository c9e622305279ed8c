"""What the auth API accepts and returns."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from reference_app.users.schemas import CREDENTIALS_EXAMPLE, Email, Password, UserRead

_MAX_TOKEN_LENGTH = 4096


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [CREDENTIALS_EXAMPLE]})

    email: Email
    # No minimum here: a login with a short password is simply wrong, not malformed.
    password: str = Field(min_length=1, max_length=128)


class RefreshRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    refresh_token: str = Field(min_length=1, max_length=_MAX_TOKEN_LENGTH)


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds until the access token expires.")


class SignupResponse(BaseModel):
    user: UserRead
    tokens: TokenPair


class PasswordResetRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"email": "ada@example.com"}]}
    )

    email: Email


class PasswordResetConfirm(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=1, max_length=_MAX_TOKEN_LENGTH)
    new_password: Password


class Accepted(BaseModel):
    message: str
