"""Case statistics: the table from the API's stats JSON (rates, medians, the total row),
the bars, the Excel export, and a real query against the platform."""

from __future__ import annotations

from datetime import timedelta

import pytest
from live_platform import LivePlatform
from openpyxl import load_workbook

from widgets.beijing import CST
from widgets.case_stats import CaseStats, stats_table
from widgets.tasks import Tasks

STATS = {
    "start": "2026-11-01T00:00:00+08:00",
    "end": "2026-11-22T00:00:00+08:00",
    "by": "county",
    "rows": [
        {
            "key": "cty_441802",
            "name": "清城区",
            "cases": 10,
            "alarms": 14,
            "handled_alarms": 12,
            "disposal_rate": 12 / 14,
            "finished_cases": 6,
            "handling_rate": 0.6,
            "overdue": 2,
            "median_close_min": 95.0,
        },
        {
            "key": "cty_441881",
            "name": "英德市",
            "cases": 0,
            "alarms": 0,
            "handled_alarms": 0,
            "disposal_rate": None,
            "finished_cases": 0,
            "handling_rate": None,
            "overdue": 0,
            "median_close_min": None,
        },
    ],
    "total": {
        "key": None,
        "name": "合计",
        "cases": 10,
        "alarms": 14,
        "handled_alarms": 12,
        "disposal_rate": 12 / 14,
        "finished_cases": 6,
        "handling_rate": 0.6,
        "overdue": 2,
        "median_close_min": 95.0,
    },
}


def test_table_shows_rates_as_percentages_and_none_as_a_dash() -> None:
    headers, rows = stats_table(STATS)
    assert headers[4] == "处置率" and headers[6] == "处理率" and headers[7] == "逾期"
    assert rows[0] == ["清城区", "10", "14", "12", "85.7%", "6", "60.0%", "2", "95"]
    assert rows[1][4] == "—" and rows[1][8] == "—"
    assert rows[-1][0] == "合计"


def test_export_keeps_numbers(tmp_path) -> None:
    _headers, rows = stats_table(STATS, for_export=True)
    assert rows[0][4] == pytest.approx(0.857, abs=1e-3) and rows[1][4] is None


@pytest.fixture
def stats(qtbot):
    tasks = Tasks()
    made = CaseStats(None, tasks)  # type: ignore[arg-type]  # fed directly, no platform
    qtbot.add_widget(made)
    yield made
    tasks.wait()


def test_widget_fills_the_table_and_the_bars_and_exports_excel(stats, tmp_path) -> None:
    stats.show_stats(STATS)
    assert stats.table.rowCount() == 3
    assert stats.table.item(0, 4).text() == "85.7%"
    bars = [i for i in stats.plot.getPlotItem().items if type(i).__name__ == "BarGraphItem"]
    assert len(bars) == 2
    heights = sorted(float(h) for h in bars[0].opts["height"])
    assert heights[-1] == pytest.approx(85.7, abs=0.1) or heights[-1] == pytest.approx(60.0)
    path = stats.export(tmp_path / "stats.xlsx")
    ws = load_workbook(path).active
    assert "违规处置统计" in ws["A1"].value
    assert [c.value for c in ws[2]][:5] == ["名称", "工单数", "需处置报警", "已处置报警", "处置率"]
    assert ws["A3"].value == "清城区" and ws["E3"].value == pytest.approx(12 / 14)
    assert ws["E3"].number_format == "0.0%"
    assert ws["A5"].value == "合计"


def test_period_is_beijing_days(stats) -> None:
    start, end = stats.period()
    assert start.astimezone(CST).hour == 0 and end - start >= timedelta(days=1)


@pytest.mark.timeout(120)
def test_query_against_the_platform(qtbot, live: LivePlatform) -> None:
    tasks = Tasks()
    made = CaseStats(live.admin_client(), tasks)
    qtbot.add_widget(made)
    made.by_combo.setCurrentIndex(made.by_combo.findData("enterprise"))
    with qtbot.wait_signal(made.loaded, timeout=20_000) as got:
        made.load()
    assert got.args[0]["by"] == "enterprise"
    assert made.table.rowCount() == len(got.args[0]["rows"]) + 1
    assert made.export_button.isEnabled()
    tasks.wait()
