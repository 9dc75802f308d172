"""The console's main window: the live map in the middle, the vehicle tree and the detail
card in docks, the status bar with the figures a duty officer glances at.

It is a client of the platform through :class:`console.client.PlatformClient` only; every
call runs on :class:`widgets.tasks.Tasks`, the live events come through
:class:`widgets.live.LiveFeed`.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QByteArray,
    QCoreApplication,
    QSettings,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QWidget,
)

from console.client import ClientError, PlatformClient, StreamEvent
from console.client.cases import find_case_for_alarm
from widgets import i18n
from widgets.alarm_queue import AlarmQueue
from widgets.beijing import CST, day_start
from widgets.case_inbox import INBOX, OPEN, REVIEW, CaseInbox
from widgets.case_panel import CasePanel
from widgets.desktop_notice import DesktopNotice
from widgets.evidence_viewer import EvidenceViewer
from widgets.live import LiveFeed
from widgets.map import basemaps
from widgets.map.markers import Marker
from widgets.map.view import MapView
from widgets.playback import PlaybackPanel
from widgets.tasks import Tasks
from widgets.vehicle_card import VehicleCard
from widgets.vehicle_tree import VehicleTree
from widgets.vehicle_tree_model import VehicleItem, VehicleTreeModel
from widgets.video_wall import VideoWall

log = logging.getLogger(__name__)

TRAIL_MINUTES = 30
COUNTS_REFRESH_MS = 30_000
STATE_TEXT = {
    "connecting": (QT_TRANSLATE_NOOP("MainWindow", "正在连接…"), "#b26a00"),
    "connected": (QT_TRANSLATE_NOOP("MainWindow", "已连接"), "#1e7d32"),
    "reconnecting": (QT_TRANSLATE_NOOP("MainWindow", "连接中断，正在重连…"), "#c62828"),
    "unauthorized": (QT_TRANSLATE_NOOP("MainWindow", "登录已失效"), "#c62828"),
    "stopped": (QT_TRANSLATE_NOOP("MainWindow", "未连接"), "#616161"),
}
LAYOUT_VERSION = 3  # bump when docks are added or renamed: old saved layouts are then ignored
WALL_STYLE = "QWidget { font-size: 16pt; } QStatusBar QLabel { font-size: 18pt; }"


class MainWindow(QMainWindow):
    tree_loaded = Signal()
    counts_changed = Signal(int, int)  # alarms today, unhandled

    def __init__(
        self,
        client: PlatformClient,
        *,
        settings: QSettings,
        tasks: Tasks | None = None,
        title_suffix: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.client = client
        self.settings = settings
        self.tasks = tasks or Tasks(self)
        self.alarms_today = 0
        self.unhandled = 0
        self.selected: str | None = None
        self.clock_offset_s = 0.0  # platform time − local time
        self.last_error = ""
        self._loaded_once = False
        self._held: list[StreamEvent] | None = None  # events waiting for a fleet load
        user = client.user or {}
        self.setWindowTitle(
            self.tr("TruckWatch 重型货车主动安全监控 — {who}").format(
                who=user.get("display_name") or user.get("username", "")
            )
            + title_suffix
        )
        self.setObjectName("MainWindow")

        self.docks: list[QDockWidget] = []
        self.model = VehicleTreeModel(self)
        self.map = MapView(self, base_map=self._saved_base_map())
        self.setCentralWidget(self.map)
        self.tree = VehicleTree(self.model, self)
        self.card = VehicleCard(self)
        self.tree_dock = self._dock(
            "vehicles", self.tr("车辆"), self.tree, Qt.DockWidgetArea.LeftDockWidgetArea
        )
        self.card_dock = self._dock(
            "vehicle_card", self.tr("车辆详情"), self.card, Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.alarm_queue = AlarmQueue(settings, str(user.get("username", "")), self)
        self.alarm_dock = self._dock(
            "alarms", self.tr("报警队列"), self.alarm_queue, Qt.DockWidgetArea.BottomDockWidgetArea
        )
        self.evidence = EvidenceViewer(client, self.tasks, self)
        self.evidence_dock = self._dock(
            "evidence", self.tr("报警附件"), self.evidence, Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.notice = DesktopNotice(settings, str(user.get("username", "")), self)
        self.video_wall = VideoWall(client, self)
        self.video_dock = self._dock(
            "video", self.tr("实时视频"), self.video_wall, Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.playback = PlaybackPanel(client, self.tasks, self)
        self.playback_dock = self._dock(
            "playback", self.tr("历史回放"), self.playback, Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.role = str(user.get("role", ""))
        self.case_panel = CasePanel(client, self.tasks, self)
        self.case_dock = self._dock(
            "case", self.tr("处置工单"), self.case_panel, Qt.DockWidgetArea.BottomDockWidgetArea
        )
        self.tabifyDockWidget(self.alarm_dock, self.case_dock)
        self.alarm_dock.raise_()
        # The queues of cases: the enterprise's inbox, the county's review queue and open
        # cases. Beside the card, where the eye goes after the map.
        self.case_queues: list[CaseInbox] = []
        self.case_queue_docks: dict[str, QDockWidget] = {}
        modes = (INBOX,) if self.role == "enterprise_officer" else (REVIEW, OPEN)
        for mode in modes:
            queue = CaseInbox(client, self.tasks, self, mode=mode, sounds=self.alarm_queue.sounds)
            dock = self._dock(
                f"case_{mode}",
                _queue_title(mode, 0),
                queue,
                Qt.DockWidgetArea.RightDockWidgetArea,
            )
            queue.count_changed.connect(
                lambda n, d=dock, m=mode: d.setWindowTitle(_queue_title(m, n))
            )
            queue.case_selected.connect(self.show_case)
            queue.case_opened.connect(
                lambda case_id, m=mode: self.open_case(case_id, "feedback" if m == INBOX else None)
            )
            self.case_queues.append(queue)
            self.case_queue_docks[mode] = dock
        self.tabifyDockWidget(self.card_dock, self.evidence_dock)
        self.tabifyDockWidget(self.card_dock, self.video_dock)
        self.tabifyDockWidget(self.card_dock, self.playback_dock)
        for dock in self.case_queue_docks.values():
            self.tabifyDockWidget(self.card_dock, dock)
        if INBOX in self.case_queue_docks:  # the enterprise officer's first concern
            self.case_queue_docks[INBOX].raise_()
        else:
            self.card_dock.raise_()
        # Until the layout is activated it counts the minimum heights of tabified docks one
        # above the other (six on the right: ~1,260 px) and a resize would be held to that.
        self.layout().activate()
        self.resize(1600, 900)
        self._status_bar()
        self._menus()

        self.feed = LiveFeed(client, self)
        self.feed.event.connect(self.on_event)
        self.feed.state_changed.connect(self.on_stream_state)
        self.tree.vehicle_selected.connect(self.select_vehicle)
        self.alarm_queue.alarm_selected.connect(self.show_alarm)
        self.alarm_queue.more_wanted.connect(self.load_alarms)
        self.card.live_video_wanted.connect(self.open_live_video)
        self.alarm_queue.alarm_opened.connect(self.open_evidence)
        self.evidence.live_video_wanted.connect(
            lambda vehicle_id, channel: self.open_live_video(
                vehicle_id, self._plate(vehicle_id), channel
            )
        )
        self.map.vehicle_clicked.connect(self.tree.select_vehicle)

        self.ticker = QTimer(self)
        self.ticker.timeout.connect(self._tick)
        self.ticker.start(1000)
        self.counts_timer = QTimer(self)
        self.counts_timer.timeout.connect(self.refresh_counts)
        self.counts_timer.start(COUNTS_REFRESH_MS)
        self._restore_layout()

    # --- building ---------------------------------------------------------------------------
    def _dock(self, name: str, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock_{name}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        self.docks.append(dock)
        return dock

    def _status_bar(self) -> None:
        bar = self.statusBar()
        self.online_label = QLabel(self)
        self.alarms_label = QLabel(self)
        self.unhandled_label = QLabel(self)
        self.connection_label = QLabel(self)
        self.clock_label = QLabel(self)
        for label in (self.online_label, self.alarms_label, self.unhandled_label):
            bar.addPermanentWidget(label)
        bar.addPermanentWidget(self.connection_label)
        bar.addPermanentWidget(self.clock_label)
        self._show_counts()
        self.on_stream_state("connecting", "")

    def _menus(self) -> None:
        view = self.menuBar().addMenu(self.tr("视图(&V)"))
        view.addAction(self.tree_dock.toggleViewAction())
        view.addAction(self.card_dock.toggleViewAction())
        view.addAction(self.alarm_dock.toggleViewAction())
        view.addAction(self.evidence_dock.toggleViewAction())
        view.addAction(self.video_dock.toggleViewAction())
        view.addAction(self.playback_dock.toggleViewAction())
        view.addAction(self.case_dock.toggleViewAction())
        for dock in self.case_queue_docks.values():
            view.addAction(dock.toggleViewAction())
        view.addSeparator()
        self.wall_action = QAction(self.tr("墙屏模式（全屏）"), self)
        self.wall_action.setShortcut(QKeySequence(Qt.Key.Key_F11))
        self.wall_action.setCheckable(True)
        self.wall_action.toggled.connect(self.set_wall_mode)
        view.addAction(self.wall_action)
        reset = QAction(self.tr("恢复默认布局"), self)
        reset.triggered.connect(self.reset_layout)
        view.addAction(reset)
        reload = QAction(self.tr("刷新"), self)
        reload.setShortcut(QKeySequence(Qt.Key.Key_F5))
        reload.triggered.connect(self.reload)
        view.addAction(reload)

        map_menu = self.menuBar().addMenu(self.tr("地图(&M)"))
        self.follow_action = QAction(self.tr("跟踪所选车辆"), self)
        self.follow_action.setCheckable(True)
        self.follow_action.toggled.connect(self._follow_toggled)
        map_menu.addAction(self.follow_action)
        fit = QAction(self.tr("显示全部车辆"), self)
        fit.triggered.connect(self.map.fit_all)
        map_menu.addAction(fit)
        map_menu.addSeparator()
        group = QActionGroup(self)
        current = self.settings.value("map/base", "osm")
        for key, label in (
            ("osm", self.tr("OpenStreetMap")),
            ("gaode", self.tr("高德地图 (GCJ-02)")),
            ("tianditu", self.tr("天地图（需要密钥）…")),
            ("xyz", self.tr("自定义 XYZ 瓦片…")),
            ("offline", self.tr("离线瓦片目录…")),
            ("none", self.tr("无底图（仅县区轮廓）")),
        ):
            action = QAction(label, self)
            action.setCheckable(True)
            action.setChecked(key == current)
            action.setData(key)
            action.triggered.connect(lambda _=False, k=key: self.choose_base_map(k))
            group.addAction(action)
            map_menu.addAction(action)

        cases_menu = self.menuBar().addMenu(self.tr("工单(&C)"))
        stats = QAction(self.tr("处置统计…"), self)
        stats.triggered.connect(self.show_case_stats)
        cases_menu.addAction(stats)
        reload_cases = QAction(self.tr("刷新工单"), self)
        reload_cases.triggered.connect(self.load_cases)
        cases_menu.addAction(reload_cases)
        cases_menu.addSeparator()
        cases_menu.setToolTipsVisible(True)
        self.policy_action = QAction(self.tr("处置策略…"), self)
        self.policy_action.setObjectName("policy_action")
        self.policy_action.triggered.connect(self.show_policy_editor)
        if self.role != "admin":  # the platform lets only admins change the policy
            self.policy_action.setEnabled(False)
            self.policy_action.setToolTip(self.tr("仅管理员可以配置处置策略"))
        cases_menu.addAction(self.policy_action)

        settings_menu = self.menuBar().addMenu(self.tr("设置(&S)"))
        self.notice_action = QAction(self.tr("高级别报警桌面通知"), self)
        self.notice_action.setCheckable(True)
        self.notice_action.setChecked(self.notice.enabled)
        self.notice_action.toggled.connect(self.notice.set_enabled)
        settings_menu.addAction(self.notice_action)
        language = settings_menu.addMenu(self.tr("语言 / Language"))
        chosen = self.settings.value("language", i18n.DEFAULT_LANGUAGE)
        languages = QActionGroup(self)
        for code, name in i18n.LANGUAGES.items():
            action = QAction(name, self)
            action.setCheckable(True)
            action.setChecked(code == chosen)
            action.triggered.connect(lambda _=False, c=code: self.set_language(c))
            languages.addAction(action)
            language.addAction(action)

        help_menu = self.menuBar().addMenu(self.tr("帮助(&H)"))
        about = QAction(self.tr("关于 TruckWatch"), self)
        about.triggered.connect(self.about)
        help_menu.addAction(about)

    # --- start ------------------------------------------------------------------------------
    def start(self) -> None:
        """Follow the live stream, and load the fleet once the stream is open: events from
        then on are held until the fleet is loaded and then applied, so nothing falls
        between the snapshot and the stream. (If the stream cannot open, the fleet is
        loaded anyway after a few seconds.)"""
        self.feed.start()
        QTimer.singleShot(5000, self._load_once)
        self.refresh_counts()
        self.load_cases()
        self.tasks.run(self.client.health, self._got_health, lambda exc: None)
        self.tasks.run(self.client.policies, self._got_policies, lambda exc: None)

    def _load_once(self) -> None:
        if not self._loaded_once:
            self.reload()

    def reload(self) -> None:
        self._loaded_once = True
        if self._held is None:
            self._held = []
        self.tasks.run(self.client.vehicle_tree, self._tree_arrived, self._tree_failed)

    def _tree_failed(self, exc: BaseException) -> None:
        self._release_held()
        self.show_error(exc)

    def _release_held(self) -> None:
        held, self._held = self._held or [], None
        for event in held:
            self.on_event(event)

    def _tree_arrived(self, tree: dict[str, Any]) -> None:
        self.model.load(tree)
        enterprises = {e.id: e.name for c in self.model.counties for e in c.children}
        self.alarm_queue.set_names({c.id: c.name for c in self.model.counties}, enterprises)
        self.case_panel.set_names(enterprises)
        for queue in self.case_queues:
            queue.set_names(enterprises)
        if self.alarm_queue.model.rowCount() == 0:
            self.load_alarms(0)
        self.playback.set_vehicles(
            [
                {"id": v.id, "plate": v.plate, "status": "online" if v.online else "offline"}
                for v in self.model.vehicles.values()
            ]
        )
        self.map.clear()
        self.map.push_positions(
            [self.marker(v) for v in self.model.vehicles.values() if v.lat is not None]
        )
        self._show_counts()
        self._release_held()
        if self.selected:
            self.select_vehicle(self.selected)
        self.tree_loaded.emit()

    def _got_health(self, health: dict[str, Any]) -> None:
        try:
            platform_now = datetime.fromisoformat(health["time"])
        except (KeyError, ValueError):
            return
        self.clock_offset_s = (platform_now - datetime.now(UTC)).total_seconds()

    # --- live events ------------------------------------------------------------------------
    def on_event(self, event: StreamEvent) -> None:
        if self._held is not None:  # the fleet is being loaded
            if event.kind != "reset":  # a reset during a load: the load is the fresh state
                self._held.append(event)
            return
        data = event.data if isinstance(event.data, dict) else {}
        if event.kind in ("alarm", "alarm_updated", "reset"):
            self.alarm_queue.on_event(event)
        elif event.kind == "evidence":
            self.evidence.on_evidence_event(data)
        elif event.kind == "case":
            self.case_panel.on_case_event(data)
            for queue in self.case_queues:
                queue.on_case_event(data)
        if event.kind == "positions":
            touched = self.model.apply_positions(data.get("positions", []))
            self.map.push_positions([self.marker(v) for v in touched if v.lat is not None])
            if self.selected and any(v.id == self.selected for v in touched):
                self._show_card(self.selected)
        elif event.kind in ("vehicle_online", "vehicle_offline"):
            item = self.model.set_online(data.get("vehicle_id", ""), event.kind == "vehicle_online")
            if item is not None and item.lat is not None:
                self.map.push_positions([self.marker(item)])
        elif event.kind == "alarm":
            item = self.model.note_alarm(data.get("vehicle_id", ""))
            if item is not None and item.lat is not None:
                self.map.push_positions([self.marker(item)])
            self.card.note_alarm(data)
            self.notice.alarm(data)
            self.alarms_today += 1
            self.unhandled += 1
        elif event.kind == "reset":  # the platform cannot replay that far: start over
            self.reload()
            self.refresh_counts()
            self.load_cases()
        self._show_counts()

    def on_stream_state(self, state: str, detail: str) -> None:
        text, colour = STATE_TEXT.get(state, (state, "#616161"))
        shown = self.tr(text)
        self.connection_label.setText(f"● {shown}")
        self.connection_label.setStyleSheet(f"color: {colour}; font-weight: bold;")
        self.connection_label.setToolTip(detail or shown)
        if state == "connected" and not self._loaded_once:
            self.reload()
        if state == "unauthorized":
            self.show_error(ClientError("invalid_token", detail))

    def marker(self, v: VehicleItem) -> Marker:
        return Marker(
            vehicle_id=v.id,
            plate=v.plate,
            lat=v.lat or 0.0,
            lon=v.lon or 0.0,
            direction=v.direction or 0,
            speed_kmh=v.speed_kmh or 0.0,
            status=v.status(self.model.clock()).value,
        )

    # --- selection --------------------------------------------------------------------------
    def select_vehicle(self, vehicle_id: str) -> None:
        if vehicle_id not in self.model.vehicles:
            return
        changed = vehicle_id != self.selected
        self.selected = vehicle_id
        self._show_card(vehicle_id)
        self.playback.select_vehicle(vehicle_id)
        self.map.centre_on(vehicle_id, 14 if changed else None)
        if self.follow_action.isChecked():
            self.map.follow(vehicle_id)
        if changed:
            self._load_alarms_and_trail(vehicle_id)

    def _show_card(self, vehicle_id: str) -> None:
        item = self.model.vehicles[vehicle_id]
        self.card.show_vehicle(item, item.status(self.model.clock()))

    def _load_today_alarms(self, vehicle_id: str) -> None:
        today = day_start(datetime.now(UTC))
        self.tasks.run(
            lambda: self.client.alarms(vehicle_id=vehicle_id, start=today, limit=50),
            lambda page: self.card.set_alarms(vehicle_id, page),
            self.show_error,
        )

    def _load_alarms_and_trail(self, vehicle_id: str) -> None:
        self._load_today_alarms(vehicle_id)
        now = datetime.now(UTC)
        start = now - timedelta(minutes=TRAIL_MINUTES)
        self.tasks.run(
            lambda: self.client.track(vehicle_id, start, now + timedelta(minutes=1)),
            lambda positions: self.map.show_trail(
                vehicle_id, [(p["lat"], p["lon"]) for p in positions if p.get("valid", True)]
            ),
            self.show_error,
        )

    # --- alarms -----------------------------------------------------------------------------
    def load_alarms(self, offset: int) -> None:
        """A page of today's alarms for the queue (newest first), from ``offset``."""
        today = day_start(datetime.now(UTC))
        if offset == 0:
            self.alarm_queue.clear()
        self.tasks.run(
            lambda: self.client.alarms(start=today, offset=offset, limit=500),
            self.alarm_queue.load_page,
            self.show_error,
        )

    def open_evidence(self, alarm: dict[str, Any]) -> None:
        """Enter on an alarm: its evidence, in front."""
        self.evidence_dock.show()
        self.evidence_dock.raise_()
        self.evidence.show_alarm(alarm)

    def _plate(self, vehicle_id: str) -> str:
        item = self.model.vehicles.get(vehicle_id)
        return item.plate if item is not None else vehicle_id

    def show_alarm(self, alarm: dict[str, Any]) -> None:
        """An alarm selected in the queue: its truck on the map, the two minutes of track
        around the alarm, its evidence, and its case (if it has one) in the case panel."""
        self.evidence.show_alarm(alarm)
        self._case_for_alarm(alarm)
        vehicle_id = alarm.get("vehicle_id", "")
        if vehicle_id in self.model.vehicles:
            # Selected already as far as select_vehicle is concerned: the alarm's own track
            # replaces the recent trail it would load.
            self.selected = vehicle_id
            self.tree.select_vehicle(vehicle_id)
            self.map.centre_on(vehicle_id, 14)
            self._load_today_alarms(vehicle_id)
        try:
            started = datetime.fromisoformat(alarm["started_at"])
        except (KeyError, ValueError):
            return
        self.tasks.run(
            lambda: self.client.track(
                vehicle_id, started - timedelta(minutes=1), started + timedelta(minutes=1)
            ),
            lambda positions: self.map.show_trail(
                vehicle_id, [(p["lat"], p["lon"]) for p in positions if p.get("valid", True)]
            ),
            self.show_error,
        )

    # --- cases ------------------------------------------------------------------------------
    def load_cases(self) -> None:
        for queue in self.case_queues:
            queue.load()
        self.case_panel.refresh()

    def show_case(self, case_id: str) -> None:
        self.case_panel.show_case(case_id)

    def open_case(self, case_id: str, action: str | None = None) -> None:
        """A case in front, with the panel focused (its shortcuts act), and optionally the
        form of ``action``."""
        self.case_dock.show()
        self.case_dock.raise_()
        self.case_panel.show_case(case_id, then=action)
        self.case_panel.setFocus()

    def _case_for_alarm(self, alarm: dict[str, Any]) -> None:
        alarm_id = alarm.get("id")

        def found(detail: dict[str, Any] | None) -> None:
            current = self.alarm_queue.current_alarm()
            if detail is None or (current is not None and current.get("id") != alarm_id):
                return
            if detail.get("id") != self.case_panel.case_id:
                self.case_panel.show_case(detail["id"])

        self.tasks.run(lambda: find_case_for_alarm(self.client, alarm), found, self.show_error)

    def _got_policies(self, policies: dict[str, Any]) -> None:
        supervisors = (policies.get("escalation") or {}).get("supervisors") or []
        self.case_panel.supervisors = [str(s) for s in supervisors]

    def show_case_stats(self) -> None:
        from widgets.case_stats import CaseStatsDialog

        dialog = getattr(self, "stats_dialog", None)
        if dialog is None:
            dialog = CaseStatsDialog(self.client, self.tasks, self)
            self.stats_dialog = dialog
            dialog.stats.load()
        dialog.show()
        dialog.raise_()

    def show_policy_editor(self) -> None:
        """The admin's 处置策略 dialog, read afresh from the platform each time it opens."""
        if self.role != "admin":
            return
        from widgets.policy_editor import PolicyDialog

        dialog = getattr(self, "policy_dialog", None)
        if dialog is None:
            dialog = PolicyDialog(self.client, self.tasks, self)
            dialog.saved.connect(self._got_policies)
            self.policy_dialog = dialog
        if not dialog.isVisible():
            dialog.load()
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()

    def open_live_video(self, vehicle_id: str, plate: str, channel: int) -> None:
        self.video_dock.show()
        self.video_dock.raise_()
        self.video_wall.open(vehicle_id, plate, channel)

    def _follow_toggled(self, on: bool) -> None:
        self.map.follow(self.selected if on else None)

    # --- figures ----------------------------------------------------------------------------
    def refresh_counts(self) -> None:
        today = day_start(datetime.now(UTC))

        def fetch() -> tuple[int, int]:
            alarms = self.client.alarms(start=today, limit=1)["total"]
            open_ = self.client.alarms(start=today, open=True, limit=1)["total"]
            return alarms, open_

        self.tasks.run(fetch, self._got_counts, self.show_error)

    def _got_counts(self, counts: tuple[int, int]) -> None:
        self.alarms_today, self.unhandled = counts
        self._show_counts()

    def _show_counts(self) -> None:
        self.online_label.setText(
            self.tr("在线 {online}/{total}").format(
                online=self.model.online, total=self.model.total
            )
        )
        self.alarms_label.setText(self.tr("今日报警 {n}").format(n=self.alarms_today))
        self.unhandled_label.setText(self.tr("未处理 {n}").format(n=self.unhandled))
        self.unhandled_label.setStyleSheet("color: #c62828;" if self.unhandled else "")
        self.counts_changed.emit(self.alarms_today, self.unhandled)

    def _tick(self) -> None:
        now = datetime.now(UTC) + timedelta(seconds=self.clock_offset_s)
        self.clock_label.setText(
            self.tr("平台时间 {t}").format(t=now.astimezone(CST).strftime("%Y-%m-%d %H:%M:%S"))
        )
        if int(time.monotonic()) % 10 == 0:
            self.model.refresh_alarm_states()

    # --- errors -----------------------------------------------------------------------------
    def show_error(self, exc: BaseException) -> None:
        """Errors go where the user looks: the status bar, and a dialog for a lost login."""
        language = str(self.settings.value("language", i18n.DEFAULT_LANGUAGE))
        text = exc.describe(language) if isinstance(exc, ClientError) else str(exc)
        log.warning("platform call failed: %s", exc)
        self.last_error = text
        self.statusBar().showMessage(text, 15_000)
        if isinstance(exc, ClientError) and exc.code in ("invalid_token", "missing_token"):
            self.feed.stop(0)
            QMessageBox.warning(self, self.tr("登录已失效"), text)

    # --- map choices, layout, language ------------------------------------------------------
    def _saved_base_map(self) -> basemaps.BaseMap:
        try:
            return base_map_of(
                str(self.settings.value("map/base", "osm")),
                str(self.settings.value("map/option", "")),
            )
        except ValueError:
            return basemaps.openstreetmap()

    def choose_base_map(self, key: str) -> None:
        option = ""
        if key in ("tianditu", "xyz", "offline"):
            prompts = {
                "tianditu": self.tr("天地图密钥 (tk)："),
                "xyz": self.tr("瓦片地址，例如 http://tiles.example/{z}/{x}/{y}.png："),
                "offline": self.tr("离线瓦片目录（含 {z}/{x}/{y}.png）："),
            }
            option, ok = QInputDialog.getText(
                self,
                self.tr("底图"),
                prompts[key],
                text=str(self.settings.value(f"map/option/{key}", "")),
            )
            if not ok or not option.strip():
                return
            option = option.strip()
            self.settings.setValue(f"map/option/{key}", option)
        try:
            base = base_map_of(key, option)
        except ValueError as exc:
            self.statusBar().showMessage(str(exc), 15_000)
            return
        self.settings.setValue("map/base", key)
        self.settings.setValue("map/option", option)
        self.map.set_base_map(base)

    def set_wall_mode(self, on: bool) -> None:
        if on:
            self.showFullScreen()
            self.setStyleSheet(WALL_STYLE)
        else:
            self.setStyleSheet("")
            self.showNormal()

    def set_language(self, code: str) -> None:
        self.settings.setValue("language", code)
        QMessageBox.information(
            self,
            self.tr("语言 / Language"),
            "界面语言将在重新启动后切换。\nThe language changes when TruckWatch starts again.",
        )

    def about(self) -> None:
        from console import __version__

        QMessageBox.about(
            self,
            self.tr("关于 TruckWatch"),
            "TruckWatch {v}\n{what}\nJT/T 808 · JT/T 1078 · 苏标 / 粤标\n{platform}：{url}".format(
                v=__version__,
                what=self.tr("重型货车主动安全智能监控台"),
                platform=self.tr("平台"),
                url=self.client.base_url,
            ),
        )

    def _restore_layout(self) -> None:
        # Room for enterprise names and the card's values at 1920×1080.
        self.resizeDocks([self.tree_dock, self.card_dock], [360, 340], Qt.Orientation.Horizontal)
        self._default_state = self.saveState(LAYOUT_VERSION)
        geometry = self.settings.value("window/geometry")
        state = self.settings.value("window/state")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        if isinstance(state, QByteArray):
            # A layout saved by a version with other docks is ignored (returns False).
            self.restoreState(state, LAYOUT_VERSION)

    def reset_layout(self) -> None:
        self.restoreState(self._default_state, LAYOUT_VERSION)
        for dock in self.docks:
            dock.show()

    def save_layout(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState(LAYOUT_VERSION))

    def shutdown(self) -> None:
        self.save_layout()
        self.video_wall.close_all()
        self.playback.stop()
        self.evidence.player.shutdown()  # its decoding thread
        self.ticker.stop()
        self.counts_timer.stop()
        self.feed.stop()
        self.tasks.wait(10_000)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)


def _queue_title(mode: str, count: int) -> str:
    """A case queue's dock title, with its count as a badge."""
    names = {
        INBOX: QCoreApplication.translate("MainWindow", "待处理通报"),
        REVIEW: QCoreApplication.translate("MainWindow", "待审核"),
        OPEN: QCoreApplication.translate("MainWindow", "未办结工单"),
    }
    name = names.get(mode, mode)
    return f"{name} ({count})" if count else name


def base_map_of(key: str, option: str = "") -> basemaps.BaseMap:
    """The base map a menu choice (and its remembered option) names."""
    if key == "gaode":
        return basemaps.autonavi()
    if key == "tianditu":
        return basemaps.tianditu(option)
    if key == "xyz":
        if "{x}" not in option or "{y}" not in option or "{z}" not in option:
            raise ValueError("瓦片地址需要包含 {z}、{x} 和 {y}")
        return basemaps.custom_xyz(option)
    if key == "offline":
        if not Path(option).expanduser().is_dir():
            raise ValueError(f"离线瓦片目录不存在：{option}")
        return basemaps.offline_tiles(option)
    if key == "none":
        return basemaps.no_tiles()
    return basemaps.openstreetmap()
