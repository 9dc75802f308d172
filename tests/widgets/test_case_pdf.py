"""The case's 通报/处理单 PDF: header, alarms, evidence stills embedded, audit trail, with
Chinese text in an embedded CJK font."""

from __future__ import annotations

import contextlib
import zlib

from cases_data import NOW, case
from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QColor, QImage

from widgets.case_pdf import case_html, write_case_pdf


def jpeg(colour: str) -> bytes:
    image = QImage(320, 180, QImage.Format.Format_RGB32)
    image.fill(QColor(colour))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "JPG")
    return bytes(data.data())


DETAIL = {
    **case(1, "closed", left_min=None, measures=["training"], feedback_note="已培训"),
    "closed_at": NOW.isoformat(),
    "alarms": [
        {
            "id": "alm_1",
            "type_code": "dsm.01",
            "level": 2,
            "started_at": NOW.isoformat(),
            "lat": 23.7,
            "lon": 113.0,
            "speed_kmh": 62.0,
        }
    ],
    "events": [
        {"id": 1, "action": "open", "from_state": None, "to_state": "new", "at": NOW.isoformat(),
         "username": "system", "role": "system", "note": "", "attachments": [], "detail": {}},
        {"id": 2, "action": "notify", "from_state": "new", "to_state": "notified",
         "at": NOW.isoformat(), "username": "op_qingcheng", "role": "county_operator",
         "note": "请核查", "attachments": [], "detail": {"deadline": NOW.isoformat()}},
        {"id": 3, "action": "feedback", "from_state": "notified", "to_state": "feedback",
         "at": NOW.isoformat(), "username": "ent_1", "role": "enterprise_officer",
         "note": "已培训", "detail": {"measures": ["training"]},
         "attachments": [{"id": "att_1", "file_name": "培训记录.jpg"}]},
        {"id": 4, "action": "close", "from_state": "feedback", "to_state": "closed",
         "at": NOW.isoformat(), "username": "op_qingcheng", "role": "county_operator",
         "note": "办结", "attachments": [], "detail": {}},
    ],
}  # fmt: skip


def test_html_has_the_case_the_alarms_and_the_audit_trail() -> None:
    text = case_html(DETAIL, ["still://0.jpg"], enterprise="清远市顺达运输有限公司")
    for expected in (
        "重型货车违规处置通报 / 处理单",
        "粤R00001",
        "清远市顺达运输有限公司",
        "疲劳驾驶报警",
        "已办结",
        "安全培训",
        "62 km/h",
        "still://0.jpg",
        "op_qingcheng（县区值班员）",
        "已通报 → 待审核",
        "附件：培训记录.jpg",
        "2026-11-21 14:00:00",  # Beijing time
    ):
        assert expected in text, expected


def test_pdf_embeds_stills_and_a_cjk_font(tmp_path) -> None:
    bare = write_case_pdf(tmp_path / "bare.pdf", DETAIL)
    with_stills = write_case_pdf(
        tmp_path / "case.pdf", DETAIL, [jpeg("#c62828"), jpeg("#1565c0"), b"not a jpeg"]
    )
    data = with_stills.read_bytes()
    assert data.startswith(b"%PDF")
    assert data.count(b"/Subtype /Image") >= 2
    assert len(data) > len(bare.read_bytes())
    fonts = data + b"".join(_streams(data))
    assert any(name in fonts for name in (b"NotoSansCJK", b"WenQuanYi", b"NotoSansSC"))


def _streams(data: bytes) -> list[bytes]:
    out = []
    for chunk in data.split(b"stream")[1:]:
        body = chunk.split(b"endstream")[0].strip(b"\r\n")
        with contextlib.suppress(zlib.error):
            out.append(zlib.decompress(body))
    return out
