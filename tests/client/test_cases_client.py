"""The case helpers of the client (pure) and its case calls against a real platform:
listing, detail, an action refused for its state, attachment upload with progress and
download, statistics and the policy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from live_platform import DEMO_PASSWORD, LivePlatform

from console.client import ClientError, PlatformClient
from console.client.cases import (
    action_body,
    action_state,
    gbk_unencodable,
    merge_event_case,
    seconds_left,
)

NOW = datetime(2026, 11, 21, 6, 0, tzinfo=UTC)


def test_gbk_check_names_each_bad_character_once() -> None:
    assert gbk_unencodable("您已连续驾驶超过4小时，请立即停车休息") == []
    assert gbk_unencodable("请休息🚚🚚 ok ✅") == ["🚚", "✅"]


def test_action_state_reads_the_actions_map() -> None:
    case = {
        "actions": {
            "remind": {"allowed": True, "reason": None, "message": ""},
            "feedback": {"allowed": False, "reason": "role", "message": "only enterprises"},
        }
    }
    assert action_state(case, "remind").allowed
    refused = action_state(case, "feedback")
    assert (refused.allowed, refused.reason, refused.message) == (False, "role", "only enterprises")
    assert action_state(case, "close").reason == "unknown"  # not in the map
    assert action_state({}, "remind").reason == "unknown"  # an event's case: no map


def test_action_body_drops_empty_fields_and_checks_what_the_server_would() -> None:
    deadline = NOW + timedelta(hours=2)
    assert action_body("notify", deadline=deadline, note="") == {"deadline": deadline.isoformat()}
    assert action_body("feedback", measures=["training"], note="已培训", attachments=[]) == {
        "measures": ["training"],
        "note": "已培训",
    }
    with pytest.raises(ValueError, match="note"):
        action_body("dismiss", note="  ")
    with pytest.raises(ValueError, match="measure"):
        action_body("feedback", measures=[])
    with pytest.raises(ValueError, match="takes no"):
        action_body("close", deadline=deadline)
    with pytest.raises(ValueError, match="offset"):
        action_body("notify", deadline=datetime(2026, 11, 21, 8, 0))


def test_seconds_left_only_for_open_cases() -> None:
    case = {"state": "notified", "deadline": (NOW + timedelta(minutes=5)).isoformat()}
    assert seconds_left(case, NOW) == 300
    assert seconds_left(case, NOW + timedelta(minutes=6)) == -60
    assert seconds_left({**case, "state": "closed"}, NOW) is None
    assert seconds_left({"state": "new", "deadline": None}, NOW) is None


def test_an_event_keeps_the_actions_only_while_the_state_holds() -> None:
    old = {"id": "c", "state": "new", "actions": {"remind": {"allowed": True}}}
    assert merge_event_case(old, {"id": "c", "state": "new", "alarm_count": 2})["actions"]
    assert "actions" not in merge_event_case(old, {"id": "c", "state": "notified"})


# --- against the platform ---------------------------------------------------------------------


def test_policies_and_stats(live: LivePlatform) -> None:
    client = live.admin_client()
    policies = client.policies()
    assert policies["tts_templates"]["platform.fatigue"].startswith("您已连续驾驶超过4小时")
    now = datetime.now(UTC)
    stats = client.case_stats(now - timedelta(days=1), now + timedelta(minutes=1), by="enterprise")
    assert stats["by"] == "enterprise" and stats["total"]["name"] == "合计"


def test_put_policies_is_for_the_admin(live: LivePlatform) -> None:
    admin = live.admin_client()
    policies = admin.policies()
    policies["tts_templates"]["dsm.02"] = "{plate}驾驶员：驾驶中请勿接打手持电话。"
    assert admin.put_policies(policies)["tts_templates"]["dsm.02"].startswith("{plate}")
    operator = PlatformClient(live.url)
    operator.login("op_qingcheng", DEMO_PASSWORD)
    with pytest.raises(ClientError) as err:
        operator.put_policies(policies)
    assert err.value.status == 403


def test_attachment_upload_reports_progress_and_downloads_again(live: LivePlatform) -> None:
    client = PlatformClient(live.url)
    client.login("ent_1", DEMO_PASSWORD)
    data = bytes(range(256)) * 1024  # 256 KiB: several blocks
    seen: list[tuple[int, int]] = []
    attachment = client.upload_attachment(
        data, "整改记录.bin", "application/octet-stream", progress=lambda *a: seen.append(a)
    )
    assert attachment["file_name"] == "整改记录.bin" and attachment["size"] == len(data)
    assert seen[-1] == (len(data), len(data)) and len(seen) > 1
    assert client.attachment(attachment["id"]) == data


def test_cases_list_and_unknown_case(live: LivePlatform) -> None:
    client = live.admin_client()
    page = client.cases(state=["new", "notified"], limit=5)
    assert set(page) >= {"items", "total"}
    with pytest.raises(ClientError) as err:
        client.case("case_does_not_exist")
    assert err.value.status == 404


def test_a_409_keeps_the_actions_the_case_allows() -> None:
    from console.client.errors import from_response

    body = {"error": {"code": "invalid_state", "message": "…", "allowed": ["notify", "dismiss"]}}
    error = from_response(409, body, {})
    assert (error.status, error.code, error.allowed) == (
        409,
        "invalid_state",
        ["notify", "dismiss"],
    )
    assert from_response(404, {"error": {"code": "not_found"}}, {}).allowed is None
