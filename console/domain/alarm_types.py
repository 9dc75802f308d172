"""The alarm-type catalogue (报警类型): every alarm the console can show, with names and
default severity.

Sources (digest ``shared/protocol/README.md``): JT/T 808-2013 table 24 (alarm flag bits, §4.2),
JT/T 1078-2016 table 14 (video alarm bits of item 0x14, §4.4), 苏标 T/JSATL 12-2017 and 粤标
T/GDRTA 002-2020 (ADAS, DSM, BSD, TPMS, §5.2-5.5), DB32/T 3610 (item 0x70, §5.6), plus the
alarms the platform derives itself.

Stdlib only: the domain layer does not import ``console.protocol``. Dialects are the plain
strings ``"subiao"`` / ``"yuebiao"`` (equal to the protocol's ``Dialect`` values).

**Codes.** Every :class:`AlarmType` has a stable ``code`` (store it, show it, never reuse it):

* type-byte families (ADAS, DSM, BSD, aggressive driving): ``<family>.<type as 2 lower-case
  hex digits>``, e.g. ``adas.01``, ``aggressive_driving.07``;
* bit families (JT/T 808 alarm flags, JT/T 1078 video alarms, TPMS tyre events): the bit
  number in decimal after ``b``, e.g. ``jt808.b00`` (emergency), ``video.b01``, ``tpms.b02``;
* platform-derived: a word, e.g. ``platform.overspeed``;
* where a type code means different things in 苏标 and 粤标, the entry carries its dialect and
  the code ends in ``@subiao`` / ``@yuebiao`` (``dsm.02@subiao`` 接打电话,
  ``dsm.02@yuebiao`` 接打手持电话, ``dsm.06@yuebiao`` 探头遮挡). Entries valid in both have
  ``dialect=None`` and no suffix.

Codes that the standards leave user-defined (自定义) or reserved get a generic type, made on
demand with the same scheme (``dsm.0e@yuebiao``, ``video.b09``) and ``defined=False``;
:func:`by_code` recognises those codes too, so every code handed out can be looked up again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum, StrEnum

SUBIAO = "subiao"  # T/JSATL 12-2017 (Jiangsu)
YUEBIAO = "yuebiao"  # T/GDRTA 002-2020 (Guangdong)
DIALECTS = (SUBIAO, YUEBIAO)

#: Platform fatigue rule (GA/T 2372): continuous driving longer than 4 hours.
FATIGUE_CONTINUOUS_DRIVING_S = 4 * 3600


class Severity(IntEnum):
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4


class AlarmFamily(StrEnum):
    """Where an alarm comes from; the value is the prefix of its code."""

    JT808 = "jt808"  # JT/T 808 alarm flag bits of 0x0200 (table 24)
    VIDEO = "video"  # JT/T 1078 video alarm bits, item 0x14 (table 14)
    ADAS = "adas"  # item 0x64
    DSM = "dsm"  # item 0x65
    BSD = "bsd"  # item 0x67
    TPMS = "tpms"  # item 0x66, one type per tyre event bit
    AGGRESSIVE_DRIVING = "aggressive_driving"  # item 0x70 (DB32/T 3610)
    PLATFORM = "platform"  # derived by the platform from positions


class AlarmSource(StrEnum):
    TERMINAL = "terminal"  # reported by the vehicle terminal
    PLATFORM = "platform"  # computed by the platform


class PlatformAlarm(IntEnum):
    """Type codes of the platform-derived family."""

    OVERSPEED = 1
    FATIGUE = 2
    NIGHT_DRIVING = 3
    OFFLINE = 4
    OFFLINE_MOVING = 5
    INVALID_DATA = 6


_BIT_FAMILIES = frozenset({AlarmFamily.JT808, AlarmFamily.VIDEO, AlarmFamily.TPMS})
_LEVELLED_FAMILIES = frozenset({AlarmFamily.ADAS, AlarmFamily.DSM})
_PLATFORM_WORDS = {
    PlatformAlarm.OVERSPEED: "overspeed",
    PlatformAlarm.FATIGUE: "fatigue",
    PlatformAlarm.NIGHT_DRIVING: "night_driving",
    PlatformAlarm.OFFLINE: "offline",
    PlatformAlarm.OFFLINE_MOVING: "offline_moving",
    PlatformAlarm.INVALID_DATA: "invalid_data",
}


@dataclass(frozen=True, slots=True)
class AlarmType:
    """One entry of the catalogue (see the module docstring for ``code``).

    ``dialect`` is None when the meaning is the same for 苏标 and 粤标 (or the family has no
    dialects). ``event`` marks events (事件: sign recognised, capture, driver change, periodic
    tyre report) that are recorded but are not alarms. ``defined`` is False for the generic
    type of a user-defined / reserved / unknown code.
    """

    code: str
    family: AlarmFamily
    type_code: int
    dialect: str | None
    name_zh: str
    name_en: str
    severity: Severity
    source: AlarmSource = AlarmSource.TERMINAL
    event: bool = False
    defined: bool = True

    @property
    def levelled(self) -> bool:
        """ADAS/DSM alarms carry a level byte (一级/二级)."""
        return self.family in _LEVELLED_FAMILIES and not self.event

    def severity_at(self, level: int | None) -> Severity:
        """The severity for an alarm of this type at ``level``: the default severity is that
        of a level-2 (二级) alarm; a level-1 alarm is one step lower (never below LOW)."""
        if self.levelled and level == 1:
            return Severity(max(Severity.LOW, self.severity - 1))
        return self.severity

    def __str__(self) -> str:
        return f"{self.name_zh} ({self.code})"


def make_code(family: AlarmFamily | str, type_code: int, dialect: str | None = None) -> str:
    """The code of (family, type code, dialect) under the scheme of the module docstring."""
    family = AlarmFamily(family)
    if family is AlarmFamily.PLATFORM and type_code in _PLATFORM_WORDS:
        part = _PLATFORM_WORDS[PlatformAlarm(type_code)]
    elif family in _BIT_FAMILIES:
        part = f"b{type_code:02d}"
    else:
        part = f"{type_code:02x}"
    code = f"{family.value}.{part}"
    return f"{code}@{dialect}" if dialect else code


# --- the catalogue ----------------------------------------------------------------------------
_S = Severity
_L, _M, _H, _C = _S.LOW, _S.MEDIUM, _S.HIGH, _S.CRITICAL

# JT/T 808-2013 table 24; bits 15-17 are reserved in 2013, the 2019 meanings are from
# implementations (README §4.2, unverified against the 2019 text).
_JT808_BITS: list[tuple[int, str, str, Severity]] = [
    (0, "紧急报警", "emergency alarm (SOS)", _C),
    (1, "超速报警", "overspeed alarm", _H),
    (2, "疲劳驾驶报警", "fatigue driving alarm", _H),
    (3, "危险预警", "danger warning", _H),
    (4, "GNSS模块发生故障", "GNSS module fault", _M),
    (5, "GNSS天线未接或被剪断", "GNSS antenna disconnected or cut", _M),
    (6, "GNSS天线短路", "GNSS antenna short circuit", _M),
    (7, "终端主电源欠压", "main power under-voltage", _M),
    (8, "终端主电源掉电", "main power off", _H),
    (9, "终端LCD或显示器故障", "LCD / display fault", _L),
    (10, "TTS模块故障", "TTS module fault", _L),
    (11, "摄像头故障", "camera fault", _M),
    (12, "道路运输证IC卡模块故障", "road transport IC card module fault", _L),
    (13, "超速预警", "overspeed pre-warning", _M),
    (14, "疲劳驾驶预警", "fatigue driving pre-warning", _M),
    (15, "违规行驶预警（2019；2013保留）", "illegal driving warning (2019; reserved in 2013)", _M),
    (16, "胎压预警（2019；2013保留）", "tyre pressure warning (2019; reserved in 2013)", _M),
    (
        17,
        "右转盲区预警（2019；2013保留）",
        "right-turn blind spot warning (2019; reserved in 2013)",
        _M,
    ),
    (18, "当天累计驾驶超时", "accumulated driving time exceeded today", _H),
    (19, "超时停车", "overtime parking", _L),
    (20, "进出区域", "entering / leaving area", _M),
    (21, "进出路线", "entering / leaving route", _M),
    (22, "路段行驶时间不足/过长", "route section driving time too short / too long", _M),
    (23, "路线偏离报警", "route deviation", _M),
    (24, "车辆VSS故障", "vehicle VSS fault", _M),
    (25, "车辆油量异常", "abnormal fuel level", _M),
    (26, "车辆被盗", "vehicle stolen", _C),
    (27, "车辆非法点火", "illegal ignition", _H),
    (28, "车辆非法位移", "illegal displacement", _H),
    (29, "碰撞预警", "collision warning", _C),
    (30, "侧翻预警", "rollover warning", _C),
    (31, "非法开门报警", "illegal door opening", _H),
]

# JT/T 1078-2016 table 14 (item 0x14); bits 7-31 reserved.
_VIDEO_BITS: list[tuple[int, str, str, Severity]] = [
    (0, "视频信号丢失报警", "video signal lost", _M),
    (1, "视频信号遮挡报警", "video signal blocked", _H),
    (2, "存储单元故障报警", "storage unit fault", _M),
    (3, "其他视频设备故障报警", "other video device fault", _M),
    (4, "客车超员报警", "passenger overload", _H),
    (5, "异常驾驶行为报警", "abnormal driving behaviour", _H),
    (6, "特殊报警录像达到存储阈值报警", "special-alarm recording reached storage threshold", _L),
]

# (type, dialect or None for both, zh, en, severity, event)
_Row = tuple[int, str | None, str, str, Severity, bool]

# 苏标 table 4-15 / 粤标 table 5-15.
_ADAS: list[_Row] = [
    (0x01, None, "前向碰撞报警", "forward collision warning", _H, False),
    (0x02, None, "车道偏离报警", "lane departure warning", _M, False),
    (0x03, None, "车距过近报警", "headway too close", _M, False),
    (0x04, None, "行人碰撞报警", "pedestrian collision warning", _H, False),
    (0x05, None, "频繁变道报警", "frequent lane change", _M, False),
    (0x06, None, "道路标识超限报警", "road sign limit exceeded", _M, False),
    (0x07, None, "障碍物报警", "obstacle warning", _H, False),
    (0x10, None, "道路标志识别事件", "road sign recognised (event)", _L, True),
    (0x11, None, "主动抓拍事件", "active capture (event)", _L, True),
    (0x12, YUEBIAO, "实线变道报警", "lane change across a solid line", _M, False),
    (0x13, YUEBIAO, "车厢过道行人检测报警", "pedestrian in the aisle", _M, False),
]

# 苏标 table 4-17 / 粤标 table 5-17.
_DSM: list[_Row] = [
    (0x01, None, "疲劳驾驶报警", "fatigue driving", _H, False),
    (0x02, SUBIAO, "接打电话报警", "phone call", _H, False),
    (0x02, YUEBIAO, "接打手持电话报警", "hand-held phone call", _H, False),
    (0x03, None, "抽烟报警", "smoking", _H, False),
    (0x04, SUBIAO, "分神驾驶报警", "distracted driving", _H, False),
    (0x04, YUEBIAO, "不目视前方报警", "not looking ahead", _H, False),
    (0x05, None, "驾驶员异常报警", "driver abnormal", _H, False),
    (0x06, YUEBIAO, "探头遮挡报警", "camera blocked", _H, False),
    (0x08, YUEBIAO, "超时驾驶报警", "overtime driving", _H, False),
    (0x0A, YUEBIAO, "未系安全带报警", "seat belt not fastened", _M, False),
    (0x0B, YUEBIAO, "红外阻断型墨镜失效报警", "IR-blocking sunglasses", _M, False),
    (0x0C, YUEBIAO, "双脱把报警", "both hands off the wheel", _H, False),
    (0x0D, YUEBIAO, "玩手机报警", "playing with phone", _H, False),
    (0x10, None, "自动抓拍事件", "automatic capture (event)", _L, True),
    (0x11, None, "驾驶员变更事件", "driver change (event)", _L, True),
]

# 苏标 / 粤标 BSD (identical).
_BSD: list[_Row] = [
    (0x01, None, "后方接近报警", "rear approach", _M, False),
    (0x02, None, "左侧后方接近报警", "left rear approach", _M, False),
    (0x03, None, "右侧后方接近报警", "right rear approach", _M, False),
]

# TPMS record event bits (苏标 table 4-19 / 粤标 table 5-19); bits 8-15 user defined.
_TPMS: list[_Row] = [
    (0, None, "胎压定时上报", "periodic tyre pressure report (event)", _L, True),
    (1, None, "胎压过高报警", "tyre pressure too high", _H, False),
    (2, None, "胎压过低报警", "tyre pressure too low", _H, False),
    (3, None, "胎温过高报警", "tyre temperature too high", _H, False),
    (4, None, "传感器异常报警", "tyre sensor fault", _M, False),
    (5, None, "胎压不平衡报警", "tyre pressure imbalance", _M, False),
    (6, None, "慢漏气报警", "slow leak", _H, False),
    (7, None, "电池电量低报警", "tyre sensor battery low", _L, False),
]

# DB32/T 3610 item 0x70.
_AGGRESSIVE: list[_Row] = [
    (0x01, None, "急加速报警", "harsh acceleration", _M, False),
    (0x02, None, "急减速报警", "harsh braking", _M, False),
    (0x03, None, "急转弯报警", "sharp turn", _M, False),
    (0x04, None, "怠速报警", "idling", _L, False),
    (0x05, None, "异常熄火报警", "abnormal engine stop", _M, False),
    (0x06, None, "空挡滑行报警", "coasting in neutral", _M, False),
    (0x07, None, "发动机超转报警", "engine over-revving", _M, False),
]

_PLATFORM: list[_Row] = [
    (PlatformAlarm.OVERSPEED, None, "超速", "overspeed (platform)", _H, False),
    (PlatformAlarm.FATIGUE, None, "疲劳驾驶", "fatigue driving (platform, > 4 h)", _H, False),
    (PlatformAlarm.NIGHT_DRIVING, None, "夜间行驶", "night driving", _M, False),
    (PlatformAlarm.OFFLINE, None, "离线", "offline", _M, False),
    (PlatformAlarm.OFFLINE_MOVING, None, "离线位移", "moved while offline", _H, False),
    (PlatformAlarm.INVALID_DATA, None, "数据不合格", "invalid data", _L, False),
]


def _build() -> tuple[AlarmType, ...]:
    types: list[AlarmType] = []

    def add(family: AlarmFamily, rows: Iterable[_Row]) -> None:
        source = AlarmSource.PLATFORM if family is AlarmFamily.PLATFORM else AlarmSource.TERMINAL
        for code, dialect, zh, en, severity, event in rows:
            types.append(
                AlarmType(
                    make_code(family, code, dialect),
                    family,
                    int(code),
                    dialect,
                    zh,
                    en,
                    severity,
                    source,
                    event,
                )
            )

    add(AlarmFamily.JT808, ((b, None, zh, en, s, False) for b, zh, en, s in _JT808_BITS))
    add(AlarmFamily.VIDEO, ((b, None, zh, en, s, False) for b, zh, en, s in _VIDEO_BITS))
    add(AlarmFamily.ADAS, _ADAS)
    add(AlarmFamily.DSM, _DSM)
    add(AlarmFamily.BSD, _BSD)
    add(AlarmFamily.TPMS, _TPMS)
    add(AlarmFamily.AGGRESSIVE_DRIVING, _AGGRESSIVE)
    add(AlarmFamily.PLATFORM, _PLATFORM)
    return tuple(types)


_ALL = _build()
_BY_CODE = {t.code: t for t in _ALL}
_BY_KEY = {(t.family, t.type_code, t.dialect): t for t in _ALL}
if len(_BY_CODE) != len(_ALL) or len(_BY_KEY) != len(_ALL):  # pragma: no cover
    raise RuntimeError("alarm type catalogue has duplicate codes")

_FAMILY_NAMES = {
    AlarmFamily.JT808: ("终端报警", "terminal alarm"),
    AlarmFamily.VIDEO: ("视频报警", "video alarm"),
    AlarmFamily.ADAS: ("ADAS报警", "ADAS alarm"),
    AlarmFamily.DSM: ("DSM报警", "DSM alarm"),
    AlarmFamily.BSD: ("盲区监测报警", "BSD alarm"),
    AlarmFamily.TPMS: ("胎压监测报警", "TPMS alarm"),
    AlarmFamily.AGGRESSIVE_DRIVING: ("激烈驾驶报警", "aggressive driving alarm"),
    AlarmFamily.PLATFORM: ("平台报警", "platform alarm"),
}


def _normalise_dialect(dialect: object) -> str | None:
    if dialect is None:
        return None
    value = getattr(dialect, "value", dialect)  # accepts the protocol's Dialect enum too
    if value not in DIALECTS:
        raise ValueError(f"unknown dialect {dialect!r}, expected one of {DIALECTS}")
    return str(value)


def _generic(family: AlarmFamily, type_code: int, dialect: str | None) -> AlarmType:
    zh, en = _FAMILY_NAMES[family]
    shown = f"bit {type_code}" if family in _BIT_FAMILIES else f"0x{type_code:02X}"
    return AlarmType(
        code=make_code(family, type_code, dialect),
        family=family,
        type_code=type_code,
        dialect=dialect,
        name_zh=f"自定义{zh} ({shown})",
        name_en=f"user-defined {en} ({shown})",
        severity=Severity.MEDIUM if family is not AlarmFamily.TPMS else Severity.LOW,
        source=AlarmSource.PLATFORM if family is AlarmFamily.PLATFORM else AlarmSource.TERMINAL,
        defined=False,
    )


def alarm_type(family: AlarmFamily | str, type_code: int, dialect: object = None) -> AlarmType:
    """The type of (family, type code, dialect); never raises for an unknown type code.

    With a dialect, its own entry wins, then the entry common to both dialects. Without one
    (unknown terminal flavour): the common entry, then the 苏标 one, then the 粤标 one. A code
    none of those define gives a generic "user-defined" (自定义) type (``defined=False``).
    ``family`` and ``dialect`` may be the enums or their string values; an unknown family or
    dialect is a ValueError (a caller bug, not terminal data).
    """
    fam = AlarmFamily(family)
    dia = _normalise_dialect(dialect)
    order = (dia, None) if dia is not None else (None, SUBIAO, YUEBIAO)
    for candidate in order:
        found = _BY_KEY.get((fam, type_code, candidate))
        if found is not None:
            return found
    return _generic(fam, type_code, dia)


def by_code(code: str) -> AlarmType:
    """The type with this code: a catalogue entry, or the generic type of a well-formed code
    for an undefined type (as :func:`alarm_type` hands out). KeyError otherwise."""
    found = _BY_CODE.get(code)
    if found is not None:
        return found
    body, _, dialect = code.partition("@")
    family_text, _, part = body.partition(".")
    try:
        family = AlarmFamily(family_text)
        dia = _normalise_dialect(dialect or None)
        if family in _BIT_FAMILIES:
            if not part.startswith("b") or not part[1:].isdigit():
                raise ValueError(part)
            type_code = int(part[1:])
        else:
            if len(part) < 2 or any(c not in "0123456789abcdef" for c in part):
                raise ValueError(part)
            type_code = int(part, 16)
    except ValueError:
        raise KeyError(code) from None
    found = alarm_type(family, type_code, dia)
    if found.code != code:  # e.g. "adas.01@subiao" for the common "adas.01", or "jt808.b5"
        raise KeyError(code)
    return found


def all_types() -> tuple[AlarmType, ...]:
    """Every catalogue entry (not the generic ones), in catalogue order."""
    return _ALL


__all__ = [
    "DIALECTS",
    "FATIGUE_CONTINUOUS_DRIVING_S",
    "SUBIAO",
    "YUEBIAO",
    "AlarmFamily",
    "AlarmSource",
    "AlarmType",
    "PlatformAlarm",
    "Severity",
    "alarm_type",
    "all_types",
    "by_code",
    "make_code",
]
