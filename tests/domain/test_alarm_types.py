"""The alarm-type catalogue (console.domain.alarm_types)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from console.domain import alarm_types
from console.domain.alarm_types import (
    AlarmFamily,
    AlarmSource,
    AlarmType,
    PlatformAlarm,
    Severity,
    alarm_type,
    all_types,
    by_code,
    make_code,
)

SU, YUE = "subiao", "yuebiao"

# The README §5.2 / §5.3 tables: type -> (苏标 name, 粤标 name); None = user defined.
ADAS_TABLE = {
    0x01: ("前向碰撞报警", "前向碰撞报警"),
    0x02: ("车道偏离报警", "车道偏离报警"),
    0x03: ("车距过近报警", "车距过近报警"),
    0x04: ("行人碰撞报警", "行人碰撞报警"),
    0x05: ("频繁变道报警", "频繁变道报警"),
    0x06: ("道路标识超限报警", "道路标识超限报警"),
    0x07: ("障碍物报警", "障碍物报警"),
    0x10: ("道路标志识别事件", "道路标志识别事件"),
    0x11: ("主动抓拍事件", "主动抓拍事件"),
    0x12: (None, "实线变道报警"),
    0x13: (None, "车厢过道行人检测报警"),
}
DSM_TABLE = {
    0x01: ("疲劳驾驶报警", "疲劳驾驶报警"),
    0x02: ("接打电话报警", "接打手持电话报警"),
    0x03: ("抽烟报警", "抽烟报警"),
    0x04: ("分神驾驶报警", "不目视前方报警"),
    0x05: ("驾驶员异常报警", "驾驶员异常报警"),
    0x06: (None, "探头遮挡报警"),
    0x08: (None, "超时驾驶报警"),
    0x0A: (None, "未系安全带报警"),
    0x0B: (None, "红外阻断型墨镜失效报警"),
    0x0C: (None, "双脱把报警"),
    0x0D: (None, "玩手机报警"),
    0x10: ("自动抓拍事件", "自动抓拍事件"),
    0x11: ("驾驶员变更事件", "驾驶员变更事件"),
}
TABLE_CASES = [
    pytest.param(family, code, dialect, names[i], id=f"{family}-{code:02x}-{dialect}")
    for family, table in ((AlarmFamily.ADAS, ADAS_TABLE), (AlarmFamily.DSM, DSM_TABLE))
    for code, names in table.items()
    for i, dialect in enumerate((SU, YUE))
]


def test_codes_unique_and_consistent() -> None:
    types = all_types()
    codes = [t.code for t in types]
    assert len(codes) == len(set(codes))
    keys = [(t.family, t.type_code, t.dialect) for t in types]
    assert len(keys) == len(set(keys))
    for t in types:
        assert t.code == make_code(t.family, t.type_code, t.dialect)
        assert t.code.startswith(t.family.value + ".")
        assert by_code(t.code) is t
        assert t.name_zh and t.name_en and t.defined
        assert isinstance(t.severity, Severity)
        assert t.dialect in (None, SU, YUE)
        expected_source = AlarmSource.PLATFORM if t.family is AlarmFamily.PLATFORM else "terminal"
        assert t.source == expected_source


def test_every_family_is_catalogued() -> None:
    assert {t.family for t in all_types()} == set(AlarmFamily)


def test_all_32_jt808_bits() -> None:
    bits = sorted(t.type_code for t in all_types() if t.family is AlarmFamily.JT808)
    assert bits == list(range(32))
    assert alarm_type("jt808", 0).severity is Severity.CRITICAL
    assert alarm_type("jt808", 0).name_zh == "紧急报警"
    assert alarm_type("jt808", 0).code == "jt808.b00"
    for bit in (15, 16, 17):  # reserved in 2013
        assert "保留" in alarm_type("jt808", bit).name_zh
        assert "reserved" in alarm_type("jt808", bit).name_en


def test_video_bits() -> None:
    bits = sorted(t.type_code for t in all_types() if t.family is AlarmFamily.VIDEO)
    assert bits == list(range(7))
    assert alarm_type(AlarmFamily.VIDEO, 1).severity is Severity.HIGH  # blocked
    assert alarm_type(AlarmFamily.VIDEO, 9).defined is False


@pytest.mark.parametrize(("family", "code", "dialect", "name"), TABLE_CASES)
def test_readme_tables(family: AlarmFamily, code: int, dialect: str, name: str | None) -> None:
    found = alarm_type(family, code, dialect)
    if name is None:
        assert not found.defined
        assert "自定义" in found.name_zh and "user-defined" in found.name_en
        assert found.code == make_code(family, code, dialect)
        assert found.dialect == dialect
    else:
        assert found.defined
        assert found.name_zh == name
        assert found.name_en
        assert found.dialect in (None, dialect)


def test_dsm_06_differs_between_dialects() -> None:
    su = alarm_type("dsm", 0x06, SU)
    yue = alarm_type("dsm", 0x06, YUE)
    assert su != yue
    assert su.code == "dsm.06@subiao" and not su.defined
    assert yue.code == "dsm.06@yuebiao" and yue.name_zh == "探头遮挡报警"
    assert yue.severity is Severity.HIGH
    assert alarm_type("dsm", 0x02, SU).code == "dsm.02@subiao"
    assert alarm_type("dsm", 0x02, YUE).code == "dsm.02@yuebiao"


def test_events_are_low() -> None:
    for family, code in (("adas", 0x10), ("adas", 0x11), ("dsm", 0x10), ("dsm", 0x11)):
        for dialect in (SU, YUE, None):
            t = alarm_type(family, code, dialect)
            assert t.event and t.severity is Severity.LOW
    assert alarm_type("tpms", 0).event


def test_default_severities() -> None:
    for code in (0x01, 0x02, 0x03):
        for dialect in (SU, YUE):
            assert alarm_type("dsm", code, dialect).severity is Severity.HIGH
    assert alarm_type("jt808", 26).severity is Severity.CRITICAL
    assert alarm_type("adas", 0x01).severity is Severity.HIGH


def test_level_adjusts_severity() -> None:
    fatigue = alarm_type("dsm", 0x01, YUE)
    assert fatigue.levelled
    assert fatigue.severity_at(2) is Severity.HIGH
    assert fatigue.severity_at(None) is Severity.HIGH
    assert fatigue.severity_at(1) is Severity.MEDIUM
    event = alarm_type("dsm", 0x10, YUE)
    assert not event.levelled and event.severity_at(1) is Severity.LOW
    assert not alarm_type("bsd", 1).levelled
    assert alarm_type("bsd", 1).severity_at(1) is alarm_type("bsd", 1).severity


def test_other_families() -> None:
    assert [alarm_type("bsd", c, YUE).name_zh for c in (1, 2, 3)] == [
        "后方接近报警",
        "左侧后方接近报警",
        "右侧后方接近报警",
    ]
    assert sorted(t.type_code for t in all_types() if t.family is AlarmFamily.TPMS) == list(
        range(8)
    )
    assert alarm_type("tpms", 6, SU).name_zh == "慢漏气报警"
    assert alarm_type("aggressive_driving", 0x07, YUE).name_zh == "发动机超转报警"
    assert alarm_type("aggressive_driving", 0x07, YUE).code == "aggressive_driving.07"


def test_platform_types() -> None:
    names = {p: alarm_type(AlarmFamily.PLATFORM, p).name_zh for p in PlatformAlarm}
    assert names == {
        PlatformAlarm.OVERSPEED: "超速",
        PlatformAlarm.FATIGUE: "疲劳驾驶",
        PlatformAlarm.NIGHT_DRIVING: "夜间行驶",
        PlatformAlarm.OFFLINE: "离线",
        PlatformAlarm.OFFLINE_MOVING: "离线位移",
        PlatformAlarm.INVALID_DATA: "数据不合格",
    }
    fatigue = by_code("platform.fatigue")
    assert fatigue.source is AlarmSource.PLATFORM and fatigue.type_code == PlatformAlarm.FATIGUE
    assert alarm_types.FATIGUE_CONTINUOUS_DRIVING_S == 4 * 3600


@pytest.mark.parametrize(
    ("family", "code", "dialect", "expected_code"),
    [
        ("adas", 0x1F, YUE, "adas.1f@yuebiao"),
        ("adas", 0x08, None, "adas.08"),
        ("dsm", 0x0E, SU, "dsm.0e@subiao"),
        ("bsd", 0x09, SU, "bsd.09@subiao"),
        ("tpms", 12, None, "tpms.b12"),
        ("video", 31, None, "video.b31"),
        ("aggressive_driving", 0x20, YUE, "aggressive_driving.20@yuebiao"),
        ("platform", 99, None, "platform.63"),
    ],
)
def test_unknown_codes_are_generic(
    family: str, code: int, dialect: str | None, expected_code: str
) -> None:
    found = alarm_type(family, code, dialect)
    assert isinstance(found, AlarmType)
    assert not found.defined
    assert found.code == expected_code
    assert found.type_code == code and found.family == family
    assert "自定义" in found.name_zh
    assert by_code(found.code) == found
    assert found not in all_types()


def test_dialect_fallbacks() -> None:
    # the common entry serves both dialects
    assert alarm_type("adas", 0x01, SU) is alarm_type("adas", 0x01, YUE) is by_code("adas.01")
    # without a dialect: common, then 苏标, then 粤标
    assert alarm_type("dsm", 0x02).code == "dsm.02@subiao"
    assert alarm_type("dsm", 0x06).code == "dsm.06@yuebiao"
    # the enums' values are accepted
    assert alarm_type(AlarmFamily.DSM, 6, "yuebiao") is by_code("dsm.06@yuebiao")

    class FakeDialect:
        value = "yuebiao"

    assert alarm_type("dsm", 6, FakeDialect()) is by_code("dsm.06@yuebiao")
    with pytest.raises(ValueError):
        alarm_type("dsm", 1, "sichuan")
    with pytest.raises(ValueError):
        alarm_type("nope", 1)


@pytest.mark.parametrize(
    "code",
    [
        "",
        "adas",
        "adas.",
        "adas.1",
        "adas.0x01",
        "adas.01@subiao",  # the common entry has no suffix
        "adas.-1",
        "adas.ZZ",
        "jt808.b5",
        "jt808.05",
        "tpms.b-1",
        "nope.01",
        "dsm.06@sichuan",
        "platform.unknown",
    ],
)
def test_by_code_rejects(code: str) -> None:
    with pytest.raises(KeyError):
        by_code(code)


def test_domain_imports_no_protocol() -> None:
    path = Path(alarm_types.__file__)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            imported.append(node.module or "")
    assert not [m for m in imported if m.startswith("console")]
    top = {m.split(".")[0] for m in imported}
    assert top <= set(sys.stdlib_module_names) | {"__future__"}
    # and importing it in a fresh interpreter loads nothing from console.protocol
    script = (
        "import sys, console.domain.alarm_types;"
        "print(sorted(m for m in sys.modules if m.startswith('console.protocol')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    ).stdout
    assert out.strip() == "[]"


def test_protocol_families_match() -> None:
    from console.protocol.jt808 import active_safety

    for cls in active_safety.ALARM_ITEMS.values():
        assert AlarmFamily(cls.FAMILY)
