"""Refresh tokens remember their successor, for the reuse grace window.

Revision ID: 0003_refresh_token_successor
Revises: 0002_background_jobs
Create Date: 2026-12-04

A used refresh token presented again within a few seconds gets the token that replaced it (two
tabs refreshing at once), so the row records which token that was. Rows used before this
migration have no successor: presenting them again revokes their family, as it always did.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_refresh_token_successor"
down_revision: str | None = "0002_background_jobs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("refresh_tokens", sa.Column("replaced_by", sa.Uuid(), nullable=True))


def downgrade() -> None:
    # Batch mode: SQLite drops a column by rebuilding the table.
    with op.batch_alter_table("refresh_tokens") as batch:
        batch.drop_column("replaced_by")
