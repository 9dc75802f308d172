"""Export to Excel: title row, Chinese headers, the rows as shown, times as real times."""

from __future__ import annotations

from datetime import datetime

from alarms_data import COUNTIES, ENTERPRISES, Clock, alarm
from openpyxl import load_workbook

from widgets.alarm_export import export_xlsx, table_rows
from widgets.alarm_filter import AlarmFilter
from widgets.alarm_model import AlarmModel


def filtered() -> AlarmFilter:
    model = AlarmModel(clock=Clock(600))
    model.set_names(COUNTIES, ENTERPRISES)
    model.add_alarms(
        [
            alarm(1, at=0),
            alarm(2, at=20),
            alarm(3, at=60, vehicle=2, type_code="adas.01", severity=2, level=1),
            alarm(4, at=90, vehicle=3, type_code="bsd.01", severity=1, level=None),
        ]
    )
    proxy = AlarmFilter()
    proxy.setSourceModel(model)
    proxy.update(min_severity=2)
    return proxy


def test_table_rows_are_what_the_filtered_table_shows() -> None:
    headers, rows = table_rows(filtered())
    assert headers[:4] == ["时间", "级别", "报警类型", "车牌"]
    assert [r[3] for r in rows] == ["粤R00002", "粤R00001"]
    assert rows[1][0] == datetime(2026, 11, 21, 10, 0, 20)  # Beijing time, for Excel
    assert rows[1][2] == "疲劳驾驶报警 ×2"
    assert rows[0][1] == "一级 · 中"


def test_export_writes_title_headers_and_rows(tmp_path) -> None:
    headers, rows = table_rows(filtered())
    path = export_xlsx(tmp_path / "报警.xlsx", rows, headers=headers, title="报警列表（级别 ≥ 中）")
    sheet = load_workbook(path).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == "报警列表（级别 ≥ 中）"
    assert values[1] == headers
    assert len(values) == 4
    assert values[3][:6] == [
        datetime(2026, 11, 21, 10, 0, 20),
        "二级 · 高",
        "疲劳驾驶报警 ×2",
        "粤R00001",
        "清远市顺达运输有限公司",
        "清城区",
    ]
    assert values[3][6] == 62.4  # speed as a number
    assert sheet.cell(row=4, column=1).number_format == "yyyy-mm-dd hh:mm:ss"


def test_export_without_headers_uses_the_table_columns(tmp_path) -> None:
    path = export_xlsx(tmp_path / "empty.xlsx", [])
    values = [[c.value for c in row] for row in load_workbook(path).active.iter_rows()]
    assert values[1][0] == "时间"
    assert values[1][-1] == "等待时长"
