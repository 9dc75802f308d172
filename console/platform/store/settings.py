"""Platform settings edited by admins (the case policy, the webhooks): one JSON value a key."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from console.platform.store.dialect import upsert
from console.platform.store.schema import settings


def get_setting(conn: Connection, key: str) -> Any:
    """The stored value of ``key``, or None when it was never set."""
    return conn.execute(select(settings.c.value).where(settings.c.key == key)).scalar_one_or_none()


def put_setting(
    conn: Connection, key: str, value: Any, *, user_id: str | None, now: datetime
) -> None:
    """Set ``key`` in the caller's transaction. One upsert statement, so two admins saving
    a key for the first time at once do not collide on the primary key."""
    values = {"value": value, "updated_at": now, "updated_by": user_id}
    upsert(conn, settings, {"key": key, **values}, update=values)
