"""The ingest hot path's shortcuts store and answer exactly what the plain ways would:
DB-API ``executemany`` rows equal SQLAlchemy's, the rule state's JSON text equals
``json.dumps``, one rule-state write per vehicle and batch equals one per report, and the
gateway's pipelined acknowledgements keep the order of the messages."""

from __future__ import annotations

import asyncio
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from running import terminal_side
from sqlalchemy import insert, select, text, update
from terminal import CST, TestTerminal, report
from world import build_world, truck

from console.domain.model import Position
from console.platform import rules
from console.platform.store import Store
from console.platform.store.schema import alarms, positions, vehicle_state
from console.platform.store.telemetry import (
    VehicleState,
    insert_positions,
    load_states,
    position_row,
    position_values,
    save_states,
)
from console.protocol.jt808.basic import Heartbeat, PlatformResponse, ResponseResult
from console.protocol.jt808.header import Edition
from console.protocol.jt808.message import Dialect

T0 = datetime(2026, 11, 21, 9, 0, tzinfo=CST)


@pytest.fixture
def store(store: Store) -> Store:
    build_world(store)
    return store


def _positions(vehicle_id: str) -> list[Position]:
    items = [None, {"mileage_km": 12.5, "note": "粤R"}, {}]
    return [
        Position(
            vehicle_id=vehicle_id,
            time=T0 + timedelta(seconds=k, microseconds=k * 7),
            lat=23.68 + k * 1e-5,
            lon=113.05,
            speed_kmh=50.5,
            direction=90,
            altitude_m=30,
            alarm_flags=k,
            status=3,
            mileage_km=1.5 if k % 2 else None,
            fuel_l=None,
            satellites=12 if k % 2 else None,
            signal=None,
            received_at=(T0 + timedelta(seconds=k + 1)).astimezone(UTC),
            invalid_reasons=("altitude_out_of_range",) if k == 1 else (),
        )
        for k in range(len(items))
    ], items


def _raw_rows(store: Store, table: str, vehicle_id: str) -> list[tuple]:
    """The rows as the database holds them (SQLite: the stored text)."""
    columns = (
        "time, received_at, lat, lon, altitude_m, speed_kmh, direction, alarm_flags, status, "
        "mileage_km, fuel_l, satellites, signal, invalid, items"
    )
    if not store.is_sqlite:
        columns = columns.replace("items", "items::text")
    with store.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                text(f"SELECT {columns} FROM {table} WHERE vehicle_id = :v ORDER BY time"),
                {"v": vehicle_id},
            )
        ]


def test_plain_executemany_stores_positions_as_sqlalchemy_does(store: Store) -> None:
    fast, items = _positions("veh_1")
    slow, _ = _positions("veh_2")
    with store.begin() as conn:
        insert_positions(conn, [position_values(p, i) for p, i in zip(fast, items, strict=True)])
        conn.execute(
            insert(positions), [position_row(p, i) for p, i in zip(slow, items, strict=True)]
        )
    assert _raw_rows(store, "positions", "veh_1") == _raw_rows(store, "positions", "veh_2")
    with store.connect() as conn:
        read = conn.execute(select(positions).order_by(positions.c.id)).all()
    assert [r.time for r in read[:3]] == [p.time for p in fast]
    assert read[1].items == {"mileage_km": 12.5, "note": "粤R"}
    assert read[0].items is None and read[1].invalid == "altitude_out_of_range"


def test_plain_executemany_skips_a_position_already_stored(store: Store) -> None:
    fast, items = _positions("veh_1")
    rows = [position_values(p, i) for p, i in zip(fast, items, strict=True)]
    with store.begin() as conn:
        insert_positions(conn, rows[:2])
    with store.begin() as conn:
        insert_positions(conn, rows)  # a resend of the first two and one new
    with store.connect() as conn:
        assert len(conn.execute(select(positions)).all()) == 3


def test_a_naive_time_is_refused_as_sqlalchemy_refuses_it(store: Store) -> None:
    fast, _ = _positions("veh_1")
    row = position_values(fast[0], None)
    naive = (row[0], row[1].replace(tzinfo=None), *row[2:])
    with pytest.raises(ValueError, match="naive"), store.begin() as conn:
        insert_positions(conn, [naive])


def test_saved_states_read_back_as_sqlalchemy_writes_them(store: Store) -> None:
    rules_dict = {"version": 1, "vehicle_id": "veh_1", "n": 1.5, "plate": "粤R"}
    with store.begin() as conn:
        new = [VehicleState("veh_1"), VehicleState("veh_2")]
        save_states(conn, new)  # inserted
    with store.begin() as conn:
        fast = load_states(conn, {"veh_1"})["veh_1"]
        fast.online, fast.last_seen_at, fast.time = True, T0, T0 - timedelta(seconds=3)
        fast.lat, fast.lon, fast.speed_kmh, fast.direction = 23.5, 113.25, 61.5, 270
        fast.alarm_flags, fast.status, fast.video_alarms = 1 << 31, 3, 2
        fast.set_rules_json(json.dumps(rules_dict))
        save_states(conn, [fast])  # the DB-API update
        conn.execute(
            update(vehicle_state)
            .where(vehicle_state.c.vehicle_id == "veh_2")
            .values(
                online=True,
                last_seen_at=T0,
                time=T0 - timedelta(seconds=3),
                lat=23.5,
                lon=113.25,
                speed_kmh=61.5,
                direction=270,
                alarm_flags=1 << 31,
                status=3,
                video_alarms=2,
                rules=rules_dict,
            )
        )
    with store.connect() as conn:
        one, two = (load_states(conn, {"veh_1", "veh_2"})[v] for v in ("veh_1", "veh_2"))
        raw = conn.execute(
            text("SELECT vehicle_id, last_seen_at, time FROM vehicle_state ORDER BY vehicle_id")
        ).all()
    assert one.rules == two.rules == rules_dict
    one.vehicle_id = two.vehicle_id
    assert one == two
    assert raw[0][1:] == raw[1][1:]


def test_an_unchanged_rule_state_is_not_serialised_again(store: Store) -> None:
    with store.begin() as conn:
        state = VehicleState("veh_1")
        save_states(conn, [state])
        state.set_rules({"version": 1, "a": [1, 2]})
        save_states(conn, [state])
        kept = state.rules_json
        assert kept == json.dumps({"version": 1, "a": [1, 2]})
        state.online = True
        save_states(conn, [state])
        assert state.rules_json is kept
    with store.connect() as conn:
        assert load_states(conn, {"veh_1"})["veh_1"].rules == {"version": 1, "a": [1, 2]}


# --- the rule state's JSON text ---------------------------------------------------------
def _tracks() -> list[rules.RuleState]:
    """States met along random tracks: overspeed, stops, long drives, offline, night."""
    rng = random.Random(808)
    out = []
    for n in range(12):
        config = rules.RuleConfig(
            speed_limit_kmh=80 if n % 3 else 80.0,  # an int limit too: its JSON stays "80"
            night_driving=n % 2 == 0,
            fatigue_driving_s=1800.0,
            fatigue_max_segments=4 if n % 4 == 0 else 48,
        )
        state = rules.RuleState()
        when = datetime(2026, 11, 21, 13, 0, tzinfo=UTC)
        for _ in range(300):
            when += timedelta(seconds=rng.choice([5, 10, 30, 200, 1300]))
            speed = rng.choice([0.0, 0.0, 30.5, 79.9, 95.0, 120.25])
            position = Position(
                "veh_x", when, 23.5 + rng.random() / 10, 113.2 + rng.random() / 10, speed, 0
            )
            state, _ = rules.evaluate(state, position, config, when)
            out.append(state)
            if rng.random() < 0.05:
                state, _ = rules.check_offline(state, when + timedelta(hours=1), config)
                out.append(state)
    return out


def test_rule_state_text_is_json_dumps_of_to_json_character_for_character() -> None:
    states = _tracks()
    assert any(s.overspeed.open for s in states) and any(s.fatigue.open for s in states)
    assert any(s.offline_since for s in states) and any(s.night.alarm_start for s in states)
    for state in states:
        assert state.to_json_text() == json.dumps(state.to_json())
        assert rules.RuleState.from_json(state.to_json_text()) == state


def test_evaluate_with_validated_positions_gives_the_same_result() -> None:
    config = rules.RuleConfig()
    now = datetime(2026, 11, 21, 13, 0, tzinfo=UTC)
    for lat, speed in ((23.5, 50.0), (95.0, 50.0), (23.5, 300.0)):
        state = rules.RuleState(vehicle_id="veh_x")
        for k in range(5):
            p = Position("veh_x", now + timedelta(seconds=10 * k), lat, 113.2, speed, 0)
            validated = Position(
                "veh_x",
                p.time,
                lat,
                113.2,
                speed,
                0,
                invalid_reasons=rules.validate(p, now),
            )
            plain = rules.evaluate(state, p, config, now)
            fast = rules.evaluate(state, validated, config, now, validated=True)
            assert plain == fast
            state = plain[0]


# --- ingest and the gateway -------------------------------------------------------------
def terminal_for(platform, vehicle_id: str) -> TestTerminal:
    t = truck(vehicle_id)
    return TestTerminal(
        "127.0.0.1",
        platform.jt808_port,
        t["phone"],
        t["terminal_id"],
        t["plate"],
        edition=Edition(t["edition"]),
        dialect=Dialect(t["dialect"]),
    )


@pytest.mark.anyio
async def test_messages_of_one_read_are_acknowledged_in_order_after_their_commit(
    store: Store, tmp_path: Path
) -> None:
    async with terminal_side(store, tmp_path) as platform:
        t = terminal_for(platform, "veh_1")
        await t.login()
        # Six reports (one raises and one clears SOS) and a heartbeat in ONE write.
        frames, serials = [], []
        for k in range(6):
            serial, packets = t.conn.send(
                report(T0 + timedelta(seconds=k), alarm_flags=1 if k in (2, 3) else 0),
                phone=t.phone,
                edition=t.edition,
            )
            frames += packets
            serials.append(serial)
        serial, packets = t.conn.send(Heartbeat(), phone=t.phone, edition=t.edition)
        frames += packets
        serials.append(serial)
        t.send_raw(b"".join(frames))
        replies = [await asyncio.wait_for(t.replies.get(), 5) for _ in serials]
        assert [s for s, _ in replies] == serials  # in the order they were sent
        assert all(
            isinstance(m, PlatformResponse) and m.result == ResponseResult.SUCCESS
            for _, m in replies
        )
        with store.connect() as conn:  # acknowledged: stored
            assert len(conn.execute(select(positions)).all()) == 6
            (sos,) = conn.execute(select(alarms)).all()
            (state,) = conn.execute(select(vehicle_state)).all()
        assert sos.started_at == T0 + timedelta(seconds=2)
        assert sos.ended_at == T0 + timedelta(seconds=4)
        # The rule state written once for the batch is the one after the last report.
        stored_rules = rules.RuleState.from_json(state.rules)
        assert stored_rules == platform.ingest._rule_states["veh_1"]
        assert stored_rules.last.time == (T0 + timedelta(seconds=5)).astimezone(UTC)
        # The same frames again change nothing and are acknowledged again.
        t.send_raw(b"".join(frames[:-1]))
        for _ in range(6):
            await asyncio.wait_for(t.replies.get(), 5)
        with store.connect() as conn:
            assert len(conn.execute(select(positions)).all()) == 6
            assert len(conn.execute(select(alarms)).all()) == 1
        await t.close()


@pytest.mark.anyio
async def test_a_failed_batch_acknowledges_none_of_a_reads_messages(
    store: Store, tmp_path: Path
) -> None:
    async with terminal_side(store, tmp_path) as platform:
        t = terminal_for(platform, "veh_1")
        await t.login()
        healthy = store.engine
        from sqlalchemy import create_engine

        store.engine = create_engine(f"sqlite:///{tmp_path / 'missing' / 'db.sqlite'}")
        frames = []
        for k in range(3):
            frames += t.conn.send(
                report(T0 + timedelta(seconds=k)), phone=t.phone, edition=t.edition
            )[1]
        t.send_raw(b"".join(frames))
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(t.replies.get(), 1.0)
        assert platform.metrics.get("locations_not_stored") == 3
        store.engine = healthy
        assert (await t.heartbeat()).result == ResponseResult.SUCCESS
        t.send_raw(b"".join(frames))  # the resend
        for _ in range(3):
            await asyncio.wait_for(t.replies.get(), 5)
        with store.connect() as conn:
            assert len(conn.execute(select(positions)).all()) == 3
        await t.close()


# --- the acknowledgement's encoding -----------------------------------------------------
@pytest.mark.parametrize("edition", [Edition.V2013, Edition.V2019])
def test_cached_header_bytes_give_the_frames_a_fresh_header_gives(edition: Edition) -> None:
    from console.protocol.jt808.codec import encode_message
    from console.protocol.jt808.framing import encode_frame
    from console.protocol.jt808.header import Header

    phone = "013800000001" if edition is Edition.V2013 else "00000000013800000001"
    for serial in (0, 1, 0x7D, 0x7E, 0x7E7D, 0xFFFF):  # serials that need escaping too
        for reply_serial in (0, 0x7E, 0x7D7E, 0xFFFF):
            message = PlatformResponse(reply_serial, 0x0200, ResponseResult.SUCCESS)
            expected = encode_frame(Header(0x8001, phone, serial, edition), message.encode())
            for _ in range(2):  # the first builds the cache, the second uses it
                assert encode_message(message, phone=phone, serial=serial, edition=edition) == (
                    expected
                )
    from console.protocol.errors import LocalProtocolError

    with pytest.raises(LocalProtocolError):  # a serial out of range is still refused
        encode_message(PlatformResponse(1, 2, 0), phone=phone, serial=0x10000, edition=edition)
