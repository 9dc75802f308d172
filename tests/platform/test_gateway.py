"""The terminal gateway over real loopback TCP, with the real ingest and store."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from running import terminal_side
from sqlalchemy import select
from terminal import CST, TestTerminal, report
from world import build_world, truck

from console.domain.model import CommandKind, CommandStatus
from console.platform.store import Store
from console.platform.store.schema import alarms, commands, positions, vehicle_state
from console.protocol.binary import BcdTime
from console.protocol.jt808.active_safety import AlarmSnapshot, DsmAlarm
from console.protocol.jt808.alarm_ident import AlarmIdentification
from console.protocol.jt808.basic import Logout, RegisterResult, ResponseResult
from console.protocol.jt808.message import Dialect, RawMessage
from console.protocol.jt808.text import TextMessage

pytestmark = pytest.mark.anyio
T0 = datetime(2026, 11, 21, 9, 0, tzinfo=CST)


@pytest.fixture
def store(store: Store) -> Store:
    """The shared store fixture (SQLite, and PostgreSQL when configured) with our trucks."""
    build_world(store)
    return store


def terminal_for(platform, vehicle_id: str, **kw) -> TestTerminal:
    t = truck(vehicle_id)
    from console.protocol.jt808.header import Edition

    return TestTerminal(
        "127.0.0.1",
        platform.jt808_port,
        t["phone"],
        t["terminal_id"],
        t["plate"],
        edition=Edition(t["edition"]),
        dialect=Dialect(t["dialect"]),
        **kw,
    )


def rows(store: Store, table, *where):
    with store.connect() as conn:
        return conn.execute(select(table).where(*where)).all()


async def test_unknown_plate_is_refused_with_no_such_vehicle(store: Store, tmp_path: Path) -> None:
    async with terminal_side(store, tmp_path) as platform:
        t = terminal_for(platform, "veh_1")
        t.plate = "粤R99999"
        await t.connect()
        assert (await t.register()).result == RegisterResult.NO_SUCH_VEHICLE
        await t.close()


async def test_register_authenticate_and_heartbeat(store: Store, tmp_path: Path) -> None:
    async with terminal_side(store, tmp_path) as platform:
        t = terminal_for(platform, "veh_1")
        await t.connect()
        first = await t.register()
        assert first.result == RegisterResult.SUCCESS and first.auth_code
        assert (await t.authenticate()).result == ResponseResult.SUCCESS
        assert (await t.heartbeat()).result == ResponseResult.SUCCESS
        await t.close()


async def test_registering_twice_is_refused_until_the_terminal_deregisters(
    store: Store, tmp_path: Path
) -> None:
    async with terminal_side(store, tmp_path) as platform:
        t = terminal_for(platform, "veh_1")
        await t.connect()
        first = await t.register()
        assert (await t.register()).result == RegisterResult.TERMINAL_ALREADY_REGISTERED
        assert (await t.request(Logout())).result == ResponseResult.SUCCESS  # 0x0003 注销
        await t.close()
        await t.connect()
        again = await t.register()
        assert again.result == RegisterResult.SUCCESS and again.auth_code != first.auth_code
        assert (await t.authenticate(first.auth_code)).result == ResponseResult.FAILURE
        assert (await t.authenticate(again.auth_code)).result == ResponseResult.SUCCESS
        await t.close()


async def test_a_terminal_installed_on_another_truck_is_refused(
    store: Store, tmp_path: Path
) -> None:
    async with terminal_side(store, tmp_path) as platform:
        t = terminal_for(platform, "veh_1")
        t.plate = truck("veh_3")["plate"]  # veh_1's terminal claims veh_3's plate
        await t.connect()
        assert (await t.register()).result == RegisterResult.TERMINAL_ALREADY_REGISTERED
        await t.close()


async def test_wrong_auth_code_fails_and_location_is_refused(store: Store, tmp_path: Path) -> None:
    async with terminal_side(store, tmp_path) as platform:
        t = terminal_for(platform, "veh_1")
        await t.connect()
        await t.register()
        assert (await t.authenticate("wrong")).result == ResponseResult.FAILURE
        reply = await t.request(report(T0))
        assert reply.result == ResponseResult.FAILURE
        assert rows(store, positions) == []
        await t.close()


async def test_location_is_acknowledged_only_once_stored(store: Store, tmp_path: Path) -> None:
    async with terminal_side(store, tmp_path) as platform:
        t = terminal_for(platform, "veh_2")  # a 2013 苏标 terminal
        await t.login()
        reply = await t.request(report(T0, speed=62.5))
        assert reply.result == ResponseResult.SUCCESS
        (row,) = rows(store, positions)  # already there when the ack arrived
        assert row.vehicle_id == "veh_2" and row.speed_kmh == 62.5
        assert row.time == T0
        (state,) = rows(store, vehicle_state)
        assert state.online and state.lat == pytest.approx(23.68)
        await t.close()


async def test_alarm_flags_make_one_alarm_per_edge_and_resends_change_nothing(
    store: Store, tmp_path: Path
) -> None:
    async with terminal_side(store, tmp_path) as platform:
        t = terminal_for(platform, "veh_1")
        await t.login()
        await t.request(report(T0))
        raised = report(T0 + timedelta(seconds=30), alarm_flags=0b1)  # bit 0: SOS
        await t.request(raised)
        await t.request(raised)  # the same frame again (lost ack)
        await t.request(report(T0 + timedelta(seconds=60), alarm_flags=0b1))
        await t.request(report(T0 + timedelta(seconds=90)))
        (alarm,) = rows(store, alarms)
        assert alarm.type_code == "jt808.b00"
        assert alarm.started_at == T0 + timedelta(seconds=30)
        assert alarm.ended_at == T0 + timedelta(seconds=90)
        assert len(rows(store, positions)) == 4
        await t.close()


def dsm(flag: int, when: datetime, seq: int = 0, attachments: int = 0) -> DsmAlarm:
    ident = AlarmIdentification.build(
        "GD00001", BcdTime.from_datetime(T0), seq, attachments, Dialect.YUEBIAO
    )
    snapshot = AlarmSnapshot(60, 30, 23_680_000, 113_050_000, BcdTime.from_datetime(when), 1)
    return DsmAlarm(77, flag, 0x01, 2, 5, bytes(4), snapshot, ident)


async def test_active_safety_start_and_end_update_one_alarm(store: Store, tmp_path: Path) -> None:
    async with terminal_side(store, tmp_path) as platform:
        t = terminal_for(platform, "veh_1")
        await t.login()
        start = report(T0, items=(dsm(1, T0),))
        await t.request(start)
        await t.request(start)  # re-sent: no second alarm
        await t.request(
            report(T0 + timedelta(seconds=8), items=(dsm(2, T0 + timedelta(seconds=8)),))
        )
        (alarm,) = rows(store, alarms)
        assert alarm.type_code == "dsm.01" and alarm.level == 2
        assert alarm.ended_at == T0 + timedelta(seconds=8)
        assert alarm.evidence_status == "none"
        await t.close()


async def test_unknown_message_is_not_supported_and_bad_frames_are_counted(
    store: Store, tmp_path: Path
) -> None:
    async with terminal_side(store, tmp_path) as platform:
        t = terminal_for(platform, "veh_1")
        await t.login()
        assert (await t.request(RawMessage(0x0F00, b"\x01"))).result == ResponseResult.UNSUPPORTED
        t.send_raw(bytes.fromhex("7E0002000001234567890000017E"))  # bad check code
        assert (await t.heartbeat()).result == ResponseResult.SUCCESS  # the link lives on
        assert platform.metrics.get("frames_bad") == 1
        await t.close()


async def test_tts_command_is_acked_and_recorded(store: Store, tmp_path: Path) -> None:
    async with terminal_side(store, tmp_path) as platform:
        t = terminal_for(platform, "veh_1")
        await t.login()
        command = await platform.gateway.send(
            "veh_1", CommandKind.TEXT, TextMessage(0x0C, "请立即停车休息"), user_id="usr_x"
        )
        assert command.status is CommandStatus.ACKED
        assert t.texts == ["请立即停车休息"]
        assert t.commands[0].text_type is not None  # 2019 terminal: text type byte added
        (row,) = rows(store, commands)
        assert row.status == "acked" and row.serial == command.serial
        await t.close()


async def test_unanswered_command_times_out_after_retries(store: Store, tmp_path: Path) -> None:
    async with terminal_side(store, tmp_path, command_timeout_s=0.2, command_retries=1) as platform:
        t = terminal_for(platform, "veh_1", answer_commands=False)
        await t.login()
        command = await platform.gateway.send("veh_1", CommandKind.TEXT, TextMessage(0x08, "注意"))
        assert command.status is CommandStatus.TIMED_OUT
        assert len(t.texts) == 2  # sent, then re-sent once
        await t.close()


async def test_command_to_an_offline_truck_says_offline(store: Store, tmp_path: Path) -> None:
    async with terminal_side(store, tmp_path) as platform:
        command = await platform.gateway.send("veh_4", CommandKind.TEXT, TextMessage(0x08, "x"))
        assert command.status is CommandStatus.OFFLINE


async def test_a_reconnect_replaces_the_old_session(store: Store, tmp_path: Path) -> None:
    async with terminal_side(store, tmp_path) as platform:
        old = terminal_for(platform, "veh_1")
        await old.login()
        new = terminal_for(platform, "veh_1")
        new.auth_code = old.auth_code  # the same truck, on a new connection
        await new.login()
        await asyncio.sleep(0.05)
        assert platform.gateway.sessions["veh_1"] is not None
        assert old._pump is not None
        await asyncio.wait_for(old._pump, 2)  # its reader ended: the platform closed it
        assert (await new.heartbeat()).result == ResponseResult.SUCCESS
        await old.close()
        await new.close()


async def test_idle_terminal_is_disconnected_and_goes_offline(store: Store, tmp_path: Path) -> None:
    async with terminal_side(store, tmp_path, idle_timeout_s=0.3) as platform:
        t = terminal_for(platform, "veh_1")
        await t.login()
        assert platform.gateway.is_online("veh_1")
        await asyncio.sleep(0.6)
        assert not platform.gateway.is_online("veh_1")
        (state,) = rows(store, vehicle_state)
        assert not state.online
        await t.close()


async def test_a_dead_database_means_no_acknowledgement(store: Store, tmp_path: Path) -> None:
    async with terminal_side(store, tmp_path) as platform:
        t = terminal_for(platform, "veh_1")
        await t.login()
        healthy = store.engine
        from sqlalchemy import create_engine

        store.engine = create_engine(f"sqlite:///{tmp_path / 'missing' / 'db.sqlite'}")
        with pytest.raises(TimeoutError):
            await t.request(report(T0), timeout=1.0)  # not stored, so not acknowledged
        assert platform.metrics.get("locations_not_stored") == 1
        store.engine = healthy
        assert (await t.request(report(T0))).result == ResponseResult.SUCCESS  # the resend
        assert len(rows(store, positions)) == 1
        await t.close()


async def test_platform_rules_raise_overspeed_from_positions(store: Store, tmp_path: Path) -> None:
    async with terminal_side(store, tmp_path) as platform:
        t = terminal_for(platform, "veh_1")
        await t.login()
        for k in range(8):  # 95 km/h for 70 s against an 80 km/h limit
            await t.request(report(T0 + timedelta(seconds=10 * k), speed=95.0))
        await t.request(report(T0 + timedelta(seconds=80), speed=60.0))
        (alarm,) = rows(store, alarms)
        assert alarm.type_code == "platform.overspeed" and alarm.source == "platform"
        assert alarm.started_at == T0 and alarm.ended_at == T0 + timedelta(seconds=80)
        await t.close()


async def test_a_silent_truck_gets_an_offline_alarm(store: Store, tmp_path: Path) -> None:
    async with terminal_side(
        store, tmp_path, offline_after_s=1.0, position_coalesce_s=0.1
    ) as platform:
        t = terminal_for(platform, "veh_1")
        await t.login()
        from datetime import UTC
        from datetime import datetime as dt

        await t.request(report(dt.now(UTC)))
        for _ in range(50):
            await asyncio.sleep(0.1)
            found = rows(store, alarms, alarms.c.type_code == "platform.offline")
            if found:
                break
        assert len(found) == 1 and found[0].ended_at is None
        await t.close()
