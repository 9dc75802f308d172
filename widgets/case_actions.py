"""The dialogs of the case actions (docs/cases.md): what each action asks of the person
before it is sent.

- 提醒 (remind): the TTS text, prefilled with the case's rendered template
  (``reminder_text``), editable, checked live for GBK (what the terminal speaks and shows);
  characters GBK cannot carry are named under the field and sending is disabled.
- 通报 (notify): a deadline (Beijing time; the policy's default unless chosen) and a note.
- 企业反馈 (feedback): measures (at least one), a note and attachments (uploaded at once,
  with progress, through the worker pool).
- 办结 / 退回 / 误报 / 重新打开: a note, required as the reason for 退回, 误报, 重新打开;
  退回 may set a new deadline.
- 督办 (escalate): level, deadline, supervisor, assignee, note.

A dialog only builds the body (:meth:`ActionDialog.body`); the case panel sends it.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDateTime, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from console.client.api import PlatformClient
from console.client.cases import MEASURES, NOTE_REQUIRED, action_body, gbk_unencodable
from widgets.beijing import CST
from widgets.case_model import action_name, alarm_type_name, measure_name
from widgets.tasks import Tasks

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024  # the platform's limit
DEFAULT_DEADLINE_H = {"notify": 24, "return": 24, "escalate": 24}


def _describe(exc: BaseException) -> str:
    describe = getattr(exc, "describe", None)
    return describe() if callable(describe) else str(exc)


class _Progress(QObject):
    """Carries an upload's progress from the worker thread to the dialog."""

    moved = Signal(int, int)  # sent, total


class ActionDialog(QDialog):
    """The form of one action on one case; ``body()`` once accepted."""

    def __init__(
        self,
        action: str,
        case: Mapping[str, Any],
        parent: QWidget | None = None,
        *,
        reminder_text: str = "",
        supervisors: Sequence[str] = (),
        client: PlatformClient | None = None,
        tasks: Tasks | None = None,
        now: datetime | None = None,
    ) -> None:
        super().__init__(parent)
        self.action = action
        self.case = dict(case)
        self.client = client
        self.tasks = tasks
        self.now = now or datetime.now(UTC)
        self.attachments: list[dict[str, Any]] = []
        self.uploading = 0
        self.setObjectName(f"case_action_{action}")
        self.setWindowTitle(
            self.tr("{action} — {plate} {type}").format(
                action=action_name(action),
                plate=self.case.get("plate") or "",
                type=alarm_type_name(self.case.get("type_code")),
            )
        )
        self.setMinimumWidth(480)
        self.form = QFormLayout()
        self.text_edit: QPlainTextEdit | None = None
        self.gbk_label = QLabel(self)
        self.gbk_label.setObjectName("gbk_error")
        self.gbk_label.setStyleSheet("color: #b91c1c;")
        self.gbk_label.setWordWrap(True)
        self.gbk_label.hide()
        self.deadline_check: QCheckBox | None = None
        self.deadline_edit: QDateTimeEdit | None = None
        self.measure_boxes: dict[str, QCheckBox] = {}
        self.level_spin: QSpinBox | None = None
        self.supervisor_combo: QComboBox | None = None
        self.assignee_edit: QLineEdit | None = None
        self.files: QListWidget | None = None
        self.progress: QProgressBar | None = None

        if action == "remind":
            self._remind_fields(reminder_text)
        if action in ("notify", "return", "escalate"):
            self._deadline_field()
        if action == "feedback":
            self._feedback_fields()
        if action == "escalate":
            self._escalate_fields(supervisors)
        self.note_edit = QPlainTextEdit(self)
        self.note_edit.setObjectName("note")
        self.note_edit.setFixedHeight(80)
        required = action in NOTE_REQUIRED
        self.note_edit.setPlaceholderText(
            self.tr("必填：请说明原因") if required else self.tr("选填")
        )
        self.form.addRow(self.tr("原因") if required else self.tr("备注"), self.note_edit)
        self.note_edit.textChanged.connect(self.validate)

        self.error_label = QLabel(self)
        self.error_label.setObjectName("dialog_error")
        self.error_label.setStyleSheet("color: #b91c1c;")
        self.error_label.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(self.tr("发送") if action == "remind" else self.tr("确定"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.validate()

    # --- fields -----------------------------------------------------------------------------
    def _remind_fields(self, reminder_text: str) -> None:
        self.text_edit = QPlainTextEdit(self)
        self.text_edit.setObjectName("tts_text")
        self.text_edit.setPlainText(reminder_text)
        self.text_edit.setFixedHeight(90)
        self.text_edit.textChanged.connect(self.validate)
        box = QWidget(self)
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.text_edit)
        column.addWidget(self.gbk_label)
        hint = QLabel(self.tr("语音播报并在终端屏幕显示（GBK 编码）"), self)
        hint.setStyleSheet("color: #616161;")
        column.addWidget(hint)
        self.form.addRow(self.tr("提醒内容"), box)

    def _deadline_field(self) -> None:
        self.deadline_check = QCheckBox(self.tr("指定期限"), self)
        self.deadline_edit = QDateTimeEdit(self)
        self.deadline_edit.setObjectName("deadline")
        self.deadline_edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.deadline_edit.setCalendarPopup(True)
        hours = DEFAULT_DEADLINE_H.get(self.action, 24)
        self.set_deadline(self.now + timedelta(hours=hours))
        self.deadline_edit.setEnabled(False)
        self.deadline_check.toggled.connect(self.deadline_edit.setEnabled)
        self.deadline_check.toggled.connect(self.validate)
        self.deadline_edit.dateTimeChanged.connect(self.validate)
        row = QHBoxLayout()
        row.addWidget(self.deadline_check)
        row.addWidget(self.deadline_edit, 1)
        row.addWidget(QLabel(self.tr("（北京时间；不指定则按策略默认）"), self))
        self.form.addRow(self.tr("处理期限"), row)

    def _feedback_fields(self) -> None:
        row = QHBoxLayout()
        for measure in MEASURES:
            box = QCheckBox(measure_name(measure), self)
            box.setObjectName(f"measure_{measure}")
            box.toggled.connect(self.validate)
            self.measure_boxes[measure] = box
            row.addWidget(box)
        row.addStretch(1)
        self.form.addRow(self.tr("处理措施"), row)
        self.files = QListWidget(self)
        self.files.setFixedHeight(70)
        self.add_file_button = QPushButton(self.tr("添加附件…"), self)
        self.add_file_button.clicked.connect(self.choose_files)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 100)
        self.progress.hide()
        box = QWidget(self)
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.files)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_file_button)
        buttons.addWidget(self.progress, 1)
        column.addLayout(buttons)
        self.form.addRow(self.tr("附件"), box)

    def _escalate_fields(self, supervisors: Sequence[str]) -> None:
        self.level_spin = QSpinBox(self)
        self.level_spin.setRange(1, 9)
        self.level_spin.setValue(int(self.case.get("escalation_level") or 0) + 1)
        self.form.addRow(self.tr("督办级别"), self.level_spin)
        self.supervisor_combo = QComboBox(self)
        self.supervisor_combo.setEditable(True)
        self.supervisor_combo.addItem("")
        for name in supervisors:
            self.supervisor_combo.addItem(name)
        level = self.level_spin.value()
        if 0 < level <= len(supervisors):
            self.supervisor_combo.setCurrentText(supervisors[level - 1])
        self.form.addRow(self.tr("督办单位"), self.supervisor_combo)
        self.assignee_edit = QLineEdit(self)
        self.assignee_edit.setPlaceholderText(self.tr("选填：承办人用户 ID"))
        self.form.addRow(self.tr("承办人"), self.assignee_edit)

    # --- values -----------------------------------------------------------------------------
    def set_deadline(self, when: datetime) -> None:
        if self.deadline_edit is None:
            return
        local = when.astimezone(CST)
        self.deadline_edit.setDateTime(
            QDateTime(local.year, local.month, local.day, local.hour, local.minute, 0)
        )

    def deadline(self) -> datetime | None:
        if self.deadline_edit is None or self.deadline_check is None:
            return None
        if not self.deadline_check.isChecked():
            return None
        shown = self.deadline_edit.dateTime()
        d, t = shown.date(), shown.time()
        return datetime(d.year(), d.month(), d.day(), t.hour(), t.minute(), tzinfo=CST)

    def note(self) -> str:
        return self.note_edit.toPlainText().strip()

    def text(self) -> str:
        return self.text_edit.toPlainText().strip() if self.text_edit is not None else ""

    def measures(self) -> list[str]:
        return [m for m, box in self.measure_boxes.items() if box.isChecked()]

    def body(self) -> dict[str, Any]:
        """The action's JSON body (ValueError when the form is not valid)."""
        fields: dict[str, Any] = {"note": self.note()}
        if self.action == "remind":
            fields["text"] = self.text()
        if self.action in ("notify", "return", "escalate"):
            fields["deadline"] = self.deadline()
        if self.action == "feedback":
            fields["measures"] = self.measures()
            fields["attachments"] = [a["id"] for a in self.attachments]
        if self.action == "escalate":
            assert self.level_spin and self.supervisor_combo and self.assignee_edit
            fields["level"] = self.level_spin.value()
            fields["supervisor"] = self.supervisor_combo.currentText().strip()
            fields["assignee_id"] = self.assignee_edit.text().strip()
        return action_body(self.action, **fields)

    def problem(self) -> str:
        """Why the form cannot be sent yet ("" when it can)."""
        if self.action == "remind":
            text = self.text()
            if not text:
                return self.tr("请输入提醒内容")
            bad = gbk_unencodable(text)
            if bad:
                return self.tr("以下字符无法用 GBK 编码，终端无法播报：{chars}").format(
                    chars=" ".join(bad)
                )
        if self.action == "feedback" and not self.measures():
            return self.tr("请至少选择一项处理措施")
        if self.action in NOTE_REQUIRED and not self.note():
            return self.tr("请填写原因")
        deadline = self.deadline()
        if deadline is not None and deadline <= datetime.now(UTC):
            return self.tr("期限必须晚于当前时间")
        if self.uploading:
            return self.tr("附件上传中…")
        return ""

    def validate(self, *_: Any) -> bool:
        problem = self.problem()
        gbk = self.action == "remind" and bool(gbk_unencodable(self.text()))
        self.gbk_label.setVisible(gbk)
        self.gbk_label.setText(problem if gbk else "")
        self.error_label.setText("" if gbk else problem)
        self.ok_button.setEnabled(not problem)
        return not problem

    def accept(self) -> None:
        if not self.validate():
            return
        super().accept()

    # --- attachments ------------------------------------------------------------------------
    def choose_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self,
            self.tr("选择附件"),
            "",
            self.tr(
                "图片、文档和视频 (*.jpg *.jpeg *.png *.pdf *.docx *.xlsx *.mp4);;所有文件 (*)"
            ),
        )
        for path in paths:
            self.upload(path)

    def upload(self, path: str | Path) -> None:
        """Upload one file now (the case gets its id with the feedback)."""
        if self.client is None or self.tasks is None or self.progress is None:
            return
        path = Path(path)
        try:
            size = path.stat().st_size
        except OSError as exc:
            self.error_label.setText(str(exc))
            return
        if size > MAX_ATTACHMENT_BYTES:
            self.error_label.setText(self.tr("{name} 超过 20 MB，无法上传").format(name=path.name))
            return
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        relay = _Progress(self)
        relay.moved.connect(self._upload_moved)
        client = self.client
        self.uploading += 1
        self.progress.setValue(0)
        self.progress.show()
        self.validate()
        self.tasks.run(
            lambda: client.upload_attachment(
                path, path.name, content_type, progress=relay.moved.emit
            ),
            self._uploaded,
            self._upload_failed,
        )

    def _upload_moved(self, sent: int, total: int) -> None:
        if self.progress is not None and total:
            self.progress.setValue(int(sent * 100 / total))

    def _uploaded(self, attachment: dict[str, Any]) -> None:
        self.uploading -= 1
        self.attachments.append(attachment)
        if self.files is not None:
            item = QListWidgetItem(
                f"{attachment.get('file_name', '')}（{_size(int(attachment.get('size') or 0))}）"
            )
            item.setData(Qt.ItemDataRole.UserRole, attachment.get("id"))
            self.files.addItem(item)
        if self.progress is not None and not self.uploading:
            self.progress.setValue(100)
        self.validate()

    def _upload_failed(self, exc: BaseException) -> None:
        self.uploading -= 1
        self.validate()
        self.error_label.setText(self.tr("附件上传失败：{why}").format(why=_describe(exc)))


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} B"
