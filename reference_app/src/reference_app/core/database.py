"""Database engine, sessions and migrations on async SQLAlchemy.

The engine belongs to one app instance (``create_app`` builds it from settings), so tests and
lessons can run isolated apps side by side. SQLite (aiosqlite) is the zero-service default;
PostgreSQL (asyncpg) is what production runs.
"""

import os
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine.interfaces import DBAPIConnection, Dialect
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry, NullPool
from sqlmodel import SQLModel

from reference_app.core.config import Settings

MIGRATIONS_LOCATION = "reference_app:migrations"
MIGRATION_VERSIONS = Path(__file__).resolve().parent.parent / "migrations" / "versions"

# Named constraints make migrations portable: SQLite's batch mode can only drop a constraint it
# can name, and PostgreSQL's generated names differ between versions.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC: the only kind of datetime the app stores."""
    return datetime.now(UTC)


class UTCDateTime(sa.TypeDecorator[datetime]):
    """A timestamp column that always gives back an aware UTC datetime.

    SQLite has no timezone type and returns naive values while PostgreSQL keeps the zone; storing
    UTC and re-attaching the zone on the way out makes comparisons safe on both. Written by hand
    because the library that did this (SQLAlchemy-Utc) has not been maintained since 2021.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column; use utcnow()")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _configure_sqlite_connection(
    dbapi_connection: DBAPIConnection, connection_record: ConnectionPoolEntry
) -> None:
    """SQLite leaves foreign keys off by default; WAL lets readers work while one writer writes."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_engine(settings: Settings, *, pooled: bool = True) -> AsyncEngine:
    """Build the engine for ``settings.database_url`` with timeouts, so an unreachable database
    makes requests fail fast with a clear error instead of hanging.

    The one engine builder of the app, its worker and its commands. ``pooled=False`` is for a
    job, which runs on an event loop of its own (see ``task_queue/base.py``): a pooled connection
    belongs to the loop that opened it, so a job opens its connections and closes them.
    """
    timeout = settings.database_timeout_seconds
    connect_args: dict[str, Any] = {"timeout": timeout}
    pool_args: dict[str, Any]
    if not pooled:
        pool_args = {"poolclass": NullPool}
    elif settings.is_sqlite:
        # A fixed pool, no overflow: each new SQLite connection starts a thread and takes the
        # file lock for its PRAGMAs, so under load a churning overflow costs more than waiting.
        pool_args = {"pool_size": settings.database_pool_size, "max_overflow": 0}
    else:
        pool_args = {
            "pool_size": settings.database_pool_size,
            "max_overflow": settings.database_max_overflow,
            "pool_pre_ping": True,
        }
    if pooled:
        pool_args["pool_timeout"] = timeout
    if not settings.is_sqlite:
        connect_args["command_timeout"] = timeout * 6
    engine = create_async_engine(settings.database_url, connect_args=connect_args, **pool_args)
    if settings.is_sqlite:
        event.listen(engine.sync_engine, "connect", _configure_sqlite_connection)
    return engine


@asynccontextmanager
async def engine_scope(settings: Settings) -> AsyncIterator[AsyncEngine]:
    """An engine for one piece of work outside the app (a command), disposed of at the end."""
    engine = create_engine(settings)
    try:
        yield engine
    finally:
        await engine.dispose()


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded attributes after commit: async code cannot lazy-load them."""
    return async_sessionmaker(engine, expire_on_commit=False)


async def release_connection(session: AsyncSession) -> None:
    """Give the session's connection back to the pool now, keeping the objects it has loaded.

    For a request that has read what it needs and is about to spend a long time on something
    else: checking a password with Argon2 takes about 100 ms of CPU, on purpose. Held through
    that, the connection is one no other request can have; a burst of logins empties the pool,
    and then every request that needs the database waits for ``database_timeout_seconds`` and
    fails with ``DATABASE_UNAVAILABLE`` while the readiness probe reports the database down,
    although it is idle (measured with 64 concurrent logins against a pool of 10).

    Ending the transaction releases the connection; ``expire_on_commit=False`` keeps loaded
    objects usable, and the session takes a connection again at its next query or commit.
    Nothing may be pending: committing it here would write it before the caller decided to.
    """
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("release_connection() would commit the session's pending changes")
    await session.commit()


async def session_scope(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """One session per request; anything not committed is rolled back when it closes."""
    async with sessionmaker() as session:
        yield session


def alembic_config(extra_versions: Sequence[Path] = ()) -> Config:
    """Alembic configuration pointing at the migrations shipped inside the package.

    ``extra_versions`` are more folders of revisions that build on the app's history (the labs'
    students write theirs there), read side by side with the app's own ``versions/``.
    """
    config = Config()
    config.set_main_option("script_location", MIGRATIONS_LOCATION)
    if extra_versions:
        locations = [MIGRATION_VERSIONS, *extra_versions]
        config.set_main_option("path_separator", "os")
        config.set_main_option("version_locations", os.pathsep.join(map(str, locations)))
    return config


def _run_alembic(connection: sa.Connection, action: str, revision: str) -> None:
    config = alembic_config()
    # env.py uses this connection instead of opening its own (Alembic's "connection sharing").
    config.attributes["connection"] = connection
    getattr(command, action)(config, revision)


async def upgrade_database(engine: AsyncEngine, revision: str = "head") -> None:
    """Apply migrations up to ``revision`` on ``engine``."""
    async with engine.begin() as connection:
        await connection.run_sync(_run_alembic, "upgrade", revision)


async def downgrade_database(engine: AsyncEngine, revision: str = "base") -> None:
    """Revert migrations down to ``revision`` on ``engine``."""
    async with engine.begin() as connection:
        await connection.run_sync(_run_alembic, "downgrade", revision)


async def ping_database(engine: AsyncEngine) -> None:
    """Run ``SELECT 1``; raises if the database cannot be reached."""
    async with engine.connect() as connection:
        await connection.execute(sa.text("SELECT 1"))


def table_names(sync_connection: sa.Connection) -> list[str]:
    """Names of the tables in the connected database (used by tests and lessons)."""
    inspector: Any = sa.inspect(sync_connection)
    return sorted(inspector.get_table_names())
