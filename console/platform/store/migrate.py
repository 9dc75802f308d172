"""Bring a database to the newest schema.

Interim: creates missing tables from ``schema.metadata``. The alembic migration chain
(``store/migrations/``) replaces this as part of issue #3.
"""

from __future__ import annotations

from sqlalchemy import Engine

from console.platform.store.schema import metadata


def upgrade(engine: Engine) -> None:
    metadata.create_all(engine)
