"""Every error is JSON ``{"error": {"code", "message"}}`` with the right status; health and
metrics."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import create_engine

from console.platform.store import Store, sqlite_url

if TYPE_CHECKING:
    from pathlib import Path

    from conftest import World
    from fastapi.testclient import TestClient

Login = Callable[..., dict[str, str]]


def error_of(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"}
    assert isinstance(body["error"]["code"], str) and body["error"]["message"]
    return body["error"]


def test_401_without_a_token(client: TestClient, world: World) -> None:
    error = error_of(client.get("/api/v1/vehicles"), 401)
    assert error["code"] == "not_authenticated"


@pytest.mark.parametrize("header", ["Bearer nonsense", "Basic YWRtaW46eA==", "Bearer", "bearer  "])
def test_401_with_a_bad_token(client: TestClient, world: World, header: str) -> None:
    response = client.get("/api/v1/vehicles", headers={"Authorization": header})
    error = error_of(response, 401)
    assert error["code"] in ("invalid_token", "not_authenticated")
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_403_for_the_wrong_role(client: TestClient, world: World, login: Login) -> None:
    error = error_of(client.get("/api/v1/users", headers=login("op_a")), 403)
    assert error == {"code": "forbidden", "message": "only an administrator may do this"}


def test_404_for_an_unknown_route_and_resource(
    client: TestClient, world: World, login: Login
) -> None:
    assert error_of(client.get("/api/v1/nothing/here"), 404)["code"] == "not_found"
    error = error_of(client.get("/api/v1/vehicles/veh_x", headers=login("admin")), 404)
    assert error == {"code": "not_found", "message": "vehicle veh_x not found"}


def test_405_for_a_wrong_method(client: TestClient) -> None:
    assert error_of(client.delete("/api/v1/auth/login"), 405)["code"] == "method_not_allowed"


def test_422_says_what_is_wrong_where(client: TestClient, world: World, login: Login) -> None:
    response = client.get(
        f"/api/v1/vehicles/{world.all_vehicles[0]}/track",
        params={"start": "soon"},
        headers=login("admin"),
    )
    error = error_of(response, 422)
    assert error["code"] == "validation_error"
    assert error["message"].startswith("start: ")
    assert "end: Field required" in error["message"]
    assert {(d["field"], d["in"]) for d in error["details"]} == {
        ("start", "query"),
        ("end", "query"),
    }


def test_422_for_a_body_that_is_not_json(client: TestClient) -> None:
    response = client.post(
        "/api/v1/auth/login", content=b"{nope", headers={"content-type": "application/json"}
    )
    assert error_of(response, 422)["code"] == "validation_error"


def test_500_is_json_too(app: Any, world: World) -> None:
    from fastapi.testclient import TestClient

    @app.get("/api/v1/boom")
    def boom() -> None:
        raise RuntimeError("a bug")

    with TestClient(app, raise_server_exceptions=False) as client:
        error = error_of(client.get("/api/v1/boom"), 500)
    assert error == {"code": "internal_error", "message": "internal server error"}


# --------------------------------------------------------------------------- 503


@pytest.fixture
def broken(ctx: Any, store: Store, tmp_path: Path) -> Iterator[Store]:
    """Swap the context's store for one whose database cannot be reached."""
    if store.is_sqlite:
        url = sqlite_url(tmp_path / "gone" / "away.db")
    else:
        url = "postgresql+psycopg://postgres@127.0.0.1:1/test?connect_timeout=2"
    dead = Store(create_engine(url))
    ctx.store = dead
    try:
        yield dead
    finally:
        dead.close()


def test_503_when_the_database_is_unavailable(
    client: TestClient, world: World, broken: Store, password: str
) -> None:
    login_response = client.post(
        "/api/v1/auth/login", json={"username": "admin", "password": password}
    )
    assert error_of(login_response, 503) == {
        "code": "database_unavailable",
        "message": "database unavailable",
    }


def test_503_beats_401_when_the_token_cannot_be_checked(
    client: TestClient, world: World, login: Login, ctx: Any, store: Store, tmp_path: Path
) -> None:
    headers = login("admin")
    assert client.get("/api/v1/vehicles", headers=headers).status_code == 200
    if store.is_sqlite:
        ctx.store = Store(create_engine(sqlite_url(tmp_path / "gone" / "away.db")))
    else:
        ctx.store = Store(create_engine("postgresql+psycopg://postgres@127.0.0.1:1/test"))
    try:
        error = error_of(client.get("/api/v1/vehicles", headers=headers), 503)
        assert error["code"] == "database_unavailable"
    finally:
        ctx.store.close()
    assert ctx.metrics.get("api_db_unavailable") == 1


def test_503_when_the_store_is_disposed_under_a_route(
    client: TestClient, world: World, login: Login, ctx: Any, store: Store, tmp_path: Path
) -> None:
    """The token check works, then the database goes away before the route's query."""
    headers = login("ent_a1")

    class Flaky:
        def __init__(self, good: Store, bad: Store) -> None:
            self.calls = 0
            self.good, self.bad = good, bad

        def connect(self) -> Any:
            self.calls += 1
            return (self.good if self.calls == 1 else self.bad).connect()

    bad = Store(create_engine(sqlite_url(tmp_path / "gone" / "away.db")))
    ctx.store = Flaky(store, bad)
    try:
        error = error_of(client.get("/api/v1/vehicles", headers=headers), 503)
    finally:
        bad.close()
    assert error["message"] == "database unavailable"


# --------------------------------------------------------------------------- health, metrics


def test_health_needs_no_login(client: TestClient) -> None:
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["db"]) == ("ok", True)
    assert body["version"]


def test_health_says_when_the_database_is_down(client: TestClient, broken: Store) -> None:
    response = client.get("/api/v1/health")
    assert response.status_code == 503
    body = response.json()
    assert (body["status"], body["db"]) == ("unavailable", False)
    assert body["error"] == {"code": "database_unavailable", "message": "database unavailable"}


def test_metrics_for_admins(client: TestClient, world: World, login: Login, ctx: Any) -> None:
    ctx.metrics.inc("positions_stored", 5)
    assert error_of(client.get("/api/v1/metrics"), 401)["code"] == "not_authenticated"
    assert client.get("/api/v1/metrics", headers=login("op_a")).status_code == 403
    response = client.get("/api/v1/metrics", headers=login("admin"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert "truckwatch_positions_stored 5" in response.text.splitlines()
    assert "truckwatch_api_logins 2" in response.text.splitlines()


def test_metrics_without_login_on_loopback(app: Any) -> None:
    from fastapi.testclient import TestClient

    with TestClient(app, client=("127.0.0.1", 50000)) as local:
        assert local.get("/api/v1/metrics").status_code == 200
    with TestClient(app, client=("::1", 50000)) as local6:
        assert local6.get("/api/v1/metrics").status_code == 200
    with TestClient(app, client=("192.168.1.20", 50000)) as remote:
        assert remote.get("/api/v1/metrics").status_code == 401


def test_openapi_documents_the_api(client: TestClient) -> None:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    for path in (
        "/api/v1/auth/login",
        "/api/v1/users",
        "/api/v1/users/me",
        "/api/v1/vehicles",
        "/api/v1/vehicles/{vehicle_id}",
        "/api/v1/vehicles/{vehicle_id}/track",
        "/api/v1/health",
        "/api/v1/metrics",
    ):
        assert path in spec["paths"], path
    assert "ErrorOut" in spec["components"]["schemas"]
    assert "VehicleOut" in spec["components"]["schemas"]
