"""Lab 2: a due date for todos.

Revision ID: 0002_todo_due_date
Revises: 0001_initial_schema
Create Date: 2026-12-01

Like the app's own migrations, this file stands alone: plain SQLAlchemy types, never the app's
models, so it produces the same schema however the models change later.
"""

from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401  (you will need it)
from alembic import op  # noqa: F401  (you will need it)

revision: str = "0002_todo_due_date"
down_revision: str | None = "0001_initial_schema"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # TODO 1: add a nullable `due_date` column of type sa.Date() to the `todos` table.
    # TODO 2: index it, named "ix_todos_due_date" (the app's naming convention).
    pass


def downgrade() -> None:
    # TODO 3: undo upgrade(), in reverse order. Keep every other column, row and constraint.
    pass
