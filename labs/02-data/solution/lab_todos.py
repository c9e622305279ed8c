"""Lab 2: what the todos API would accept and return once todos have a due date.

The app's schemas are extended, not edited: these classes add ``due_date`` to them.
"""

from datetime import UTC, date, datetime
from typing import Annotated

from pydantic import AfterValidator

from reference_app.todos.schemas import TodoCreate, TodoRead


def _not_in_the_past(value: date) -> date:
    """A new todo cannot already be overdue. "Today" is UTC's, like every time the app keeps."""
    if value < datetime.now(UTC).date():
        raise ValueError("the due date is in the past")
    return value


class TodoCreateWithDueDate(TodoCreate):
    """A new todo, optionally with a due date."""

    due_date: Annotated[date, AfterValidator(_not_in_the_past)] | None = None


class TodoReadWithDueDate(TodoRead):
    """A todo as the API returns it, due date included."""

    due_date: date | None = None
