"""Alembic migrations of the platform's store (run by ``store/migrate.py``, no alembic.ini).

To write the next migration after changing ``store/schema.py``::

    .venv/bin/python -m console.platform.store.migrate revision "what changed"

which autogenerates ``versions/NNNN_*.py`` against a scratch SQLite database at head;
read it, clean it and keep it portable (SQLite and PostgreSQL). ``tests/platform/
test_migrate.py`` proves that the migrated schema equals ``schema.metadata``.
"""
