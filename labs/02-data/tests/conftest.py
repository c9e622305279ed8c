"""Lab 2 fixtures: a throwaway SQLite file with the app's migrations plus the student's.

The tests run Alembic, then look at the database itself: no autogenerate, which would (rightly)
report that the app's models have no due date.
"""

import uuid
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from labsupport import migrations
from labsupport.student import import_student

pytest_plugins = ["labsupport.plugin"]

INITIAL = "0001_initial_schema"
TIMESTAMP = "2026-12-01 09:00:00.000000"


class TodoDatabase:
    """One SQLite file, migrated with the app's history plus the student's ``versions/``."""

    def __init__(self, path: Path, versions: Path) -> None:
        self.path = path
        self.versions = versions

    @property
    def student_revision(self) -> str:
        scripts = migrations.revisions_in(self.versions)
        if len(scripts) != 1:
            pytest.fail(f"expected one migration in versions/, found {len(scripts)}", pytrace=False)
        return scripts[0].revision

    def upgrade(self, revision: str | None = None) -> None:
        """Upgrade to ``revision`` (default: the student's)."""
        migrations.upgrade(self.path, revision or self.student_revision, self.versions)

    def upgrade_by_hand(self) -> None:
        """What a correct upgrade() leaves behind, made with SQL, so that a downgrade test does
        not depend on the student's upgrade()."""
        self.upgrade(INITIAL)
        migrations.execute(self.path, "ALTER TABLE todos ADD COLUMN due_date DATE")
        migrations.execute(self.path, "CREATE INDEX ix_todos_due_date ON todos (due_date)")
        migrations.execute(
            self.path, "UPDATE alembic_version SET version_num = :rev", rev=self.student_revision
        )

    def downgrade(self) -> None:
        """Downgrade to the app's initial schema, undoing the student's revision."""
        migrations.downgrade(self.path, INITIAL, self.versions)

    def columns(self) -> dict[str, dict[str, Any]]:
        return migrations.columns(self.path, "todos")

    def indexed_columns(self) -> list[list[str]]:
        return migrations.indexed_columns(self.path, "todos")

    def todos(self) -> list[dict[str, Any]]:
        return migrations.rows(self.path, "todos")

    def add_todo(self, title: str = "Write the migration", priority: int = 3) -> str:
        """Insert a user and a todo with plain SQL (the app's models know no due date)."""
        user_id, todo_id = uuid.uuid4().hex, uuid.uuid4().hex
        migrations.execute(
            self.path,
            "INSERT INTO users (id, email, hashed_password, is_active, is_superuser,"
            " created_at, updated_at) VALUES (:id, :email, 'x', 1, 0, :at, :at)",
            id=user_id,
            email=f"{user_id}@example.com",
            at=TIMESTAMP,
        )
        migrations.execute(
            self.path,
            "INSERT INTO todos (id, owner_id, title, completed, priority, created_at,"
            " updated_at) VALUES (:id, :owner, :title, 0, :priority, :at, :at)",
            id=todo_id,
            owner=user_id,
            title=title,
            priority=priority,
            at=TIMESTAMP,
        )
        return todo_id

    def set_due_date(self, todo_id: str, due_date: str) -> None:
        migrations.execute(
            self.path, "UPDATE todos SET due_date = :due WHERE id = :id", due=due_date, id=todo_id
        )


@pytest.fixture
def lab() -> ModuleType:
    """The student's schemas module."""
    return import_student("lab_todos")


@pytest.fixture
def versions(lab_src: Path) -> Path:
    """The student's migrations folder."""
    return lab_src / "versions"


@pytest.fixture
def db(tmp_path: Path, versions: Path) -> TodoDatabase:
    """An empty SQLite file for this test, migrated on demand."""
    return TodoDatabase(tmp_path / "todos.db", versions)
