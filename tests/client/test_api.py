"""The REST client against a real platform process: login, errors people can read,
scoped answers."""

from __future__ import annotations

import socket

import pytest
from live_platform import ADMIN_PASSWORD, DEMO_PASSWORD, LivePlatform

from console.client import AuthFailure, ClientError, PlatformClient, Unreachable
from console.client.api import normalise_url


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_normalise_url() -> None:
    assert normalise_url(" 10.0.0.5:8808/ ") == "http://10.0.0.5:8808"
    assert normalise_url("https://tw.example.cn") == "https://tw.example.cn"
    with pytest.raises(ClientError) as err:
        normalise_url("ftp://x")
    assert err.value.code == "bad_url"


def test_login_returns_the_user_and_keeps_the_token(live: LivePlatform) -> None:
    client = PlatformClient(live.url)
    user = client.login("admin", ADMIN_PASSWORD)
    assert user["username"] == "admin" and user["scope"]["kind"] == "all"
    assert client.token
    assert client.health()["status"] == "ok"
    client.logout()
    assert client.token is None


def test_wrong_password_says_so_in_chinese_and_english(live: LivePlatform) -> None:
    client = PlatformClient(live.url)
    with pytest.raises(AuthFailure) as err:
        client.login("op_qingxin", "not-the-password")
    assert err.value.code == "invalid_credentials"
    assert err.value.status == 401
    assert err.value.describe("zh") == "用户名或密码错误。"
    assert err.value.describe("en") == "Wrong username or password."


def test_locked_account_tells_how_long(live: LivePlatform) -> None:
    client = PlatformClient(live.url)
    for _ in range(5):
        with pytest.raises(AuthFailure):
            client.login("ent_20", "wrong")
    with pytest.raises(AuthFailure) as err:
        client.login("ent_20", DEMO_PASSWORD)
    assert err.value.code == "account_locked"
    assert err.value.retry_after_s and err.value.retry_after_s > 0
    assert "锁定" in err.value.describe("zh") and "分钟" in err.value.describe("zh")


def test_nobody_listening_is_unreachable() -> None:
    client = PlatformClient(f"http://127.0.0.1:{free_port()}", timeout_s=3)
    with pytest.raises(Unreachable) as err:
        client.login("admin", "x")
    assert err.value.code == "unreachable"
    assert "无法连接" in err.value.describe("zh")


def test_tls_to_a_plain_http_port_is_a_tls_error(live: LivePlatform) -> None:
    client = PlatformClient(f"https://127.0.0.1:{live.ports['http']}", timeout_s=5)
    with pytest.raises(Unreachable) as err:
        client.login("admin", ADMIN_PASSWORD)
    assert err.value.code == "tls"
    assert "TLS" in err.value.describe("zh")


def test_something_else_is_not_a_platform(live: LivePlatform) -> None:
    # The JT/T 808 port answers HTTP with nothing sensible: no platform there.
    client = PlatformClient(f"http://127.0.0.1:{live.ports['jt808']}", timeout_s=3)
    with pytest.raises(ClientError) as err:
        client.login("admin", ADMIN_PASSWORD)
    assert err.value.code in ("unreachable", "timeout", "not_a_platform")


def test_county_operator_sees_only_their_county(live: LivePlatform) -> None:
    client = PlatformClient(live.url)
    client.login("op_qingcheng", DEMO_PASSWORD)
    tree = client.vehicle_tree()
    assert [c["name"] for c in tree["counties"]] == ["清城区"]
    vehicles = [v for e in tree["counties"][0]["enterprises"] for v in e["vehicles"]]
    assert vehicles and tree["total"] == len(vehicles)
    assert {v["county_name"] for v in vehicles} == {"清城区"}
    one = client.vehicle(vehicles[0]["id"])
    assert one["plate"] == vehicles[0]["plate"]


def test_a_vehicle_outside_the_scope_is_not_found(live: LivePlatform) -> None:
    admin = PlatformClient(live.url)
    admin.login("admin", ADMIN_PASSWORD)
    elsewhere = next(v for v in admin.vehicles() if v["county_name"] != "清城区")
    client = PlatformClient(live.url)
    client.login("op_qingcheng", DEMO_PASSWORD)
    with pytest.raises(ClientError) as err:
        client.vehicle(elsewhere["id"])
    assert err.value.status == 404


def test_expired_token_is_an_auth_failure(live: LivePlatform) -> None:
    client = PlatformClient(live.url)
    client.token = "not-a-token"
    with pytest.raises(AuthFailure) as err:
        client.vehicle_tree()
    assert err.value.code == "invalid_token"
    assert "重新登录" in err.value.describe("zh")
