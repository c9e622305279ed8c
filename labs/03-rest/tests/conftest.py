"""Lab 3 fixtures: the app from ``create_app`` with the student's router mounted on it."""

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from httpx import AsyncClient, Response
from labsupport.app import API, Account, app_client, make_settings, sign_up
from labsupport.student import import_student

from reference_app.main import create_app

pytest_plugins = ["labsupport.plugin"]


@pytest.fixture
async def client(database_url: str) -> AsyncIterator[AsyncClient]:
    """A client of the app with ``lab_search.router`` mounted under ``/api/v1``."""
    lab = import_student("lab_search")
    app = create_app(make_settings(database_url))
    app.include_router(lab.router, prefix=API)
    async with app_client(app) as http:
        yield http


@pytest.fixture
async def author(client: AsyncClient) -> Account:
    return await sign_up(client)


@pytest.fixture
def write(client: AsyncClient) -> Callable[..., Awaitable[dict[str, Any]]]:
    """Write a post through the app's own API."""

    async def write(
        account: Account, title: str, content: str = "", published: bool = True
    ) -> dict[str, Any]:
        body = {"title": title, "content": content, "published": published}
        response = await client.post(f"{API}/posts", json=body, headers=account.headers)
        assert response.status_code == 201, response.text
        post: dict[str, Any] = response.json()
        return post

    return write


@pytest.fixture
def search(client: AsyncClient) -> Callable[..., Awaitable[Response]]:
    """``GET /api/v1/lab/posts/search`` with the given query parameters."""

    async def search(**params: Any) -> Response:
        return await client.get(f"{API}/lab/posts/search", params=params)

    return search


@pytest.fixture
def found(
    search: Callable[..., Awaitable[Response]],
) -> Callable[..., Awaitable[list[str]]]:
    """The titles a successful search returns, in order."""

    async def found(**params: Any) -> list[str]:
        response = await search(**params)
        assert response.status_code == 200, f"{response.status_code}: {response.text}"
        return [post["title"] for post in response.json()["items"]]

    return found
