"""Lab 2, public tests: run them with ``workbook lab check 02``."""

from pathlib import Path
from types import ModuleType
from typing import Any

import sqlalchemy as sa
from labsupport.migrations import revisions_in

TODO_FIELDS = {
    "id": "0d9f3c2e-4a1b-4c8d-9e7f-123456789abc",
    "owner_id": "1e8a2b3c-5d6e-4f70-8a9b-abcdef012345",
    "title": "Write the migration",
    "description": None,
    "completed": False,
    "priority": 3,
    "created_at": "2026-12-01T09:00:00Z",
    "updated_at": "2026-12-01T09:00:00Z",
}


def test_the_migration_follows_the_initial_schema(versions: Path) -> None:
    """versions/ holds one revision whose down_revision is "0001_initial_schema"."""
    scripts = revisions_in(versions)
    assert len(scripts) == 1, f"expected one migration in versions/, found {len(scripts)}"
    assert scripts[0].down_revision == "0001_initial_schema"


def test_upgrade_adds_a_nullable_date_column(db: Any) -> None:
    """upgrade() must add `due_date` to `todos`: op.add_column with sa.Date(), nullable=True."""
    db.upgrade()
    due_date = db.columns().get("due_date")
    assert due_date is not None, "todos has no due_date column after upgrade"
    assert isinstance(due_date["type"], sa.Date), f"due_date is {due_date['type']}, not a DATE"
    assert due_date["nullable"], "existing todos have no due date: the column must be nullable"


def test_downgrade_removes_the_column(db: Any) -> None:
    """downgrade() must undo upgrade(): drop the index first, then the column."""
    db.upgrade_by_hand()
    db.downgrade()
    assert "due_date" not in db.columns()
    assert ["due_date"] not in db.indexed_columns()


def test_the_read_schema_has_an_optional_due_date(lab: ModuleType) -> None:
    """TodoReadWithDueDate needs `due_date: date | None = None`."""
    with_date = lab.TodoReadWithDueDate.model_validate({**TODO_FIELDS, "due_date": "2030-01-31"})
    assert with_date.due_date.isoformat() == "2030-01-31"
    assert lab.TodoReadWithDueDate.model_validate(TODO_FIELDS).due_date is None
