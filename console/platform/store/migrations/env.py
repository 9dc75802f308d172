"""Alembic environment: runs on the connection handed over by ``store/migrate.py``."""

from __future__ import annotations

from alembic import context

from console.platform.store.schema import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "run the migrations through console.platform.store.migrate (it passes a connection)"
    )

context.configure(
    connection=connection,
    target_metadata=metadata,
    compare_type=True,
    # SQLite cannot ALTER most things: later migrations use batch operations there.
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
