"""Test fixtures: every database test runs twice, on SQLite and on PostgreSQL.

Isolation: on SQLite each test gets its own copy of a migrated database file; on PostgreSQL the
run creates its own database (never touching others), migrates it once, and empties every table
after each test. PostgreSQL missing is a skip on a laptop but a failure in CI (``CI`` set) or with
``REQUIRE_SERVICES=1``.
"""

import os
import shutil
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel

import reference_app.models  # noqa: F401  (registers every table)
from reference_app.core.config import Settings
from reference_app.core.database import create_engine, upgrade_database
from reference_app.main import create_app
from reference_app.testing import settings_for_tests

POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_ADMIN_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)


def services_required() -> bool:
    return bool(os.environ.get("CI") or os.environ.get("REQUIRE_SERVICES"))


async def _create_postgres_database() -> str:
    admin = create_async_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"refapp_test_{uuid.uuid4().hex[:12]}"
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
    except (OSError, Exception) as exc:
        message = f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {exc!r}"
        if services_required():
            pytest.fail(message)
        pytest.skip(message)
    finally:
        await admin.dispose()
    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


async def _drop_postgres_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = create_async_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await admin.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
async def migrated_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    """A migrated database for this run: a template file (SQLite) or a database (PostgreSQL)."""
    if request.param == "sqlite":
        template = tmp_path_factory.mktemp("sqlite") / "template.db"
        url = f"sqlite+aiosqlite:///{template}"
    else:
        url = await _create_postgres_database()
    engine = create_engine(settings_for_tests(url))
    await upgrade_database(engine)
    await engine.dispose()
    yield url
    if request.param == "postgresql":
        await _drop_postgres_database(url)


@pytest.fixture
async def database_url(migrated_database: str, tmp_path: Path) -> AsyncIterator[str]:
    """A clean, migrated database for one test."""
    if migrated_database.startswith("sqlite"):
        template = Path(migrated_database.split("///", 1)[1])
        copy = tmp_path / "test.db"
        shutil.copyfile(template, copy)
        yield f"sqlite+aiosqlite:///{copy}"
        return
    yield migrated_database
    engine = create_async_engine(migrated_database)
    tables = ", ".join(table.name for table in SQLModel.metadata.sorted_tables)
    async with engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {tables} CASCADE"))
    await engine.dispose()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return settings_for_tests(database_url)


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    async with LifespanManager(application):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[AsyncClient]:
    transport = ASGITransport(app=app)
    async with AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def require_redis(url: str = TEST_REDIS_URL) -> None:
    """Skip (laptop) or fail (CI) when the real Redis does not answer."""
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        message = f"Redis is not reachable at {url}: {exc!r}"
        if services_required():
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
async def redis_prefix() -> AsyncIterator[str]:
    """A key prefix of this test's own on the real Redis; its keys are deleted afterwards."""
    from redis.asyncio import Redis

    require_redis()
    prefix = f"refapp-test-{uuid.uuid4().hex[:12]}:"
    yield prefix
    client = Redis.from_url(TEST_REDIS_URL)
    keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


@pytest.fixture
def redis_settings(database_url: str, redis_prefix: str) -> Settings:
    """Settings using the real Redis under this test's own key prefix."""
    # Celery's keys too (the broker defaults to redis_url), so the cleanup removes them.
    return settings_for_tests(
        database_url,
        redis_url=TEST_REDIS_URL,
        redis_key_prefix=redis_prefix,
        celery_key_prefix=redis_prefix,
    )


@pytest.fixture
async def redis_apps(redis_settings: Settings) -> AsyncIterator[tuple[AsyncClient, AsyncClient]]:
    """Two app instances sharing one database and one Redis, as behind a load balancer.

    Their near caches keep entries for ten minutes, so that only an invalidation from the other
    instance, never the time limit, can end an entry within a test.
    """
    settings = redis_settings.model_copy(update={"cache_near_ttl_seconds": 600})
    first, second = create_app(settings), create_app(settings)
    async with (
        LifespanManager(first),
        LifespanManager(second),
        AsyncClient(transport=ASGITransport(app=first), base_url="http://a") as client_a,
        AsyncClient(transport=ASGITransport(app=second), base_url="http://b") as client_b,
    ):
        yield client_a, client_b


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """Remove every APP_* variable so settings tests see only what they set."""
    for name in list(os.environ):
        if name.startswith("APP_"):
            monkeypatch.delenv(name)
    return monkeypatch
