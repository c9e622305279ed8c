"""Lab 6 fixtures: the app with the student's post-cache listener in place of its own.

``create_app`` subscribes its change listeners in ``app.state.change_listeners``, a list that
every write request reads (``get_notifier``). The lab swaps the app's ``invalidate_posts``
listener for the student's before the app starts: same cache, same position in the list (before
the event broker), nothing else changed.
"""

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient, Response
from labsupport.app import API, Account, app_client, make_settings, sign_up
from labsupport.student import import_student

from reference_app.caching.cache import Cache
from reference_app.main import create_app

pytest_plugins = ["labsupport.plugin"]

APP_LISTENER = "invalidate_posts.<locals>.on_change"


@pytest.fixture
def app(database_url: str) -> FastAPI:
    """An app whose post-cache listener is ``lab_post_cache.invalidate_posts``."""
    lab = import_student("lab_post_cache")
    app = create_app(make_settings(database_url))
    listeners = app.state.change_listeners
    [index] = [i for i, f in enumerate(listeners) if f.__qualname__ == APP_LISTENER]
    listeners[index] = lab.invalidate_posts(app.state.cache)
    return app


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[AsyncClient]:
    async with app_client(app) as http:
        yield http


@pytest.fixture
def cache(app: FastAPI) -> Cache:
    """The app's cache: ``cache.stats.loads`` counts the reads that went to the database."""
    cache: Cache = app.state.cache
    return cache


@pytest.fixture
async def author(client: AsyncClient) -> Account:
    return await sign_up(client)


@pytest.fixture
def write(client: AsyncClient) -> Callable[..., Awaitable[str]]:
    """Write a post through the API; returns its id."""

    async def write(author: Account, title: str, *, published: bool = True) -> str:
        body = {"title": title, "content": "Body.", "published": published}
        response = await client.post(f"{API}/posts", json=body, headers=author.headers)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    return write


@pytest.fixture
def edit(client: AsyncClient) -> Callable[..., Awaitable[None]]:
    """Change a post through the API (``PATCH``), e.g. ``title=...`` or ``published=False``."""

    async def edit(author: Account, post_id: str, **changes: Any) -> None:
        response = await client.patch(
            f"{API}/posts/{post_id}", json=changes, headers=author.headers
        )
        assert response.status_code == 200, response.text

    return edit


@pytest.fixture
def delete(client: AsyncClient) -> Callable[..., Awaitable[None]]:
    async def delete(author: Account, post_id: str) -> None:
        response = await client.delete(f"{API}/posts/{post_id}", headers=author.headers)
        assert response.status_code == 204, response.text

    return delete


@pytest.fixture
def read(client: AsyncClient) -> Callable[..., Awaitable[Response]]:
    """``GET /posts/{id}`` (cached under ``post:{id}``), anonymously or as ``viewer``."""

    async def read(post_id: str, viewer: Account | None = None) -> Response:
        headers = viewer.headers if viewer else {}
        return await client.get(f"{API}/posts/{post_id}", headers=headers)

    return read


@pytest.fixture
def public_titles(client: AsyncClient) -> Callable[[], Awaitable[list[str]]]:
    """The titles on the first page of the public list (cached under the list's generation)."""

    async def titles() -> list[str]:
        response = await client.get(f"{API}/posts")
        assert response.status_code == 200, response.text
        return [post["title"] for post in response.json()["items"]]

    return titles
