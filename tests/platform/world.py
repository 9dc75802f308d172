"""A small registry for platform tests: two counties, three enterprises, a few trucks with
installed terminals (inserted straight into the tables)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert

from console.platform.store import Store
from console.platform.store.schema import counties, enterprises, terminals, vehicles

NOW = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)

COUNTIES = [("cty_qc", "清城区", "441802"), ("cty_yd", "英德市", "441881")]
ENTERPRISES = [
    ("ent_a", "清远市安达物流有限公司", "cty_qc"),
    ("ent_b", "清远市北江运输有限公司", "cty_qc"),
    ("ent_c", "英德市恒通货运有限公司", "cty_yd"),
]
# vehicle id, plate, enterprise, county, terminal phone, terminal id, edition, dialect
TRUCKS = [
    ("veh_1", "粤R10001", "ent_a", "cty_qc", "00000000013800000001", "GD00001", "2019", "yuebiao"),
    ("veh_2", "粤R10002", "ent_a", "cty_qc", "013800000002", "SU00002", "2013", "subiao"),
    ("veh_3", "粤R20003", "ent_b", "cty_qc", "00000000013800000003", "GD00003", "2019", "yuebiao"),
    ("veh_4", "粤R30004", "ent_c", "cty_yd", "00000000013800000004", "GD00004", "2019", "yuebiao"),
]


def build_world(store: Store) -> None:
    with store.begin() as conn:
        conn.execute(insert(counties), [{"id": i, "name": n, "code": c} for i, n, c in COUNTIES])
        conn.execute(
            insert(enterprises),
            [{"id": i, "name": n, "county_id": c, "created_at": NOW} for i, n, c in ENTERPRISES],
        )
        conn.execute(
            insert(vehicles),
            [
                {
                    "id": v,
                    "plate": p,
                    "plate_color": 2,
                    "enterprise_id": e,
                    "county_id": c,
                    "vehicle_type": "heavy_goods",
                    "speed_limit_kmh": 80,
                    "created_at": NOW,
                }
                for v, p, e, c, *_ in TRUCKS
            ],
        )
        conn.execute(
            insert(terminals),
            [
                {
                    "id": f"trm_{v}",
                    "phone": phone,
                    "terminal_id": tid,
                    "vehicle_id": v,
                    "edition": ed,
                    "dialect": dia,
                }
                for v, _, _, _, phone, tid, ed, dia in TRUCKS
            ],
        )


def truck(vehicle_id: str) -> dict[str, str]:
    row = next(t for t in TRUCKS if t[0] == vehicle_id)
    return dict(
        zip(
            ("plate", "phone", "terminal_id", "edition", "dialect"), (row[1], *row[4:]), strict=True
        )
    )


def build_fleet(
    store: Store, count: int, *, county: str = "cty_qc", enterprise: str = "ent_a"
) -> list[dict[str, str]]:
    """``count`` more trucks with 2019 粤标 terminals (for load and durability tests)."""
    fleet = [
        {
            "vehicle_id": f"veh_f{n:05d}",
            "plate": f"粤R{n:05d}",
            "phone": f"{13900000000 + n:020d}",
            "terminal_id": f"GDF{n:05d}",
        }
        for n in range(count)
    ]
    with store.begin() as conn:
        conn.execute(
            insert(vehicles),
            [
                {
                    "id": t["vehicle_id"],
                    "plate": t["plate"],
                    "plate_color": 2,
                    "enterprise_id": enterprise,
                    "county_id": county,
                    "vehicle_type": "heavy_goods",
                    "speed_limit_kmh": 80,
                    "created_at": NOW,
                }
                for t in fleet
            ],
        )
        conn.execute(
            insert(terminals),
            [
                {
                    "id": f"trm_{t['vehicle_id']}",
                    "phone": t["phone"],
                    "terminal_id": t["terminal_id"],
                    "vehicle_id": t["vehicle_id"],
                    "edition": "2019",
                    "dialect": "yuebiao",
                }
                for t in fleet
            ],
        )
    return fleet
