"""A case's 违规处置通报/处理单 as a PDF (QTextDocument → QPdfWriter): header, vehicle and
enterprise, the alarms, the evidence stills (JPEG bytes fetched from the API, embedded),
the measures and the whole audit trail, in Beijing time.

:func:`case_html` is the document (pure: detail JSON and image bytes in, HTML out);
:func:`write_case_pdf` prints it. Chinese renders with the system's CJK fonts (Noto CJK /
WenQuanYi), asked for by name first.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QMarginsF, QSizeF, QUrl
from PySide6.QtGui import (
    QFont,
    QImage,
    QPageLayout,
    QPageSize,
    QPdfWriter,
    QTextDocument,
)

from widgets.beijing import CST, beijing_time
from widgets.case_model import (
    REMINDER_STATUS,
    ROLE_NAMES,
    action_name,
    alarm_type_name,
    escalation_text,
    measure_name,
    state_name,
)
from widgets.case_model import tr as tr_case

# The document's words, marked for lupdate; t() looks them up in this context.
TEXTS = (
    QT_TRANSLATE_NOOP("CasePdf", "工单编号"),
    QT_TRANSLATE_NOOP("CasePdf", "车牌"),
    QT_TRANSLATE_NOOP("CasePdf", "企业"),
    QT_TRANSLATE_NOOP("CasePdf", "县区"),
    QT_TRANSLATE_NOOP("CasePdf", "违规类型"),
    QT_TRANSLATE_NOOP("CasePdf", "状态"),
    QT_TRANSLATE_NOOP("CasePdf", "开单时间"),
    QT_TRANSLATE_NOOP("CasePdf", "处理期限"),
    QT_TRANSLATE_NOOP("CasePdf", "办结时间"),
    QT_TRANSLATE_NOOP("CasePdf", "督办"),
    QT_TRANSLATE_NOOP("CasePdf", "提醒"),
    QT_TRANSLATE_NOOP("CasePdf", "处理措施"),
    QT_TRANSLATE_NOOP("CasePdf", "企业反馈"),
    QT_TRANSLATE_NOOP("CasePdf", "重型货车违规处置通报 / 处理单"),
    QT_TRANSLATE_NOOP("CasePdf", "打印时间"),
    QT_TRANSLATE_NOOP("CasePdf", "北京时间"),
    QT_TRANSLATE_NOOP("CasePdf", "报警记录"),
    QT_TRANSLATE_NOOP("CasePdf", "时间"),
    QT_TRANSLATE_NOOP("CasePdf", "级别"),
    QT_TRANSLATE_NOOP("CasePdf", "速度"),
    QT_TRANSLATE_NOOP("CasePdf", "位置"),
    QT_TRANSLATE_NOOP("CasePdf", "报警照片"),
    QT_TRANSLATE_NOOP("CasePdf", "处置记录"),
    QT_TRANSLATE_NOOP("CasePdf", "操作"),
    QT_TRANSLATE_NOOP("CasePdf", "操作人"),
    QT_TRANSLATE_NOOP("CasePdf", "说明"),
    QT_TRANSLATE_NOOP("CasePdf", "处理单位（盖章）"),
    QT_TRANSLATE_NOOP("CasePdf", "日期"),
)


def t(text: str) -> str:
    return QCoreApplication.translate("CasePdf", text)


FONT_FAMILIES = ["Noto Sans CJK SC", "WenQuanYi Micro Hei", "Noto Sans SC", "Microsoft YaHei"]
STILL_WIDTH = 220  # points in the document


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def case_html(
    detail: Mapping[str, Any],
    stills: Sequence[str] = (),
    *,
    enterprise: str = "",
    county: str = "",
    printed_at: datetime | None = None,
) -> str:
    """The document; ``stills`` are resource names already added to the document."""
    printed = (printed_at or datetime.now(CST)).astimezone(CST).strftime("%Y-%m-%d %H:%M")
    d = detail
    rows = [
        (t("工单编号"), d.get("id")),
        (t("车牌"), d.get("plate")),
        (t("企业"), enterprise or d.get("enterprise_id")),
        (t("县区"), county or d.get("county_id")),
        (t("违规类型"), alarm_type_name(d.get("type_code"))),
        (t("状态"), state_name(d.get("state"))),
        (t("开单时间"), beijing_time(d.get("opened_at"))),
        (t("处理期限"), beijing_time(d.get("deadline"))),
        (t("办结时间"), beijing_time(d.get("closed_at"))),
        (t("督办"), escalation_text(d) or "—"),
        (
            t("提醒"),
            tr_case(REMINDER_STATUS[d["reminder_status"]])
            if d.get("reminder_status") in REMINDER_STATUS
            else "—",
        ),
        (
            t("处理措施"),
            "、".join(measure_name(m) for m in d.get("measures") or []) or "—",
        ),
        (t("企业反馈"), d.get("feedback_note") or "—"),
    ]
    parts = [
        "<html><body>",
        f"<h2 align='center'>{_e(t('重型货车违规处置通报 / 处理单'))}</h2>",
        f"<p align='right' style='color:#555'>{_e(t('打印时间'))}：{_e(printed)}"
        f"（{_e(t('北京时间'))}）</p>",
        "<table border='1' cellspacing='0' cellpadding='4' width='100%'>",
    ]
    for i in range(0, len(rows), 2):
        cells = "".join(
            f"<td bgcolor='#eceff1' width='15%'><b>{_e(k)}</b></td><td width='35%'>{_e(v)}</td>"
            for k, v in rows[i : i + 2]
        )
        parts.append(f"<tr>{cells}</tr>")
    parts.append("</table>")

    alarms = d.get("alarms") or []
    parts.append(f"<h3>{_e(t('报警记录'))}（{len(alarms)}）</h3>")
    parts.append("<table border='1' cellspacing='0' cellpadding='3' width='100%'>")
    parts.append(
        "<tr bgcolor='#eceff1'>"
        + "".join(
            f"<th>{_e(h)}</th>" for h in (t("时间"), t("违规类型"), t("级别"), t("速度"), t("位置"))
        )
        + "</tr>"
    )
    for alarm in alarms:
        where = f"{alarm['lat']:.5f}, {alarm['lon']:.5f}" if alarm.get("lat") is not None else "—"
        speed = alarm.get("speed_kmh")
        parts.append(
            "<tr>"
            f"<td>{_e(beijing_time(alarm.get('started_at')))}</td>"
            f"<td>{_e(alarm_type_name(alarm.get('type_code')))}</td>"
            f"<td align='center'>{_e(alarm.get('level') or '—')}</td>"
            f"<td align='right'>{_e(f'{speed:.0f} km/h' if speed is not None else '—')}</td>"
            f"<td>{_e(where)}</td>"
            "</tr>"
        )
    parts.append("</table>")

    if stills:
        parts.append(f"<h3>{_e(t('报警照片'))}</h3><p>")
        for name in stills:
            parts.append(f"<img src='{_e(name)}' width='{STILL_WIDTH}'> ")
        parts.append("</p>")

    events = d.get("events") or []
    parts.append(f"<h3>{_e(t('处置记录'))}</h3>")
    parts.append("<table border='1' cellspacing='0' cellpadding='3' width='100%'>")
    parts.append(
        "<tr bgcolor='#eceff1'>"
        + "".join(
            f"<th>{_e(h)}</th>" for h in (t("时间"), t("操作"), t("操作人"), t("状态"), t("说明"))
        )
        + "</tr>"
    )
    for event in events:
        who = str(event.get("username") or "")
        role = ROLE_NAMES.get(str(event.get("role") or ""))
        if who == "system":
            who = tr_case(ROLE_NAMES["system"])
        elif role:
            who = f"{who}（{tr_case(role)}）"
        before, after = event.get("from_state"), event.get("to_state")
        states = (
            f"{state_name(before)} → {state_name(after)}"
            if before and before != after
            else state_name(after)
        )
        from widgets.case_panel import _event_text  # the same words as the panel

        parts.append(
            "<tr>"
            f"<td>{_e(beijing_time(event.get('at')))}</td>"
            f"<td>{_e(action_name(str(event.get('action') or '')))}</td>"
            f"<td>{_e(who)}</td><td>{_e(states)}</td><td>{_e(_event_text(event))}</td>"
            "</tr>"
        )
    parts.append("</table>")
    parts.append(
        f"<p><br>{_e(t('处理单位（盖章）'))}：____________________　　"
        f"{_e(t('日期'))}：____________</p>"
    )
    parts.append("</body></html>")
    return "\n".join(parts)


def case_document(
    detail: Mapping[str, Any],
    stills: Sequence[bytes] = (),
    *,
    enterprise: str = "",
    county: str = "",
    printed_at: datetime | None = None,
) -> QTextDocument:
    """The document with the stills as image resources (undecodable bytes are skipped)."""
    doc = QTextDocument()
    font = QFont()
    font.setFamilies(FONT_FAMILIES)
    font.setPointSize(10)
    doc.setDefaultFont(font)
    names = []
    for i, data in enumerate(stills):
        image = QImage.fromData(bytes(data))
        if image.isNull():
            continue
        name = f"still://{i}.jpg"
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), image)
        names.append(name)
    doc.setHtml(
        case_html(detail, names, enterprise=enterprise, county=county, printed_at=printed_at)
    )
    return doc


def write_case_pdf(
    path: str | Path,
    detail: Mapping[str, Any],
    stills: Sequence[bytes] = (),
    *,
    enterprise: str = "",
    county: str = "",
) -> Path:
    """Print the case to ``path`` (A4)."""
    target = Path(path)
    writer = QPdfWriter(str(target))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter)
    writer.setResolution(150)
    writer.setTitle(f"{detail.get('plate', '')} {detail.get('id', '')}")
    writer.setCreator("TruckWatch")
    doc = case_document(detail, stills, enterprise=enterprise, county=county)
    layout = writer.pageLayout()
    rect = layout.paintRectPixels(writer.resolution())
    doc.setPageSize(QSizeF(rect.width(), rect.height()))
    doc.print_(writer)
    return target


__all__ = ["case_document", "case_html", "write_case_pdf"]
