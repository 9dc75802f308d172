"""Excel import of vehicles with their terminals (车辆及终端导入), from the documented template.

Every row is checked (plate format, plate colour code, VIN, SIM and phone digits, dates,
duplicates in the file and in the registry, the enterprise known and within the importer's
scope) before anything is written; an import is all or nothing: one bad row and nothing is
stored, and the answer names each bad row by its row number and column, so the user can fix
the file and import it again.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import Connection, insert, select

from console.domain.model import (
    DEFAULT_SPEED_LIMIT_KMH,
    PLATE_COLOR_BLACK,
    PLATE_COLOR_BLUE,
    PLATE_COLOR_WHITE,
    PLATE_COLOR_YELLOW,
    PLATE_COLOR_YELLOW_GREEN,
    Scope,
    VehicleType,
)
from console.platform.ids import new_id
from console.platform.store.registration import phone_forms
from console.platform.store.schema import enterprises, terminals, vehicles

SHEET = "车辆及终端"
MAX_ROWS = 50_000


@dataclass(frozen=True, slots=True)
class TemplateColumn:
    title: str  # the header cell, Chinese, with * when required
    key: str
    required: bool
    note: str  # the second header row: what to enter


COLUMNS: tuple[TemplateColumn, ...] = (
    TemplateColumn("车牌号*", "plate", True, "如 粤R12345（新能源 粤RD12345）"),
    TemplateColumn("车牌颜色*", "plate_color", True, "黄色/2、黄绿色/93、蓝色/1、黑色/3、白色/4"),
    TemplateColumn("车架号(VIN)", "vin", False, "17 位，不含 I、O、Q"),
    TemplateColumn("车辆类型*", "vehicle_type", True, "半挂牵引车 或 重型货车"),
    TemplateColumn("所属企业*", "enterprise", True, "企业名称或统一社会信用代码"),
    TemplateColumn("限速(km/h)", "speed_limit_kmh", False, f"默认 {DEFAULT_SPEED_LIMIT_KMH}"),
    TemplateColumn("检验有效期至", "inspection_due", False, "日期，如 2027-03-31"),
    TemplateColumn("驾驶员", "driver_name", False, "姓名"),
    TemplateColumn("驾驶员电话", "driver_phone", False, "11 位手机号"),
    TemplateColumn("终端SIM卡号*", "phone", True, "11 至 20 位数字"),
    TemplateColumn("终端ID*", "terminal_id", True, "7 至 30 位字母或数字"),
    TemplateColumn("终端厂商", "maker", False, ""),
    TemplateColumn("终端型号", "model", False, ""),
    TemplateColumn("协议版本", "edition", False, "2013 或 2019（默认 2019）"),
    TemplateColumn("地方标准", "dialect", False, "粤标 或 苏标（默认 粤标）"),
    TemplateColumn("视频通道数", "channels", False, "1 至 16（默认 4）"),
    TemplateColumn("安装单位/人", "installer", False, ""),
    TemplateColumn("安装日期", "installed_on", False, "日期，如 2026-11-20"),
)
FIRST_DATA_ROW = 3  # row 1: titles, row 2: what to enter

_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
PLATE = re.compile(rf"^[{_PROVINCES}][A-Z][A-HJ-NP-Z0-9]{{4,5}}[A-HJ-NP-Z0-9挂]$")
VIN = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")
MOBILE = re.compile(r"^1[3-9]\d{9}$")
SIM = re.compile(r"^\d{11,20}$")
TERMINAL_ID = re.compile(r"^[A-Za-z0-9]{7,30}$")
PLATE_COLORS = {
    "蓝色": PLATE_COLOR_BLUE,
    "蓝": PLATE_COLOR_BLUE,
    "黄色": PLATE_COLOR_YELLOW,
    "黄": PLATE_COLOR_YELLOW,
    "黑色": PLATE_COLOR_BLACK,
    "黑": PLATE_COLOR_BLACK,
    "白色": PLATE_COLOR_WHITE,
    "白": PLATE_COLOR_WHITE,
    "黄绿色": PLATE_COLOR_YELLOW_GREEN,
    "黄绿": PLATE_COLOR_YELLOW_GREEN,
}
VEHICLE_TYPES = {
    "半挂牵引车": VehicleType.SEMI_TRAILER_TRACTOR,
    "重型货车": VehicleType.HEAVY_GOODS,
}
DIALECTS = {"粤标": "yuebiao", "苏标": "subiao", "yuebiao": "yuebiao", "subiao": "subiao"}


@dataclass(frozen=True, slots=True)
class RowError:
    row: int  # the Excel row number
    column: str  # the column title (without *), "" for the whole row
    message: str


class ImportRejected(Exception):
    """The file cannot be imported; ``errors`` says where (nothing was stored)."""

    def __init__(self, errors: list[RowError], message: str = "") -> None:
        super().__init__(message or f"{len(errors)} problem(s) in the file: nothing was imported")
        self.errors = errors


@dataclass(frozen=True, slots=True)
class ImportResult:
    vehicles: int
    terminals: int


def template() -> bytes:
    """The .xlsx users fill in: titles, what to enter, drop-downs for the coded columns."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET
    bold = Font(bold=True)
    required = PatternFill("solid", fgColor="FFF2CC")
    for n, column in enumerate(COLUMNS, 1):
        title = sheet.cell(row=1, column=n, value=column.title)
        title.font = bold
        if column.required:
            title.fill = required
        sheet.cell(row=2, column=n, value=column.note).font = Font(italic=True, color="808080")
        sheet.column_dimensions[title.column_letter].width = max(12, len(column.note) + 4)
    for key, choices in (
        ("plate_color", "黄色,黄绿色,蓝色,黑色,白色"),
        ("vehicle_type", "半挂牵引车,重型货车"),
        ("edition", "2013,2019"),
        ("dialect", "粤标,苏标"),
    ):
        letter = sheet.cell(row=1, column=_index(key)).column_letter
        rule = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True)
        rule.add(f"{letter}{FIRST_DATA_ROW}:{letter}{MAX_ROWS + FIRST_DATA_ROW}")
        sheet.add_data_validation(rule)
    sheet.freeze_panes = f"A{FIRST_DATA_ROW}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _index(key: str) -> int:
    return next(n for n, c in enumerate(COLUMNS, 1) if c.key == key)


def read_rows(data: bytes) -> list[tuple[int, dict[str, Any]]]:
    """The filled rows of the template as (Excel row number, {key: cell value})."""
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not .xlsx
        raise ImportRejected(
            [RowError(0, "", f"not an Excel .xlsx file: {exc}")], "not an Excel .xlsx file"
        ) from None
    sheet = book[SHEET] if SHEET in book.sheetnames else book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [str(v or "").strip() for v in next(rows, ())]
    positions = {}
    for column in COLUMNS:
        if column.title in header:
            positions[column.key] = header.index(column.title)
        elif column.title.rstrip("*") in header:
            positions[column.key] = header.index(column.title.rstrip("*"))
    missing = [c.title for c in COLUMNS if c.required and c.key not in positions]
    if missing:
        raise ImportRejected(
            [RowError(1, m.rstrip("*"), "column missing: use the template") for m in missing]
        )
    out = []
    for number, values in enumerate(rows, 2):
        if number < FIRST_DATA_ROW:
            continue  # the "what to enter" row
        cells = {k: values[i] if i < len(values) else None for k, i in positions.items()}
        if all(v is None or str(v).strip() == "" for v in cells.values()):
            continue
        out.append((number, cells))
        if len(out) > MAX_ROWS:
            raise ImportRejected([RowError(number, "", f"more than {MAX_ROWS} rows")])
    book.close()
    return out


def import_vehicles(
    conn: Connection,
    data: bytes,
    scope: Scope,
    *,
    now: datetime,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Check every row of ``data`` and store them all in the caller's transaction, or raise
    :class:`ImportRejected` having stored nothing."""
    rows = read_rows(data)
    if not rows:
        raise ImportRejected([RowError(FIRST_DATA_ROW, "", "the file has no vehicles")])
    known = _Known.load(conn, scope)
    errors: list[RowError] = []
    checked = []
    for n, (number, cells) in enumerate(rows, 1):
        record = _check(number, cells, known, errors)
        if record is not None:
            checked.append(record)
        if progress is not None and n % 500 == 0:
            progress(n, len(rows))
    if errors:
        raise ImportRejected(errors)
    vehicle_rows, terminal_rows = [], []
    for record in checked:
        vehicle_id = new_id("veh")
        vehicle_rows.append({**record["vehicle"], "id": vehicle_id, "created_at": now})
        terminal_rows.append({**record["terminal"], "id": new_id("trm"), "vehicle_id": vehicle_id})
    conn.execute(insert(vehicles), vehicle_rows)
    conn.execute(insert(terminals), terminal_rows)
    if progress is not None:
        progress(len(rows), len(rows))
    return ImportResult(len(vehicle_rows), len(terminal_rows))


@dataclass
class _Known:
    """What the registry holds already, and what earlier rows of the file claimed."""

    enterprises: dict[str, tuple[str, str]]  # name or credit code → (id, county id)
    plates: set[tuple[str, int]]
    phones: set[str]
    vins: set[str]
    seen_plates: dict[tuple[str, int], int]
    seen_phones: dict[str, int]
    seen_vins: dict[str, int]

    @classmethod
    def load(cls, conn: Connection, scope: Scope) -> _Known:
        query = select(
            enterprises.c.id, enterprises.c.name, enterprises.c.credit_code, enterprises.c.county_id
        ).where(enterprises.c.active.is_(True))
        if scope.county_ids is not None:
            query = query.where(enterprises.c.county_id.in_(scope.county_ids))
        if scope.enterprise_ids is not None:
            query = query.where(enterprises.c.id.in_(scope.enterprise_ids))
        known: dict[str, tuple[str, str]] = {}
        for row in conn.execute(query):
            known[row.name] = (row.id, row.county_id)
            if row.credit_code:
                known[row.credit_code] = (row.id, row.county_id)
        registered = conn.execute(select(vehicles.c.plate, vehicles.c.plate_color))
        plates = {(r.plate, r.plate_color) for r in registered}
        phones = set()
        for (phone,) in conn.execute(select(terminals.c.phone)):
            phones.update(phone_forms(phone))
        vins = {v for (v,) in conn.execute(select(vehicles.c.vin)) if v}
        return cls(known, plates, phones, vins, {}, {}, {})


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel keeps digits as numbers: 13912345678.0
    return str(value).strip()


def _check(
    number: int, cells: dict[str, Any], known: _Known, errors: list[RowError]
) -> dict[str, Any] | None:
    before = len(errors)

    def bad(key: str, message: str) -> None:
        title = next(c.title for c in COLUMNS if c.key == key).rstrip("*")
        errors.append(RowError(number, title, message))

    text = {k: _text(v) for k, v in cells.items()}
    for column in COLUMNS:
        if column.required and not text.get(column.key):
            bad(column.key, "required")
    plate = text.get("plate", "").upper().replace(" ", "")
    if plate and not PLATE.match(plate):
        bad("plate", f"{plate!r} is not a plate number")
    color_text = text.get("plate_color", "")
    color = PLATE_COLORS.get(color_text)
    if color is None and color_text.isdigit() and int(color_text) in PLATE_COLORS.values():
        color = int(color_text)
    if color_text and color is None:
        bad("plate_color", f"unknown plate colour {color_text!r}")
    vin = text.get("vin", "").upper()
    if vin and not VIN.match(vin):
        bad("vin", f"{vin!r} is not a 17-character VIN")
    vehicle_type = VEHICLE_TYPES.get(text.get("vehicle_type", ""))
    if text.get("vehicle_type") and vehicle_type is None:
        bad("vehicle_type", "must be 半挂牵引车 or 重型货车")
    owner = known.enterprises.get(text.get("enterprise", ""))
    if text.get("enterprise") and owner is None:
        bad("enterprise", f"unknown enterprise {text['enterprise']!r} (or not yours)")
    speed = _int(text.get("speed_limit_kmh", ""), DEFAULT_SPEED_LIMIT_KMH, 20, 130)
    if speed is None:
        bad("speed_limit_kmh", "a whole number from 20 to 130")
    inspection_due = _date(cells.get("inspection_due"))
    if inspection_due is False:
        bad("inspection_due", "not a date")
    driver_phone = text.get("driver_phone", "")
    if driver_phone and not MOBILE.match(driver_phone):
        bad("driver_phone", f"{driver_phone!r} is not an 11-digit mobile number")
    phone = text.get("phone", "")
    if phone and not SIM.match(phone):
        bad("phone", f"{phone!r}: the SIM number has 11 to 20 digits")
    terminal_id = text.get("terminal_id", "")
    if terminal_id and not TERMINAL_ID.match(terminal_id):
        bad("terminal_id", f"{terminal_id!r}: 7 to 30 letters or digits")
    edition = text.get("edition", "") or "2019"
    if edition not in ("2013", "2019"):
        bad("edition", "2013 or 2019")
    dialect = DIALECTS.get(text.get("dialect", "") or "粤标")
    if dialect is None:
        bad("dialect", "粤标 or 苏标")
    channels = _int(text.get("channels", ""), 4, 1, 16)
    if channels is None:
        bad("channels", "a whole number from 1 to 16")
    installed_on = _date(cells.get("installed_on"))
    if installed_on is False:
        bad("installed_on", "not a date")
    # Duplicates: in the registry, then in the rows above.
    if plate and color is not None:
        if (plate, color) in known.plates:
            bad("plate", f"{plate} is registered already")
        elif (plate, color) in known.seen_plates:
            bad("plate", f"{plate} also in row {known.seen_plates[(plate, color)]}")
        known.seen_plates.setdefault((plate, color), number)
    if phone and SIM.match(phone):
        forms = phone_forms(phone.rjust(12, "0"))
        if known.phones.intersection(forms):
            bad("phone", f"SIM {phone} is installed already")
        elif any(f in known.seen_phones for f in forms):
            first = next(known.seen_phones[f] for f in forms if f in known.seen_phones)
            bad("phone", f"SIM {phone} also in row {first}")
        for form in forms:
            known.seen_phones.setdefault(form, number)
    if vin:
        if vin in known.vins:
            bad("vin", f"VIN {vin} is registered already")
        elif vin in known.seen_vins:
            bad("vin", f"VIN {vin} also in row {known.seen_vins[vin]}")
        known.seen_vins.setdefault(vin, number)
    if len(errors) > before or owner is None or color is None or vehicle_type is None:
        return None
    return {
        "vehicle": {
            "plate": plate,
            "plate_color": color,
            "enterprise_id": owner[0],
            "county_id": owner[1],
            "vehicle_type": vehicle_type.value,
            "vin": vin,
            "speed_limit_kmh": speed,
            "driver_name": text.get("driver_name", "")[:50],
            "driver_phone": driver_phone,
            "active": True,
            "inspection_due": inspection_due,
        },
        "terminal": {
            "phone": phone.rjust(12, "0") if len(phone) <= 12 else phone.rjust(20, "0"),
            "terminal_id": terminal_id,
            "edition": edition,
            "dialect": dialect,
            "maker": text.get("maker", "")[:40],
            "model": text.get("model", "")[:40],
            "channels": channels,
            "auth_code": None,
            "registered_at": None,
            "active": True,
            "installer": text.get("installer", "")[:50],
            "installed_on": installed_on,
        },
    }


def _int(text: str, default: int, low: int, high: int) -> int | None:
    if not text:
        return default
    try:
        value = int(float(text))
    except ValueError:
        return None
    return value if low <= value <= high and float(text) == value else None


def _date(value: Any) -> date | bool | None:
    """A cell's date (Excel date, or text 2026-11-20 / 2026/11/20), None when empty, False
    when it is not a date."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip().replace("/", "-").replace(".", "-")
    try:
        return date.fromisoformat(text)
    except ValueError:
        return False
