"""Audiences (the DMP): saved audiences, their materialised members, customers' marketing consent
and the DMP's secrets (the salt exports hash customer ids with)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audiences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("refreshed_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "audience_members",
        sa.Column("audience_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["audience_id"], ["audiences.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("audience_id", "customer_id"),
    )
    with op.batch_alter_table("audience_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audience_members_customer_id"), ["customer_id"], unique=False)
    op.create_table(
        "consents",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("opted_out", sa.Boolean(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("source", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("customer_id"),
    )
    op.create_table(
        "dmp_secrets",
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )


def downgrade() -> None:
    op.drop_table("dmp_secrets")
    op.drop_table("consents")
    with op.batch_alter_table("audience_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audience_members_customer_id"))
    op.drop_table("audience_members")
    op.drop_table("audiences")
