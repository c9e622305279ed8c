"""Alembic on a SQLite file (the app's migrations, plus a student's own), and a look inside.

Alembic finds revisions in ``version_locations``; listing the app's ``versions/`` folder and the
student's side by side lets a student's migration build on the app's history without a file
being copied into the installed app. The app's ``env.py`` runs them on the connection we hand
over (``config.attributes["connection"]``), here a plain synchronous one.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.script import Script, ScriptDirectory

from reference_app.core.database import alembic_config as app_alembic_config


def alembic_config(extra_versions: Path | None = None) -> Config:
    """The app's migration environment, reading revisions from the app and ``extra_versions``."""
    return app_alembic_config([extra_versions] if extra_versions else [])


def sync_engine(database: Path) -> sa.Engine:
    """A synchronous engine on the SQLite file, with foreign keys on as the app has them."""
    engine = sa.create_engine(f"sqlite:///{database}")

    @sa.event.listens_for(engine, "connect")
    def _foreign_keys_on(dbapi_connection: object, _record: object) -> None:
        cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


def _run(action: str, database: Path, revision: str, extra_versions: Path | None) -> None:
    config = alembic_config(extra_versions)
    with _connection(database) as connection:
        config.attributes["connection"] = connection
        getattr(command, action)(config, revision)
        connection.commit()


def upgrade(database: Path, revision: str, extra_versions: Path | None = None) -> None:
    """``alembic upgrade revision`` on the SQLite file ``database`` (created if missing)."""
    _run("upgrade", database, revision, extra_versions)


def downgrade(database: Path, revision: str, extra_versions: Path | None = None) -> None:
    """``alembic downgrade revision`` on the SQLite file ``database``."""
    _run("downgrade", database, revision, extra_versions)


def revisions_in(folder: Path) -> list[Script]:
    """The revisions whose files are in ``folder`` (a student's ``versions/``)."""
    scripts = ScriptDirectory.from_config(alembic_config(folder))
    return [
        script
        for script in scripts.walk_revisions()
        if Path(script.path).resolve().parent == folder.resolve()
    ]


def columns(database: Path, table: str) -> dict[str, dict[str, Any]]:
    """The columns of ``table`` by name, as the database itself reports them."""
    with _connection(database) as connection:
        return {
            column["name"]: dict(column) for column in sa.inspect(connection).get_columns(table)
        }


def indexed_columns(database: Path, table: str) -> list[list[str]]:
    """The column lists of the indexes on ``table``."""
    with _connection(database) as connection:
        indexes = sa.inspect(connection).get_indexes(table)
        return [[str(name) for name in index["column_names"]] for index in indexes]


def rows(database: Path, table: str) -> list[dict[str, Any]]:
    """Every row of ``table``, typed by reflection (a DATE column gives ``date`` objects)."""
    with _connection(database) as connection:
        reflected = sa.Table(table, sa.MetaData(), autoload_with=connection)
        return [dict(row._mapping) for row in connection.execute(sa.select(reflected))]


def execute(database: Path, sql: str, **params: Any) -> None:
    """Run one SQL statement in its own transaction."""
    with _connection(database) as connection:
        connection.execute(sa.text(sql), params)
        connection.commit()


@contextmanager
def _connection(database: Path) -> Iterator[sa.Connection]:
    engine = sync_engine(database)
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()
