"""Hostile input: random and mutated frames must produce values or ProtocolError, never
another exception, and the buffers must stay bounded."""

from __future__ import annotations

import random
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st
from vectors import load_vectors

from console.protocol.errors import ProtocolError
from console.protocol.jt808.connection import Connection
from console.protocol.jt808.framing import FrameDecoder, checksum, escape, unescape
from console.protocol.jt808.message import Dialect
from console.protocol.jt808.subpackage import Reassembler

MUTATED_FRAMES = 100_000
MAX_FRAME = 4096
MAX_REASSEMBLY = 256 * 1024

SEEDS = [bytes.fromhex(v["hex"]) for v in load_vectors() if v["framing"].startswith("full_frame")]


def connections() -> list[Connection]:
    return [
        Connection(
            dialect=dialect,
            lenient=lenient,
            max_frame_size=MAX_FRAME,
            reassembler=Reassembler(max_bytes=MAX_REASSEMBLY, max_messages=4),
        )
        for dialect in (None, Dialect.SUBIAO, Dialect.YUEBIAO)
        for lenient in (False, True)
    ]


def reframe(content: bytes) -> bytes:
    """Make mutated content a valid frame again (length field, check code, escapes), so the
    body decoders get the mutation instead of the check-code test."""
    if len(content) >= 4:
        props = int.from_bytes(content[2:4], "big")
        header = 17 if props & 0x4000 else 12
        header += 4 if props & 0x2000 else 0
        length = max(0, min(len(content) - header, 0x3FF))
        props = (props & ~0x3FF) | length
        content = content[:2] + props.to_bytes(2, "big") + content[4:]
    return b"\x7e" + escape(content + bytes([checksum(content)])) + b"\x7e"


def mutate(rng: random.Random, frame: bytes) -> bytes:
    content = bytearray(unescape(frame[1:-1].replace(b"\x7e", b"")))[:-1]  # drop check code
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(6)
        if op == 0 and content:  # flip a byte
            content[rng.randrange(len(content))] = rng.randrange(256)
        elif op == 1:  # insert random bytes
            at = rng.randrange(len(content) + 1)
            content[at:at] = rng.randbytes(rng.randint(1, 8))
        elif op == 2 and content:  # delete a run
            at = rng.randrange(len(content))
            del content[at : at + rng.randint(1, 8)]
        elif op == 3 and content:  # truncate
            del content[rng.randrange(len(content)) :]
        elif op == 4 and len(content) > 4:  # flip header flags: sub-package, 2019, encryption
            content[2] ^= rng.choice((0x20, 0x40, 0x1C, 0x80))
        elif op == 5 and content:  # set an item length / count byte to an extreme
            content[rng.randrange(len(content))] = rng.choice((0, 1, 0x7E, 0x7D, 0xFF))
    if rng.random() < 0.8:
        return reframe(bytes(content))
    raw = bytearray(frame)  # 20 %: raw wire damage (escapes, flags, check codes)
    for _ in range(rng.randint(1, 3)):
        raw[rng.randrange(len(raw))] = rng.choice((0x7E, 0x7D, rng.randrange(256)))
    return bytes(raw)


def feed_all(conns: list[Connection], data: bytes, now: float, seen: Counter | None = None) -> None:
    for conn in conns:
        for event in conn.receive_data(data, now):
            assert not isinstance(event, Exception) or isinstance(event, ProtocolError)
            if seen is not None:
                seen[type(event).__name__] += 1
        conn.poll(now)
        assert conn.buffered <= MAX_FRAME + MAX_REASSEMBLY


def test_mutated_frames_only_ever_give_protocol_errors() -> None:
    rng = random.Random(20261121)
    conns = connections()
    seen: Counter = Counter()
    batch: list[bytes] = []
    for n in range(MUTATED_FRAMES):
        batch.append(mutate(rng, rng.choice(SEEDS)))
        if rng.random() < 0.05:
            batch.append(rng.randbytes(rng.randint(1, 64)))  # line noise between frames
        if len(batch) >= 64:
            data = b"".join(batch)
            cut = rng.randrange(len(data))  # split across two reads somewhere
            feed_all(conns, data[:cut], n / 100, seen)
            feed_all(conns, data[cut:], n / 100, seen)
            batch.clear()
    feed_all(conns, b"".join(batch), MUTATED_FRAMES / 100, seen)
    # The mutations reach every layer: decoded messages, broken bodies, broken frames.
    assert seen["MessageReceived"] > MUTATED_FRAMES and seen["BadMessage"] > 1000
    assert seen["ChecksumError"] > 1000 and seen["HeaderError"] > 1000


@settings(max_examples=300)
@given(st.binary(max_size=2048))
def test_random_bytes_only_ever_give_protocol_errors(data: bytes) -> None:
    feed_all(connections(), b"\x7e" + data + b"\x7e", 0.0)


def test_a_flood_without_delimiters_stays_bounded() -> None:
    decoder = FrameDecoder(max_frame_size=MAX_FRAME)
    rng = random.Random(7)
    decoder.feed(b"\x7e")
    for _ in range(200):
        decoder.feed(rng.randbytes(50_000).replace(b"\x7e", b"\x00"))
        assert decoder.buffered <= MAX_FRAME
