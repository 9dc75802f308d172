"""Loading the simulated world: API records and world files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from console.protocol.jt808.header import Edition
from console.protocol.jt808.message import Dialect
from console.sim.world import (
    WorldError,
    api_base,
    load_world_file,
    parse_world,
    synthetic_world,
    world_json,
)

# A record as the platform's GET /api/v1/vehicles returns it.
API_RECORD = {
    "id": "veh_f9d4e4686123bec2f37d",
    "plate": "粤R00614",
    "plate_color": 2,
    "county_id": "cty_441826",
    "enterprise_id": "ent_958d28e1c6ed934ade8f",
    "status": "offline",
    "terminal": {
        "id": "trm_afdfa1e6d9fd302353d0",
        "phone": "00000001440459838935",
        "terminal_id": "YBHOWEP7764911770",
        "edition": "2019",
        "dialect": "yuebiao",
        "channels": 6,
    },
}


def test_an_api_record() -> None:
    (vehicle,) = parse_world([API_RECORD])
    assert vehicle.plate == "粤R00614" and vehicle.edition is Edition.V2019
    assert vehicle.dialect is Dialect.YUEBIAO and vehicle.channels == (1, 2, 3, 4, 5, 6)
    assert vehicle.city == 1826 and vehicle.vehicle_id == "veh_f9d4e4686123bec2f37d"
    assert vehicle.phone_digits == "00000001440459838935" == vehicle.sim_digits


def test_a_2013_terminal_pads_its_phone_to_12_digits() -> None:
    record = {"plate": "粤R1", "terminal": {"phone": "13912345678", "edition": "2013"}}
    (vehicle,) = parse_world({"items": [record]})
    assert vehicle.phone_digits == "013912345678" and vehicle.dialect is Dialect.SUBIAO
    assert vehicle.channels == (1, 2, 3, 4)


def test_vehicles_without_terminals_are_skipped_and_the_rest_sorted() -> None:
    records = [
        {"plate": "粤R2", "terminal": {"phone": "2"}},
        {"plate": "粤R9"},
        {"plate": "粤R1", "terminal": {"phone": "1"}},
    ]
    assert [v.plate for v in parse_world(records)] == ["粤R1", "粤R2"]


@pytest.mark.parametrize(
    "payload",
    [
        "nonsense",
        [{"plate": "粤R1", "terminal": {"phone": "1", "edition": "1999"}}],
        [{"plate": "粤R1", "terminal": {"phone": "1", "dialect": "hubiao"}}],
        [
            {"plate": "粤R1", "terminal": {"phone": "1"}},
            {"plate": "粤R2", "terminal": {"phone": "1"}},
        ],
        [{"terminal": {"phone": "1"}}],
    ],
)
def test_bad_worlds_say_why(payload: object) -> None:
    with pytest.raises(WorldError):
        parse_world(payload)


def test_a_world_file_round_trips(tmp_path: Path) -> None:
    vehicles = synthetic_world(25, seed=3)
    path = tmp_path / "world.json"
    path.write_text(json.dumps(world_json(vehicles), ensure_ascii=False), encoding="utf-8")
    assert load_world_file(path) == sorted(vehicles, key=lambda v: (v.plate, v.phone))
    with pytest.raises(WorldError):
        load_world_file(tmp_path / "missing.json")


def test_synthetic_worlds_are_deterministic_and_unique() -> None:
    one, two = synthetic_world(500, seed=1), synthetic_world(500, seed=1)
    assert one == two
    assert len({v.phone_digits for v in one}) == 500 == len({v.plate for v in one})
    assert {v.dialect for v in one} == set(Dialect)


def test_api_base() -> None:
    assert api_base("http://h:1") == "http://h:1/api/v1"
    assert api_base("http://h:1/api/v1/") == "http://h:1/api/v1"
