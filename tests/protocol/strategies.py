"""Hypothesis strategies for protocol values (shared by the round-trip tests)."""

from __future__ import annotations

from datetime import datetime

from hypothesis import strategies as st

from console.protocol.binary import BcdTime, gbk_encode
from console.protocol.jt808.header import Edition, Header

u8 = st.integers(0, 0xFF)
u16 = st.integers(0, 0xFFFF)
u32 = st.integers(0, 0xFFFFFFFF)

bcd_times = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)).map(
    lambda d: BcdTime.from_datetime(d.replace(microsecond=0))
)

_gbk_chars = st.characters(codec="gbk", exclude_characters="\x00")


def gbk_text(max_bytes: int, *, allow_nul: bool = False) -> st.SearchStrategy[str]:
    """Text that fits ``max_bytes`` in GBK (no NUL for fixed, NUL-padded fields)."""
    chars = st.characters(codec="gbk") if allow_nul else _gbk_chars
    return st.text(chars, max_size=max_bytes).filter(lambda s: len(gbk_encode(s)) <= max_bytes)


def phones(edition: Edition) -> st.SearchStrategy[str]:
    digits = 20 if edition is Edition.V2019 else 12
    return st.text("0123456789", min_size=digits, max_size=digits)


@st.composite
def headers(draw: st.DrawFn, *, subpackage: bool | None = None) -> Header:
    edition = draw(st.sampled_from([Edition.V2013, Edition.V2019]))
    sub = draw(st.booleans()) if subpackage is None else subpackage
    total = index = None
    if sub:
        total = draw(st.integers(1, 0xFFFF))
        index = draw(st.integers(1, total))
    return Header(
        message_id=draw(u16),
        phone=draw(phones(edition)),
        serial=draw(u16),
        edition=edition,
        protocol_version=draw(u8) if edition is Edition.V2019 else 1,
        encryption=draw(st.integers(0, 7)),
        reserved_bit=draw(st.booleans()),
        package_total=total,
        package_index=index,
    )
