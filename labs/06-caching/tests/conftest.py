"""Lab 6 fixtures: the app with the student's post-cache listener in place of its own.

The app's services name their change listeners (``Services.change_listeners``, see
``reference_app/services.py``); every write request calls them after its commit. The lab puts
the student's listener in place of the app's ``"posts_cache"`` one through the app's one seam —
build the services, replace the listener, hand them to ``create_app``: same cache, same place
in the order (before the event stream), nothing else changed.
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
from reference_app.services import build_services, services_of

pytest_plugins = ["labsupport.plugin"]


@pytest.fixture
def app(database_url: str) -> FastAPI:
    """An app whose post-cache listener is ``lab_post_cache.invalidate_posts``."""
    lab = import_student("lab_post_cache")
    services = build_services(make_settings(database_url))
    services.change_listeners["posts_cache"] = lab.invalidate_posts(services.cache)
    return create_app(services=services)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[AsyncClient]:
    async with app_client(app) as http:
        yield http


@pytest.fixture
def cache(app: FastAPI) -> Cache:
    """The app's cache: ``cache.stats.loads`` counts the reads that went to the database."""
    return services_of(app).cache


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
