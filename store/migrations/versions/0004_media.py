"""Media history: a week's sales, spend per channel and controls, for the marketing-mix model

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 23:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "media_weeks",
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("sales", sa.Float(), nullable=False),
        sa.Column("spend", sa.JSON(), nullable=False),
        sa.Column("controls", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("week"),
    )


def downgrade() -> None:
    op.drop_table("media_weeks")
