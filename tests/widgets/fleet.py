"""A small vehicle tree in the API's shape (``GET /vehicles?tree=1``) for widget tests."""

from __future__ import annotations

from typing import Any


def vehicle(n: int, county: tuple[str, str], enterprise: tuple[str, str], **state: Any) -> dict:
    online = state.pop("online", False)
    moving = state.pop("moving", False)
    return {
        "id": f"v{n}",
        "plate": f"粤R{n:05d}",
        "county_id": county[0],
        "county_name": county[1],
        "enterprise_id": enterprise[0],
        "enterprise_name": enterprise[1],
        "driver_name": "张三" if n % 2 else "",
        "speed_limit_kmh": 80,
        "status": ("moving" if moving else "stopped") if online else "offline",
        "terminal": {"terminal_id": f"T{n:06d}", "edition": "2019", "dialect": "yuebiao"},
        "state": {
            "lat": 23.7 + n / 1000,
            "lon": 113.0 + n / 1000,
            "speed_kmh": 60.0 if moving else 0.0,
            "direction": 90,
            "time": "2026-11-21T08:00:00+00:00",
            "alarm_flags": 0,
        }
        if online or state.get("positioned")
        else None,
    }


def tree() -> dict[str, Any]:
    qc, yd = ("c1", "清城区"), ("c2", "英德市")
    e1, e2, e3 = (
        ("e1", "清远市顺达运输有限公司"),
        ("e2", "清远市恒通物流有限公司"),
        ("e3", "英德市北江运输有限公司"),
    )
    counties = [
        {
            "id": qc[0],
            "name": qc[1],
            "enterprises": [
                {
                    "id": e1[0],
                    "name": e1[1],
                    "vehicles": [
                        vehicle(1, qc, e1, online=True, moving=True),
                        vehicle(2, qc, e1, online=True),
                        vehicle(3, qc, e1),
                    ],
                },
                {"id": e2[0], "name": e2[1], "vehicles": [vehicle(4, qc, e2)]},
            ],
        },
        {
            "id": yd[0],
            "name": yd[1],
            "enterprises": [
                {
                    "id": e3[0],
                    "name": e3[1],
                    "vehicles": [
                        vehicle(5, yd, e3, online=True, moving=True),
                        vehicle(6, yd, e3),
                    ],
                },
            ],
        },
        {"id": "c3", "name": "连山壮族瑶族自治县", "enterprises": []},
    ]
    return {"online": 3, "total": 6, "counties": counties}
