"""``/cases``, ``/attachments``, ``/cases/stats`` and ``/policies``: answers, refusals (403
with the reason, 409 with the allowed actions, 422 for a bad body) and scope."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alarm_maker import raise_alarm


@pytest.fixture
def opened(ctx: Any, store: Any, world: Any) -> dict[str, str]:
    """One case in county A (enterprise A1) and one in county B."""
    now = datetime.fromtimestamp(ctx.clock(), UTC)
    ids = {}
    for name, enterprise in (("a", world.ent_a1), ("b", world.ent_b1)):
        vehicle = world.vehicles[enterprise][0]
        _, event = raise_alarm(store, ctx.workflow, world, vehicle, now)
        ids[name] = event.payload["case"]["id"]
    return ids


def test_each_user_lists_the_cases_of_their_scope(
    client: Any, login: Any, opened: dict[str, str]
) -> None:
    seen = {
        user: {c["id"] for c in client.get("/api/v1/cases", headers=login(user)).json()["items"]}
        for user in ("admin", "op_a", "op_b", "ent_a1", "ent_a2", "ent_b1")
    }
    assert seen == {
        "admin": {opened["a"], opened["b"]},
        "op_a": {opened["a"]},
        "op_b": {opened["b"]},
        "ent_a1": {opened["a"]},
        "ent_a2": set(),
        "ent_b1": {opened["b"]},
    }


def test_filters(client: Any, login: Any, opened: dict[str, str], world: Any) -> None:
    admin = login("admin")

    def ids(**params: Any) -> set[str]:
        reply = client.get("/api/v1/cases", params=params, headers=admin)
        assert reply.status_code == 200, reply.text
        return {c["id"] for c in reply.json()["items"]}

    assert ids(state="new") == set(opened.values())
    assert ids(state=["notified", "feedback"]) == set()
    assert ids(county_id=world.county_b) == {opened["b"]}
    assert ids(county=world.county_b) == {opened["b"]}  # the short names
    assert ids(enterprise=world.ent_b1) == {opened["b"]}
    assert ids(enterprise_id=world.ent_a1) == {opened["a"]}
    assert ids(overdue="true") == set()
    assert ids(vehicle_id=world.vehicles[world.ent_b1][0]) == {opened["b"]}
    reply = client.get("/api/v1/cases", params={"state": "open"}, headers=admin)
    assert reply.status_code == 422


def test_the_detail_has_alarms_events_and_the_reminder_text(
    client: Any, login: Any, opened: dict[str, str], world: Any
) -> None:
    detail = client.get(f"/api/v1/cases/{opened['a']}", headers=login("op_a")).json()
    assert [a["type_code"] for a in detail["alarms"]] == ["dsm.01"]
    assert [e["action"] for e in detail["events"]] == ["open"]
    assert detail["deliveries"] == []
    assert "停车休息" in detail["reminder_text"]
    assert detail["actions"]["notify"]["allowed"] is True
    assert detail["actions"]["close"] == {
        "allowed": False,
        "reason": "state",
        "message": "a new case cannot be closed",
    }


def test_refusals_say_why(client: Any, login: Any, opened: dict[str, str]) -> None:
    url = f"/api/v1/cases/{opened['a']}/actions"
    reply = client.post(f"{url}/close", json={}, headers=login("op_a"))
    assert reply.status_code == 409
    error = reply.json()["error"]
    assert error["code"] == "invalid_state"
    assert set(error["allowed"]) == {"remind", "notify", "dismiss", "escalate"}
    reply = client.post(f"{url}/notify", json={}, headers=login("ent_a1"))
    assert reply.status_code == 403
    assert "county operators" in reply.json()["error"]["message"]
    assert client.post(f"{url}/notify", json={}, headers=login("op_b")).status_code == 404
    assert client.post(f"{url}/fly", json={}, headers=login("op_a")).status_code == 404
    assert client.post(f"{url}/open", json={}, headers=login("op_a")).status_code == 404
    reply = client.post(f"{url}/notify", json={"colour": "red"}, headers=login("op_a"))
    assert reply.status_code == 422
    reply = client.post(
        f"{url}/notify", json={"deadline": "2030-01-01T08:00:00"}, headers=login("op_a")
    )
    assert reply.status_code == 422 and "time zone" in reply.json()["error"]["message"]
    reply = client.post(f"{url}/dismiss", json={}, headers=login("op_a"))
    assert reply.json()["error"]["code"] == "note_required"
    reply = client.post(f"{url}/feedback", json={"measures": ["beating"]}, headers=login("ent_a1"))
    assert reply.status_code == 422


def test_a_reminder_that_is_not_gbk_is_refused_before_anything_is_sent(
    client: Any, login: Any, opened: dict[str, str]
) -> None:
    url = f"/api/v1/cases/{opened['a']}/actions/remind"
    reply = client.post(url, json={"text": "请停车休息☃"}, headers=login("op_a"))
    assert reply.status_code == 422 and reply.json()["error"]["code"] == "not_gbk"
    reply = client.post(url, json={"text": "请停车休息"}, headers=login("op_a"))
    assert reply.status_code == 503  # this app runs without a gateway


def test_attachments_upload_and_visibility(
    client: Any, login: Any, opened: dict[str, str], ctx: Any
) -> None:
    officer = login("ent_a1")
    reply = client.post(
        "/api/v1/attachments",
        params={"name": "../../处理记录.pdf"},
        content=b"%PDF-1.4 ...",
        headers=officer,
    )
    assert reply.status_code == 200, reply.text
    attachment = reply.json()
    assert attachment["file_name"] == "处理记录.pdf" and attachment["size"] == 12
    assert attachment["content_type"] == "application/pdf"
    # Only its uploader sees it until it is on a case.
    assert client.get(attachment["url"], headers=officer).content == b"%PDF-1.4 ..."
    assert client.get(attachment["url"], headers=login("op_a")).status_code == 404
    reply = client.post(
        f"/api/v1/cases/{opened['a']}/actions/feedback",
        json={"measures": ["training"], "attachments": [attachment["id"]]},
        headers=officer,
    )
    assert reply.status_code == 200, reply.text
    assert client.get(attachment["url"], headers=login("op_a")).status_code == 200
    assert client.get(attachment["url"], headers=login("op_b")).status_code == 404
    # Someone else's attachment cannot be put on a case.
    other = client.post(
        "/api/v1/attachments", params={"name": "x.txt"}, content=b"x", headers=login("op_a")
    ).json()
    reply = client.post(
        f"/api/v1/cases/{opened['a']}/actions/close",
        json={"attachments": [other["id"], "att_nonexistent"]},
        headers=login("op_a"),
    )
    assert reply.json()["error"]["code"] == "bad_attachments"
    # Empty and too large files are refused.
    empty = client.post(
        "/api/v1/attachments", params={"name": "e.txt"}, content=b"", headers=officer
    )
    assert empty.status_code == 422
    limit = ctx.config.max_attachment_bytes
    big = client.post(
        "/api/v1/attachments",
        params={"name": "big.bin"},
        content=b"0" * (limit + 1),
        headers=officer,
    )
    assert big.status_code == 413


def test_statistics_per_county_and_enterprise(
    client: Any, login: Any, opened: dict[str, str], ctx: Any, world: Any
) -> None:
    admin, op_a = login("admin"), login("op_a")
    url = f"/api/v1/cases/{opened['a']}/actions"
    assert client.post(f"{url}/notify", json={}, headers=op_a).status_code == 200
    assert (
        client.post(f"{url}/feedback", json={"measures": ["fine"]}, headers=login("ent_a1"))
    ).status_code == 200
    ctx.clock.advance(90 * 60)
    assert client.post(f"{url}/close", json={}, headers=op_a).status_code == 200
    now = datetime.fromtimestamp(ctx.clock(), UTC)
    params = {"start": (now - timedelta(days=1)).isoformat(), "end": now.isoformat()}
    stats = client.get("/api/v1/cases/stats", params=params, headers=admin).json()
    rows = {r["key"]: r for r in stats["rows"]}
    a, b = rows[world.county_a], rows[world.county_b]
    assert (a["cases"], a["alarms"], a["handled_alarms"], a["disposal_rate"]) == (1, 1, 1, 1.0)
    assert (a["finished_cases"], a["handling_rate"], a["median_close_min"]) == (1, 1.0, 90.0)
    assert (b["cases"], b["handled_alarms"], b["disposal_rate"], b["handling_rate"]) == (
        1,
        0,
        0.0,
        0.0,
    )
    assert b["median_close_min"] is None
    assert stats["total"]["cases"] == 2 and stats["total"]["disposal_rate"] == 0.5
    by_enterprise = client.get(
        "/api/v1/cases/stats", params={**params, "by": "enterprise"}, headers=op_a
    ).json()
    assert [r["key"] for r in by_enterprise["rows"]] == [world.ent_a1]
    reply = client.get(
        "/api/v1/cases/stats",
        params={"start": params["end"], "end": params["start"]},
        headers=admin,
    )
    assert reply.status_code == 422


def test_only_an_admin_edits_the_policy(client: Any, login: Any, world: Any) -> None:
    policy = client.get("/api/v1/policies", headers=login("op_a")).json()
    assert policy["rules"][0] == {"match": "dsm", "min_level": 2, "open_case": True}
    policy["tts_templates"]["dsm.01"] = "{plate}请立即停车休息"
    assert client.put("/api/v1/policies", json=policy, headers=login("op_a")).status_code == 403
    reply = client.put("/api/v1/policies", json=policy, headers=login("admin"))
    assert reply.status_code == 200 and reply.json()["tts_templates"]["dsm.01"].startswith(
        "{plate}"
    )
    bad = client.put("/api/v1/policies", json={"rules": [{"match": ""}]}, headers=login("admin"))
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_policy"
    assert client.get("/api/v1/policies", headers=login("ent_a1")).json() == reply.json()
