"""Excel import of vehicles and terminals with real .xlsx files made here: a good file of
10,000 vehicles imports; a file with bad rows imports nothing and names each bad row and
column; scope; and a terminal of a newly imported truck registers through the gateway."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from terminal import TestTerminal

from console.platform.config import PlatformConfig
from console.platform.registry_import import COLUMNS, FIRST_DATA_ROW, SHEET, template
from console.platform.server import Platform
from console.platform.store import Store
from console.platform.store.schema import terminals, vehicles
from console.protocol.jt808.basic import RegisterResult
from console.protocol.jt808.header import Edition

TITLES = [c.title for c in COLUMNS]
LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"


def good_row(n: int, enterprise: str) -> list[Any]:
    plate = f"粤S{LETTERS[n // 10000 % 24]}{n % 10000:04d}"
    return [
        plate,
        "黄色",
        f"LZZ5CLSB{n:09d}",
        "半挂牵引车" if n % 2 else "重型货车",
        enterprise,
        80,
        date(2027, 3, 31),
        f"司机{n}",
        f"139{n:08d}",
        f"1440{n:08d}",  # a 12-digit SIM
        f"TW{n:05d}",
        "锐明",
        "C6D-AI",
        "2019",
        "粤标",
        4,
        "清远安装服务部",
        date(2026, 11, 20),
    ]


def xlsx(rows: list[list[Any]], *, titles: list[str] = TITLES) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append(titles)
    sheet.append(["(说明)"] * len(titles))
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def counts(store: Store) -> tuple[int, int]:
    with store.connect() as conn:
        return (
            conn.execute(select(func.count()).select_from(vehicles)).scalar_one(),
            conn.execute(select(func.count()).select_from(terminals)).scalar_one(),
        )


def test_the_template_has_every_column_and_its_hints() -> None:
    sheet = load_workbook(io.BytesIO(template()))[SHEET]
    assert [c.value for c in sheet[1]] == TITLES
    assert sheet.cell(row=2, column=1).value.startswith("如 粤R")
    assert sheet.freeze_panes == f"A{FIRST_DATA_ROW}"
    lists = {v.formula1 for v in sheet.data_validations.dataValidation}
    assert '"半挂牵引车,重型货车"' in lists


def test_ten_thousand_vehicles_import_with_their_terminals(
    client: Any, login: Any, world: Any, store: Store
) -> None:
    before = counts(store)
    data = xlsx([good_row(n, "清远市甲物流有限公司") for n in range(10_000)])
    reply = client.post("/api/v1/registry/import/vehicles", content=data, headers=login("admin"))
    assert reply.status_code == 200, reply.text[:500]
    assert reply.json() == {"vehicles": 10_000, "terminals": 10_000}
    assert counts(store) == (before[0] + 10_000, before[1] + 10_000)
    with store.connect() as conn:
        row = conn.execute(
            select(vehicles, terminals.c.phone, terminals.c.installer, terminals.c.installed_on)
            .join(terminals, terminals.c.vehicle_id == vehicles.c.id)
            .where(vehicles.c.plate == "粤SA0007")
        ).one()
    assert (row.enterprise_id, row.county_id) == (world.ent_a1, world.county_a)
    assert (row.vehicle_type, row.inspection_due) == ("semi_trailer_tractor", date(2027, 3, 31))
    assert (row.phone, row.installer, row.installed_on) == (
        "144000000007",
        "清远安装服务部",
        date(2026, 11, 20),
    )


def test_a_file_with_bad_rows_imports_nothing_and_names_each_row_and_column(
    client: Any, login: Any, world: Any, store: Store
) -> None:
    rows = [good_row(n, "清远市甲物流有限公司") for n in range(6)]
    rows[1][0] = "粤R12"  # row 4: plate
    rows[2][1] = "紫色"  # row 5: plate colour
    rows[3][4] = "不存在的公司"  # row 6: enterprise
    rows[4][9] = rows[0][9]  # row 7: the SIM of row 3 again
    rows[5][8] = "12345"  # row 8: driver phone
    rows.append(good_row(7, "清远市甲物流有限公司"))
    rows[-1][0] = world.plates[world.vehicles[world.ent_a1][0]]  # row 9: registered already
    before = counts(store)
    reply = client.post(
        "/api/v1/registry/import/vehicles", content=xlsx(rows), headers=login("admin")
    )
    assert reply.status_code == 422
    error = reply.json()["error"]
    assert error["code"] == "import_rejected"
    found = {(r["row"], r["column"]) for r in error["rows"]}
    assert found == {
        (4, "车牌号"),
        (5, "车牌颜色"),
        (6, "所属企业"),
        (7, "终端SIM卡号"),
        (8, "驾驶员电话"),
        (9, "车牌号"),
    }
    assert "also in row 3" in next(r["message"] for r in error["rows"] if r["row"] == 7)
    assert counts(store) == before


def test_scope_of_an_import(client: Any, login: Any, world: Any, store: Store) -> None:
    # County B's operator cannot import into county A's enterprise; an officer not at all.
    data = xlsx([good_row(1, "清远市甲物流有限公司")])
    reply = client.post("/api/v1/registry/import/vehicles", content=data, headers=login("op_b"))
    assert reply.status_code == 422
    assert reply.json()["error"]["rows"][0]["column"] == "所属企业"
    reply = client.post("/api/v1/registry/import/vehicles", content=data, headers=login("ent_a1"))
    assert reply.status_code == 403
    reply = client.post("/api/v1/registry/import/vehicles", content=data, headers=login("op_a"))
    assert reply.status_code == 200


def test_not_a_spreadsheet_or_not_the_template(client: Any, login: Any, world: Any) -> None:
    url = "/api/v1/registry/import/vehicles"
    reply = client.post(url, content=b"plate,colour\n", headers=login("admin"))
    assert reply.status_code == 422 and "xlsx" in reply.json()["error"]["rows"][0]["message"]
    reply = client.post(url, content=xlsx([["粤R1"]], titles=["车牌"]), headers=login("admin"))
    assert {r["column"] for r in reply.json()["error"]["rows"]} >= {"车牌号", "终端SIM卡号"}
    template_reply = client.get("/api/v1/registry/templates/vehicles.xlsx", headers=login("op_a"))
    assert template_reply.status_code == 200 and template_reply.content[:2] == b"PK"


@pytest.mark.anyio
async def test_a_terminal_of_a_newly_imported_truck_registers(
    store: Store, world: Any, password: str, tmp_path: Path
) -> None:
    platform = Platform(PlatformConfig(db_url=store.url, data_dir=tmp_path / "data"), store)
    ports = await platform.start()
    row = good_row(42, "清远市乙运输有限公司")
    terminal = TestTerminal(
        "127.0.0.1", ports.jt808, row[9], row[10], row[0], edition=Edition.V2013
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{ports.http}") as api:
            token = (
                await api.post(
                    "/api/v1/auth/login", json={"username": "op_a", "password": password}
                )
            ).json()["token"]
            await terminal.connect()
            assert (await terminal.register()).result == RegisterResult.NO_SUCH_VEHICLE
            reply = await api.post(
                "/api/v1/registry/import/vehicles",
                content=xlsx([row]),
                headers={"Authorization": f"Bearer {token}"},
            )
            assert reply.status_code == 200, reply.text
            registered = await terminal.register()
            assert registered.result == RegisterResult.SUCCESS
            assert (await terminal.authenticate()).result == 0
    finally:
        await terminal.close()
        await platform.stop()
