"""The registry store: counties, enterprises, vehicles (scoped in SQL), terminals, users,
tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import insert

from console.domain.model import (
    PLATE_COLOR_BLUE,
    PLATE_COLOR_YELLOW,
    Role,
    Scope,
    User,
    VehicleType,
)
from console.platform.store import Store, registry
from console.platform.store.schema import positions, vehicle_state

if TYPE_CHECKING:
    from conftest import World

T0 = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)


def scope_of(world: World, username: str, store: Store) -> Scope:
    with store.connect() as conn:
        user = registry.get_user(conn, world.users[username])
    assert user is not None
    return Scope.of(user)


# --------------------------------------------------------------------------- counties


def test_counties_are_listed_by_code(store: Store) -> None:
    with store.begin() as conn:
        registry.add_county(conn, id="c2", name="英德市", code="441881")
        registry.add_county(conn, id="c1", name="清城区", code="441802")
    with store.connect() as conn:
        assert [c.name for c in registry.list_counties(conn)] == ["清城区", "英德市"]
        assert registry.get_county(conn, "c1") == registry.list_counties(conn)[0]
        assert registry.get_county(conn, "nope") is None


def test_counties_in_scope(store: Store, world: World) -> None:
    with store.connect() as conn:
        assert len(registry.list_counties(conn, Scope.everything())) == 2
        officer = registry.list_counties(conn, scope_of(world, "ent_b1", store))
        operator = registry.list_counties(conn, scope_of(world, "op_a", store))
        assert registry.get_county(conn, world.county_b, scope_of(world, "op_a", store)) is None
    assert [c.id for c in officer] == [world.county_b]
    assert [c.id for c in operator] == [world.county_a]


# --------------------------------------------------------------------------- enterprises


def test_enterprises_in_scope(store: Store, world: World) -> None:
    with store.connect() as conn:
        every = registry.list_enterprises(conn)
        county_a = registry.list_enterprises(conn, scope_of(world, "op_a", store))
        mine = registry.list_enterprises(conn, scope_of(world, "ent_a2", store))
        by_county = registry.list_enterprises(conn, county_id=world.county_b)
        hidden = registry.get_enterprise(conn, world.ent_a1, scope_of(world, "ent_a2", store))
    assert len(every) == 3
    assert {e.id for e in county_a} == {world.ent_a1, world.ent_a2}
    assert [e.id for e in mine] == [world.ent_a2]
    assert [e.id for e in by_county] == [world.ent_b1]
    assert hidden is None


# --------------------------------------------------------------------------- vehicles


def test_a_vehicle_takes_its_enterprises_county(store: Store, world: World) -> None:
    with store.begin() as conn:
        vehicle = registry.add_vehicle(
            conn, plate="粤R99999", plate_color=PLATE_COLOR_YELLOW, enterprise_id=world.ent_b1
        )
    assert vehicle.county_id == world.county_b
    assert vehicle.speed_limit_kmh == 80
    assert vehicle.vehicle_type is VehicleType.HEAVY_GOODS


def test_a_plate_is_registered_once_per_colour(store: Store, world: World) -> None:
    plate = world.plates[world.vehicles[world.ent_a1][0]]
    with store.begin() as conn, pytest.raises(registry.Duplicate):
        registry.add_vehicle(
            conn, plate=plate, plate_color=PLATE_COLOR_YELLOW, enterprise_id=world.ent_a1
        )
    with store.begin() as conn:
        registry.add_vehicle(
            conn, plate=plate, plate_color=PLATE_COLOR_BLUE, enterprise_id=world.ent_a1
        )


def test_a_vehicle_of_an_unknown_enterprise_is_refused(store: Store) -> None:
    with store.begin() as conn, pytest.raises(registry.NotFound):
        registry.add_vehicle(conn, plate="粤R11111", plate_color=2, enterprise_id="nope")


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("admin", {"a1", "a2", "b1"}),
        ("op_a", {"a1", "a2"}),
        ("op_b", {"b1"}),
        ("ent_a2", {"a2"}),
    ],
)
def test_vehicles_are_filtered_by_scope(
    store: Store, world: World, username: str, expected: set[str]
) -> None:
    ents = {"a1": world.ent_a1, "a2": world.ent_a2, "b1": world.ent_b1}
    wanted = {v for key in expected for v in world.vehicles[ents[key]]}
    scope = scope_of(world, username, store)
    with store.connect() as conn:
        listed = registry.list_vehicles(conn, scope)
        views = registry.list_vehicle_views(conn, scope)
        found = {v: registry.get_vehicle(conn, v, scope) for v in world.all_vehicles}
    assert {v.id for v in listed} == wanted
    assert {v.vehicle.id for v in views} == wanted
    assert {v for v, got in found.items() if got is not None} == wanted


def test_an_empty_scope_sees_nothing(store: Store, world: World) -> None:
    nobody = Scope(enterprise_ids=frozenset())
    with store.connect() as conn:
        assert registry.list_vehicles(conn, nobody) == []
        assert registry.get_vehicle(conn, world.all_vehicles[0], nobody) is None
        assert registry.list_vehicles(conn, Scope(county_ids=frozenset())) == []


def test_vehicles_filtered_by_county_and_enterprise(store: Store, world: World) -> None:
    with store.connect() as conn:
        in_b = registry.list_vehicles(conn, Scope.everything(), county_id=world.county_b)
        of_a2 = registry.list_vehicles(conn, Scope.everything(), enterprise_id=world.ent_a2)
        a2_for_op_b = registry.list_vehicles(
            conn, scope_of(world, "op_b", store), enterprise_id=world.ent_a2
        )
    assert {v.id for v in in_b} == set(world.vehicles[world.ent_b1])
    assert {v.id for v in of_a2} == set(world.vehicles[world.ent_a2])
    assert a2_for_op_b == []


def test_find_vehicle_by_plate(store: Store, world: World) -> None:
    vehicle_id = world.vehicles[world.ent_b1][1]
    plate = world.plates[vehicle_id]
    with store.begin() as conn:
        assert registry.find_vehicle_by_plate(conn, plate).id == vehicle_id  # type: ignore[union-attr]
        found = registry.find_vehicle_by_plate(conn, plate, PLATE_COLOR_YELLOW)
        assert found is not None and found.id == vehicle_id
        assert registry.find_vehicle_by_plate(conn, plate, PLATE_COLOR_BLUE) is None
        assert registry.find_vehicle_by_plate(conn, "粤R00000") is None
        registry.add_vehicle(
            conn, plate=plate, plate_color=PLATE_COLOR_BLUE, enterprise_id=world.ent_a1
        )
        assert registry.find_vehicle_by_plate(conn, plate) is None  # ambiguous without colour
        assert registry.find_vehicle_by_plate(conn, plate, PLATE_COLOR_YELLOW).id == vehicle_id  # type: ignore[union-attr]


def test_find_vehicle_by_vin(store: Store, world: World) -> None:
    with store.connect() as conn:
        vehicle = registry.get_vehicle(conn, world.all_vehicles[0], Scope.everything())
        assert vehicle is not None
        assert registry.find_vehicle_by_vin(conn, vehicle.vin) == vehicle
        assert registry.find_vehicle_by_vin(conn, "LZZ00000000000000") is None


def test_a_view_carries_names_terminal_and_state(store: Store, world: World) -> None:
    vehicle_id = world.vehicles[world.ent_a2][0]
    with store.begin() as conn:
        conn.execute(
            insert(vehicle_state).values(
                vehicle_id=vehicle_id,
                online=True,
                last_seen_at=T0,
                time=T0,
                lat=23.68,
                lon=113.05,
                speed_kmh=62.5,
                direction=90,
                alarm_flags=0,
                status=3,
                video_alarms=0,
                rules={},
            )
        )
    with store.connect() as conn:
        view = registry.get_vehicle_view(conn, vehicle_id, Scope.everything())
        bare = registry.get_vehicle_view(conn, world.vehicles[world.ent_a2][1], Scope.everything())
    assert view is not None and bare is not None
    assert (view.county_name, view.enterprise_name) == ("清城区", "清远市乙运输有限公司")
    assert view.terminal is not None and view.terminal.phone == world.phones[vehicle_id]
    assert view.state is not None
    assert (view.state.lat, view.state.lon, view.state.time) == (23.68, 113.05, T0)
    assert view.status == "moving"
    assert bare.state is None and bare.status == "offline"


@pytest.mark.parametrize(
    ("online", "speed", "status"),
    [
        (False, 60.0, "offline"),
        (True, None, "online"),
        (True, 0.0, "stopped"),
        (True, 4.9, "stopped"),
        (True, 5.0, "moving"),
    ],
)
def test_vehicle_status(online: bool, speed: float | None, status: str) -> None:
    state = registry.VehicleState(vehicle_id="v", online=online, speed_kmh=speed)
    assert registry.vehicle_status(state) == status
    assert registry.vehicle_status(None) == "offline"


def test_views_match_a_part_of_the_plate(store: Store, world: World) -> None:
    with store.connect() as conn:
        found = registry.list_vehicle_views(conn, Scope.everything(), plate="B0005")
        none = registry.list_vehicle_views(conn, Scope.everything(), plate="%")
    assert [v.vehicle.plate for v in found] == ["粤RB0005"]
    assert none == []


# --------------------------------------------------------------------------- track


def add_positions(store: Store, vehicle_id: str, count: int) -> None:
    with store.begin() as conn:
        for i in reversed(range(count)):  # stored out of order on purpose
            conn.execute(
                insert(positions).values(
                    vehicle_id=vehicle_id,
                    time=T0 + timedelta(minutes=i),
                    received_at=T0 + timedelta(minutes=i, seconds=1),
                    lat=23.6 + i / 1000,
                    lon=113.0,
                    altitude_m=30,
                    speed_kmh=50.0,
                    direction=180,
                    alarm_flags=0,
                    status=3,
                    invalid="speed_out_of_range;future_time" if i == 2 else None,
                )
            )


def test_a_track_is_ordered_and_bounded(store: Store, world: World) -> None:
    vehicle_id = world.vehicles[world.ent_a1][0]
    add_positions(store, vehicle_id, 6)
    with store.connect() as conn:
        track = registry.vehicle_track(
            conn,
            vehicle_id,
            Scope.everything(),
            T0 + timedelta(minutes=1),
            T0 + timedelta(minutes=4),
        )
    assert track is not None
    assert [p.time for p in track] == [T0 + timedelta(minutes=m) for m in (1, 2, 3)]
    assert track[1].invalid_reasons == ("speed_out_of_range", "future_time")
    assert not track[1].valid and track[0].valid
    assert track[0].received_at == T0 + timedelta(minutes=1, seconds=1)


def test_a_track_outside_the_scope_is_none(store: Store, world: World) -> None:
    vehicle_id = world.vehicles[world.ent_a1][0]
    add_positions(store, vehicle_id, 2)
    with store.connect() as conn:
        hidden = registry.vehicle_track(
            conn, vehicle_id, scope_of(world, "ent_a2", store), T0, T0 + timedelta(hours=1)
        )
        unknown = registry.vehicle_track(
            conn, "veh_nope", Scope.everything(), T0, T0 + timedelta(hours=1)
        )
        empty = registry.vehicle_track(
            conn, vehicle_id, Scope.everything(), T0 - timedelta(hours=1), T0
        )
    assert hidden is None and unknown is None
    assert empty == []


# --------------------------------------------------------------------------- terminals


def test_terminal_lookups(store: Store, world: World) -> None:
    vehicle_id = world.vehicles[world.ent_b1][0]
    phone = world.phones[vehicle_id]
    with store.connect() as conn:
        by_phone = registry.get_terminal_by_phone(conn, phone)
        by_vehicle = registry.get_terminal_for_vehicle(conn, vehicle_id)
        in_scope = registry.get_terminal_for_vehicle(
            conn, vehicle_id, scope_of(world, "op_b", store)
        )
        out_of_scope = registry.get_terminal_for_vehicle(
            conn, vehicle_id, scope_of(world, "op_a", store)
        )
        assert by_phone is not None
        assert registry.get_terminal(conn, by_phone.id) == by_phone
    assert by_phone == by_vehicle == in_scope
    assert by_phone.vehicle_id == vehicle_id and by_phone.auth_code is None
    assert (by_phone.edition, by_phone.dialect) == ("2019", "yuebiao")
    assert out_of_scope is None


def test_terminal_protocol_is_remembered(store: Store, world: World) -> None:
    phone = world.phones[world.all_vehicles[0]]
    with store.begin() as conn:
        registry.set_terminal_protocol(conn, phone, edition="2013", dialect="subiao")
        terminal = registry.get_terminal_by_phone(conn, phone)
    assert terminal is not None
    assert (terminal.edition, terminal.dialect) == ("2013", "subiao")


def test_a_phone_or_vehicle_gets_one_terminal(store: Store, world: World) -> None:
    vehicle_id = world.all_vehicles[0]
    with store.begin() as conn:
        with pytest.raises(registry.Duplicate):
            registry.add_terminal(conn, phone=world.phones[vehicle_id], terminal_id="X")
        with pytest.raises(registry.Duplicate):
            registry.add_terminal(
                conn, phone="012345678901", terminal_id="X", vehicle_id=vehicle_id
            )


# --------------------------------------------------------------------------- users


def test_users_by_role_county_and_enterprise(store: Store, world: World) -> None:
    with store.connect() as conn:
        operators = registry.list_users(conn, role=Role.COUNTY_OPERATOR)
        operator_of_b = registry.list_users(
            conn, role=Role.COUNTY_OPERATOR, county_id=world.county_b
        )
        officer_of_a2 = registry.list_users(conn, enterprise_id=world.ent_a2)
        in_county_a = registry.list_users(conn, county_id=world.county_a)
    assert [u.username for u in operators] == ["op_a", "op_b"]
    assert [u.username for u in operator_of_b] == ["op_b"]
    assert [u.username for u in officer_of_a2] == ["ent_a2"]
    assert [u.username for u in in_county_a] == ["ent_a1", "ent_a2", "op_a"]


def test_an_officer_records_the_county_of_the_enterprise(store: Store, world: World) -> None:
    with store.connect() as conn:
        officer = registry.get_user_by_username(conn, "ent_b1")
        admin = registry.get_user(conn, world.users["admin"])
    assert officer == User(
        id=world.users["ent_b1"],
        username="ent_b1",
        role=Role.ENTERPRISE_OFFICER,
        display_name="ENT_B1",
        county_id=world.county_b,
        enterprise_id=world.ent_b1,
    )
    assert admin is not None and admin.role is Role.ADMIN and admin.county_id is None


def test_create_user_checks_its_scope(store: Store, world: World) -> None:
    with store.begin() as conn:
        with pytest.raises(registry.NotFound):
            registry.create_user(
                conn, username="x", role=Role.COUNTY_OPERATOR, password="pw", county_id=None
            )
        with pytest.raises(registry.NotFound):
            registry.create_user(
                conn, username="x", role=Role.ENTERPRISE_OFFICER, password="pw", enterprise_id="n"
            )
        with pytest.raises(registry.Duplicate):
            registry.create_user(conn, username="admin", role=Role.ADMIN, password_hash="h")
        with pytest.raises(ValueError, match="exactly one"):
            registry.create_user(conn, username="y", role=Role.ADMIN)


def test_create_user_hashes_the_password(store: Store, world: World) -> None:
    from sqlalchemy import select

    from console.platform.auth import verify_password
    from console.platform.store.schema import users

    with store.begin() as conn:
        user = registry.create_user(
            conn,
            username="new",
            role=Role.COUNTY_OPERATOR,
            password="s3cret",
            county_id=world.county_a,
        )
        stored = conn.execute(select(users.c.password_hash).where(users.c.id == user.id)).scalar()
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "s3cret")


def test_a_disabled_user_loses_their_tokens(store: Store, world: World) -> None:
    user_id = world.users["op_a"]
    with store.begin() as conn:
        registry.add_token(conn, "h1", user_id, created_at=T0, expires_at=T0 + timedelta(hours=1))
        registry.set_user_active(conn, user_id, False)
        assert registry.user_for_token_hash(conn, "h1", T0) is None
        assert registry.token_expires_at(conn, "h1") is None
        assert not registry.get_user(conn, user_id).active  # type: ignore[union-attr]


# --------------------------------------------------------------------------- tokens


def test_tokens_expire_and_are_pruned(store: Store, world: World) -> None:
    user_id = world.users["ent_a1"]
    with store.begin() as conn:
        registry.add_token(conn, "h1", user_id, created_at=T0, expires_at=T0 + timedelta(hours=1))
        registry.add_token(conn, "h2", user_id, created_at=T0, expires_at=T0 + timedelta(hours=3))
    with store.begin() as conn:
        user = registry.user_for_token_hash(conn, "h1", T0 + timedelta(minutes=59))
        assert user is not None and user.username == "ent_a1"
        assert registry.user_for_token_hash(conn, "h1", T0 + timedelta(hours=1)) is None
        assert registry.user_for_token_hash(conn, "nope", T0) is None
        assert registry.prune_tokens(conn, T0 + timedelta(hours=2)) == 1
        assert registry.token_expires_at(conn, "h2") == T0 + timedelta(hours=3)
        assert registry.delete_token(conn, "h2")
        assert not registry.delete_token(conn, "h2")


def test_count_rows(store: Store, world: World) -> None:
    with store.connect() as conn:
        assert registry.count_rows(conn) == {
            "counties": 2,
            "enterprises": 3,
            "vehicles": 6,
            "terminals": 6,
            "users": 6,
        }
