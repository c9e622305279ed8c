"""Lab 2: a due date for todos.

Revision ID: 0002_todo_due_date
Revises: 0001_initial_schema
Create Date: 2026-12-01

Like the app's own migrations, this file stands alone: plain SQLAlchemy types, never the app's
models, so it produces the same schema however the models change later.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_todo_due_date"
down_revision: str | None = "0001_initial_schema"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable: the todos that already exist have no due date, and adding a NOT NULL column
    # would need a default for every one of them.
    op.add_column("todos", sa.Column("due_date", sa.Date(), nullable=True))
    # "Due this week" lists filter on it.
    op.create_index("ix_todos_due_date", "todos", ["due_date"])


def downgrade() -> None:
    # Reverse order: a column cannot be dropped while an index uses it. SQLite (3.35+) and
    # PostgreSQL both drop a column in place, so the table keeps its rows and constraints.
    op.drop_index("ix_todos_due_date", table_name="todos")
    op.drop_column("todos", "due_date")
