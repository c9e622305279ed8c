"""The real app for lab tests: settings, an HTTP client, accounts, and the error shape.

Every test gets its own app from ``create_app`` on its own throwaway SQLite database, talking
over httpx's ASGI transport: no server, no port, and nothing shared between tests.
"""

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient, Response

from reference_app.core.config import Settings

TEST_SECRET_KEY = "lab-secret-key-that-is-long-enough-for-hs256"
DEFAULT_PASSWORD = "correct horse battery"
API = "/api/v1"

SettingsT = TypeVar("SettingsT", bound=Settings)


def make_settings(
    database_url: str, settings_class: type[SettingsT] = Settings, **overrides: object
) -> SettingsT:
    """Test settings that ignore the environment and any ``.env`` file.

    ``model_validate`` skips the environment sources that ``Settings()`` reads. Rate limits are
    off: a test that signs up a few accounts must not be refused for it. The app logs only
    warnings and errors: a failing test then shows the student what went wrong, not a line for
    every request it made.
    """
    values: dict[str, object] = {
        "environment": "test",
        "database_url": database_url,
        "secret_key": TEST_SECRET_KEY,
        "auto_migrate": False,
        "rate_limit_enabled": False,
        "log_level": "WARNING",
        **overrides,
    }
    settings: SettingsT = settings_class.model_validate(values)
    return settings


@asynccontextmanager
async def app_client(app: FastAPI) -> AsyncIterator[AsyncClient]:
    """Start ``app`` (its lifespan) and give an HTTP client talking to it in-process."""
    async with LifespanManager(app):
        transport = ASGITransport(app=app)
        async with AsyncClient(transport=transport, base_url="http://lab") as client:
            yield client


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


async def sign_up(client: AsyncClient, email: str | None = None) -> Account:
    """Create an account through the API and keep its first pair of tokens."""
    email = email or f"student-{uuid.uuid4().hex[:10]}@example.com"
    response = await client.post(
        f"{API}/auth/signup", json={"email": email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    return Account(
        id=body["user"]["id"],
        email=email,
        password=DEFAULT_PASSWORD,
        access_token=body["tokens"]["access_token"],
        refresh_token=body["tokens"]["refresh_token"],
    )


def error_of(response: Response) -> dict[str, Any]:
    """The ``error`` object of a response, asserting the app's one error shape on the way."""
    body = response.json()
    assert set(body) == {"error"}, f"not the app's error shape: {body}"
    error: dict[str, Any] = body["error"]
    assert {"code", "message", "details", "request_id"} <= set(error), error
    return error
