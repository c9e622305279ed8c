"""Lab 2: what the todos API would accept and return once todos have a due date.

The app's schemas are extended, not edited: these classes add ``due_date`` to them.
"""

from reference_app.todos.schemas import TodoCreate, TodoRead


class TodoCreateWithDueDate(TodoCreate):
    """A new todo, optionally with a due date."""

    # TODO 4: `due_date`, an optional `datetime.date` (default None). A date before today
    #         (in UTC) is refused: raise ValueError from a validator.


class TodoReadWithDueDate(TodoRead):
    """A todo as the API returns it, due date included."""

    # TODO 5: `due_date`, an optional `datetime.date` (default None).
