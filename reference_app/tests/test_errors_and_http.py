"""The one error shape, request ids, security headers, CORS, and failure without damage."""

import gc
import re
import uuid
from typing import Any

import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlmodel import func, select

from reference_app.auth import service as auth_service
from reference_app.core.config import Environment, Settings
from reference_app.main import create_app
from reference_app.services import services_of
from reference_app.testing import settings_for_tests
from reference_app.users.models import User
from tests.support import DEFAULT_PASSWORD, error_code, sign_up

UNREACHABLE_POSTGRES = "postgresql+asyncpg://nobody@127.0.0.1:1/nothing"


async def test_unknown_route_and_wrong_method_use_the_error_shape(client: AsyncClient) -> None:
    missing = await client.get("/api/v1/nope")
    wrong_method = await client.put("/api/v1/posts")
    assert len(missing.headers.get_list("x-request-id")) == 1
    assert (missing.status_code, error_code(missing)) == (404, "NOT_FOUND")
    assert (wrong_method.status_code, error_code(wrong_method)) == (405, "METHOD_NOT_ALLOWED")


async def test_unexpected_exception_is_a_500_without_internals(
    settings: Settings, capfd: pytest.CaptureFixture[str]
) -> None:
    app = create_app(settings)

    async def explode() -> None:
        raise RuntimeError("secret internal detail")

    app.add_api_route("/explode", explode)
    transport = ASGITransport(app=app, raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/explode")
    assert response.status_code == 500
    assert error_code(response) == "INTERNAL_ERROR"
    assert "secret internal detail" not in response.text
    request_id = response.json()["error"]["request_id"]
    assert response.headers["x-request-id"] == request_id
    logged = capfd.readouterr().err
    assert "unhandled_exception" in logged
    assert request_id in logged


async def test_request_id_is_generated_or_kept(client: AsyncClient) -> None:
    generated = await client.get("/api/v1/health/live")
    assert uuid.UUID(generated.headers["x-request-id"])
    given = uuid.uuid4().hex
    kept = await client.get("/api/v1/health/live", headers={"X-Request-ID": given})
    assert kept.headers["x-request-id"] == given
    # An id that is not a UUID (e.g. an attempt to inject text into logs) is replaced.
    injected = await client.get("/api/v1/health/live", headers={"X-Request-ID": "x\nforged"})
    assert injected.headers["x-request-id"] != "x\nforged"


async def test_security_headers(client: AsyncClient) -> None:
    api = await client.get("/api/v1/health/live")
    assert api.headers["x-content-type-options"] == "nosniff"
    assert api.headers["x-frame-options"] == "DENY"
    assert "default-src 'none'" in api.headers["content-security-policy"]
    assert "strict-transport-security" not in api.headers
    docs = await client.get("/docs")
    assert "content-security-policy" not in docs.headers


async def test_cors_allows_only_configured_origins(database_url: str) -> None:
    app = create_app(settings_for_tests(database_url, cors_origins=["https://app.example"]))
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        allowed = await client.options(
            "/api/v1/posts",
            headers={"Origin": "https://app.example", "Access-Control-Request-Method": "GET"},
        )
        refused = await client.get(
            "/api/v1/health/live", headers={"Origin": "https://evil.example"}
        )
    assert allowed.headers["access-control-allow-origin"] == "https://app.example"
    assert "access-control-allow-origin" not in refused.headers


async def test_hsts_in_production() -> None:
    settings = Settings.model_validate(
        {
            "environment": "production",
            "secret_key": "p" * 40,
            "database_url": UNREACHABLE_POSTGRES,
            "cors_origins": ["https://app.example"],
            "metrics_bearer_token": "m" * 32,
        }
    )
    app = create_app(settings)
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        response = await client.get("/api/v1/health/live")
    assert response.headers["strict-transport-security"].startswith("max-age=")


async def test_database_unreachable_is_a_503_not_a_500() -> None:
    app = create_app(settings_for_tests(UNREACHABLE_POSTGRES, database_timeout_seconds=2))
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        listing = await client.get("/api/v1/posts")
        signup = await client.post(
            "/api/v1/auth/signup", json={"email": "a@example.com", "password": DEFAULT_PASSWORD}
        )
        ready = await client.get("/api/v1/health/ready")
        health = await client.get("/api/v1/health")
    assert (listing.status_code, error_code(listing)) == (503, "DATABASE_UNAVAILABLE")
    assert (signup.status_code, error_code(signup)) == (503, "DATABASE_UNAVAILABLE")
    assert (ready.status_code, error_code(ready)) == (503, "NOT_READY")
    assert health.status_code == 200
    assert health.json()["status"] == "degraded"
    assert health.json()["components"]["database"]["status"] == "down"
    await services_of(app).engine.dispose()


async def test_failed_signup_leaves_no_half_written_user(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail_to_issue(*args: object, **kwargs: object) -> None:
        raise RuntimeError("token service broke")

    monkeypatch.setattr(auth_service, "_issue_tokens", fail_to_issue)
    transport = ASGITransport(app=app, raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.post(
            "/api/v1/auth/signup", json={"email": "half@example.com", "password": DEFAULT_PASSWORD}
        )
    assert response.status_code == 500
    async with services_of(app).sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(User)) == 0


async def test_concurrent_duplicate_insert_is_a_409(app: FastAPI, client: AsyncClient) -> None:
    """The unique index is the last line of defence when two sign-ups race."""
    async with services_of(app).sessionmaker() as session:
        session.add(User(email="race@example.com", hashed_password="x"))
        await session.commit()

    async def duplicate() -> None:
        async with services_of(app).sessionmaker() as session:
            session.add(User(email="race@example.com", hashed_password="y"))
            await session.commit()

    app.add_api_route("/race", duplicate, methods=["POST"])
    response = await client.post("/race")
    assert (response.status_code, error_code(response)) == (409, "CONFLICT")


async def test_startup_probe_reports_until_lifespan_has_run(settings: Settings) -> None:
    app = create_app(settings)
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        before = await client.get("/api/v1/health/startup")
        async with LifespanManager(app):
            after = await client.get("/api/v1/health/startup")
    assert (before.status_code, error_code(before)) == (503, "NOT_STARTED")
    assert after.status_code == 200


async def test_a_started_app_hides_its_startup_objects_from_the_collector(
    settings: Settings,
) -> None:
    """With ``APP_GC_FREEZE_AFTER_STARTUP`` (on in production) the objects alive after start-up
    are frozen, so full collections skip them; the app gives them back when it stops."""
    assert gc.get_freeze_count() == 0
    app = create_app(settings.model_copy(update={"gc_freeze_after_startup": True}))
    async with LifespanManager(app):
        frozen = gc.get_freeze_count()
        assert frozen > 10_000  # modules, classes, routes, models: most of what gc tracks
        assert len(gc.get_objects()) < frozen
    assert gc.get_freeze_count() == 0
    async with LifespanManager(create_app(settings)):  # off outside production
        assert gc.get_freeze_count() == 0
    assert not settings.should_freeze_startup_objects
    assert settings.model_copy(
        update={"environment": Environment.PRODUCTION}
    ).should_freeze_startup_objects


async def test_health_probes_when_everything_is_up(client: AsyncClient) -> None:
    health = (await client.get("/api/v1/health")).json()
    assert health["status"] == "healthy"
    assert health["components"]["database"]["status"] == "up"
    assert (await client.get("/api/v1/health/live")).json() == {"status": "alive"}
    assert (await client.get("/api/v1/health/ready")).json() == {"status": "ready"}


NUL = "\x00"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/v1/posts", {"title": f"A{NUL}title"}),
        ("POST", "/api/v1/posts", {"title": "A title", "content": f"a{NUL}b"}),
        ("PATCH", "/api/v1/posts/{post_id}", {"content": f"a{NUL}b"}),
        ("POST", "/api/v1/todos", {"title": f"a{NUL}b"}),
        ("POST", "/api/v1/todos", {"title": "A task", "description": f"a{NUL}b"}),
        ("PATCH", "/api/v1/todos/{todo_id}", {"description": f"a{NUL}b"}),
        ("PATCH", "/api/v1/users/{user_id}", {"full_name": f"a{NUL}b"}),
        (
            "POST",
            "/api/v1/auth/signup",
            {"email": "nul@example.com", "password": DEFAULT_PASSWORD, "full_name": f"a{NUL}b"},
        ),
    ],
)
async def test_nul_in_any_stored_text_is_a_422(
    client: AsyncClient, method: str, path: str, body: dict[str, str]
) -> None:
    """PostgreSQL cannot store NUL (U+0000): its driver refused the statement, a 500 there,
    while SQLite stored the text. Both databases now get the same 422 before any SQL runs."""
    account = await sign_up(client)
    post = await client.post("/api/v1/posts", headers=account.headers, json={"title": "A title"})
    todo = await client.post("/api/v1/todos", headers=account.headers, json={"title": "A task"})
    url = path.format(post_id=post.json()["id"], todo_id=todo.json()["id"], user_id=account.id)
    response = await client.request(method, url, headers=account.headers, json=body)
    assert (response.status_code, error_code(response)) == (422, "VALIDATION_ERROR")


def json_body_operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """``(method, path, operation)`` for each operation of an OpenAPI document that takes JSON."""
    return [
        (method.upper(), path, operation)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if "application/json" in operation.get("requestBody", {}).get("content", {})
    ]


NESTED_1000_DEEP = b"[" * 1000 + b"]" * 1000  # 2 KB


@pytest.mark.parametrize(
    "body",
    [NESTED_1000_DEEP, b'{"email": ' + NESTED_1000_DEEP + b"}", b'{"email": "\xff"}'],
    ids=["nested-1000-deep", "nested-in-a-field", "not-utf-8"],
)
async def test_a_body_that_cannot_be_parsed_is_a_documented_4xx_on_every_json_route(
    client: AsyncClient, body: bytes
) -> None:
    """JSON nested deeper than Python's recursion limit makes ``json.loads`` raise
    RecursionError: on login, the one route that parses its own body, that was a 500 for 2 KB
    sent without an account. FastAPI answers 400 for the other routes; bytes that are not UTF-8
    (found by Schemathesis) get that 400 too, which the schema did not list."""
    document = (await client.get("/openapi.json")).json()
    operations = json_body_operations(document)
    assert {("POST", "/api/v1/auth/login"), ("POST", "/api/v1/posts")} <= {
        (method, path) for method, path, _ in operations
    }
    for method, path, operation in operations:
        url = re.sub(r"\{\w+\}", str(uuid.uuid4()), path)  # any id: the body is read first
        response = await client.request(
            method, url, content=body, headers={"Content-Type": "application/json"}
        )
        assert response.status_code in (400, 422), f"{method} {path}: {response.text}"
        assert error_code(response)
        assert str(response.status_code) in operation["responses"], f"{method} {path}"
