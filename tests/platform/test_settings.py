"""Settings: one JSON value a key, set again and again, read back as set."""

from __future__ import annotations

from datetime import UTC, datetime

from console.platform.store import Store
from console.platform.store.settings import get_setting, put_setting

T = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)


def test_a_setting_is_created_then_replaced(store: Store) -> None:
    with store.begin() as conn:
        assert get_setting(conn, "case_policy") is None
        put_setting(conn, "case_policy", {"rules": []}, user_id=None, now=T)
    with store.begin() as conn:
        put_setting(conn, "case_policy", {"rules": [{"match": "dsm"}]}, user_id="usr_1", now=T)
        put_setting(conn, "webhooks", [], user_id="usr_1", now=T)
    with store.connect() as conn:
        assert get_setting(conn, "case_policy") == {"rules": [{"match": "dsm"}]}
        assert get_setting(conn, "webhooks") == []
