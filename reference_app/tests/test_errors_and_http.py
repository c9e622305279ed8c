"""The one error shape, request ids, security headers, CORS, and failure without damage."""

import uuid

import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlmodel import func, select

from reference_app.auth import service as auth_service
from reference_app.core.config import Settings
from reference_app.main import create_app
from reference_app.users.models import User
from tests.conftest import make_settings
from tests.support import DEFAULT_PASSWORD, error_code

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
    app = create_app(make_settings(database_url, cors_origins=["https://app.example"]))
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
        }
    )
    app = create_app(settings)
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
        response = await client.get("/api/v1/health/live")
    assert response.headers["strict-transport-security"].startswith("max-age=")


async def test_database_unreachable_is_a_503_not_a_500() -> None:
    app = create_app(make_settings(UNREACHABLE_POSTGRES, database_timeout_seconds=2))
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
    await app.state.engine.dispose()


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
    async with app.state.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(User)) == 0


async def test_concurrent_duplicate_insert_is_a_409(app: FastAPI, client: AsyncClient) -> None:
    """The unique index is the last line of defence when two sign-ups race."""
    async with app.state.sessionmaker() as session:
        session.add(User(email="race@example.com", hashed_password="x"))
        await session.commit()

    async def duplicate() -> None:
        async with app.state.sessionmaker() as session:
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


async def test_health_probes_when_everything_is_up(client: AsyncClient) -> None:
    health = (await client.get("/api/v1/health")).json()
    assert health["status"] == "healthy"
    assert health["components"]["database"]["status"] == "up"
    assert (await client.get("/api/v1/health/live")).json() == {"status": "alive"}
    assert (await client.get("/api/v1/health/ready")).json() == {"status": "ready"}
