"""The INSERT variants both databases speak with their own syntax (ON CONFLICT …): one
place chooses the dialect's statement."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table, insert
from sqlalchemy.dialects import postgresql, sqlite


def insert_ignoring_duplicates(conn: Connection, table: Table) -> Any:
    """INSERT that skips a row conflicting with a unique key (plain INSERT elsewhere)."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    if conn.dialect.name == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing()
    return insert(table)


def upsert(
    conn: Connection, table: Table, values: dict[str, Any], *, update: dict[str, Any]
) -> None:
    """Insert ``values``, or set ``update`` on the row with the same primary key: one
    statement, so two writers inserting the same key at once do not collide."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(values)
    conn.execute(
        statement.on_conflict_do_update(index_elements=list(table.primary_key.columns), set_=update)
    )
