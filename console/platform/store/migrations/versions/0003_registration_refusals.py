"""Terminals the registry refused, for admins to see.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21

Frozen: plain SQLAlchemy types only (see 0001).
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
        "registration_refusals",
        sa.Column("phone", sa.String(20), nullable=False),
        sa.Column("terminal_id", sa.String(40), nullable=False),
        sa.Column("plate", sa.String(20), nullable=False),
        sa.Column("plate_color", sa.Integer(), nullable=False),
        sa.Column("result", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("first_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("phone"),
    )


def downgrade() -> None:
    op.drop_table("registration_refusals")
