"""Lab 7 fixtures: the app with the student's dependency in place of its own per-author limit.

The app declares ``POST /api/v1/posts`` with ``Depends(limit_posts_per_author)``. The lab puts
the student's ``limit_posts_per_user`` in its place with ``app.dependency_overrides``, FastAPI's
own seam for dependencies: every other route and dependency stays the app's.

Rate limiting is on, with a per-address default far above what a test sends, so only the
student's limit can refuse a request.
"""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient, Response
from labsupport.app import API, Account, app_client, make_settings, sign_up
from labsupport.student import import_student

from reference_app.main import create_app
from reference_app.posts.limits import limit_posts_per_author

pytest_plugins = ["labsupport.plugin"]

LIMITS_ON = {"rate_limit_enabled": True, "rate_limit_default": "1000/minute"}


@pytest.fixture
def make_app(database_url: str) -> Callable[..., FastAPI]:
    """An app (settings ``overrides`` on top of the lab's) with the student's limit on
    ``POST /api/v1/posts``."""

    def make(**overrides: Any) -> FastAPI:
        lab = import_student("lab_post_limit")
        app = create_app(make_settings(database_url, **{**LIMITS_ON, **overrides}))
        app.dependency_overrides[limit_posts_per_author] = lab.limit_posts_per_user
        return app

    return make


@pytest.fixture
def app(make_app: Callable[..., FastAPI]) -> FastAPI:
    return make_app()


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[AsyncClient]:
    """A client of the app, from the client address 127.0.0.1."""
    async with app_client(app) as http:
        yield http


@pytest.fixture
def client_from(
    app: FastAPI, client: AsyncClient
) -> Callable[[str], AbstractAsyncContextManager[AsyncClient]]:
    """Another client of the same (started) app, from the client address ``address``."""

    def make(address: str) -> AbstractAsyncContextManager[AsyncClient]:
        transport = ASGITransport(app=app, client=(address, 50000))
        return AsyncClient(transport=transport, base_url="http://lab")

    return make


@pytest.fixture
def serve(make_app: Callable[..., FastAPI]) -> Callable[..., AbstractAsyncContextManager[Any]]:
    """Start another app, with settings ``overrides``; yields a client of it."""

    @asynccontextmanager
    async def serve(**overrides: Any) -> AsyncIterator[AsyncClient]:
        async with app_client(make_app(**overrides)) as http:
            yield http

    return serve


@pytest.fixture
async def author(client: AsyncClient) -> Account:
    return await sign_up(client)


@pytest.fixture
def write() -> Callable[..., Awaitable[Response]]:
    """``POST /api/v1/posts`` as ``author``, through ``http``."""

    async def write(http: AsyncClient, author: Account, title: str = "A post") -> Response:
        body = {"title": title, "content": "Body.", "published": True}
        return await http.post(f"{API}/posts", json=body, headers=author.headers)

    return write
