"""Migrations: upgrade and downgrade on both databases, and they match the models."""

import asyncio
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection
from sqlmodel import SQLModel

from reference_app.core.database import (
    alembic_config,
    create_engine,
    downgrade_database,
    table_names,
    upgrade_database,
)
from reference_app.testing import settings_for_tests

APP_TABLES = [
    "dead_letters",
    "jobs",
    "password_reset_tokens",
    "posts",
    "refresh_tokens",
    "revoked_access_tokens",
    "sent_emails",
    "todos",
    "users",
]


def _schema_differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, SQLModel.metadata))


async def test_upgrade_head_matches_the_models_and_downgrade_base_removes_all(
    migrated_database: str, tmp_path: Path
) -> None:
    if migrated_database.startswith("sqlite"):
        url = f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
        engine = create_engine(settings_for_tests(url))
        await upgrade_database(engine)
    else:
        # The run's PostgreSQL database is already at head; walk it down and up again.
        engine = create_engine(settings_for_tests(migrated_database))
    try:
        async with engine.connect() as connection:
            assert set(APP_TABLES) <= set(await connection.run_sync(table_names))
            assert await connection.run_sync(_schema_differences) == []

        await downgrade_database(engine)
        async with engine.connect() as connection:
            assert await connection.run_sync(table_names) == ["alembic_version"]

        await upgrade_database(engine)
        async with engine.connect() as connection:
            assert set(APP_TABLES) <= set(await connection.run_sync(table_names))
    finally:
        await engine.dispose()


async def test_alembic_command_line_path_and_offline_sql(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``alembic upgrade head`` opens its own engine; ``--sql`` prints the DDL instead."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    config = alembic_config()
    config.set_main_option("sqlalchemy.url", url)
    await asyncio.to_thread(command.upgrade, config, "head")
    engine = create_engine(settings_for_tests(url))
    async with engine.connect() as connection:
        assert set(APP_TABLES) <= set(await connection.run_sync(table_names))
    await engine.dispose()

    await asyncio.to_thread(command.upgrade, config, "head", sql=True)
    assert "CREATE TABLE users" in capsys.readouterr().out
