"""The DSP: its campaigns and creatives, budgets per period, the bidders' reservations, the auctions
charged (once) and per-minute stats

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 05:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dsp_campaigns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("daily_budget_micros", sa.BigInteger(), nullable=False),
        sa.Column("max_bid", sa.Float(), nullable=False),
        sa.Column("strategy", sa.String(length=16), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("targeting", sa.JSON(), nullable=False),
        sa.Column("pacing", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], ondelete="SET NULL"
        ),  # a reload of the shop drops it
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "dsp_creatives",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("crid", sa.String(length=64), nullable=False),
        sa.Column("w", sa.Integer(), nullable=False),
        sa.Column("h", sa.Integer(), nullable=False),
        sa.Column("adm", sa.Text(), nullable=False),
        sa.Column("adomain", sa.String(length=255), nullable=True),
        sa.Column("click_url", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["dsp_campaigns.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("dsp_creatives", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dsp_creatives_campaign_id"), ["campaign_id"], unique=False)
    op.create_table(
        "dsp_budgets",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.BigInteger(), nullable=False),
        sa.Column("budget_micros", sa.BigInteger(), nullable=False),
        sa.Column("reserved_micros", sa.BigInteger(), nullable=False),
        sa.Column("spent_micros", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["dsp_campaigns.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("campaign_id", "period"),
    )
    op.create_table(
        "dsp_reservations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.BigInteger(), nullable=False),
        sa.Column("worker", sa.String(length=64), nullable=False),
        sa.Column("reserved_micros", sa.BigInteger(), nullable=False),
        sa.Column("spent_micros", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("released_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["campaign_id"], ["dsp_campaigns.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("dsp_reservations", schema=None) as batch_op:
        batch_op.create_index("ix_dsp_reservations_campaign_period", ["campaign_id", "period"], unique=False)
    op.create_table(
        "dsp_auctions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("auction", sa.String(length=200), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("creative_id", sa.Integer(), nullable=False),
        sa.Column("reservation_id", sa.Integer(), nullable=False),
        sa.Column("bid_micros", sa.BigInteger(), nullable=False),
        sa.Column("price_micros", sa.BigInteger(), nullable=False),
        sa.Column("charged_by", sa.String(length=8), nullable=False),
        sa.Column("charged_at", sa.DateTime(), nullable=False),
        sa.Column("billed_at", sa.DateTime(), nullable=True),
        sa.Column("clicked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["campaign_id"], ["dsp_campaigns.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("auction"),
    )
    with op.batch_alter_table("dsp_auctions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dsp_auctions_campaign_id"), ["campaign_id"], unique=False)
    op.create_table(
        "dsp_stats",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("minute", sa.DateTime(), nullable=False),
        sa.Column("requests", sa.BigInteger(), nullable=False),
        sa.Column("bids", sa.BigInteger(), nullable=False),
        sa.Column("wins", sa.BigInteger(), nullable=False),
        sa.Column("spend_micros", sa.BigInteger(), nullable=False),
        sa.Column("clicks", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["dsp_campaigns.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("campaign_id", "minute"),
    )


def downgrade() -> None:
    op.drop_table("dsp_stats")
    op.drop_table("dsp_auctions")
    op.drop_table("dsp_reservations")
    op.drop_table("dsp_budgets")
    op.drop_table("dsp_creatives")
    op.drop_table("dsp_campaigns")
