"""The event-stream parser, fed whole, byte by byte, and with every line ending."""

from __future__ import annotations

import pytest

from console.client.sse import SSEParser, StreamEvent

STREAM = (
    b"retry: 2000\n\n"
    b": keep-alive\n\n"
    b'id: 7\nevent: alarm\ndata: {"id": "a1", "type": "dsm.01"}\n\n'
    b'id: 8\nevent: positions\ndata: {"positions":\ndata: []}\n\n'
)
EXPECTED = [
    StreamEvent(7, "alarm", {"id": "a1", "type": "dsm.01"}),
    StreamEvent(8, "positions", {"positions": []}),
]


def feed_all(parser: SSEParser, data: bytes, step: int | None = None) -> list[StreamEvent]:
    if step is None:
        return parser.feed(data)
    events: list[StreamEvent] = []
    for i in range(0, len(data), step):
        events += parser.feed(data[i : i + step])
    return events


@pytest.mark.parametrize("step", [None, 1, 3])
def test_events_whole_and_in_pieces(step: int | None) -> None:
    parser = SSEParser()
    assert feed_all(parser, STREAM, step) == EXPECTED
    assert parser.last_event_id == "8"
    assert parser.retry_ms == 2000


@pytest.mark.parametrize("ending", [b"\r\n", b"\r"])
def test_other_line_endings(ending: bytes) -> None:
    parser = SSEParser()
    assert feed_all(parser, STREAM.replace(b"\n", ending), 1) == EXPECTED


def test_event_without_data_moves_the_id_only() -> None:
    parser = SSEParser()
    assert parser.feed(b"id: 12\n\n") == []
    assert parser.last_event_id == "12"


def test_reset_event_has_no_id() -> None:
    parser = SSEParser()
    assert parser.feed(b'event: reset\ndata: {"oldest": 5}\n\n') == [
        StreamEvent(None, "reset", {"oldest": 5})
    ]


def test_chinese_text_split_inside_a_character() -> None:
    data = 'id: 1\nevent: alarm\ndata: {"plate": "粤R12345"}\n\n'.encode()
    parser = SSEParser()
    assert feed_all(parser, data, 1) == [StreamEvent(1, "alarm", {"plate": "粤R12345"})]


def test_runaway_line_is_refused() -> None:
    parser = SSEParser()
    parser.MAX_LINE = 100
    with pytest.raises(ValueError, match="longer than"):
        parser.feed(b"data: " + b"x" * 200)
