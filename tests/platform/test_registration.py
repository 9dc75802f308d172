"""What the gateway asks the registry when a terminal registers (0x0100 → 0x8100) or
deregisters (0x0003): the registry decides who may connect."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from console.domain.model import PLATE_COLOR_YELLOW
from console.platform.store import Store, registry
from console.platform.store.registration import (
    deregister,
    phone_forms,
    register_terminal,
    terminal_by_phone,
)
from console.protocol.jt808.basic import RegisterResult

T0 = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)


def register(
    conn: Any, world: Any, vehicle_id: str, *, phone: str | None = None, code: str = "c1"
) -> tuple[int, Any]:
    return register_terminal(
        conn,
        phone=phone or world.phones[vehicle_id],
        terminal_id="ABC1234",
        plate=world.plates[vehicle_id],
        plate_color=PLATE_COLOR_YELLOW,
        edition="2019",
        new_code=code,
        now=T0,
    )


def test_an_installed_terminal_registers_once(store: Store, world: Any) -> None:
    vehicle_id = world.vehicles[world.ent_a1][1]
    with store.begin() as conn:
        result, record = register(conn, world, vehicle_id, code="auth-1")
        again, _ = register(conn, world, vehicle_id, code="auth-2")
    assert result == RegisterResult.SUCCESS and record is not None
    assert (record.auth_code, record.terminal_id, record.vehicle_id) == (
        "auth-1",
        "ABC1234",
        vehicle_id,
    )
    assert again == RegisterResult.TERMINAL_ALREADY_REGISTERED


def test_a_deregistered_terminal_registers_again(store: Store, world: Any) -> None:
    vehicle_id = world.vehicles[world.ent_a1][1]
    phone = world.phones[vehicle_id]
    with store.begin() as conn:
        register(conn, world, vehicle_id, code="auth-1")
        assert deregister(conn, phone)
        assert not deregister(conn, phone)  # nothing left to give up
        assert terminal_by_phone(conn, phone).auth_code is None
        result, record = register(conn, world, vehicle_id, code="auth-2")
    assert result == RegisterResult.SUCCESS and record.auth_code == "auth-2"


def test_refusals_carry_the_0x8100_result(store: Store, world: Any) -> None:
    a, b = world.vehicles[world.ent_a1]
    with store.begin() as conn:
        register(conn, world, a)
        unknown_plate = register_terminal(
            conn, phone=world.phones[b], terminal_id="X", plate="粤R00000",
            plate_color=PLATE_COLOR_YELLOW, edition="2019", new_code="x", now=T0,
        )  # fmt: skip
        unknown_sim = register(conn, world, b, phone="099999999999")
        on_other_vehicle = register(conn, world, b, phone=world.phones[a])
        registry.add_terminal(conn, phone="088888888888", terminal_id="Y", vehicle_id=None)
        second_terminal = register(conn, world, a, phone="088888888888")
    assert unknown_plate[0] == RegisterResult.NO_SUCH_VEHICLE
    assert unknown_sim[0] == RegisterResult.NO_SUCH_TERMINAL
    assert on_other_vehicle[0] == RegisterResult.TERMINAL_ALREADY_REGISTERED
    assert second_terminal[0] == RegisterResult.VEHICLE_ALREADY_REGISTERED


def test_a_sim_is_found_in_its_2013_and_2019_forms() -> None:
    assert phone_forms("013912345678") == (
        "013912345678",
        "00000000013912345678",
    )
    assert "013912345678" in phone_forms("00000000013912345678")
