"""GET/PUT /webhooks (console/platform/api/webhooks.py): admins only, credentials masked in
answers, masked values kept on PUT, invalid lists refused with 422."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from console.platform.api import webhooks
from console.platform.notify import load_webhooks

if TYPE_CHECKING:
    from conftest import World
    from fastapi.testclient import TestClient

    from console.platform.store import Store

Login = Callable[..., dict[str, str]]
URL = "/api/v1/webhooks"
TOKEN = "5e3d587e-d78e-4a07-bd07-265f269f86fd"
FEISHU = f"https://open.feishu.cn/open-apis/bot/v2/hook/{TOKEN}"
DINGTALK = "https://oapi.dingtalk.com/robot/send?access_token=abcdef0123456789"


@pytest.fixture
def app(app: Any) -> Any:
    """The conftest's app, with the webhooks router until app.py registers it."""
    if not any(getattr(route, "path", None) == URL for route in app.routes):
        app.include_router(webhooks.router, prefix="/api/v1")
    return app


def hooks_json(world: World) -> list[dict[str, Any]]:
    return [
        {
            "id": "f1",
            "name": "飞书群",
            "kind": "feishu",
            "url": FEISHU,
            "secret": "feishu-secret",
            "county_id": world.county_a,
            "actions": ["notify", "escalate"],
        },
        {"id": "d1", "name": "钉钉群", "kind": "dingtalk", "url": DINGTALK},
    ]


def test_put_then_get_masks_credentials(
    client: TestClient, world: World, login: Login, store: Store
) -> None:
    admin = login("admin")
    response = client.put(URL, json=hooks_json(world), headers=admin)
    assert response.status_code == 200, response.text
    assert response.json() == client.get(URL, headers=admin).json()
    feishu, dingtalk = response.json()
    assert feishu == {
        "id": "f1",
        "name": "飞书群",
        "kind": "feishu",
        "url": "https://open.feishu.cn/open-apis/bot/v2/hook/***",
        "secret": "***",
        "county_id": world.county_a,
        "enterprise_id": None,
        "actions": ["notify", "escalate"],
        "enabled": True,
    }
    assert dingtalk["url"] == "https://oapi.dingtalk.com/robot/send?access_token=***"
    assert dingtalk["secret"] == ""
    assert dingtalk["actions"] == ["notify", "escalate", "return"]
    with store.connect() as conn:
        stored = {h.id: h for h in load_webhooks(conn)}
    assert stored["f1"].url == FEISHU
    assert stored["f1"].secret == "feishu-secret"


def test_put_of_the_masked_list_keeps_the_stored_values(
    client: TestClient, world: World, login: Login, store: Store
) -> None:
    admin = login("admin")
    client.put(URL, json=hooks_json(world), headers=admin)
    shown = client.get(URL, headers=admin).json()
    shown[0]["name"] = "飞书监控群"
    shown[1]["enabled"] = False
    response = client.put(URL, json=shown, headers=admin)
    assert response.status_code == 200, response.text
    with store.connect() as conn:
        stored = {h.id: h for h in load_webhooks(conn)}
    assert (stored["f1"].name, stored["f1"].url, stored["f1"].secret) == (
        "飞书监控群",
        FEISHU,
        "feishu-secret",
    )
    assert (stored["d1"].url, stored["d1"].enabled) == (DINGTALK, False)


def test_put_assigns_missing_ids(client: TestClient, world: World, login: Login) -> None:
    body = [{"name": "接口", "kind": "http", "url": "https://h.example/in"}]
    response = client.put(URL, json=body, headers=login("admin"))
    assert response.status_code == 200, response.text
    assert response.json()[0]["id"].startswith("whk_")


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ([{"id": "x", "kind": "sms", "url": "https://h.example/"}], ["'x'", "kind"]),
        ([{"id": "x", "kind": "http", "url": "h.example"}], ["'x'", "url"]),
        ([{"id": "x", "kind": "http", "url": "https://h/", "actions": ["oops"]}], ["oops"]),
        ([{"id": "x", "kind": "http", "url": "https://h/", "secret": "***"}], ["'x'", "secret"]),
        ([{"id": "x", "kind": "http", "url": "https://h/?key=***"}], ["'x'", "masked"]),
        (
            [{"id": "x", "kind": "http", "url": "https://h/"}] * 2,
            ["'x'", "twice"],
        ),
        ({"id": "x"}, []),
    ],
)
def test_put_refuses_invalid_lists(
    client: TestClient, world: World, login: Login, body: Any, words: list[str]
) -> None:
    response = client.put(URL, json=body, headers=login("admin"))
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    for word in words:
        assert word in error["message"]
    if words:
        assert error["code"] == "invalid_webhooks"


def test_invalid_put_changes_nothing(
    client: TestClient, world: World, login: Login, store: Store
) -> None:
    admin = login("admin")
    client.put(URL, json=hooks_json(world), headers=admin)
    bad = [*hooks_json(world), {"id": "y", "kind": "sms", "url": "https://h/"}]
    assert client.put(URL, json=bad, headers=admin).status_code == 422
    with store.connect() as conn:
        assert [h.id for h in load_webhooks(conn)] == ["f1", "d1"]


@pytest.mark.parametrize("username", ["op_a", "ent_a1"])
def test_only_admins(client: TestClient, world: World, login: Login, username: str) -> None:
    headers = login(username)
    assert client.get(URL, headers=headers).status_code == 403
    response = client.put(URL, json=[], headers=headers)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_needs_a_token(client: TestClient, world: World) -> None:
    assert client.get(URL).status_code == 401
