"""Terminal registration (0x0100 → 0x8100) and the lookup behind authentication (0x0102).

The registry (enterprises, vehicles, installed terminals) decides who may connect:
- the plate must belong to a known vehicle, else "no such vehicle";
- the SIM (header phone) must be an installed terminal, else "no such terminal";
- a terminal that is registered already (it holds an auth code, or is installed on
  another vehicle) gets "terminal already registered"; a vehicle whose registered terminal
  is another one gets "vehicle already registered";
- a terminal that lost its code deregisters first (0x0003 终端注销, :func:`deregister`)
  and then registers again, as JT/T 808 §8.7 intends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, select, update

from console.platform.store.dialect import upsert
from console.platform.store.schema import registration_refusals, terminals, vehicles
from console.protocol.jt808.basic import RegisterResult


@dataclass(frozen=True, slots=True)
class TerminalRecord:
    id: str
    phone: str
    terminal_id: str
    vehicle_id: str | None
    edition: str
    dialect: str
    auth_code: str | None


def _record(row: Any) -> TerminalRecord:
    return TerminalRecord(
        row.id, row.phone, row.terminal_id, row.vehicle_id, row.edition, row.dialect, row.auth_code
    )


def phone_forms(phone: str) -> tuple[str, ...]:
    """The ways one SIM number appears: a 2013 header carries 12 BCD digits, a 2019 header
    20, both left-padded with zeros; the registry may hold either."""
    digits = phone.lstrip("0")
    return tuple(dict.fromkeys((phone, digits.rjust(12, "0"), digits.rjust(20, "0"))))


def terminal_by_phone(conn: Connection, phone: str) -> TerminalRecord | None:
    row = conn.execute(
        select(terminals).where(
            terminals.c.phone.in_(phone_forms(phone)), terminals.c.active.is_(True)
        )
    ).first()
    return _record(row) if row is not None else None


def register_terminal(
    conn: Connection,
    *,
    phone: str,
    terminal_id: str,
    plate: str,
    plate_color: int,
    edition: str,
    new_code: str,
    now: datetime,
) -> tuple[int, TerminalRecord | None]:
    """Decide a registration; on success bind the terminal and return its auth code."""
    vehicle = conn.execute(
        select(vehicles.c.id).where(
            vehicles.c.plate == plate,
            vehicles.c.plate_color == plate_color,
            vehicles.c.active.is_(True),
        )
    ).first()
    if vehicle is None:
        return RegisterResult.NO_SUCH_VEHICLE, None
    record = terminal_by_phone(conn, phone)
    if record is None:
        return RegisterResult.NO_SUCH_TERMINAL, None
    if record.auth_code is not None or (
        record.vehicle_id is not None and record.vehicle_id != vehicle.id
    ):
        return RegisterResult.TERMINAL_ALREADY_REGISTERED, record
    other = conn.execute(
        select(terminals.c.id).where(
            terminals.c.vehicle_id == vehicle.id,
            terminals.c.id != record.id,
            terminals.c.auth_code.is_not(None),
        )
    ).first()
    if other is not None:
        return RegisterResult.VEHICLE_ALREADY_REGISTERED, record
    code = new_code
    conn.execute(
        update(terminals)
        .where(terminals.c.id == record.id)
        .values(
            vehicle_id=vehicle.id,
            auth_code=code,
            registered_at=now,
            terminal_id=terminal_id or record.terminal_id,
            edition=edition,
        )
    )
    return RegisterResult.SUCCESS, TerminalRecord(
        record.id,
        record.phone,
        terminal_id or record.terminal_id,
        vehicle.id,
        edition,
        record.dialect,
        code,
    )


def record_outcome(
    conn: Connection,
    *,
    phone: str,
    terminal_id: str,
    plate: str,
    plate_color: int,
    result: int,
    now: datetime,
) -> None:
    """Remember a refused registration (one row a SIM, attempts counted) so that admins see
    why a truck does not get online; a success forgets the SIM's refusals."""
    if result == RegisterResult.SUCCESS:
        conn.execute(
            delete(registration_refusals).where(
                registration_refusals.c.phone.in_(phone_forms(phone))
            )
        )
        return
    latest = {
        "terminal_id": terminal_id,
        "plate": plate,
        "plate_color": plate_color,
        "result": int(result),
        "last_at": now,
    }
    upsert(
        conn,
        registration_refusals,
        {"phone": phone, "attempts": 1, "first_at": now, **latest},
        update={**latest, "attempts": registration_refusals.c.attempts + 1},
    )


def refusals(conn: Connection) -> list[dict[str, Any]]:
    """The refused SIMs, the most recent first."""
    rows = conn.execute(
        select(registration_refusals).order_by(registration_refusals.c.last_at.desc())
    ).all()
    return [
        {
            "phone": r.phone,
            "terminal_id": r.terminal_id,
            "plate": r.plate,
            "plate_color": r.plate_color,
            "result": r.result,
            "reason": RegisterResult(r.result).name.lower(),
            "attempts": r.attempts,
            "first_at": r.first_at.isoformat(),
            "last_at": r.last_at.isoformat(),
        }
        for r in rows
    ]


def deregister(conn: Connection, phone: str) -> bool:
    """0x0003: the terminal gives up its registration (its auth code); the installation
    record (which vehicle it is on) stays. True when something changed."""
    result = conn.execute(
        update(terminals)
        .where(terminals.c.phone.in_(phone_forms(phone)), terminals.c.auth_code.is_not(None))
        .values(auth_code=None)
    )
    return result.rowcount == 1
