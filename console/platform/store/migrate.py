"""Bring a database to the newest schema with the alembic chain in ``store/migrations/``.

The alembic configuration is built in code (no ``alembic.ini``): ``script_location`` is
the ``migrations`` package beside this module, and the migrations run on a connection of
the caller's engine, in one transaction (PostgreSQL: under an advisory lock, so that two
processes starting at once do not both migrate).

A database created before the migration chain existed (tables made by
``metadata.create_all`` and no ``alembic_version``) is stamped at the first revision and
then upgraded.

Engineers: ``python -m console.platform.store.migrate revision "message"`` autogenerates
the next migration from the difference between the head schema and ``schema.metadata``.
"""

from __future__ import annotations

import logging
import sys
import tempfile
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, inspect, text
from sqlalchemy.exc import OperationalError

from console.platform.store import StoreUnavailable

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
FIRST_REVISION = "0001"
_PG_LOCK_KEY = 0x7472_7563_6B77  # "truckw": the advisory lock held while migrating


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database behind ``engine`` to ``revision`` (default: the newest)."""
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
            before = current_revision(conn)
            config = alembic_config(conn)
            if before is None and inspect(conn).has_table("counties"):
                log.warning("database without migration history: stamping %s", FIRST_REVISION)
                command.stamp(config, FIRST_REVISION)
                before = FIRST_REVISION
            command.upgrade(config, revision)
            after = current_revision(conn)
    except OperationalError as exc:
        raise StoreUnavailable(f"cannot migrate the database: {exc.orig}") from exc
    if after != before:
        log.info("database migrated from %s to %s", before or "empty", after)


def autogenerate(message: str) -> None:
    """Write the next migration: the difference between the head and ``schema.metadata``."""
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite:///{Path(tmp) / 'head.db'}")
        try:
            upgrade(engine)
            with engine.begin() as conn:
                config = alembic_config(conn)
                count = sum(1 for _ in ScriptDirectory.from_config(config).walk_revisions())
                command.revision(
                    config, message=message, autogenerate=True, rev_id=f"{count + 1:04d}"
                )
        finally:
            engine.dispose()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) == 2 and args[0] == "revision":
        logging.basicConfig(level=logging.INFO)
        autogenerate(args[1])
        return 0
    print('usage: python -m console.platform.store.migrate revision "message"', file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
