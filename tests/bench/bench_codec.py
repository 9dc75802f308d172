"""Codec throughput on one core: prints ``name: value unit`` lines.

Run: .venv/bin/python tests/bench/bench_codec.py [--seconds S]
Figures:
- decode 0x0200 frames/s: a 2019 frame with a 粤标 0x64 ADAS item and 4 standard items,
  from wire bytes to a LocationReport (unescape, check code, header, body, items), cycling
  through 2,000 different frames (position, time, speed, mileage, fuel, alarm id vary as
  they do from one report to the next);
- encode 0x0200 frames/s: the same messages back to wire bytes;
- stream-decode 0x0200 frames/s: the same frames fed as 64 KiB TCP reads through Connection
  (framing, decoding, events);
- jt1078 assembler MB/s: H.264-sized frames packetized to 950-byte packets, fed in 64 KiB
  reads and reassembled.
"""

from __future__ import annotations

import argparse
import itertools
import os
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from console.protocol.binary import BcdTime
from console.protocol.jt808 import standard_items as si
from console.protocol.jt808.codec import decode_message, encode_message
from console.protocol.jt808.connection import Connection, MessageReceived
from console.protocol.jt808.framing import decode_frame
from console.protocol.jt808.header import Edition
from console.protocol.jt808.location import LocationReport
from console.protocol.jt808.message import DecodeContext, Dialect
from console.protocol.jt1078.assembler import FrameAssembler
from console.protocol.jt1078.packet import DataType, PayloadType, packetize

# The 粤标 ADAS item of vector sc_yuebiao_adas_body (71 bytes, 40-byte alarm identification).
YUEBIAO_ADAS_ITEM = bytes.fromhex(
    "6447000000010C0605120A0B100F1100070000000D0000000E19121118310000133434343434343400000000"
    "0000000000000000000000000000000000000019121018310003020506"
)
PHONE = "00000000013912345678"
START = datetime(2026, 11, 21, 9, 0, 0)
DISTINCT_FRAMES = 2000


def sample_report(k: int = 0) -> LocationReport:
    """The k-th report of a truck on the move."""
    ctx = DecodeContext(Edition.V2019)
    (adas,) = LocationReport.decode(bytes(28) + YUEBIAO_ADAS_ITEM, ctx).items
    return LocationReport(
        alarm_flags=0,
        status=0x000C0003,
        latitude_e6=23_712_345 + 37 * k,
        longitude_e6=113_034_567 + 53 * k,
        altitude=42,
        speed_x10=655 + k % 50,
        direction=135,
        time=BcdTime.from_datetime(START + timedelta(seconds=30 * k)),
        items=(
            si.Mileage(1_234_567 + 3 * k),
            si.Fuel(3456 - k // 10),
            si.SignalStrength(25),
            si.Satellites(14),
            replace(adas, alarm_id=1000 + k),
        ),
    )


def rate(fn: Callable[[], object], seconds: float) -> float:
    """Calls per second of ``fn`` over about ``seconds`` (batches of 1000)."""
    done, start = 0, time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(1000):
            fn()
        done += 1000
        now = time.perf_counter()
        if now >= deadline:
            return done / (now - start)


def bench_jt808(seconds: float) -> None:
    reports = [sample_report(k) for k in range(DISTINCT_FRAMES)]
    wires = [
        encode_message(r, phone=PHONE, serial=k, edition=Edition.V2019)
        for k, r in enumerate(reports)
    ]
    for report, wire in zip(reports, wires, strict=True):
        assert decode_message(decode_frame(wire), Dialect.YUEBIAO) == report, "must round-trip"
    assert type(reports[0].items[-1]).__name__ == "AdasAlarm"

    next_wire = itertools.cycle(wires).__next__
    next_report = itertools.cycle(reports).__next__

    def decode_once() -> object:
        return decode_message(decode_frame(next_wire()), Dialect.YUEBIAO)

    def encode_once() -> object:
        return encode_message(next_report(), phone=PHONE, serial=7, edition=Edition.V2019)

    print(f"decode 0x0200 frames/s: {rate(decode_once, seconds):.0f} frames/s")
    print(f"encode 0x0200 frames/s: {rate(encode_once, seconds):.0f} frames/s")

    stream = b"".join(wires)
    chunks = [stream[i : i + 65536] for i in range(0, len(stream), 65536)]
    conn = Connection(dialect=Dialect.YUEBIAO)
    frames, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for chunk in chunks:
            frames += sum(isinstance(e, MessageReceived) for e in conn.receive_data(chunk, 0.0))
    elapsed = time.perf_counter() - start
    print(f"stream-decode 0x0200 frames/s: {frames / elapsed:.0f} frames/s")


def bench_jt1078(seconds: float) -> None:
    # A 720p-like H.264 stream: 25 frames/s, a 60 KB I-frame every 25 frames, 8 KB P-frames.
    payloads = [os.urandom(60_000 if i % 25 == 0 else 8_000) for i in range(50)]
    media = bytearray()
    seq = 0
    for i, payload in enumerate(payloads):
        packets, seq = packetize(
            payload,
            sim="013912345678",
            channel=1,
            payload_type=PayloadType.H264,
            data_type=DataType.VIDEO_I if i % 25 == 0 else DataType.VIDEO_P,
            timestamp=i * 40,
            last_i_interval=(i % 25) * 40,
            last_interval=40,
            seq=seq,
        )
        media += b"".join(p.encode() for p in packets)
    chunks = [bytes(media[i : i + 65536]) for i in range(0, len(media), 65536)]
    assembler = FrameAssembler(sim_len=6)
    fed, out, start = 0, 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for chunk in chunks:
            out += len(assembler.feed(chunk))
        fed += len(media)
    elapsed = time.perf_counter() - start
    assert assembler.errors == 0 and out == len(payloads) * (fed // len(media))
    print(f"jt1078 assembler MB/s: {fed / elapsed / 1e6:.1f} MB/s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3.0, help="per figure")
    seconds = parser.parse_args().seconds
    bench_jt808(seconds)
    bench_jt1078(seconds)


if __name__ == "__main__":
    main()
