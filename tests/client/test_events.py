"""The live event stream against a real platform and fleet: events arrive, a restart of
the platform is survived, and what happened meanwhile is replayed (Last-Event-ID)."""

from __future__ import annotations

import threading
import time

import pytest
from live_platform import ADMIN_PASSWORD, LivePlatform, wait_for

from console.client import EventStream, PlatformClient, StreamEvent, StreamState


class Recorder:
    def __init__(self) -> None:
        self.events: list[StreamEvent] = []
        self.states: list[tuple[StreamState, str]] = []
        self.lock = threading.Lock()

    def event(self, event: StreamEvent) -> None:
        with self.lock:
            self.events.append(event)

    def state(self, state: StreamState, detail: str) -> None:
        with self.lock:
            self.states.append((state, detail))

    def ids(self) -> list[int]:
        with self.lock:
            return [e.id for e in self.events if e.id is not None]

    def connects(self) -> int:
        with self.lock:
            return sum(s is StreamState.CONNECTED for s, _ in self.states)


def start(stream: EventStream) -> threading.Thread:
    thread = threading.Thread(target=stream.run, daemon=True)
    thread.start()
    return thread


@pytest.mark.timeout(240)
def test_positions_arrive_and_a_platform_restart_loses_nothing(live: LivePlatform) -> None:
    client = PlatformClient(live.url)
    client.login("admin", ADMIN_PASSWORD)
    seen = Recorder()
    stream = EventStream(client, seen.event, seen.state, backoff_s=(4.0,))
    thread = start(stream)
    live.start_fleet(vehicles=8, speedup=10)
    wait_for(lambda: any(e.kind == "positions" for e in seen.events), 90, "positions")
    batch = next(e for e in seen.events if e.kind == "positions").data["positions"]
    assert {"vehicle_id", "plate", "lat", "lon", "direction"} <= set(batch[0])

    before = seen.ids()[-1]
    live.stop_platform()
    wait_for(lambda: any(s is StreamState.RECONNECTING for s, _ in seen.states), 30, "drop")
    live.start()  # same ports, same database; the fleet reconnects by itself
    wait_for(lambda: seen.connects() >= 2, 60, "reconnect")
    wait_for(lambda: seen.ids()[-1] > before + 3, 90, "events after the restart")
    stream.stop()
    thread.join(10)
    assert not thread.is_alive()

    ids = seen.ids()
    assert ids == sorted(set(ids)), "an event came twice or out of order"
    # The admin sees every event, so the ids have no hole: what happened while the
    # stream was away was replayed from Last-Event-ID.
    assert ids == list(range(ids[0], ids[-1] + 1))
    assert stream.last_event_id == ids[-1]
    assert seen.states[-1][0] is StreamState.STOPPED


def test_stop_returns_at_once_from_a_quiet_stream(live: LivePlatform) -> None:
    client = PlatformClient(live.url)
    client.login("op_lianshan", "demo-pass-1")
    seen = Recorder()
    stream = EventStream(client, seen.event, seen.state)
    thread = start(stream)
    wait_for(lambda: seen.connects() >= 1, 20, "connect")
    began = time.monotonic()
    stream.stop()
    thread.join(10)
    assert not thread.is_alive()
    assert time.monotonic() - began < 5  # not the 15 s keep-alive, not the 45 s read timeout


def test_a_refused_token_ends_the_stream(live: LivePlatform) -> None:
    client = PlatformClient(live.url)
    client.token = "expired"
    seen = Recorder()
    stream = EventStream(client, seen.event, seen.state)
    stream.run()  # returns by itself
    assert seen.states[-1][0] is StreamState.UNAUTHORIZED
    assert "重新登录" in seen.states[-1][1]
