"""Installation facts imported with the fleet: inspection due date, installer, install date.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21

Frozen: plain SQLAlchemy types only (see 0001).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("vehicles") as batch:
        batch.add_column(sa.Column("inspection_due", sa.Date(), nullable=True))
    with op.batch_alter_table("terminals") as batch:
        batch.add_column(sa.Column("installer", sa.String(50), nullable=False, server_default=""))
        batch.add_column(sa.Column("installed_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("terminals") as batch:
        batch.drop_column("installed_on")
        batch.drop_column("installer")
    with op.batch_alter_table("vehicles") as batch:
        batch.drop_column("inspection_due")
