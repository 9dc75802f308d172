"""The shared vocabulary: the records every layer (store, API, client, GUI) speaks of.

One name for one thing: an :class:`Alarm` is an ``Alarm`` in the store, in the API's JSON,
in the client and in the GUI. Ids are opaque strings. Times are timezone-aware datetimes
(terminals speak Beijing time; the store keeps UTC). Stdlib only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum, StrEnum
from typing import Any

#: 车牌颜色 codes (JT/T 808 / JT/T 415): heavy trucks carry yellow plates.
PLATE_COLOR_BLUE = 1
PLATE_COLOR_YELLOW = 2
PLATE_COLOR_BLACK = 3
PLATE_COLOR_WHITE = 4
PLATE_COLOR_YELLOW_GREEN = 93  # new-energy heavy vehicles

DEFAULT_SPEED_LIMIT_KMH = 80  # heavy goods vehicles on expressways (道路交通安全法实施条例 §78)


class Role(StrEnum):
    ADMIN = "admin"  # 管理员: everything
    COUNTY_OPERATOR = "county_operator"  # 县区监控室值班员: the trucks of their county
    ENTERPRISE_OFFICER = "enterprise_officer"  # 企业安全员: the trucks of their enterprise


class VehicleType(StrEnum):
    SEMI_TRAILER_TRACTOR = "semi_trailer_tractor"  # 半挂牵引车
    HEAVY_GOODS = "heavy_goods"  # 重型货车 (≥ 12 t)


class VehicleStatus(StrEnum):
    """What the map and the tree show for a vehicle."""

    OFFLINE = "offline"
    STOPPED = "stopped"
    MOVING = "moving"


class EvidenceStatus(StrEnum):
    NONE = "none"  # the alarm announced no attachments
    PENDING = "pending"  # announced, not (fully) received yet
    COMPLETE = "complete"
    INCOMPLETE = "incomplete"  # an upload stopped short; can be requested again


class CommandStatus(StrEnum):
    PENDING = "pending"  # stored, not yet on the wire
    SENT = "sent"
    ACKED = "acked"  # the terminal answered success
    FAILED = "failed"  # the terminal answered failure / not supported
    TIMED_OUT = "timed_out"
    OFFLINE = "offline"  # the terminal was not connected


class CommandKind(StrEnum):
    TEXT = "text"  # 0x8300 TTS / display
    PHOTO = "photo"  # 0x8801
    LIVE_VIDEO = "live_video"  # 0x9101
    STOP_VIDEO = "stop_video"  # 0x9102
    RESOURCE_QUERY = "resource_query"  # 0x9205
    PLAYBACK = "playback"  # 0x9201
    EVIDENCE_REQUEST = "evidence_request"  # 0x9208
    RESEND_PACKETS = "resend_packets"  # 0x8003


class EventKind(StrEnum):
    """Kinds on the one live event stream (SSE ``event:`` field)."""

    POSITIONS = "positions"  # coalesced latest positions of many vehicles
    VEHICLE_ONLINE = "vehicle_online"
    VEHICLE_OFFLINE = "vehicle_offline"
    ALARM = "alarm"  # a new alarm
    ALARM_UPDATED = "alarm_updated"  # ended, evidence status changed, ...
    EVIDENCE = "evidence"  # a file of evidence is complete
    COMMAND = "command"  # a command changed status
    CASE = "case"  # a case opened, changed state, escalated, got an alarm attached


class FileType(IntEnum):
    """Evidence file kinds (the attachment protocol's file type, both dialects mapped)."""

    PHOTO = 0
    AUDIO = 1
    VIDEO = 2
    TEXT = 3
    OTHER = 4


@dataclass(frozen=True, slots=True)
class County:
    id: str
    name: str  # 清城区
    code: str = ""  # 行政区划代码, e.g. 441802


@dataclass(frozen=True, slots=True)
class Enterprise:
    id: str
    name: str
    county_id: str
    credit_code: str = ""  # 统一社会信用代码
    contact: str = ""
    phone: str = ""
    active: bool = True


@dataclass(frozen=True, slots=True)
class Vehicle:
    id: str
    plate: str  # 粤R12345
    plate_color: int
    enterprise_id: str
    county_id: str
    vehicle_type: VehicleType = VehicleType.HEAVY_GOODS
    vin: str = ""
    speed_limit_kmh: int = DEFAULT_SPEED_LIMIT_KMH
    driver_name: str = ""
    driver_phone: str = ""
    active: bool = True


@dataclass(frozen=True, slots=True)
class Terminal:
    """An installed 智能视频监控报警装置 and how it speaks."""

    id: str
    phone: str  # SIM number as in the JT/T 808 header (full 12/20 digits)
    terminal_id: str  # 终端ID sent in 0x0100
    vehicle_id: str | None
    edition: str = "2019"  # JT/T 808 edition: "2013" or "2019"
    dialect: str = "yuebiao"  # "subiao" / "yuebiao"
    maker: str = ""
    model: str = ""
    channels: int = 4
    auth_code: str | None = None  # set at registration
    active: bool = True


@dataclass(frozen=True, slots=True)
class User:
    id: str
    username: str
    role: Role
    display_name: str = ""
    county_id: str | None = None  # county operators
    enterprise_id: str | None = None  # enterprise officers
    active: bool = True


@dataclass(frozen=True, slots=True)
class Scope:
    """Which vehicles a user may see: every query and event is filtered by this."""

    county_ids: frozenset[str] | None = None  # None: no county restriction
    enterprise_ids: frozenset[str] | None = None  # None: no enterprise restriction

    @classmethod
    def everything(cls) -> Scope:
        return cls()

    @classmethod
    def of(cls, user: User) -> Scope:
        if user.role is Role.ADMIN:
            return cls()
        if user.role is Role.COUNTY_OPERATOR:
            return cls(county_ids=frozenset({user.county_id}) if user.county_id else frozenset())
        return cls(
            enterprise_ids=frozenset({user.enterprise_id}) if user.enterprise_id else frozenset()
        )

    @property
    def is_everything(self) -> bool:
        return self.county_ids is None and self.enterprise_ids is None

    def allows(self, county_id: str | None, enterprise_id: str | None) -> bool:
        if self.county_ids is not None and county_id not in self.county_ids:
            return False
        return self.enterprise_ids is None or enterprise_id in self.enterprise_ids


@dataclass(frozen=True, slots=True)
class Position:
    vehicle_id: str
    time: datetime  # terminal time (GPS)
    lat: float  # WGS-84 degrees, signed
    lon: float
    speed_kmh: float
    direction: int
    altitude_m: int = 0
    alarm_flags: int = 0
    status: int = 0
    mileage_km: float | None = None
    fuel_l: float | None = None
    satellites: int | None = None
    signal: int | None = None
    received_at: datetime | None = None
    invalid_reasons: tuple[str, ...] = ()  # data-quality flags (stored, counted, not dropped)

    @property
    def valid(self) -> bool:
        return not self.invalid_reasons


@dataclass(frozen=True, slots=True)
class Alarm:
    id: str
    vehicle_id: str
    type_code: str  # alarm catalogue code, e.g. "dsm.01"
    severity: int
    started_at: datetime
    ended_at: datetime | None = None
    level: int | None = None  # 1/2 for ADAS and DSM
    lat: float | None = None
    lon: float | None = None
    speed_kmh: float | None = None
    evidence_status: EvidenceStatus = EvidenceStatus.NONE
    attachment_count: int = 0
    source: str = "terminal"  # "terminal" / "platform"
    county_id: str = ""
    enterprise_id: str = ""
    plate: str = ""
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Evidence:
    id: str
    alarm_id: str
    file_name: str
    file_type: FileType
    content_type: str
    size: int  # announced size
    received: int  # bytes stored so far
    complete: bool
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Command:
    id: str
    vehicle_id: str
    kind: CommandKind
    status: CommandStatus
    created_at: datetime
    updated_at: datetime
    message_id: int = 0
    serial: int | None = None
    params: dict[str, Any] = field(default_factory=dict)
    result: dict[str, Any] = field(default_factory=dict)
    created_by: str | None = None


@dataclass(frozen=True, slots=True)
class Event:
    """One entry of the live event stream; ``id`` increases monotonically."""

    id: int
    kind: EventKind
    time: datetime
    payload: dict[str, Any]
    vehicle_id: str | None = None
    county_id: str | None = None
    enterprise_id: str | None = None


class CaseState(StrEnum):
    """Where a case (违规处置工单) stands in the closed loop (闭环管理)."""

    NEW = "new"  # opened by an alarm, nobody acted yet
    REMINDED = "reminded"  # 提醒: the driver was told by TTS (the terminal acked)
    NOTIFIED = "notified"  # 通报: the enterprise must handle it before the deadline
    FEEDBACK = "feedback"  # 企业反馈: the enterprise answered; the county reviews (审核)
    CLOSED = "closed"  # 办结 after review
    DISMISSED = "dismissed"  # 误报: a false alarm, with the reason

    @property
    def is_open(self) -> bool:
        return self not in (CaseState.CLOSED, CaseState.DISMISSED)


class CaseAction(StrEnum):
    """What a person (or the platform) does to a case; each is one audit event."""

    OPEN = "open"  # the platform opened it for an alarm
    ATTACH = "attach"  # the platform attached a repeated alarm
    REMIND = "remind"
    NOTIFY = "notify"
    FEEDBACK = "feedback"
    CLOSE = "close"
    RETURN = "return"  # review failed: back to the enterprise with a reason
    DISMISS = "dismiss"
    REOPEN = "reopen"
    ESCALATE = "escalate"  # 督办, by a person or by the platform when overdue


class Measure(StrEnum):
    """The enterprise's handling measures (处理措施)."""

    CRITICISM = "criticism"  # 批评教育
    TRAINING = "training"  # 安全培训
    SUSPENSION = "suspension"  # 停岗
    FINE = "fine"  # 罚款
    APPEAL = "appeal"  # 申诉误报


MEASURE_NAMES: dict[Measure, tuple[str, str]] = {
    Measure.CRITICISM: ("批评教育", "criticism and education"),
    Measure.TRAINING: ("安全培训", "safety training"),
    Measure.SUSPENSION: ("停岗", "suspension from duty"),
    Measure.FINE: ("罚款", "fine"),
    Measure.APPEAL: ("申诉误报", "appeal: false alarm"),
}

#: The actor of what the platform does by itself (open, attach, escalate when overdue).
SYSTEM_ACTOR = "system"


@dataclass(frozen=True, slots=True)
class Case:
    """One violation handled in a closed loop: opened by an alarm, reminded, notified,
    fed back, reviewed and closed (or dismissed), escalated when overdue."""

    id: str
    vehicle_id: str
    county_id: str
    enterprise_id: str
    type_code: str  # the alarm type that opened it
    severity: int
    state: CaseState
    opened_at: datetime
    updated_at: datetime
    last_alarm_at: datetime
    alarm_count: int = 1
    first_alarm_id: str = ""
    deadline: datetime | None = None  # of the current state; None when closed/dismissed
    overdue: bool = False
    escalation_level: int = 0  # 督办级别, 0 = not escalated
    supervisor: str = ""  # 督办单位/人
    assignee_id: str | None = None  # handed over to (e.g. a third-party monitoring account)
    reminder_status: str | None = None  # the last TTS: a CommandStatus value
    measures: tuple[Measure, ...] = ()
    feedback_note: str = ""
    closed_at: datetime | None = None
    plate: str = ""


@dataclass(frozen=True, slots=True)
class CaseEvent:
    """One audit entry of a case: append-only."""

    id: int
    case_id: str
    action: CaseAction
    from_state: CaseState | None  # None for open
    to_state: CaseState
    at: datetime
    user_id: str | None  # None: the platform itself
    username: str  # SYSTEM_ACTOR for the platform
    role: str  # a Role value, or SYSTEM_ACTOR
    note: str = ""
    attachments: tuple[str, ...] = ()  # case attachment ids
    detail: dict[str, Any] = field(default_factory=dict)
