"""The case policy editor (处置策略, docs/cases.md "Policies"), for admins.

Two tabs over the platform's policy (``GET`` / ``PUT /policies``):

- 提醒话术: the TTS template of each alarm type code (or prefix, or ``default``), editable,
  with the placeholders listed; every row is checked live (a code, a text, GBK only: what
  the terminal speaks and shows), the problems named in red under the table, and saving is
  disabled while any row has one.
- 开单规则与期限: the default deadline of each open state, the merge window, whether alarms
  no rule matches open cases, the rules (match, min level, min severity, open a case) and
  the escalation ladder.

The dialog reads the policy and saves it through the worker pool; what the server refuses
(422, ``invalid_policy``) is shown in the dialog as the server says it. Whatever the
dialog does not edit (a rule's own deadlines or merge window, the handover user) is sent
back as it was loaded.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from console.client.api import PlatformClient
from console.client.cases import gbk_unencodable
from console.domain.alarm_types import all_types, by_code
from widgets.case_model import state_name
from widgets.case_panel import describe_error
from widgets.tasks import Tasks

CONTEXT = "PolicyDialog"
OPEN_STATES = ("new", "reminded", "notified", "feedback")
PLACEHOLDERS = ("plate", "driver", "speed", "alarm", "time")
MAX_MINUTES = 525_600  # a year
UNSET = -1  # a rule's min_level / min_severity spin box: no such condition
ERROR_COLOUR = "#b91c1c"
BAD_CELL = QColor("#fde2e2")
FAMILY_NAMES = {
    "jt808": QT_TRANSLATE_NOOP("PolicyDialog", "终端报警"),
    "video": QT_TRANSLATE_NOOP("PolicyDialog", "视频报警"),
    "adas": QT_TRANSLATE_NOOP("PolicyDialog", "高级驾驶辅助"),
    "dsm": QT_TRANSLATE_NOOP("PolicyDialog", "驾驶员状态监测"),
    "bsd": QT_TRANSLATE_NOOP("PolicyDialog", "盲区监测"),
    "tpms": QT_TRANSLATE_NOOP("PolicyDialog", "胎压监测"),
    "aggressive_driving": QT_TRANSLATE_NOOP("PolicyDialog", "激烈驾驶"),
    "platform": QT_TRANSLATE_NOOP("PolicyDialog", "平台报警"),
}
#: Columns of the template table and of the rule table.
T_CODE, T_NAME, T_TEXT = range(3)
R_MATCH, R_LEVEL, R_SEVERITY, R_OPEN, R_OTHER = range(5)
#: The keys of a rule the table edits; any other is kept as loaded.
EDITED_RULE_KEYS = ("match", "min_level", "min_severity", "open_case")


def tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def alarm_label(code: str) -> str:
    """The Chinese name of a template's or rule's code: ``default`` → 默认, a type code →
    its name, a family prefix → the family; "" when it names nothing known."""
    code = code.strip()
    if code == "default":
        return tr(QT_TRANSLATE_NOOP("PolicyDialog", "默认"))
    family = FAMILY_NAMES.get(code)
    if family is not None:
        return tr(QT_TRANSLATE_NOOP("PolicyDialog", "{family}（全部）")).format(family=tr(family))
    try:
        return by_code(code).name_zh
    except KeyError:
        pass
    # A code without its dialect (dsm.02) stands for the type in every dialect.
    names = dict.fromkeys(t.name_zh for t in all_types() if t.code.split("@", 1)[0] == code)
    return " / ".join(names)


def template_problems(rows: list[tuple[str, str]]) -> list[str]:
    """What is wrong with the (code, text) rows of the template table, one sentence each
    (empty when they can be saved)."""
    problems: list[str] = []
    seen: set[str] = set()
    for n, (code, text) in enumerate(rows, 1):
        code = code.strip()
        if not code:
            problems.append(
                tr(QT_TRANSLATE_NOOP("PolicyDialog", "第 {n} 行：请填写报警类型代码")).format(n=n)
            )
        elif code in seen:
            problems.append(
                tr(QT_TRANSLATE_NOOP("PolicyDialog", "第 {n} 行：报警类型 {code} 重复")).format(
                    n=n, code=code
                )
            )
        seen.add(code)
        where = code or str(n)
        if not text.strip():
            problems.append(
                tr(QT_TRANSLATE_NOOP("PolicyDialog", "第 {n} 行（{code}）：话术为空")).format(
                    n=n, code=where
                )
            )
            continue
        bad = gbk_unencodable(text)
        if bad:
            problems.append(
                tr(
                    QT_TRANSLATE_NOOP(
                        "PolicyDialog",
                        "第 {n} 行（{code}）：以下字符无法用 GBK 编码，终端无法播报：{chars}",
                    )
                ).format(n=n, code=where, chars=" ".join(bad))
            )
    return problems


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _keep(original: Any, shown: int) -> Any:
    """What a spin box stands for: the loaded value while the box still shows it (a policy
    may hold fractional minutes), the box's value once changed."""
    if _is_number(original) and round(original) == shown:
        return original
    return shown


def _other_text(rule: Mapping[str, Any]) -> str:
    """The keys of a rule the table does not edit, shown as they will be sent back."""
    rest = {k: v for k, v in rule.items() if k not in EDITED_RULE_KEYS}
    return json.dumps(rest, ensure_ascii=False, sort_keys=True) if rest else ""


class PolicyDialog(QDialog):
    """Reads, edits and saves the platform's case policy. ``load()`` first."""

    loaded = Signal(object)  # the policy as read
    saved = Signal(object)  # the policy as the server stored it
    failed = Signal(str)  # why loading or saving failed, as shown

    def __init__(self, client: PlatformClient, tasks: Tasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.client = client
        self.tasks = tasks
        self.policy_loaded: dict[str, Any] | None = None
        self.busy = False
        self._rules: dict[int, dict[str, Any]] = {}  # row key → the rule as loaded
        self._next_rule = 0
        self._filling = False
        self.setObjectName("policy_dialog")
        self.setWindowTitle(self.tr("处置策略"))
        self.resize(900, 640)

        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._templates_tab(), self.tr("提醒话术"))
        self.tabs.addTab(self._rules_tab(), self.tr("开单规则与期限"))

        self.status_label = QLabel(self)
        self.status_label.setObjectName("policy_status")
        self.status_label.setStyleSheet("color: #616161;")
        self.error_label = QLabel(self)
        self.error_label.setObjectName("dialog_error")
        self.error_label.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(self.tr("保存"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.error_label)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status_label, 1)
        bottom.addWidget(self.buttons)
        layout.addLayout(bottom)
        self.validate()

    # --- building ---------------------------------------------------------------------------
    def _templates_tab(self) -> QWidget:
        page = QWidget(self)
        column = QVBoxLayout(page)
        hint = QLabel(
            self.tr(
                "每种报警类型一条语音提醒话术（代码可写到类型，如 dsm.01，或写前缀，如 dsm；"
                "default 为默认话术）。可用占位符：{plate} 车牌，{driver} 驾驶员，"
                "{speed} 车速（公里每小时），{alarm} 报警名称，{time} 报警时间（北京时间 HH:MM）。"
                "终端以 GBK 编码播报和显示。"
            ),
            page,
        )
        hint.setObjectName("placeholder_hint")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #616161;")
        column.addWidget(hint)

        self.templates_table = QTableWidget(0, 3, page)
        self.templates_table.setObjectName("templates")
        self.templates_table.setHorizontalHeaderLabels(
            [self.tr("报警类型代码"), self.tr("报警类型"), self.tr("话术")]
        )
        header = self.templates_table.horizontalHeader()
        header.setSectionResizeMode(T_CODE, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(T_NAME, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(T_TEXT, QHeaderView.ResizeMode.Stretch)
        self.templates_table.verticalHeader().setVisible(True)
        self.templates_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.templates_table.itemChanged.connect(self._template_changed)
        column.addWidget(self.templates_table, 1)

        self.gbk_label = QLabel(page)
        self.gbk_label.setObjectName("template_errors")
        self.gbk_label.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.gbk_label.setWordWrap(True)
        self.gbk_label.hide()
        column.addWidget(self.gbk_label)

        row = QHBoxLayout()
        self.add_template_button = QPushButton(self.tr("添加话术"), page)
        self.add_template_button.clicked.connect(lambda: self.add_template())
        self.remove_template_button = QPushButton(self.tr("删除所选"), page)
        self.remove_template_button.clicked.connect(self.remove_selected_templates)
        row.addWidget(self.add_template_button)
        row.addWidget(self.remove_template_button)
        row.addStretch(1)
        column.addLayout(row)
        return page

    def _minutes_spin(self, parent: QWidget, minimum: int = 1) -> QSpinBox:
        spin = QSpinBox(parent)
        spin.setRange(minimum, MAX_MINUTES)
        spin.setSuffix(self.tr(" 分钟"))
        return spin

    def _rules_tab(self) -> QWidget:
        page = QWidget(self)
        column = QVBoxLayout(page)

        defaults = QGroupBox(self.tr("默认"), page)
        form = QFormLayout(defaults)
        self.deadline_spins: dict[str, QSpinBox] = {}
        for state in OPEN_STATES:
            spin = self._minutes_spin(defaults)
            spin.setObjectName(f"deadline_{state}")
            spin.setToolTip(self.tr("工单处于该状态时的处理期限"))
            self.deadline_spins[state] = spin
            form.addRow(self.tr("{state}期限").format(state=state_name(state)), spin)
        self.merge_spin = self._minutes_spin(defaults, minimum=0)
        self.merge_spin.setObjectName("merge_window")
        self.merge_spin.setToolTip(
            self.tr("同一车辆同类报警在此时间内再次发生时并入未办结的工单，不另开单")
        )
        form.addRow(self.tr("合并时间窗"), self.merge_spin)
        self.default_open_check = QCheckBox(self.tr("未匹配任何规则的报警也开单"), defaults)
        form.addRow("", self.default_open_check)
        top = QHBoxLayout()
        top.addWidget(defaults, 1)
        column.addLayout(top)

        rules = QGroupBox(self.tr("开单规则（越具体的匹配越优先）"), page)
        rules_column = QVBoxLayout(rules)
        self.rules_table = QTableWidget(0, 5, rules)
        self.rules_table.setObjectName("rules")
        self.rules_table.setHorizontalHeaderLabels(
            [
                self.tr("匹配（代码或前缀）"),
                self.tr("最低级别"),
                self.tr("最低严重程度"),
                self.tr("开单"),
                self.tr("其他设置（保持不变）"),
            ]
        )
        header = self.rules_table.horizontalHeader()
        for col in (R_MATCH, R_LEVEL, R_SEVERITY, R_OPEN):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(R_OTHER, QHeaderView.ResizeMode.Stretch)
        self.rules_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.rules_table.itemChanged.connect(self._rule_changed)
        rules_column.addWidget(self.rules_table, 1)
        row = QHBoxLayout()
        self.add_rule_button = QPushButton(self.tr("添加规则"), rules)
        self.add_rule_button.clicked.connect(lambda: self.add_rule())
        self.remove_rule_button = QPushButton(self.tr("删除所选"), rules)
        self.remove_rule_button.clicked.connect(self.remove_selected_rules)
        row.addWidget(self.add_rule_button)
        row.addWidget(self.remove_rule_button)
        row.addStretch(1)
        rules_column.addLayout(row)
        column.addWidget(rules, 1)

        escalation = QGroupBox(self.tr("督办"), page)
        form = QFormLayout(escalation)
        self.escalation_deadline_spin = self._minutes_spin(escalation)
        self.escalation_deadline_spin.setObjectName("escalation_deadline")
        form.addRow(self.tr("督办期限"), self.escalation_deadline_spin)
        self.max_level_spin = QSpinBox(escalation)
        self.max_level_spin.setObjectName("max_level")
        self.max_level_spin.setRange(1, 9)
        form.addRow(self.tr("最高督办级别"), self.max_level_spin)
        self.supervisors_edit = QPlainTextEdit(escalation)
        self.supervisors_edit.setObjectName("supervisors")
        self.supervisors_edit.setFixedHeight(80)
        self.supervisors_edit.setPlaceholderText(self.tr("每行一个督办单位，依督办级别排列"))
        form.addRow(self.tr("督办单位"), self.supervisors_edit)
        top.addWidget(escalation, 1)
        return page

    # --- templates --------------------------------------------------------------------------
    def add_template(self, code: str = "", text: str = "") -> int:
        """A row in the template table (editing its code when it is a new empty row)."""
        table = self.templates_table
        row = table.rowCount()
        was, self._filling = self._filling, True
        try:
            table.insertRow(row)
            table.setItem(row, T_CODE, QTableWidgetItem(code))
            name = QTableWidgetItem(alarm_label(code))
            name.setFlags(name.flags() & ~Qt.ItemFlag.ItemIsEditable)
            table.setItem(row, T_NAME, name)
            table.setItem(row, T_TEXT, QTableWidgetItem(text))
        finally:
            self._filling = was
        if not code and not self._filling:
            table.setCurrentCell(row, T_CODE)
            table.editItem(table.item(row, T_CODE))
        self.validate()
        return row

    def remove_selected_templates(self) -> None:
        rows = sorted({i.row() for i in self.templates_table.selectedIndexes()}, reverse=True)
        for row in rows:
            self.templates_table.removeRow(row)
        self.validate()

    def template_rows(self) -> list[tuple[str, str]]:
        table = self.templates_table
        rows = []
        for row in range(table.rowCount()):
            code, text = table.item(row, T_CODE), table.item(row, T_TEXT)
            rows.append((code.text() if code else "", text.text() if text else ""))
        return rows

    def templates(self) -> dict[str, str]:
        """The templates as the policy holds them (``code → text``, in table order)."""
        return {code.strip(): text.strip() for code, text in self.template_rows()}

    def template_row(self, code: str) -> int:
        """The row of ``code`` in the template table, -1 when it has none."""
        for row, (shown, _text) in enumerate(self.template_rows()):
            if shown.strip() == code:
                return row
        return -1

    def set_template(self, code: str, text: str) -> None:
        """Set the text of ``code``'s template (a new row when it has none)."""
        row = self.template_row(code)
        if row < 0:
            self.add_template(code, text)
        else:
            self.templates_table.item(row, T_TEXT).setText(text)

    def _template_changed(self, item: QTableWidgetItem) -> None:
        if self._filling:
            return
        if item.column() == T_CODE:
            name = self.templates_table.item(item.row(), T_NAME)
            if name is not None:
                self._filling = True
                try:
                    name.setText(alarm_label(item.text()))
                finally:
                    self._filling = False
        self.validate()

    def _mark_templates(self) -> None:
        """Colour the cells of the rows with a problem."""
        table = self.templates_table
        rows = self.template_rows()
        codes = [code.strip() for code, _ in rows]
        self._filling = True
        try:
            for row, (code, text) in enumerate(rows):
                code_bad = not code.strip() or codes.index(code.strip()) != row
                text_bad = not text.strip() or bool(gbk_unencodable(text))
                for col, bad in ((T_CODE, code_bad), (T_TEXT, text_bad)):
                    item = table.item(row, col)
                    if item is not None:
                        item.setBackground(QBrush(BAD_CELL) if bad else QBrush())
        finally:
            self._filling = False

    # --- rules ------------------------------------------------------------------------------
    def _condition_spin(self, maximum: int, value: Any, name: str) -> QSpinBox:
        spin = QSpinBox(self.rules_table)
        spin.setObjectName(name)
        spin.setRange(UNSET, maximum)
        spin.setSpecialValueText(self.tr("不限"))
        is_int = isinstance(value, int) and not isinstance(value, bool)
        spin.setValue(value if is_int and UNSET < value <= maximum else UNSET)
        return spin

    def add_rule(self, rule: Mapping[str, Any] | None = None) -> int:
        """A row in the rule table; a new rule opens a case by default."""
        rule = dict(rule) if rule is not None else {"match": "", "open_case": True}
        key = self._next_rule
        self._next_rule += 1
        self._rules[key] = copy.deepcopy(rule)
        table = self.rules_table
        row = table.rowCount()
        was, self._filling = self._filling, True
        try:
            table.insertRow(row)
            match = QTableWidgetItem(str(rule.get("match", "")))
            match.setData(Qt.ItemDataRole.UserRole, key)
            match.setToolTip(alarm_label(match.text()))
            table.setItem(row, R_MATCH, match)
            table.setCellWidget(
                row, R_LEVEL, self._condition_spin(9, rule.get("min_level"), "min_level")
            )
            table.setCellWidget(
                row, R_SEVERITY, self._condition_spin(4, rule.get("min_severity"), "min_severity")
            )
            opens = QTableWidgetItem()
            opens.setFlags(
                (opens.flags() | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsUserTristate)
                & ~Qt.ItemFlag.ItemIsEditable
            )
            opens.setToolTip(self.tr("勾选：开单；不勾选：不开单；半选：沿用默认"))
            value = rule.get("open_case")
            opens.setCheckState(
                Qt.CheckState.PartiallyChecked
                if not isinstance(value, bool)
                else Qt.CheckState.Checked
                if value
                else Qt.CheckState.Unchecked
            )
            table.setItem(row, R_OPEN, opens)
            other = QTableWidgetItem(_other_text(rule))
            other.setFlags(other.flags() & ~Qt.ItemFlag.ItemIsEditable)
            other.setForeground(QBrush(QColor("#616161")))
            table.setItem(row, R_OTHER, other)
        finally:
            self._filling = was
        if rule.get("match", "") == "" and not self._filling:
            table.setCurrentCell(row, R_MATCH)
            table.editItem(table.item(row, R_MATCH))
        return row

    def remove_selected_rules(self) -> None:
        rows = sorted({i.row() for i in self.rules_table.selectedIndexes()}, reverse=True)
        for row in rows:
            item = self.rules_table.item(row, R_MATCH)
            if item is not None:
                self._rules.pop(item.data(Qt.ItemDataRole.UserRole), None)
            self.rules_table.removeRow(row)

    def _rule_changed(self, item: QTableWidgetItem) -> None:
        if self._filling or item.column() != R_MATCH:
            return
        item.setToolTip(alarm_label(item.text()))

    def rules(self) -> list[dict[str, Any]]:
        """The rules as the table shows them, with what it does not edit kept."""
        table = self.rules_table
        out: list[dict[str, Any]] = []
        for row in range(table.rowCount()):
            match = table.item(row, R_MATCH)
            loaded = self._rules.get(match.data(Qt.ItemDataRole.UserRole), {}) if match else {}
            rule: dict[str, Any] = {"match": match.text().strip() if match else ""}
            for col, key in ((R_LEVEL, "min_level"), (R_SEVERITY, "min_severity")):
                spin = table.cellWidget(row, col)
                if isinstance(spin, QSpinBox) and spin.value() != UNSET:
                    rule[key] = spin.value()
            opens = table.item(row, R_OPEN)
            state = opens.checkState() if opens is not None else Qt.CheckState.PartiallyChecked
            if state != Qt.CheckState.PartiallyChecked:
                rule["open_case"] = state == Qt.CheckState.Checked
            for key, value in loaded.items():
                if key not in EDITED_RULE_KEYS:
                    rule[key] = copy.deepcopy(value)
            out.append(rule)
        return out

    # --- the policy -------------------------------------------------------------------------
    def fill(self, policy: Mapping[str, Any]) -> None:
        """Show ``policy`` (the API's JSON)."""
        self.policy_loaded = copy.deepcopy(dict(policy))
        self._filling = True
        try:
            self.templates_table.setRowCount(0)
            for code, text in (policy.get("tts_templates") or {}).items():
                self.add_template(str(code), str(text))
            self.rules_table.setRowCount(0)
            self._rules.clear()
            for rule in policy.get("rules") or []:
                if isinstance(rule, Mapping):
                    self.add_rule(rule)
            defaults = policy.get("defaults") or {}
            deadlines = defaults.get("deadlines_min") or {}
            for state, spin in self.deadline_spins.items():
                minutes = deadlines.get(state)
                spin.setValue(round(minutes) if _is_number(minutes) else spin.minimum())
            merge = defaults.get("merge_window_min")
            self.merge_spin.setValue(round(merge) if _is_number(merge) else 0)
            self.default_open_check.setChecked(bool(defaults.get("open_case")))
            escalation = policy.get("escalation") or {}
            deadline = escalation.get("deadline_min")
            self.escalation_deadline_spin.setValue(round(deadline) if _is_number(deadline) else 1)
            level = escalation.get("max_level")
            self.max_level_spin.setValue(level if isinstance(level, int) else 1)
            supervisors = escalation.get("supervisors") or []
            self.supervisors_edit.setPlainText("\n".join(str(s) for s in supervisors))
        finally:
            self._filling = False
        self.validate()

    def policy(self) -> dict[str, Any]:
        """The policy to save: the loaded one with what the dialog shows put over it."""
        out = copy.deepcopy(self.policy_loaded or {})
        defaults = dict(out.get("defaults") or {})
        defaults["open_case"] = self.default_open_check.isChecked()
        defaults["merge_window_min"] = _keep(
            defaults.get("merge_window_min"), self.merge_spin.value()
        )
        deadlines = dict(defaults.get("deadlines_min") or {})
        for state, spin in self.deadline_spins.items():
            deadlines[state] = _keep(deadlines.get(state), spin.value())
        defaults["deadlines_min"] = deadlines
        out["defaults"] = defaults
        out["rules"] = self.rules()
        out["tts_templates"] = self.templates()
        escalation = dict(out.get("escalation") or {})
        escalation["deadline_min"] = _keep(
            escalation.get("deadline_min"), self.escalation_deadline_spin.value()
        )
        escalation["max_level"] = self.max_level_spin.value()
        escalation["supervisors"] = [
            line.strip()
            for line in self.supervisors_edit.toPlainText().splitlines()
            if line.strip()
        ]
        out["escalation"] = escalation
        return out

    def problems(self) -> list[str]:
        return template_problems(self.template_rows())

    def validate(self, *_: Any) -> bool:
        """Name the template problems under the table; Save only when there are none and
        the policy is loaded and nothing is under way."""
        if self._filling:
            return False
        problems = self.problems()
        self._mark_templates()
        self.gbk_label.setText("\n".join(problems))
        self.gbk_label.setVisible(bool(problems))
        ok = not problems and self.policy_loaded is not None and not self.busy
        self.save_button.setEnabled(ok)
        return ok

    # --- the platform -----------------------------------------------------------------------
    def load(self) -> None:
        """Read the policy (on a worker); ``loaded`` or ``failed`` follows."""
        if self.busy:
            return
        self._set_busy(True, self.tr("正在读取处置策略…"))
        self.error_label.clear()
        self.tasks.run(self.client.policies, self._loaded, self._load_failed)

    def _loaded(self, policy: dict[str, Any]) -> None:
        self._set_busy(False, "")
        self.fill(policy)
        self.loaded.emit(policy)

    def _load_failed(self, exc: BaseException) -> None:
        self._set_busy(False, "")
        self._fail(self.tr("读取处置策略失败：{why}").format(why=describe_error(exc)))

    def save(self) -> None:
        """Send the policy (on a worker); the dialog closes when the server took it, and
        shows the server's reason when it did not."""
        if not self.validate():
            return
        body = self.policy()
        client = self.client
        self.error_label.clear()
        self._set_busy(True, self.tr("正在保存…"))
        self.tasks.run(lambda: client.put_policies(body), self._saved, self._save_failed)

    def _saved(self, policy: dict[str, Any]) -> None:
        self._set_busy(False, "")
        self.policy_loaded = copy.deepcopy(policy)
        self.saved.emit(policy)
        self.accept()

    def _save_failed(self, exc: BaseException) -> None:
        self._set_busy(False, "")
        self._fail(self.tr("保存失败：{why}").format(why=describe_error(exc)))

    def _fail(self, text: str) -> None:
        self.error_label.setText(text)
        self.failed.emit(text)

    def _set_busy(self, busy: bool, text: str) -> None:
        self.busy = busy
        self.status_label.setText(text)
        self.tabs.setEnabled(not busy)
        self.validate()
