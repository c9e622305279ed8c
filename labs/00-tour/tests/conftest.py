"""Lab 0 fixtures: the real app in-process, a client of it, and the student's module."""

from collections.abc import AsyncIterator, Awaitable, Callable
from types import ModuleType
from typing import Any

import pytest
from httpx import AsyncClient
from labsupport.app import API, Account, app_client, make_settings, sign_up
from labsupport.student import import_student

from reference_app.main import create_app

pytest_plugins = ["labsupport.plugin"]


@pytest.fixture
def tour() -> ModuleType:
    """The student's ``lab_tour`` module."""
    return import_student("lab_tour")


@pytest.fixture
async def client(database_url: str) -> AsyncIterator[AsyncClient]:
    """A client of a fresh app, as in the tour: ``create_app`` + lifespan + ASGITransport."""
    async with app_client(create_app(make_settings(database_url))) as http:
        yield http


@pytest.fixture
async def account(client: AsyncClient) -> Account:
    """An account made by the tests themselves, not by the student's code."""
    return await sign_up(client)


@pytest.fixture
def todo(client: AsyncClient) -> Callable[..., Awaitable[dict[str, Any]]]:
    """Add a todo through the app's API, as the tests (not the student's code) do it."""

    async def add(account: Account, title: str, **fields: Any) -> dict[str, Any]:
        body = {"title": title, **fields}
        response = await client.post(f"{API}/todos", json=body, headers=account.headers)
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    return add
