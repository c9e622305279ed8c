"""Lab 7 fixtures: the app with the student's dependency on ``POST /api/v1/posts``.

FastAPI builds a route's dependencies with the route, and the app's routers are shared by every
app in the process, so the lab does not change them. It puts a copy of the app's
``POST /api/v1/posts`` route, with the student's function added to its ``dependencies``, in
front of the app's routes: the router takes the first route that matches, so this copy answers
``POST /api/v1/posts`` and the app's own routers answer everything else.

Rate limiting is on, with a per-address default far above what a test sends, so only the
student's limit can refuse a request.
"""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import pytest
from fastapi import APIRouter, Depends, FastAPI
from fastapi.routing import APIRoute
from httpx import ASGITransport, AsyncClient, Response
from labsupport.app import API, Account, app_client, make_settings, sign_up
from labsupport.student import import_student

from reference_app.main import create_app
from reference_app.posts.routes import router as posts_router

pytest_plugins = ["labsupport.plugin"]

LIMITS_ON = {"rate_limit_enabled": True, "rate_limit_default": "1000/minute"}


def add_dependency(app: FastAPI, dependency: Callable[..., Any]) -> None:
    """Answer ``POST /api/v1/posts`` with the app's route plus ``dependency``."""
    [route] = [
        r
        for r in posts_router.routes
        if isinstance(r, APIRoute) and r.path == "/posts" and r.methods == {"POST"}
    ]
    limited = APIRouter(prefix=API)
    limited.add_api_route(
        route.path,
        route.endpoint,
        methods=["POST"],
        name=route.name,
        response_model=route.response_model,
        status_code=route.status_code,
        dependencies=[*route.dependencies, Depends(dependency)],
    )
    app.include_router(limited)
    app.router.routes.insert(0, app.router.routes.pop())  # first, so it answers first


@pytest.fixture
def make_app(database_url: str) -> Callable[..., FastAPI]:
    """An app (settings ``overrides`` on top of the lab's) with the student's limit on
    ``POST /api/v1/posts``."""

    def make(**overrides: Any) -> FastAPI:
        lab = import_student("lab_post_limit")
        app = create_app(make_settings(database_url, **{**LIMITS_ON, **overrides}))
        add_dependency(app, lab.limit_posts_per_user)
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
