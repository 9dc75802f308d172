"""POST /auth/login, /auth/logout, GET /users and /users/me."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from conftest import Clock, World
    from fastapi.testclient import TestClient

LOGIN = "/api/v1/auth/login"
Login = Callable[..., dict[str, str]]


def post_login(client: TestClient, username: str, password: str) -> Any:
    return client.post(LOGIN, json={"username": username, "password": password})


def test_login_answers_token_expiry_and_user(
    client: TestClient, world: World, password: str, clock: Clock, ctx: Any
) -> None:
    response = post_login(client, "ent_a2", password)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer" and len(body["token"]) == 43
    expires = datetime.fromisoformat(body["expires_at"]).timestamp()
    assert expires == pytest.approx(clock() + ctx.config.token_ttl_s, abs=1)
    assert body["user"] == {
        "id": world.users["ent_a2"],
        "username": "ent_a2",
        "role": "enterprise_officer",
        "display_name": "ENT_A2",
        "county_id": world.county_a,
        "enterprise_id": world.ent_a2,
        "active": True,
        "scope": {
            "kind": "enterprise",
            "county_id": world.county_a,
            "county_name": "清城区",
            "enterprise_id": world.ent_a2,
            "enterprise_name": "清远市乙运输有限公司",
        },
    }


def test_the_token_opens_the_api(client: TestClient, world: World, login: Login) -> None:
    response = client.get("/api/v1/users/me", headers=login("op_b"))
    assert response.status_code == 200
    assert response.json()["scope"] == {
        "kind": "county",
        "county_id": world.county_b,
        "county_name": "英德市",
        "enterprise_id": None,
        "enterprise_name": None,
    }


def test_unknown_user_and_wrong_password_get_the_same_answer(
    client: TestClient, world: World
) -> None:
    unknown = post_login(client, "nobody", "x")
    wrong = post_login(client, "admin", "x")
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json() == wrong.json()
    assert unknown.json() == {
        "error": {"code": "invalid_credentials", "message": "wrong username or password"}
    }


def test_repeated_failures_lock_the_account(
    client: TestClient, world: World, password: str, clock: Clock, ctx: Any
) -> None:
    for _ in range(ctx.config.lockout_failures):
        assert post_login(client, "op_a", "wrong").status_code == 401
    locked = post_login(client, "op_a", password)
    assert locked.status_code == 403
    assert locked.json()["error"]["code"] == "account_locked"
    assert 0 < int(locked.headers["Retry-After"]) <= ctx.config.lockout_s
    clock.advance(ctx.config.lockout_s + 1)
    assert post_login(client, "op_a", password).status_code == 200


def test_an_inactive_account(client: TestClient, world: World, password: str, store: Any) -> None:
    from console.platform.store import registry

    with store.begin() as conn:
        registry.set_user_active(conn, world.users["ent_b1"], False)
    assert post_login(client, "ent_b1", "wrong").status_code == 401
    response = post_login(client, "ent_b1", password)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "account_inactive"


def test_a_token_expires(client: TestClient, world: World, login: Login, clock: Clock) -> None:
    headers = login("admin")
    clock.advance(12 * 3600 - 1)
    assert client.get("/api/v1/users/me", headers=headers).status_code == 200
    clock.advance(1)
    response = client.get("/api/v1/users/me", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_token"
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_logout_revokes_the_token(client: TestClient, world: World, login: Login) -> None:
    headers = login("op_a")
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert client.get("/api/v1/users/me", headers=headers).status_code == 401


@pytest.mark.parametrize(
    "body",
    [{}, {"username": "admin"}, {"username": "", "password": "x"}, {"username": 1, "password": []}],
)
def test_a_malformed_login_is_422(client: TestClient, body: dict[str, Any]) -> None:
    response = client.post(LOGIN, json=body)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"


def test_users_are_listed_for_admins_with_role_and_scope(
    client: TestClient, world: World, login: Login
) -> None:
    response = client.get("/api/v1/users", headers=login("admin"))
    assert response.status_code == 200
    found = {u["username"]: u for u in response.json()}
    assert set(found) == set(world.users)
    assert found["admin"]["role"] == "admin"
    assert found["admin"]["scope"] == {
        "kind": "all",
        "county_id": None,
        "county_name": None,
        "enterprise_id": None,
        "enterprise_name": None,
    }
    assert found["op_a"]["scope"]["county_name"] == "清城区"
    assert found["ent_b1"]["scope"]["enterprise_name"] == "英德市丙货运有限公司"
    assert "password_hash" not in found["ent_b1"]


def test_a_tool_finds_the_operator_of_a_county_and_the_officer_of_an_enterprise(
    client: TestClient, world: World, login: Login
) -> None:
    headers = login("admin")
    operator = client.get(
        "/api/v1/users",
        params={"role": "county_operator", "county_id": world.county_b},
        headers=headers,
    ).json()
    officer = client.get(
        "/api/v1/users", params={"enterprise_id": world.ent_a1}, headers=headers
    ).json()
    assert [u["username"] for u in operator] == ["op_b"]
    assert [u["username"] for u in officer] == ["ent_a1"]


def test_users_is_for_admins_only(client: TestClient, world: World, login: Login) -> None:
    for username in ("op_a", "ent_a1"):
        response = client.get("/api/v1/users", headers=login(username))
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "forbidden"
    assert client.get("/api/v1/users").status_code == 401


def test_an_unknown_role_filter_is_422(client: TestClient, world: World, login: Login) -> None:
    response = client.get("/api/v1/users", params={"role": "boss"}, headers=login("admin"))
    assert response.status_code == 422
    assert "role" in response.json()["error"]["message"]
