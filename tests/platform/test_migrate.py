"""The alembic chain builds exactly ``schema.metadata``, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, insert, inspect, select, text

from console.platform.store import Store, StoreUnavailable, sqlite_url
from console.platform.store.migrate import (
    alembic_config,
    current_revision,
    head_revision,
    upgrade,
)
from console.platform.store.schema import counties, metadata


def diffs(store: Store) -> list[object]:
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))


def test_the_migrated_schema_equals_the_metadata(store: Store) -> None:
    assert diffs(store) == []


def test_every_table_is_created(store: Store) -> None:
    names = set(inspect(store.engine).get_table_names())
    assert set(metadata.tables) | {"alembic_version"} == names


def test_the_database_is_at_head(store: Store) -> None:
    with store.engine.connect() as conn:
        assert current_revision(conn) == head_revision()


def test_upgrading_twice_is_a_no_op(store: Store) -> None:
    with store.begin() as conn:
        conn.execute(insert(counties).values(id="c1", name="清城区", code="441802"))
    upgrade(store.engine)
    Store.open(store.url).close()
    with store.connect() as conn:
        assert conn.execute(select(counties.c.name)).scalars().all() == ["清城区"]
        assert current_revision(conn) == head_revision()
    assert diffs(store) == []


def test_downgrade_to_base_and_up_again(store: Store) -> None:
    with store.begin() as conn:
        command.downgrade(alembic_config(conn), "base")
    assert set(inspect(store.engine).get_table_names()) <= {"alembic_version"}
    upgrade(store.engine)
    assert diffs(store) == []


def test_a_database_made_before_migrations_is_stamped_and_kept(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "old.db")
    engine = create_engine(url)
    # The tables of that time (the first revision's), without the migration history.
    upgrade(engine, "0001")
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))
    with engine.begin() as conn:
        conn.execute(insert(counties).values(id="c1", name="清新区", code="441803"))
    engine.dispose()
    store = Store.open(url)
    try:
        with store.connect() as conn:
            assert current_revision(conn) == head_revision()
            assert conn.execute(select(counties.c.id)).scalars().all() == ["c1"]
        assert diffs(store) == []
    finally:
        store.close()


def test_an_unreachable_database_is_store_unavailable(tmp_path: Path) -> None:
    with pytest.raises(StoreUnavailable, match="unable to open"):
        Store.open(sqlite_url(tmp_path / "no" / "such" / "dir" / "x.db"))
