"""The platform's store: SQLite (WAL) on a workstation, PostgreSQL in a monitoring room.

:class:`Store` owns the engine. Queries are plain functions taking a SQLAlchemy
``Connection`` (``store/registry.py``, ``store/telemetry.py``, ...), so a caller composes
several of them in one transaction: ``with store.begin() as conn: ...``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import StaticPool

log = logging.getLogger(__name__)


class StoreUnavailable(RuntimeError):
    """The database cannot be reached or written; the caller must not acknowledge."""


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


class Store:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @classmethod
    def open(cls, url: str, *, migrate: bool = True) -> Store:
        """Open (and by default migrate to the newest schema) the store at ``url``."""
        engine = _make_engine(url)
        store = cls(engine)
        if migrate:
            from console.platform.store.migrate import upgrade

            upgrade(engine)
        return store

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """One transaction; committed when the block ends, rolled back on an exception."""
        try:
            with self.engine.begin() as conn:
                yield conn
        except OperationalError as exc:
            raise StoreUnavailable(f"database error: {exc.orig}") from exc

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A connection for reads (no transaction kept open between statements)."""
        try:
            with self.engine.connect() as conn:
                yield conn
        except OperationalError as exc:
            raise StoreUnavailable(f"database error: {exc.orig}") from exc

    def close(self) -> None:
        self.engine.dispose()


def _make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        memory = url in ("sqlite://", "sqlite:///:memory:")
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            poolclass=StaticPool if memory else None,
        )

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            if not memory:
                cur.execute("PRAGMA journal_mode=WAL")
            # FULL: a commit survives power loss too, because an ack promises durability.
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)
