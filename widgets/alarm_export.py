"""Export of the alarm list to Excel (.xlsx, openpyxl): what the table shows, in its
columns, under a title row saying which filter and when.

:func:`table_rows` reads any table model (the filter proxy, so the export is exactly the
filtered list) through the model's export role; :func:`export_xlsx` writes the file.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractItemModel, Qt

from widgets.alarm_model import HEADERS, Column, Roles, translate

TIME_FORMAT = "yyyy-mm-dd hh:mm:ss"


def table_rows(model: QAbstractItemModel) -> tuple[list[str], list[list[Any]]]:
    """Headers and cell values of every row of ``model`` (top to bottom)."""
    columns = model.columnCount()
    headers = [
        str(model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole))
        for c in range(columns)
    ]
    rows = []
    for r in range(model.rowCount()):
        cells = []
        for c in range(columns):
            index = model.index(r, c)
            value = index.data(Roles.EXPORT)
            cells.append(index.data() if value is None else value)
        rows.append(cells)
    return headers, rows


def export_xlsx(
    path: str | Path,
    rows: Sequence[Sequence[Any]],
    *,
    headers: Sequence[str] | None = None,
    title: str = "",
    sheet: str = "报警",
) -> Path:
    """Write ``title`` (row 1), ``headers`` (row 2, by default the alarm table's) and
    ``rows``; times as Excel times."""
    if headers is None:
        headers = [translate(HEADERS[c]) for c in Column]
    from openpyxl import Workbook  # only the export needs it; the console starts without
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    ws = book.active
    ws.title = sheet
    ws.append([title])
    ws.cell(row=1, column=1).font = Font(bold=True, size=12)
    if headers:
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws.append(list(headers))
    for cell in ws[2]:
        cell.font = Font(bold=True)
    widths = [len(str(h)) * 2 + 2 for h in headers]
    for values in rows:
        ws.append(list(values))
        for i, value in enumerate(values):
            if isinstance(value, datetime):
                ws.cell(row=ws.max_row, column=i + 1).number_format = TIME_FORMAT
            if i < len(widths):
                shown = 19 if isinstance(value, datetime) else _width(value)
                widths[i] = max(widths[i], min(shown, 60))
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A3"  # title and headers stay while scrolling
    target = Path(path)
    book.save(target)
    return target


def _width(value: Any) -> int:
    """Columns wide enough for Chinese text: a CJK character takes two places."""
    text = "" if value is None else str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text) + 2
