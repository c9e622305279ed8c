"""PostgreSQL refusing connections: every request gets a retryable 503, never a 500 or a drop.

The test owns its database and a role that is not a superuser (superusers ignore connection
limits). Mid-traffic it sets the database's connection limit to 0 and terminates every backend,
as an operator (or a full ``max_connections``) would; asyncpg then reports "too many
connections" (SQLSTATE 53300) as a plain ``DBAPIError``. Served by uvicorn on loopback, so a
dropped connection would show as a transport error.
"""

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from reference_app.core.database import create_engine, upgrade_database
from reference_app.core.errors import RETRY_AFTER_SECONDS, is_database_unavailable
from reference_app.main import create_app
from reference_app.testing import settings_for_tests
from tests.conftest import POSTGRES_ADMIN_URL, services_required
from tests.load import record_figures, run_load
from tests.support import error_code, serve, sign_up

REQUESTS = 300
CONCURRENCY = 16
DATABASE_TIMEOUT_SECONDS = 2
# A refusal is answered, not left hanging: every request within twice the database timeout,
# a bound any machine meets. The target (p99 under 1.5 s; measured 0.2-0.4 s on 2 cores) is
# bench/reliability.py's to measure: a timed target in a unit test fails on a slow CI machine.
P99_LIMIT_MS = 2 * DATABASE_TIMEOUT_SECONDS * 1000


@dataclass
class OwnDatabase:
    admin: AsyncEngine
    name: str
    role: str

    @property
    def url(self) -> str:
        return POSTGRES_ADMIN_URL.rsplit("/", 1)[0].replace("postgres@", f"{self.role}@") + (
            f"/{self.name}"
        )

    async def refuse_connections(self) -> None:
        async with self.admin.connect() as connection:
            await connection.execute(text(f'ALTER DATABASE "{self.name}" CONNECTION LIMIT 0'))
            await connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": self.name},
            )

    async def accept_connections(self) -> None:
        async with self.admin.connect() as connection:
            await connection.execute(text(f'ALTER DATABASE "{self.name}" CONNECTION LIMIT -1'))


@pytest.fixture
async def own_database() -> AsyncIterator[OwnDatabase]:
    admin = create_async_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    suffix = uuid.uuid4().hex[:10]
    database = OwnDatabase(admin, name=f"refapp_fault_{suffix}", role=f"refapp_fault_{suffix}")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE ROLE "{database.role}" LOGIN'))
            await connection.execute(
                text(f'CREATE DATABASE "{database.name}" OWNER "{database.role}"')
            )
    except (OSError, DBAPIError) as exc:
        await admin.dispose()
        message = f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {exc!r}"
        if services_required():
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield database
    finally:
        async with admin.connect() as connection:
            await connection.execute(
                text(f'DROP DATABASE IF EXISTS "{database.name}" WITH (FORCE)')
            )
            await connection.execute(text(f'DROP ROLE IF EXISTS "{database.role}"'))
        await admin.dispose()


async def test_refused_connections_answer_503_with_retry_after(own_database: OwnDatabase) -> None:
    settings = settings_for_tests(
        own_database.url,
        cache_enabled=False,
        rate_limit_enabled=False,
        database_timeout_seconds=DATABASE_TIMEOUT_SECONDS,
    )
    engine = create_engine(settings)
    await upgrade_database(engine)
    await engine.dispose()
    app = create_app(settings)

    async with serve(app) as server:
        async with httpx.AsyncClient(base_url=server.url) as client:
            await sign_up(client)  # the database works before the fault

        async def list_posts(client: httpx.AsyncClient) -> httpx.Response:
            return await client.get("/api/v1/posts")

        refused = asyncio.Event()

        async def refuse_after_a_while() -> None:
            await asyncio.sleep(0.2)
            await own_database.refuse_connections()
            refused.set()

        result = await run_load(
            server.url,
            list_posts,
            total=REQUESTS,
            concurrency=CONCURRENCY,
            during=refuse_after_a_while,
        )
        assert refused.is_set()
        record_figures(
            "PostgreSQL refuses connections mid-traffic",
            result,
            unavailable_503=result.statuses.count(503),
        )
        assert result.failed == 0, (result.transport_errors, sorted(set(result.statuses)))
        assert set(result.statuses) <= {200, 503}
        assert result.statuses.count(503) > 0
        assert result.p99_ms < P99_LIMIT_MS

        async with httpx.AsyncClient(base_url=server.url) as client:
            refused_read = await client.get("/api/v1/posts")
            assert refused_read.status_code == 503
            assert error_code(refused_read) == "DATABASE_UNAVAILABLE"
            assert refused_read.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
            ready = await client.get("/api/v1/health/ready")
            assert ready.status_code == 503
            assert ready.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)

            await own_database.accept_connections()
            recovered = await client.get("/api/v1/posts")
            assert recovered.status_code == 200, recovered.text


class _DriverError(Exception):
    def __init__(self, sqlstate: str | None) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("sqlstate", "invalidated", "unavailable"),
    [
        ("53300", False, True),  # too many connections
        ("57P01", False, True),  # terminating connection due to administrator command
        ("08006", False, True),  # connection failure
        (None, True, True),  # the driver dropped the connection
        ("42P01", False, False),  # undefined table: a bug, stays a 500
        (None, False, False),
    ],
)
def test_driver_errors_are_classified_by_sqlstate(
    sqlstate: str | None, invalidated: bool, unavailable: bool
) -> None:
    error = DBAPIError("SELECT 1", None, _DriverError(sqlstate), connection_invalidated=invalidated)
    assert is_database_unavailable(error) is unavailable
