"""The evidence (报警附件) of one alarm: its files, photos with zoom, videos in the player.

Photos are downloaded whole (small JPEGs) and decoded off the UI thread; a video is
streamed through a :class:`~console.client.ranged.RangedFile` by the player's decoding
thread, so opening a clip and seeking in it never download the file first. While the
evidence is pending or incomplete the operator can ask the terminal again (0x9208), have
it take a photo now, or open the live video (the video wall does that: we only ask, through
``live_video_wanted``).
"""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtGui import QImage, QPainter, QPixmap
from PySide6.QtWidgets import (
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from console.client.api import PlatformClient
from console.client.ranged import download_evidence, open_evidence
from console.domain.alarm_types import by_code
from widgets.beijing import beijing_time
from widgets.tasks import Tasks
from widgets.video_player import VideoPlayer

__all__ = ["EvidenceViewer", "PhotoView"]

_CONTEXT = "EvidenceViewer"
EVIDENCE_STATUS = {
    "none": QT_TRANSLATE_NOOP("EvidenceViewer", "无附件"),
    "pending": QT_TRANSLATE_NOOP("EvidenceViewer", "上传中"),
    "complete": QT_TRANSLATE_NOOP("EvidenceViewer", "已完整"),
    "incomplete": QT_TRANSLATE_NOOP("EvidenceViewer", "不完整"),
}
FILE_KINDS = {
    "photo": QT_TRANSLATE_NOOP("EvidenceViewer", "照片"),
    "video": QT_TRANSLATE_NOOP("EvidenceViewer", "视频"),
    "audio": QT_TRANSLATE_NOOP("EvidenceViewer", "音频"),
    "text": QT_TRANSLATE_NOOP("EvidenceViewer", "文本"),
    "other": QT_TRANSLATE_NOOP("EvidenceViewer", "其他"),
}
COMMAND_OUTCOME = {
    "acked": QT_TRANSLATE_NOOP("EvidenceViewer", "终端已确认，请稍候刷新。"),
    "failed": QT_TRANSLATE_NOOP("EvidenceViewer", "终端拒绝了该指令。"),
    "timed_out": QT_TRANSLATE_NOOP("EvidenceViewer", "终端未应答，请稍后重试。"),
}
# 苏标/粤标 file names: <type>_<channel>_<alarm type>_<serial>_<alarm number>.<ext>
_CHANNEL_IN_NAME = re.compile(r"^\d{2}_(\d{2})_")


def _tr(text: str) -> str:
    return QCoreApplication.translate(_CONTEXT, text)


def _describe(exc: BaseException) -> str:
    describe = getattr(exc, "describe", None)
    return describe() if callable(describe) else str(exc)


def _alarm_name(code: str | None) -> str:
    try:
        return by_code(code or "").name_zh
    except KeyError:
        return code or "—"


def channel_of(items: list[dict[str, Any]]) -> int:
    """The camera channel the evidence came from (by the file names), else 1."""
    for item in items:
        match = _CHANNEL_IN_NAME.match(item.get("file_name") or "")
        if match and int(match[1]) > 0:
            return int(match[1])
    return 1


class PhotoView(QGraphicsView):
    """A picture that fits the view until zoomed (wheel, or the buttons); fits again on
    ``fit()``."""

    ZOOM_STEP = 1.25

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self._item = QGraphicsPixmapItem()
        self._item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene().addItem(self._item)
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self._fitting = True

    def set_image(self, image: QImage) -> None:
        self._item.setPixmap(QPixmap.fromImage(image))
        self.scene().setSceneRect(self._item.boundingRect())
        self.fit()

    def image_size(self) -> tuple[int, int]:
        pixmap = self._item.pixmap()
        return pixmap.width(), pixmap.height()

    def zoom(self) -> float:
        return self.transform().m11()

    def fit(self) -> None:
        self._fitting = True
        if not self._item.pixmap().isNull():
            self.fitInView(self._item, Qt.AspectRatioMode.KeepAspectRatio)

    def zoom_by(self, factor: float) -> None:
        self._fitting = False
        scale = max(0.05, min(20.0, self.zoom() * factor)) / max(self.zoom(), 1e-6)
        self.scale(scale, scale)

    def wheelEvent(self, event: Any) -> None:
        steps = event.angleDelta().y() / 120
        if steps:
            self.zoom_by(self.ZOOM_STEP**steps)
        event.accept()

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        if self._fitting:
            self.fit()


class EvidenceViewer(QWidget):
    """The files of one alarm (``show_alarm``); network calls through ``tasks``."""

    live_video_wanted = Signal(str, int)  # vehicle id, channel
    evidence_loaded = Signal(object)  # the API's answer {"alarm_id", "items", ...}
    photo_shown = Signal(str)  # evidence id

    PAGE_MESSAGE, PAGE_PHOTO, PAGE_VIDEO = range(3)

    def __init__(self, client: PlatformClient, tasks: Tasks, parent: QWidget | None = None):
        super().__init__(parent)
        self.client = client
        self.tasks = tasks
        self.alarm: dict[str, Any] | None = None
        self.items: list[dict[str, Any]] = []
        self._token = 0  # which show_alarm a background answer belongs to
        self._photos: dict[str, QImage] = {}
        self._build()
        self._set_actions_visible(False)

    # --- layout -----------------------------------------------------------------------------
    def _build(self) -> None:
        self.title = QLabel(self.tr("未选择报警"), self)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.refresh_button = QToolButton(self)
        self.refresh_button.setText(self.tr("刷新"))
        self.refresh_button.clicked.connect(self.refresh)
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.refresh_button)

        self.files = QListWidget(self)
        self.files.currentItemChanged.connect(self._on_current)

        self.placeholder = QLabel(self)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.photo = PhotoView(self)
        self.player = VideoPlayer(self)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self.placeholder)
        self.pages.addWidget(self._photo_page())
        self.pages.addWidget(self.player)

        splitter = QSplitter(self)
        splitter.addWidget(self.files)
        splitter.addWidget(self.pages)
        splitter.setStretchFactor(1, 3)

        self.request_button = QPushButton(self.tr("重新请求附件"), self)
        self.request_button.clicked.connect(self.request_again)
        self.photo_button = QPushButton(self.tr("立即拍照"), self)
        self.photo_button.clicked.connect(self.take_photo)
        self.live_button = QPushButton(self.tr("查看实时视频"), self)
        self.live_button.clicked.connect(self.want_live_video)
        self.actions_bar = QWidget(self)
        actions = QHBoxLayout(self.actions_bar)
        actions.setContentsMargins(0, 0, 0, 0)
        for button in (self.request_button, self.photo_button, self.live_button):
            actions.addWidget(button)
        actions.addStretch(1)

        self.info = QLabel(self)
        self.info.setWordWrap(True)
        self.error_label = QLabel(self)
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b91c1c;")
        self.error_label.hide()

        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.actions_bar)
        layout.addWidget(self.info)
        layout.addWidget(self.error_label)
        self._show_message(self.tr("请选择一条报警查看附件。"))

    def _photo_page(self) -> QWidget:
        page = QWidget(self)
        bar = QHBoxLayout()
        buttons = (
            (self.tr("上一张"), self.previous_photo),
            (self.tr("下一张"), self.next_photo),
            (self.tr("放大"), lambda: self.photo.zoom_by(PhotoView.ZOOM_STEP)),
            (self.tr("缩小"), lambda: self.photo.zoom_by(1 / PhotoView.ZOOM_STEP)),
            (self.tr("适应窗口"), self.photo.fit),
        )
        for text, slot in buttons:
            button = QToolButton(page)
            button.setText(text)
            button.clicked.connect(slot)
            bar.addWidget(button)
        bar.addStretch(1)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.photo, 1)
        layout.addLayout(bar)
        return page

    # --- public API -------------------------------------------------------------------------
    def show_alarm(self, alarm: dict[str, Any]) -> None:
        """Show this alarm (the API's alarm JSON) and load its evidence list."""
        self.alarm = dict(alarm)
        self.items = []
        self._photos.clear()
        self.files.clear()
        self.player.shutdown()
        self.info.clear()
        self._clear_error()
        self._update_title()
        self._set_actions_visible(self._needs_actions())
        self._show_message(self.tr("正在加载附件…"))
        self.refresh()

    def refresh(self) -> None:
        """Load the alarm's evidence list again (after a re-request, or on an event)."""
        if self.alarm is None:
            return
        self._token += 1
        token, alarm_id = self._token, self.alarm["id"]
        self.tasks.run(
            lambda: self.client.alarm_evidence(alarm_id),
            lambda answer: self._on_evidence(token, answer),
            lambda exc: self._on_error(token, exc),
        )

    def on_evidence_event(self, item: dict[str, Any]) -> None:
        """An ``evidence`` event from the event stream: refresh if it is this alarm's."""
        if self.alarm is not None and item.get("alarm_id") == self.alarm["id"]:
            self.refresh()

    def request_again(self) -> None:
        """Ask the terminal to upload the alarm's files again (0x9208)."""
        if self.alarm is None:
            return
        alarm_id, token = self.alarm["id"], self._token
        self.request_button.setEnabled(False)
        self.info.setText(self.tr("正在向终端请求附件…"))
        self.tasks.run(
            lambda: self.client.request_evidence(alarm_id),
            lambda command: self._on_command(token, command, self.request_button),
            lambda exc: self._on_command_error(token, exc, self.request_button),
        )

    def take_photo(self) -> None:
        """Have the terminal take a photo now on the alarm's camera channel."""
        if self.alarm is None:
            return
        vehicle_id, channel, token = self.alarm["vehicle_id"], self.channel(), self._token
        self.photo_button.setEnabled(False)
        self.info.setText(self.tr("正在发送拍照指令…"))
        self.tasks.run(
            lambda: self.client.take_photo(vehicle_id, channel),
            lambda command: self._on_command(token, command, self.photo_button),
            lambda exc: self._on_command_error(token, exc, self.photo_button),
        )

    def want_live_video(self) -> None:
        if self.alarm is not None:
            self.live_video_wanted.emit(self.alarm["vehicle_id"], self.channel())

    def channel(self) -> int:
        return channel_of(self.items)

    def select(self, evidence_id: str) -> bool:
        """Show one file of the list; False if it is not there."""
        for row in range(self.files.count()):
            if self.files.item(row).data(Qt.ItemDataRole.UserRole)["id"] == evidence_id:
                self.files.setCurrentRow(row)
                return True
        return False

    def next_photo(self) -> None:
        self._step_photo(1)

    def previous_photo(self) -> None:
        self._step_photo(-1)

    def error_text(self) -> str:
        return self.error_label.text() if not self.error_label.isHidden() else ""

    def closeEvent(self, event: Any) -> None:
        self.player.shutdown()
        super().closeEvent(event)

    # --- answers ----------------------------------------------------------------------------
    def _on_evidence(self, token: int, answer: dict[str, Any]) -> None:
        if token != self._token or self.alarm is None:
            return
        self.alarm["evidence_status"] = answer.get("evidence_status", "none")
        self.alarm["attachment_count"] = answer.get("attachment_count", 0)
        selected = self._current_item()
        self.items = list(answer.get("items") or [])
        self._update_title()
        self._set_actions_visible(self._needs_actions())
        self.files.blockSignals(True)
        self.files.clear()
        for item in self.items:
            entry = QListWidgetItem(self._item_text(item))
            entry.setData(Qt.ItemDataRole.UserRole, item)
            entry.setToolTip(item.get("file_name") or "")
            self.files.addItem(entry)
        self.files.blockSignals(False)
        if not self.items:
            self._show_message(
                self.tr("该报警暂无附件。")
                if self.alarm["evidence_status"] == "none"
                else self.tr("终端尚未上传附件。")
            )
        else:
            wanted = selected["id"] if selected else None
            if wanted is None or not self.select(wanted):
                self.files.setCurrentRow(self._first_ready_row())
        self.evidence_loaded.emit(answer)

    def _on_error(self, token: int, exc: BaseException) -> None:
        if token == self._token:
            self._show_error(_describe(exc))
            if self.pages.currentIndex() == self.PAGE_MESSAGE:
                self._show_message(self.tr("附件加载失败。"))

    def _on_command(self, token: int, command: dict[str, Any], button: QPushButton) -> None:
        button.setEnabled(True)
        if token != self._token:
            return
        status = str(command.get("status") or "")
        outcome = _tr(COMMAND_OUTCOME[status]) if status in COMMAND_OUTCOME else ""
        self.info.setText(self.tr("指令已发送。") + outcome)
        if status == "acked" and button is self.request_button:
            self.refresh()

    def _on_command_error(self, token: int, exc: BaseException, button: QPushButton) -> None:
        button.setEnabled(True)
        if token == self._token:
            self.info.clear()
            self._show_error(_describe(exc))

    # --- showing one file -------------------------------------------------------------------
    def _current_item(self) -> dict[str, Any] | None:
        entry = self.files.currentItem()
        return entry.data(Qt.ItemDataRole.UserRole) if entry is not None else None

    def _on_current(self, current: QListWidgetItem | None, _previous: object = None) -> None:
        self.player.pause()
        if current is None:
            return
        item = current.data(Qt.ItemDataRole.UserRole)
        self._clear_error()
        if not item.get("complete"):
            self._show_message(
                self.tr("附件尚未上传完整（已收到 {0}/{1} 字节），可重新请求附件。").format(
                    item.get("received", 0), item.get("size", 0)
                )
            )
            return
        kind = item.get("file_kind")
        if kind == "photo":
            self._show_photo(item)
        elif kind == "video":
            self._show_video(item)
        else:
            self._show_message(self.tr("该类型附件暂不支持预览：{0}").format(item["file_name"]))

    def _show_photo(self, item: dict[str, Any]) -> None:
        self.pages.setCurrentIndex(self.PAGE_PHOTO)
        cached = self._photos.get(item["id"])
        if cached is not None:
            self.photo.set_image(cached)
            self.photo_shown.emit(item["id"])
            return
        self.photo.set_image(QImage())
        token, client = self._token, self.client
        self.tasks.run(
            lambda: QImage.fromData(download_evidence(client, item)),
            lambda image: self._on_photo(token, item, image),
            lambda exc: self._on_error(token, exc),
        )

    def _on_photo(self, token: int, item: dict[str, Any], image: QImage) -> None:
        if token != self._token:
            return
        if image.isNull():
            self._show_error(self.tr("图片无法解码：{0}").format(item["file_name"]))
            return
        self._photos[item["id"]] = image
        if (self._current_item() or {}).get("id") == item["id"]:
            self.photo.set_image(image)
            self.photo_shown.emit(item["id"])

    def _show_video(self, item: dict[str, Any]) -> None:
        self.pages.setCurrentIndex(self.PAGE_VIDEO)
        client = self.client
        # Opened on the player's decoding thread: the first Range request never blocks us.
        self.player.open(lambda: open_evidence(client, item), name=item.get("file_name"))

    def _step_photo(self, direction: int) -> None:
        rows = [
            row
            for row in range(self.files.count())
            if self.files.item(row).data(Qt.ItemDataRole.UserRole).get("file_kind") == "photo"
        ]
        if not rows:
            return
        current = self.files.currentRow()
        if current in rows:
            target = rows[(rows.index(current) + direction) % len(rows)]
        else:
            target = rows[0] if direction > 0 else rows[-1]
        self.files.setCurrentRow(target)

    def _first_ready_row(self) -> int:
        for row, item in enumerate(self.items):
            if item.get("complete"):
                return row
        return 0

    # --- bits -------------------------------------------------------------------------------
    def _item_text(self, item: dict[str, Any]) -> str:
        kind = _tr(FILE_KINDS.get(item.get("file_kind", "other"), FILE_KINDS["other"]))
        if item.get("complete"):
            state = self.tr("已完成")
        else:
            size = item.get("size") or 0
            percent = round(100 * (item.get("received") or 0) / size) if size else 0
            state = (
                self.tr("上传中 {0}%")
                if self.alarm and self.alarm.get("evidence_status") == "pending"
                else self.tr("不完整 {0}%")
            ).format(percent)
        return f"{kind} · {state}\n{item.get('file_name', '')}"

    def _needs_actions(self) -> bool:
        if self.alarm is None:
            return False
        status = self.alarm.get("evidence_status")
        return status in ("pending", "incomplete") or any(
            not item.get("complete") for item in self.items
        )

    def _set_actions_visible(self, visible: bool) -> None:
        self.actions_bar.setVisible(visible)

    def _update_title(self) -> None:
        alarm = self.alarm or {}
        status = _tr(EVIDENCE_STATUS.get(alarm.get("evidence_status", "none"), "—"))
        self.title.setText(
            f"{alarm.get('plate') or alarm.get('vehicle_id', '')} · "
            f"{_alarm_name(alarm.get('type_code'))} · {beijing_time(alarm.get('started_at'))} · "
            + self.tr("附件：{0}（{1} 个）").format(status, len(self.items))
        )

    def _show_message(self, text: str) -> None:
        self.placeholder.setText(text)
        self.pages.setCurrentIndex(self.PAGE_MESSAGE)

    def _show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()

    def _clear_error(self) -> None:
        self.error_label.clear()
        self.error_label.hide()
