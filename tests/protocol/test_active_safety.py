"""Active-safety items of 0x0200 (0x64-0x67, 0x70, 0xF1/0xF2): vectors, round trips, dialects."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from console.domain.alarm_types import alarm_type
from console.protocol.binary import BcdTime
from console.protocol.errors import BodyError
from console.protocol.jt808.active_safety import (
    ALARM_ITEMS,
    AdasAlarm,
    AggressiveDrivingAlarm,
    AlarmFlag,
    AlarmSnapshot,
    AlgorithmAnomaly,
    BsdAlarm,
    CatalogueKey,
    DsmAlarm,
    InstallationAnomaly,
    TpmsAlarm,
    TyreRecord,
)
from console.protocol.jt808.alarm_ident import AlarmIdentification
from console.protocol.jt808.items import ITEMS, Item, MalformedItem, RawItem, decode_item
from console.protocol.jt808.message import DecodeContext, Dialect

VECTORS_PATH = Path(__file__).resolve().parents[3] / "shared" / "protocol" / "vectors.json"
ITEM_KEYS = {"adas": 0x64, "dsm": 0x65, "tpms": 0x66, "bsd": 0x67, "aggressive_driving": 0x70}
SUBIAO_CTX = DecodeContext(dialect=Dialect.SUBIAO)
YUEBIAO_CTX = DecodeContext(dialect=Dialect.YUEBIAO)
NO_CTX = DecodeContext()
OTHER = {Dialect.SUBIAO: Dialect.YUEBIAO, Dialect.YUEBIAO: Dialect.SUBIAO}

#: Fixtures that are known not to be well formed (README §10.5): decode only, no re-encode.
DAMAGED = {"go_0200_2019_subiao_tpms"}


# --- vector plumbing -------------------------------------------------------------------------
def _load_vectors() -> list[dict[str, Any]]:
    if not VECTORS_PATH.exists():  # pragma: no cover - the shared folder is part of the setup
        return []
    return json.loads(VECTORS_PATH.read_text(encoding="utf-8"))


def _unescape(data: bytes) -> bytes:
    out = bytearray()
    i = 0
    while i < len(data):
        if data[i] == 0x7D and i + 1 < len(data) and data[i + 1] in (0x01, 0x02):
            out.append(0x7D if data[i + 1] == 0x01 else 0x7E)
            i += 2
        else:
            out.append(data[i])
            i += 1
    return bytes(out)


def _body(vector: dict[str, Any]) -> bytes:
    raw = bytes.fromhex(vector["hex"])
    framing = vector["framing"]
    if framing == "body_only":
        return raw
    assert framing in ("full_frame", "full_frame_de_escaped_by_source"), framing
    assert raw[0] == raw[-1] == 0x7E
    inner = raw[1:-1]
    if framing == "full_frame":
        inner = _unescape(inner)
    inner = inner[:-1]  # checksum
    props = int.from_bytes(inner[2:4], "big")
    header = 17 if props & 0x4000 else 12
    if props & 0x2000:
        header += 4
    return inner[header:]


def _item_value(vector: dict[str, Any], item_id: int) -> bytes:
    """The value of item ``item_id`` in the vector; a cut last item gives what exists."""
    raw = bytes.fromhex(vector["hex"])
    if vector["framing"] == "additional_item_only":
        assert raw[0] == item_id
        return raw[2 : 2 + raw[1]]
    body = _body(vector)
    pos = 28
    while pos + 2 <= len(body):
        iid, length = body[pos], body[pos + 1]
        if iid == item_id:
            return body[pos + 2 : pos + 2 + length]
        pos += 2 + length
    raise AssertionError(f"item 0x{item_id:02X} not found in {vector['id']}")


def _cases() -> list[Any]:
    cases = []
    for vector in _load_vectors():
        expected = vector.get("expected")
        if not isinstance(expected, dict):
            continue
        for key, item_id in ITEM_KEYS.items():
            if key in expected:
                cases.append(pytest.param(vector, key, item_id, id=f"{vector['id']}-{key}"))
    return cases


CASES = _cases()


def test_vectors_present() -> None:
    assert len(CASES) >= 10
    assert {case.values[1] for case in CASES} == set(ITEM_KEYS)


@pytest.mark.parametrize(("vector", "key", "item_id"), CASES)
def test_vector_json(vector: dict[str, Any], key: str, item_id: int) -> None:
    value = _item_value(vector, item_id)
    item = decode_item(item_id, value, NO_CTX)
    assert isinstance(item, ITEMS[item_id]), item
    fields = item.json_fields()
    assert set(fields) == {key}
    for name, expected in vector["expected"][key].items():
        assert fields[key][name] == expected, name


@pytest.mark.parametrize(("vector", "key", "item_id"), CASES)
def test_vector_reencodes_exactly(vector: dict[str, Any], key: str, item_id: int) -> None:
    value = _item_value(vector, item_id)
    item = ITEMS[item_id].decode(value, NO_CTX)
    assert item.encode_value() == value  # also for the damaged fixture (nothing is lost)
    if vector["id"] not in DAMAGED:
        assert type(item).decode(item.encode_value(), NO_CTX) == item
        assert getattr(item, "is_complete", True)


@pytest.mark.parametrize(("vector", "key", "item_id"), CASES)
def test_vector_length_beats_contradicting_ctx(
    vector: dict[str, Any], key: str, item_id: int
) -> None:
    value = _item_value(vector, item_id)
    item = ITEMS[item_id].decode(value, NO_CTX)
    assert isinstance(item, ALARM_ITEMS[item_id])
    wrong = DecodeContext(dialect=OTHER[item.dialect])
    assert ITEMS[item_id].decode(value, wrong) == item


def test_issue48_aggressive_driving_details() -> None:
    value = bytes.fromhex(
        "0000001000020005005A000031000000C54D34049FC2B5250311170633040100000000000000250311170633000600"
    )
    item = AggressiveDrivingAlarm.decode(value)
    assert item.dialect is Dialect.SUBIAO
    assert item.type_code == 0x02
    assert item.flag_state is AlarmFlag.NOT_APPLICABLE
    assert item.snapshot.latitude == pytest.approx(12.930356)
    assert item.snapshot.longitude == pytest.approx(77.578933)
    assert item.snapshot.positioned and item.snapshot.acc_on
    assert item.snapshot.time.to_datetime() is not None
    assert alarm_type(*item.catalogue_key).name_zh == "急减速报警"


def test_go_tpms_fixture_is_kept_whole() -> None:
    # The 0x66 item declares 49 bytes and 49 are there (then one dangling byte ends the body):
    # 40 fixed + count 1 + 8 bytes of a 9-byte 苏标 record. The vector's note counts
    # 5+19+16+1+9 = 49, which is 50. A location decoder that cuts the item short must not
    # break the decode either.
    vector = next(v for v in _load_vectors() if v["id"] == "go_0200_2019_subiao_tpms")
    value = _item_value(vector, 0x66)
    assert len(value) == 49
    for data in (value, value[:48]):
        item = TpmsAlarm.decode(data)
        assert item.alarm_id == 31
        assert item.dialect is Dialect.SUBIAO
        assert item.count == 1 and item.records == ()
        assert not item.is_complete
        assert item.trailing == data[41:]
        assert item.encode_value() == data
        assert item.json_fields()["tpms"]["complete"] is False
        assert decode_item(0x66, data, YUEBIAO_CTX) == item  # too short for 粤标


# --- strategies ------------------------------------------------------------------------------
U8 = st.integers(0, 0xFF)
U16 = st.integers(0, 0xFFFF)
U32 = st.integers(0, 0xFFFFFFFF)
DIALECTS = st.sampled_from([Dialect.SUBIAO, Dialect.YUEBIAO])
bcd_times = st.binary(min_size=6, max_size=6).map(lambda b: BcdTime(b.hex()))
snapshots = st.builds(AlarmSnapshot, U8, U16, U32, U32, bcd_times, U16)


def idents(dialect: Dialect) -> st.SearchStrategy[AlarmIdentification]:
    n = 16 if dialect is Dialect.SUBIAO else 40
    return st.binary(min_size=n, max_size=n).map(AlarmIdentification)


def adas(dialect: Dialect) -> st.SearchStrategy[AdasAlarm]:
    return st.builds(AdasAlarm, U32, U8, U8, U8, U8, U8, U8, U8, U8, snapshots, idents(dialect))


def dsm(dialect: Dialect) -> st.SearchStrategy[DsmAlarm]:
    return st.builds(
        DsmAlarm, U32, U8, U8, U8, U8, st.binary(min_size=4, max_size=4), snapshots, idents(dialect)
    )


def bsd(dialect: Dialect) -> st.SearchStrategy[BsdAlarm]:
    return st.builds(BsdAlarm, U32, U8, U8, snapshots, idents(dialect))


def aggressive(dialect: Dialect) -> st.SearchStrategy[AggressiveDrivingAlarm]:
    return st.builds(AggressiveDrivingAlarm, U32, U8, U8, U16, U16, U16, snapshots, idents(dialect))


def tyres(dialect: Dialect) -> st.SearchStrategy[TyreRecord]:
    position = U8 if dialect is Dialect.SUBIAO else U16
    return st.builds(TyreRecord, position, U16, U16, U16, U16)


def tpms(dialect: Dialect) -> st.SearchStrategy[TpmsAlarm]:
    records = st.lists(tyres(dialect), max_size=20).map(tuple)
    return st.builds(TpmsAlarm, U32, U8, snapshots, idents(dialect), records)


STRATEGIES = {
    AdasAlarm: adas,
    DsmAlarm: dsm,
    BsdAlarm: bsd,
    AggressiveDrivingAlarm: aggressive,
    TpmsAlarm: tpms,
}


def items_of(cls: type[Item]) -> st.SearchStrategy[tuple[Dialect, Item]]:
    return DIALECTS.flatmap(lambda d: STRATEGIES[cls](d).map(lambda item: (d, item)))


# --- round trips -----------------------------------------------------------------------------
@pytest.mark.parametrize("cls", list(STRATEGIES), ids=lambda c: c.__name__)
@settings(max_examples=150)
@given(data=st.data())
def test_round_trip(cls: type[Item], data: st.DataObject) -> None:
    dialect, item = data.draw(items_of(cls))
    value = item.encode_value()
    ctx = DecodeContext(dialect=dialect)
    decoded = cls.decode(value, ctx)
    assert decoded == item
    assert decoded.encode_value() == value
    assert decoded.dialect is dialect
    assert json.loads(json.dumps(decoded.json_fields()))  # JSON-serialisable
    assert decode_item(cls.ITEM_ID, value, ctx) == item
    if cls is not TpmsAlarm:  # fixed lengths decide alone, whatever the context says
        assert cls.decode(value, NO_CTX) == item
        assert cls.decode(value, DecodeContext(dialect=OTHER[dialect])) == item


@pytest.mark.parametrize("item_id", [*sorted(ALARM_ITEMS), 0xF1, 0xF2])
@pytest.mark.parametrize("ctx", [NO_CTX, SUBIAO_CTX, YUEBIAO_CTX], ids=["none", "su", "yue"])
@settings(max_examples=150)
@given(data=st.binary(max_size=140))
def test_arbitrary_bytes_never_lose_anything(item_id: int, ctx: DecodeContext, data: bytes) -> None:
    """Any value either decodes to an item that re-encodes to the same bytes, or raises
    BodyError (which decode_item turns into a MalformedItem)."""
    try:
        item = ITEMS[item_id].decode(data, ctx)
    except BodyError:
        assert isinstance(decode_item(item_id, data, ctx), MalformedItem)
        return
    assert item.encode_value() == data
    json.dumps(item.json_fields())


@settings(max_examples=150)
@given(item=DIALECTS.flatmap(tpms), cut=st.integers(1, 25))
def test_tpms_truncated_list(item: TpmsAlarm, cut: int) -> None:
    value = item.encode_value()
    fixed = 41 if item.dialect is Dialect.SUBIAO else 65
    cut = min(cut, len(value) - fixed)
    if cut == 0:
        return
    truncated = value[:-cut]
    decoded = TpmsAlarm.decode(truncated, DecodeContext(dialect=item.dialect))
    assert decoded.encode_value() == truncated
    if decoded.dialect is not item.dialect:
        # The cut list fits the other layout exactly with a valid identification time there:
        # the length is believed over the context (as for a real 粤标/苏标 item).
        assert decoded.is_complete and decoded.alarm_ident.time.to_datetime() is not None
        return
    assert not decoded.is_complete
    assert decoded.count == len(item.records)
    assert decoded.records == item.records[: len(decoded.records)]


# --- dialect detection -----------------------------------------------------------------------
SNAP = AlarmSnapshot(60, 12, 23_123_456, 113_654_321, BcdTime("240501120000"), 0x0401)
SU_IDENT = AlarmIdentification.build("T000001", BcdTime("240501120000"), 0, 3)
YUE_IDENT = AlarmIdentification.build(
    "GD0000000001", BcdTime("240501120000"), 0, 3, Dialect.YUEBIAO
)


@pytest.mark.parametrize(
    ("cls", "su_len", "yue_len"),
    [(AdasAlarm, 47, 71), (DsmAlarm, 47, 71), (BsdAlarm, 41, 65), (AggressiveDrivingAlarm, 47, 71)],
    ids=lambda v: getattr(v, "__name__", str(v)),
)
def test_fixed_length_decides(cls: type[Any], su_len: int, yue_len: int) -> None:
    for ctx in (NO_CTX, SUBIAO_CTX, YUEBIAO_CTX):
        assert cls.decode(bytes(su_len), ctx).dialect is Dialect.SUBIAO
        assert cls.decode(bytes(yue_len), ctx).dialect is Dialect.YUEBIAO
    for bad in (0, 5, su_len - 1, su_len + 1, yue_len - 1, yue_len + 1):
        with pytest.raises(BodyError):
            cls.decode(bytes(bad), NO_CTX)
        assert isinstance(decode_item(cls.ITEM_ID, bytes(bad), NO_CTX), MalformedItem)


def test_a_wrong_length_says_what_was_expected() -> None:
    with pytest.raises(BodyError, match=r"must be 47 \(subiao\) or 71 \(yuebiao\) bytes, got 40"):
        AdasAlarm.decode(bytes(40))
    with pytest.raises(BodyError, match="got 50"):
        AdasAlarm.decode(bytes(50), SUBIAO_CTX)
    with pytest.raises(BodyError):
        TpmsAlarm.decode(bytes(40))


def _tpms(ident: AlarmIdentification, n: int, **kw: Any) -> TpmsAlarm:
    records = tuple(TyreRecord(i, 0b110, 900, 40, 80) for i in range(n))
    return TpmsAlarm(7, 1, SNAP, ident, records, **kw)


@pytest.mark.parametrize("n", [0, 1, 2, 6, 10])
def test_tpms_count_decides(n: int) -> None:
    for ident, dialect in ((SU_IDENT, Dialect.SUBIAO), (YUE_IDENT, Dialect.YUEBIAO)):
        value = _tpms(ident, n).encode_value()
        assert len(value) == (41 + 9 * n if dialect is Dialect.SUBIAO else 65 + 10 * n)
        for ctx in (NO_CTX, SUBIAO_CTX, YUEBIAO_CTX):
            decoded = TpmsAlarm.decode(value, ctx)
            assert decoded.dialect is dialect, (n, ctx)
            assert decoded == _tpms(ident, n)


def test_tpms_both_exact_uses_ctx_then_ident_time() -> None:
    # 苏标 with 6 records is 95 bytes; make byte 64 (the 粤标 count position) read 3 so that
    # 65 + 3 × 10 = 95 fits the 粤标 reading too.
    records = tuple(TyreRecord(i, 0, 0, 0x0300 if i == 2 else 0, 0) for i in range(6))
    item = TpmsAlarm(7, 1, SNAP, SU_IDENT, records)
    value = item.encode_value()
    assert len(value) == 95 and value[64] == 3
    assert TpmsAlarm.decode(value, SUBIAO_CTX) == item
    assert TpmsAlarm.decode(value, YUEBIAO_CTX).dialect is Dialect.YUEBIAO
    # Without a context: only the 苏标 reading has a valid identification time.
    assert TpmsAlarm.decode(value, NO_CTX) == item


def test_tpms_cut_list_fitting_the_other_layout() -> None:
    # 苏标 with 3 zero records is 68 bytes; cut to 65 it reads as a complete 粤标 item with
    # no records (byte 64 = count 0), but that reading's identification time is no date.
    item = _tpms(SU_IDENT, 3)
    cut = item.encode_value()[:65]
    assert TpmsAlarm.decode(cut, SUBIAO_CTX).dialect is Dialect.SUBIAO
    assert TpmsAlarm.decode(cut, SUBIAO_CTX).encode_value() == cut
    # without a context the exact fit wins
    assert TpmsAlarm.decode(cut, NO_CTX).dialect is Dialect.YUEBIAO


def test_tpms_damaged_forms() -> None:
    whole = _tpms(SU_IDENT, 3)
    value = whole.encode_value()
    # count says 3, only 2 records and a half
    cut = TpmsAlarm.decode(value[:-4])
    assert cut.records == whole.records[:2] and cut.count == 3
    assert cut.trailing == value[-9:-4]
    assert cut.encode_value() == value[:-4]
    # extra bytes after the records
    extra = TpmsAlarm.decode(value + b"\x01\x02", SUBIAO_CTX)
    assert extra.records == whole.records and extra.trailing == b"\x01\x02"
    assert extra.declared_count is None and not extra.is_complete
    assert extra.encode_value() == value + b"\x01\x02"
    # count smaller than the records present
    fewer = bytearray(value)
    fewer[40] = 1
    small = TpmsAlarm.decode(bytes(fewer), SUBIAO_CTX)
    assert small.records == whole.records[:1] and len(small.trailing) == 18
    assert small.encode_value() == bytes(fewer)
    # 粤标 damaged, with the context
    yue = _tpms(YUE_IDENT, 2).encode_value()[:-3]
    decoded = TpmsAlarm.decode(yue, YUEBIAO_CTX)
    assert decoded.dialect is Dialect.YUEBIAO and len(decoded.records) == 1
    assert decoded.encode_value() == yue


def test_tpms_declared_count_is_canonical() -> None:
    assert _tpms(SU_IDENT, 2, declared_count=2) == _tpms(SU_IDENT, 2)
    assert _tpms(SU_IDENT, 2, declared_count=2).declared_count is None


def test_tpms_json_and_catalogue() -> None:
    item = _tpms(YUE_IDENT, 2)
    tpms_json = item.json_fields()["tpms"]
    assert tpms_json["len"] == 85 and tpms_json["count"] == 2
    assert tpms_json["tyres"][1] == {
        "position": 1,
        "events": "0x0006",
        "event_bits": [1, 2],
        "pressure": 900,
        "temperature": 40,
        "battery": 80,
    }
    assert tpms_json["alarm_ident"]["std"] == "yuebiao(40)"
    keys = item.catalogue_keys()
    assert keys == (CatalogueKey("tpms", 1, "yuebiao"), CatalogueKey("tpms", 2, "yuebiao"))
    assert [alarm_type(*k).name_zh for k in keys] == ["胎压过高报警", "胎压过低报警"]


def test_tyre_position_width() -> None:
    big = TpmsAlarm(1, 0, SNAP, SU_IDENT, (TyreRecord(0x1FF, 0, 0, 0, 0),))
    with pytest.raises(Exception, match="tyre position"):
        big.encode_value()
    assert len(replace(big, alarm_ident=YUE_IDENT).encode_value()) == 65 + 10


# --- catalogue keys --------------------------------------------------------------------------
def test_catalogue_keys_select_dialect_specific_types() -> None:
    su = DsmAlarm(1, 1, 0x06, 2, 0, bytes(4), SNAP, SU_IDENT)
    yue = replace(su, alarm_ident=YUE_IDENT)
    assert su.catalogue_key == CatalogueKey("dsm", 6, "subiao")
    assert alarm_type(*su.catalogue_key).defined is False
    assert alarm_type(*yue.catalogue_key).name_zh == "探头遮挡报警"
    adas_item = AdasAlarm(1, 1, 0x12, 1, 0, 0, 0, 0, 0, SNAP, YUE_IDENT)
    assert alarm_type(*adas_item.catalogue_key).code == "adas.12@yuebiao"
    bsd_item = BsdAlarm(1, 2, 0x03, SNAP, SU_IDENT)
    assert alarm_type(*bsd_item.catalogue_keys()[0]).code == "bsd.03"
    assert bsd_item.flag_state is AlarmFlag.END
    assert replace(bsd_item, flag=9).flag_state is None


# --- 0xF1 / 0xF2 -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("cls", "key"),
    [(InstallationAnomaly, "installation_anomaly"), (AlgorithmAnomaly, "algorithm_anomaly")],
)
def test_yuebiao_dwords(cls: type[Any], key: str) -> None:
    data = bytes.fromhex("0000A001")
    item = decode_item(cls.ITEM_ID, data, DecodeContext(dialect=Dialect.YUEBIAO))
    assert item == cls(0xA001)
    assert item.json_fields() == {key: "0x0000A001"}
    assert item.encode_value() == data
    for ctx in (NO_CTX, SUBIAO_CTX):
        assert decode_item(cls.ITEM_ID, data, ctx) == RawItem(cls.ITEM_ID, data)
    vendor = bytes(5)
    assert decode_item(cls.ITEM_ID, vendor, YUEBIAO_CTX) == RawItem(cls.ITEM_ID, vendor)
