"""Helpers that keep the tests short: sign up an account and use its tokens."""

import uuid
from dataclasses import dataclass
from typing import Any

from httpx import AsyncClient, Response

DEFAULT_PASSWORD = "correct horse battery"


@dataclass
class Account:
    id: str
    email: str
    password: str
    access_token: str
    refresh_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


async def sign_up(
    client: AsyncClient, email: str | None = None, password: str = DEFAULT_PASSWORD
) -> Account:
    email = email or f"user-{uuid.uuid4().hex[:10]}@example.com"
    response = await client.post("/api/v1/auth/signup", json={"email": email, "password": password})
    assert response.status_code == 201, response.text
    body = response.json()
    return Account(
        id=body["user"]["id"],
        email=body["user"]["email"],
        password=password,
        access_token=body["tokens"]["access_token"],
        refresh_token=body["tokens"]["refresh_token"],
    )


def error_code(response: Response) -> Any:
    """The machine-readable code of an error response (asserting the shape on the way)."""
    body = response.json()
    assert set(body) == {"error"}, body
    assert {"code", "message", "details", "request_id"} <= set(body["error"]), body
    return body["error"]["code"]
