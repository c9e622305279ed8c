"""Drive the app from a test: settings, the app in-process, accounts, and the error shape.

One harness for the app's own tests, the labs' tests and the lessons, so that all three drive
the app the same way — and a change to sign-up or to the error shape is made once. It needs
httpx and asgi-lifespan (``pip install reference-app[testing]``; the dev group has them).

A typical test::

    app = create_app(settings_for_tests("sqlite+aiosqlite:///./test.db", auto_migrate=True))
    async with app_client(app) as client:
        ada = await sign_up(client)
        response = await client.get("/api/v1/users/me", headers=ada.headers)

``app_client`` runs the app's lifespan and talks to it through httpx's ASGI transport: no
server, no port. A test that needs a real socket (a live event stream) serves the app with
uvicorn instead.
"""

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient, Response

from reference_app.core.config import API_PREFIX, Settings

TEST_SECRET_KEY = "test-secret-key-that-is-long-enough-for-hs256"
DEFAULT_PASSWORD = "correct horse battery"


def settings_values(database_url: str, **overrides: object) -> dict[str, object]:
    """The values of test settings, for a ``Settings`` subclass with settings of its own (labs
    add some): ``LabSettings.model_validate(settings_values(url))``."""
    return {
        "environment": "test",
        "database_url": database_url,
        "secret_key": TEST_SECRET_KEY,
        "auto_migrate": False,
        **overrides,
    }


def settings_for_tests(database_url: str, **overrides: object) -> Settings:
    """Settings for a test: the test environment, a fixed key, and nothing from the machine.

    ``model_validate`` skips the sources ``Settings()`` reads (``APP_*`` variables, ``.env``),
    so a developer's shell cannot change what a test sees. Migrations are left to the caller
    (``auto_migrate=True`` runs them at start-up).
    """
    return Settings.model_validate(settings_values(database_url, **overrides))


@asynccontextmanager
async def app_client(
    app: FastAPI, base_url: str = "http://testserver"
) -> AsyncIterator[AsyncClient]:
    """Start ``app`` (its lifespan: migrations, connections) and give a client that calls it."""
    async with (
        LifespanManager(app),
        AsyncClient(transport=ASGITransport(app=app), base_url=base_url) as client,
    ):
        yield client


@dataclass
class Account:
    """A signed-up account and its first pair of tokens."""

    id: str
    email: str
    password: str
    access_token: str
    refresh_token: str

    @property
    def headers(self) -> dict[str, str]:
        """The headers that authenticate a request as this account."""
        return {"Authorization": f"Bearer {self.access_token}"}


async def sign_up(
    client: AsyncClient, email: str | None = None, password: str = DEFAULT_PASSWORD
) -> Account:
    """Create an account through the API (a fresh address unless one is given)."""
    email = email or f"user-{uuid.uuid4().hex[:10]}@example.com"
    response = await client.post(
        f"{API_PREFIX}/auth/signup", json={"email": email, "password": password}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    return Account(
        id=body["user"]["id"],
        email=body["user"]["email"],
        password=password,
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
