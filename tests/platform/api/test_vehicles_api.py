"""GET /vehicles (flat and tree), /vehicles/{id}, /vehicles/{id}/track: scoped on the
server."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import insert

from console.platform.store.schema import positions, vehicle_state

if TYPE_CHECKING:
    from conftest import World
    from fastapi.testclient import TestClient

    from console.platform.store import Store

Login = Callable[..., dict[str, str]]
T0 = datetime(2024, 5, 1, 0, 0, tzinfo=UTC)


def set_state(store: Store, vehicle_id: str, *, online: bool, speed: float | None) -> None:
    with store.begin() as conn:
        conn.execute(
            insert(vehicle_state).values(
                vehicle_id=vehicle_id,
                online=online,
                last_seen_at=T0,
                time=T0 if speed is not None else None,
                lat=23.7 if speed is not None else None,
                lon=113.0 if speed is not None else None,
                speed_kmh=speed,
                direction=45 if speed is not None else None,
                alarm_flags=0,
                status=2,
                video_alarms=0,
                rules={},
            )
        )


def add_track(store: Store, vehicle_id: str, minutes: list[int]) -> None:
    with store.begin() as conn:
        conn.execute(
            insert(positions),
            [
                {
                    "vehicle_id": vehicle_id,
                    "time": T0 + timedelta(minutes=m),
                    "received_at": T0 + timedelta(minutes=m, seconds=2),
                    "lat": 23.7 + m / 1000,
                    "lon": 113.0,
                    "altitude_m": 40,
                    "speed_kmh": 60.0,
                    "direction": 90,
                    "alarm_flags": 0,
                    "status": 2,
                    "invalid": None,
                }
                for m in minutes
            ],
        )


def ids(response: Any) -> set[str]:
    assert response.status_code == 200, response.text
    return {v["id"] for v in response.json()}


# --------------------------------------------------------------------------- the list


def test_a_vehicle_in_the_list(
    client: TestClient, world: World, login: Login, store: Store
) -> None:
    vehicle_id = world.vehicles[world.ent_b1][0]
    set_state(store, vehicle_id, online=True, speed=42.0)
    response = client.get("/api/v1/vehicles", headers=login("ent_b1"))
    assert response.status_code == 200
    found = {v["id"]: v for v in response.json()}
    assert found[vehicle_id] == {
        "id": vehicle_id,
        "plate": world.plates[vehicle_id],
        "plate_color": 2,
        "vehicle_type": "semi_trailer_tractor",
        "vin": found[vehicle_id]["vin"],
        "speed_limit_kmh": 80,
        "driver_name": found[vehicle_id]["driver_name"],
        "driver_phone": "",
        "active": True,
        "county_id": world.county_b,
        "county_name": "英德市",
        "enterprise_id": world.ent_b1,
        "enterprise_name": "英德市丙货运有限公司",
        "status": "moving",
        "terminal": {
            "id": found[vehicle_id]["terminal"]["id"],
            "phone": world.phones[vehicle_id],
            "terminal_id": found[vehicle_id]["terminal"]["terminal_id"],
            "edition": "2019",
            "dialect": "yuebiao",
            "maker": "",
            "model": "",
            "channels": 4,
            "active": True,
            "registered": False,
        },
        "state": {
            "online": True,
            "last_seen_at": "2024-05-01T00:00:00Z",
            "time": "2024-05-01T00:00:00Z",
            "lat": 23.7,
            "lon": 113.0,
            "speed_kmh": 42.0,
            "direction": 45,
            "alarm_flags": 0,
            "status": 2,
        },
    }
    other = world.vehicles[world.ent_b1][1]
    assert found[other]["status"] == "offline" and found[other]["state"] is None


@pytest.mark.parametrize(
    ("username", "enterprises"),
    [
        ("admin", ("ent_a1", "ent_a2", "ent_b1")),
        ("op_a", ("ent_a1", "ent_a2")),
        ("op_b", ("ent_b1",)),
        ("ent_a1", ("ent_a1",)),
        ("ent_b1", ("ent_b1",)),
    ],
)
def test_each_user_sees_their_scope(
    client: TestClient, world: World, login: Login, username: str, enterprises: tuple[str, ...]
) -> None:
    wanted = {v for e in enterprises for v in world.vehicles[getattr(world, e)]}
    assert ids(client.get("/api/v1/vehicles", headers=login(username))) == wanted


def test_filters_stay_inside_the_scope(client: TestClient, world: World, login: Login) -> None:
    headers = login("op_a")
    a2 = ids(
        client.get("/api/v1/vehicles", params={"enterprise_id": world.ent_a2}, headers=headers)
    )
    b = ids(client.get("/api/v1/vehicles", params={"county_id": world.county_b}, headers=headers))
    assert a2 == set(world.vehicles[world.ent_a2])
    assert b == set()


def test_filter_by_plate_and_status(
    client: TestClient, world: World, login: Login, store: Store
) -> None:
    moving, stopped = world.vehicles[world.ent_a1]
    set_state(store, moving, online=True, speed=70.0)
    set_state(store, stopped, online=True, speed=0.0)
    headers = login("admin")
    by_plate = client.get(
        "/api/v1/vehicles", params={"plate": world.plates[stopped][2:]}, headers=headers
    )
    assert ids(by_plate) == {stopped}
    for status, expected in (("moving", {moving}), ("stopped", {stopped})):
        response = client.get("/api/v1/vehicles", params={"status": status}, headers=headers)
        assert ids(response) == expected
    offline = ids(client.get("/api/v1/vehicles", params={"status": "offline"}, headers=headers))
    assert offline == set(world.all_vehicles) - {moving, stopped}


# --------------------------------------------------------------------------- the tree


def test_the_tree_counts_online_and_total(
    client: TestClient, world: World, login: Login, store: Store
) -> None:
    set_state(store, world.vehicles[world.ent_a1][0], online=True, speed=50.0)
    set_state(store, world.vehicles[world.ent_a1][1], online=False, speed=0.0)
    set_state(store, world.vehicles[world.ent_b1][0], online=True, speed=None)
    response = client.get("/api/v1/vehicles", params={"tree": 1}, headers=login("admin"))
    assert response.status_code == 200
    tree = response.json()
    assert (tree["online"], tree["total"]) == (2, 6)
    shape = {
        c["name"]: (
            c["online"],
            c["total"],
            {e["name"]: (e["online"], e["total"]) for e in c["enterprises"]},
        )
        for c in tree["counties"]
    }
    assert shape == {
        "清城区": (1, 4, {"清远市甲物流有限公司": (1, 2), "清远市乙运输有限公司": (0, 2)}),
        "英德市": (1, 2, {"英德市丙货运有限公司": (1, 2)}),
    }
    assert [c["code"] for c in tree["counties"]] == ["441802", "441881"]
    b1 = tree["counties"][1]["enterprises"][0]
    assert {v["id"] for v in b1["vehicles"]} == set(world.vehicles[world.ent_b1])
    assert {v["status"] for v in b1["vehicles"]} == {"online", "offline"}


def test_the_tree_of_a_county_operator(client: TestClient, world: World, login: Login) -> None:
    tree = client.get("/api/v1/vehicles?tree=1", headers=login("op_b")).json()
    assert [c["id"] for c in tree["counties"]] == [world.county_b]
    assert [e["id"] for e in tree["counties"][0]["enterprises"]] == [world.ent_b1]
    assert tree["total"] == 2


def test_the_tree_of_an_officer(client: TestClient, world: World, login: Login) -> None:
    tree = client.get("/api/v1/vehicles?tree=true", headers=login("ent_a2")).json()
    assert [c["id"] for c in tree["counties"]] == [world.county_a]
    assert [e["id"] for e in tree["counties"][0]["enterprises"]] == [world.ent_a2]
    assert tree["total"] == 2


def test_an_enterprise_without_vehicles_is_a_node(
    client: TestClient, world: World, login: Login, store: Store
) -> None:
    from console.platform.store import registry

    with store.begin() as conn:
        empty = registry.add_enterprise(conn, name="英德市空运输有限公司", county_id=world.county_b)
    tree = client.get("/api/v1/vehicles?tree=1", headers=login("op_b")).json()
    nodes = {e["id"]: e for e in tree["counties"][0]["enterprises"]}
    assert nodes[empty.id]["total"] == 0 and nodes[empty.id]["vehicles"] == []


def test_a_vehicle_sits_in_the_county_it_is_registered_in(
    client: TestClient, world: World, login: Login, store: Store
) -> None:
    from console.platform.store import registry

    with store.begin() as conn:
        away = registry.add_vehicle(
            conn,
            plate="粤R55555",
            plate_color=2,
            enterprise_id=world.ent_a1,
            county_id=world.county_b,
        )
    tree = client.get("/api/v1/vehicles?tree=1", headers=login("admin")).json()
    assert tree["total"] == 7
    county_b = next(c for c in tree["counties"] if c["id"] == world.county_b)
    assert {e["id"]: e["total"] for e in county_b["enterprises"]} == {
        world.ent_b1: 2,
        world.ent_a1: 1,
    }
    assert county_b["enterprises"][0]["vehicles"] or county_b["enterprises"][1]["vehicles"]
    assert away.id in {v["id"] for e in county_b["enterprises"] for v in e["vehicles"]}


# --------------------------------------------------------------------------- one vehicle


def test_one_vehicle(client: TestClient, world: World, login: Login) -> None:
    vehicle_id = world.vehicles[world.ent_a2][1]
    response = client.get(f"/api/v1/vehicles/{vehicle_id}", headers=login("op_a"))
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["plate"]) == (vehicle_id, world.plates[vehicle_id])
    assert body["terminal"]["edition"] == "2013" and body["terminal"]["dialect"] == "subiao"


@pytest.mark.parametrize("username", ["ent_a1", "op_b"])
def test_another_enterprises_vehicle_is_not_found(
    client: TestClient, world: World, login: Login, username: str, store: Store
) -> None:
    vehicle_id = world.vehicles[world.ent_a2][0]
    add_track(store, vehicle_id, [1, 2])
    headers = login(username)
    hidden = client.get(f"/api/v1/vehicles/{vehicle_id}", headers=headers)
    unknown = client.get("/api/v1/vehicles/veh_nope", headers=headers)
    track = client.get(
        f"/api/v1/vehicles/{vehicle_id}/track",
        params={"start": T0.isoformat(), "end": (T0 + timedelta(hours=1)).isoformat()},
        headers=headers,
    )
    assert hidden.status_code == unknown.status_code == track.status_code == 404
    assert hidden.json()["error"]["code"] == "not_found"
    assert hidden.json()["error"]["message"] == f"vehicle {vehicle_id} not found"


# --------------------------------------------------------------------------- tracks


def test_a_track_is_ordered_by_time(
    client: TestClient, world: World, login: Login, store: Store
) -> None:
    vehicle_id = world.vehicles[world.ent_a1][0]
    add_track(store, vehicle_id, [30, 5, 20, 90, 10])
    response = client.get(
        f"/api/v1/vehicles/{vehicle_id}/track",
        params={
            "start": "2024-05-01T08:05:00+08:00",  # = 00:05Z, inclusive
            "end": "2024-05-01T00:30:00Z",  # exclusive
        },
        headers=login("ent_a1"),
    )
    assert response.status_code == 200
    body = response.json()
    assert body["vehicle_id"] == vehicle_id
    assert [p["time"] for p in body["positions"]] == [
        "2024-05-01T00:05:00Z",
        "2024-05-01T00:10:00Z",
        "2024-05-01T00:20:00Z",
    ]
    first = body["positions"][0]
    assert first["lat"] == pytest.approx(23.705) and first["valid"] is True
    assert first["invalid_reasons"] == [] and first["received_at"] == "2024-05-01T00:05:02Z"


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2024-05-01T00:00:00Z", "2024-05-02T00:00:01Z", "at most 24 hours"),
        ("2024-05-01T01:00:00Z", "2024-05-01T01:00:00Z", "after start"),
        ("2024-05-01T00:00:00", "2024-05-01T01:00:00", "UTC offset"),
        ("yesterday", "2024-05-01T01:00:00Z", "start"),
    ],
)
def test_a_bad_track_range_is_422(
    client: TestClient, world: World, login: Login, start: str, end: str, message: str
) -> None:
    vehicle_id = world.vehicles[world.ent_a1][0]
    response = client.get(
        f"/api/v1/vehicles/{vehicle_id}/track",
        params={"start": start, "end": end},
        headers=login("admin"),
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"
    assert message in response.json()["error"]["message"]


def test_a_full_day_is_allowed(
    client: TestClient, world: World, login: Login, store: Store
) -> None:
    vehicle_id = world.vehicles[world.ent_a1][0]
    add_track(store, vehicle_id, [0, 60 * 24 - 1, 60 * 24])
    response = client.get(
        f"/api/v1/vehicles/{vehicle_id}/track",
        params={"start": "2024-05-01T00:00:00Z", "end": "2024-05-02T00:00:00Z"},
        headers=login("admin"),
    )
    assert response.status_code == 200
    assert len(response.json()["positions"]) == 2
