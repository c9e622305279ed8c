"""Alembic environment: migrations run on the app's async engine.

Two ways in: ``alembic upgrade head`` from the command line (reads ``APP_DATABASE_URL``), or the
app itself handing over an open connection (``config.attributes["connection"]``, see
``reference_app.core.database.upgrade_database``).
"""

import asyncio

from alembic import context
from sqlalchemy import Connection, pool
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel

import reference_app.models  # noqa: F401  (registers every table on SQLModel.metadata)
from reference_app.core.config import get_settings

target_metadata = SQLModel.metadata


def _database_url() -> str:
    return context.config.get_main_option("sqlalchemy.url") or get_settings().database_url


def _configure_and_run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_with_own_engine() -> None:
    engine = create_async_engine(_database_url(), poolclass=pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(_configure_and_run)
        await connection.commit()
    await engine.dispose()


def run_migrations_offline() -> None:
    """Emit SQL to stdout instead of running it (``alembic upgrade head --sql``)."""
    context.configure(
        url=_database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    shared_connection = context.config.attributes.get("connection")
    if shared_connection is None:
        asyncio.run(_run_with_own_engine())
    else:
        _configure_and_run(shared_connection)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
