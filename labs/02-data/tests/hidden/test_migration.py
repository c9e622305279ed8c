"""Lab 2, hidden tests: the instructor grades with these as well as the public ones."""

from datetime import UTC, date, datetime, timedelta
from types import ModuleType
from typing import Any

import pytest
import sqlalchemy as sa
from pydantic import ValidationError


def test_the_due_date_is_indexed(db: Any) -> None:
    """Index the column ("ix_todos_due_date"): lists of what is due soon filter on it."""
    db.upgrade()
    assert ["due_date"] in db.indexed_columns()


def test_existing_todos_survive_upgrade_and_downgrade(db: Any) -> None:
    """Upgrading and downgrading must keep every todo: add and drop the column in place."""
    db.upgrade("0001_initial_schema")
    todo_id = db.add_todo(title="Keep me", priority=4)
    db.upgrade()
    [todo] = db.todos()
    assert todo["due_date"] is None
    db.set_due_date(todo_id, "2030-01-31")
    db.downgrade()
    [todo] = db.todos()
    assert (todo["title"], todo["priority"]) == ("Keep me", 4)
    db.upgrade()  # and the way back up still works
    assert "due_date" in db.columns()


def test_the_downgrade_keeps_the_priority_check(db: Any) -> None:
    """After a downgrade the table must still refuse a priority of 9: change only the due date,
    never re-create the table by hand."""
    db.upgrade()
    db.downgrade()
    with pytest.raises(sa.exc.IntegrityError):
        db.add_todo(priority=9)


def test_a_stored_due_date_reads_back_as_a_date(lab: ModuleType, db: Any) -> None:
    """A row with a due date validates into TodoReadWithDueDate with a `date` due_date."""
    db.upgrade()
    db.set_due_date(db.add_todo(), "2030-01-31")
    [row] = db.todos()
    assert lab.TodoReadWithDueDate.model_validate(row).due_date == date(2030, 1, 31)


def test_a_due_date_in_the_past_is_refused(lab: ModuleType) -> None:
    """TodoCreateWithDueDate refuses a due date before today (UTC) with a validation error."""
    today = datetime.now(UTC).date()
    with pytest.raises(ValidationError):
        lab.TodoCreateWithDueDate(title="Too late", due_date=today - timedelta(days=2))
    later = lab.TodoCreateWithDueDate(title="In time", due_date=today + timedelta(days=30))
    assert later.due_date == today + timedelta(days=30)


def test_a_due_date_is_optional_when_creating(lab: ModuleType) -> None:
    """`due_date` defaults to None, and the app's rules (e.g. no unknown fields) still apply."""
    assert lab.TodoCreateWithDueDate(title="Whenever").due_date is None
    created = lab.TodoCreateWithDueDate.model_validate({"title": "Later", "due_date": "2999-01-01"})
    assert created.due_date == date(2999, 1, 1)
    with pytest.raises(ValidationError):
        lab.TodoCreateWithDueDate.model_validate({"title": "Odd", "colour": "red"})
