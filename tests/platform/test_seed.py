"""The demo world: 清远's counties, ~20 enterprises, ~300 trucks with terminals, users."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from console.domain.model import Role, Scope
from console.platform import auth
from console.platform.config import PlatformConfig
from console.platform.seed import AlreadySeeded, SeedReport, seed_demo
from console.platform.store import Store, registry, sqlite_url
from console.platform.store.schema import counties, enterprises, terminals, users, vehicles

NOW = datetime(2024, 5, 1, tzinfo=UTC)
QINGYUAN = {
    "441802": "清城区",
    "441803": "清新区",
    "441821": "佛冈县",
    "441823": "阳山县",
    "441825": "连山壮族瑶族自治县",
    "441826": "连南瑶族自治县",
    "441881": "英德市",
    "441882": "连州市",
}


@pytest.fixture
def seeded(store: Store) -> tuple[Store, SeedReport]:
    with store.begin() as conn:
        report = seed_demo(conn, admin_password="admin-pw", demo_password="demo-pw", now=NOW)
    return store, report


def dump(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Everything seeded but the creation times and password hashes."""
    out = {}
    with store.connect() as conn:
        for table in (counties, enterprises, vehicles, terminals, users):
            columns = [c for c in table.c if c.name not in ("created_at", "password_hash")]
            rows = conn.execute(select(*columns).order_by(table.c.id)).all()
            out[table.name] = [tuple(r) for r in rows]
    return out


@pytest.fixture
def other_store(tmp_path: Path) -> Iterator[Store]:
    store = Store.open(sqlite_url(tmp_path / "other.db"))
    try:
        yield store
    finally:
        store.close()


def test_the_world_has_the_expected_size(seeded: tuple[Store, SeedReport]) -> None:
    store, report = seeded
    assert (report.counties, report.enterprises, report.vehicles, report.terminals) == (
        8,
        20,
        300,
        300,
    )
    with store.connect() as conn:
        assert registry.count_rows(conn) == {
            "counties": 8,
            "enterprises": 20,
            "vehicles": 300,
            "terminals": 300,
            "users": 1 + 8 + 20,
        }


def test_the_counties_of_qingyuan(seeded: tuple[Store, SeedReport]) -> None:
    store, _ = seeded
    with store.connect() as conn:
        found = {c.code: c.name for c in registry.list_counties(conn)}
        enterprises_per_county = Counter(e.county_id for e in registry.list_enterprises(conn))
        vehicles_per_county = Counter(v.county_id for v in registry.list_vehicles(conn, Scope()))
    assert found == QINGYUAN
    assert len(enterprises_per_county) == 8
    assert len(vehicles_per_county) == 8


def test_enterprises_look_real(seeded: tuple[Store, SeedReport]) -> None:
    store, _ = seeded
    with store.connect() as conn:
        found = registry.list_enterprises(conn)
        codes = {c.id: c.code for c in registry.list_counties(conn)}
    assert len({e.name for e in found}) == 20
    for enterprise in found:
        assert re.fullmatch(r"\S+(物流|运输|货运)有限公司", enterprise.name), enterprise.name
        assert valid_credit_code(enterprise.credit_code), enterprise.credit_code
        assert enterprise.credit_code[2:8] == codes[enterprise.county_id]
        assert re.fullmatch(r"1[3-9]\d{9}", enterprise.phone)
        assert enterprise.contact
    assert len({e.credit_code for e in found}) == 20


def test_trucks_look_real(seeded: tuple[Store, SeedReport]) -> None:
    store, _ = seeded
    with store.connect() as conn:
        views = registry.list_vehicle_views(conn, Scope.everything())
    plates = [v.vehicle.plate for v in views]
    vins = [v.vehicle.vin for v in views]
    assert len(set(plates)) == len(set(vins)) == 300
    types = Counter(v.vehicle.vehicle_type.value for v in views)
    assert set(types) == {"semi_trailer_tractor", "heavy_goods"}
    for view in views:
        vehicle = view.vehicle
        assert re.fullmatch(r"粤R[0-9A-HJ-NP-Z]{5}", vehicle.plate), vehicle.plate
        assert vehicle.plate_color == 2
        assert valid_vin(vehicle.vin), vehicle.vin
        assert vehicle.driver_name and re.fullmatch(r"1\d{10}", vehicle.driver_phone)
        assert view.terminal is not None and view.state is None
    # Speed limits: 80, and 70 for every truck of a few enterprises.
    limits_by_enterprise: dict[str, set[int]] = {}
    for view in views:
        limits_by_enterprise.setdefault(view.vehicle.enterprise_id, set()).add(
            view.vehicle.speed_limit_kmh
        )
    assert all(len(limits) == 1 for limits in limits_by_enterprise.values())
    slow = [e for e, limits in limits_by_enterprise.items() if limits == {70}]
    assert 1 <= len(slow) < 10
    assert sum(limits == {80} for limits in limits_by_enterprise.values()) == 20 - len(slow)


def test_terminals_mix_editions_and_dialects(seeded: tuple[Store, SeedReport]) -> None:
    store, _ = seeded
    with store.connect() as conn:
        found = [
            v.terminal
            for v in registry.list_vehicle_views(conn, Scope.everything())
            if v.terminal is not None
        ]
    assert len(found) == 300
    assert len({t.phone for t in found}) == len({t.terminal_id for t in found}) == 300
    kinds = Counter((t.edition, t.dialect) for t in found)
    assert set(kinds) == {("2019", "yuebiao"), ("2013", "subiao"), ("2019", "subiao")}
    assert kinds["2019", "yuebiao"] > 150
    assert kinds["2013", "subiao"] > 20 and kinds["2019", "subiao"] > 20
    for t in found:
        assert re.fullmatch(r"\d{12}" if t.edition == "2013" else r"\d{20}", t.phone), t
        if t.dialect == "subiao":
            assert re.fullmatch(r"[0-9A-Z]{7}", t.terminal_id), t
        else:
            assert 7 < len(t.terminal_id) <= 30, t
        assert 4 <= t.channels <= 6
        assert t.maker and t.model and t.auth_code is None


def test_every_county_has_an_operator_and_every_enterprise_an_officer(
    seeded: tuple[Store, SeedReport],
) -> None:
    store, report = seeded
    with store.connect() as conn:
        found = registry.list_users(conn)
        county_ids = {c.id for c in registry.list_counties(conn)}
        enterprise_ids = {e.id for e in registry.list_enterprises(conn)}
    by_role = Counter(u.role for u in found)
    assert by_role == {Role.ADMIN: 1, Role.COUNTY_OPERATOR: 8, Role.ENTERPRISE_OFFICER: 20}
    operators = {u.county_id: u for u in found if u.role is Role.COUNTY_OPERATOR}
    officers = {u.enterprise_id: u for u in found if u.role is Role.ENTERPRISE_OFFICER}
    assert set(operators) == county_ids
    assert set(officers) == enterprise_ids
    assert operators["cty_441802"].username == "op_qingcheng"
    assert operators["cty_441802"].display_name == "清城区监控值班员"
    assert {u.username for u in officers.values()} == {f"ent_{n}" for n in range(1, 21)}
    assert len({u.username for u in found}) == 29
    assert [u.username for u in report.users][:2] == ["admin", "op_qingcheng"]


def test_demo_users_log_in_with_the_given_passwords(
    seeded: tuple[Store, SeedReport], tmp_path: Path
) -> None:
    store, report = seeded
    config = PlatformConfig(db_url=store.url, data_dir=tmp_path)
    assert report.generated_passwords == {}
    with store.begin() as conn:
        assert auth.login(conn, "admin", "admin-pw", NOW, config)[1].role is Role.ADMIN
        assert auth.login(conn, "op_lianzhou", "demo-pw", NOW, config)[1].county_id == (
            "cty_441882"
        )
        assert auth.login(conn, "ent_20", "demo-pw", NOW, config)[1].enterprise_id


def test_without_a_demo_password_each_user_gets_a_random_one(
    other_store: Store, tmp_path: Path
) -> None:
    with other_store.begin() as conn:
        report = seed_demo(conn, admin_password="admin-pw")
    passwords = report.generated_passwords
    assert set(passwords) == {u.username for u in report.users} - {"admin"}
    assert len(set(passwords.values())) == 28
    config = PlatformConfig(db_url=other_store.url, data_dir=tmp_path)
    with other_store.begin() as conn:
        assert auth.login(conn, "op_yingde", passwords["op_yingde"], NOW, config)
        with pytest.raises(auth.InvalidCredentials):
            auth.login(conn, "ent_1", passwords["ent_2"], NOW, config)


def test_the_world_is_deterministic(store: Store, other_store: Store, tmp_path: Path) -> None:
    with store.begin() as conn:
        seed_demo(conn, admin_password="a", demo_password="d", rng_seed=7)
    with other_store.begin() as conn:
        seed_demo(conn, admin_password="b", demo_password="e", rng_seed=7)
    assert dump(store) == dump(other_store)


def test_another_seed_gives_another_world(store: Store, other_store: Store) -> None:
    with store.begin() as conn:
        seed_demo(conn, admin_password="a", demo_password="d", rng_seed=1)
    with other_store.begin() as conn:
        seed_demo(conn, admin_password="a", demo_password="d", rng_seed=2)
    first, second = dump(store), dump(other_store)
    assert first["counties"] == second["counties"]
    assert {r[1] for r in first["vehicles"]} != {r[1] for r in second["vehicles"]}


def test_seeding_twice_is_refused(seeded: tuple[Store, SeedReport]) -> None:
    store, _ = seeded
    before = dump(store)
    with store.begin() as conn, pytest.raises(AlreadySeeded, match="not empty"):
        seed_demo(conn, admin_password="x", demo_password="y")
    assert dump(store) == before


def valid_vin(vin: str) -> bool:
    values = {
        **{str(d): d for d in range(10)},
        **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
        **dict(zip("JKLMN", range(1, 6), strict=True)),
        "P": 7,
        "R": 9,
        **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
    }
    weights = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
    if not re.fullmatch(r"[A-HJ-NPR-Z0-9]{17}", vin):
        return False
    check = sum(values[c] * w for c, w in zip(vin, weights, strict=True)) % 11
    return vin[8] == ("X" if check == 10 else str(check))


def valid_credit_code(code: str) -> bool:
    """GB 32100-2015: 18 characters, the last a check character."""
    chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    if len(code) != 18 or any(c not in chars for c in code):
        return False
    total = sum(chars.index(c) * w for c, w in zip(code[:17], weights, strict=True))
    return code[17] == chars[(31 - total % 31) % 31]
