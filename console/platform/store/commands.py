"""Commands sent to terminals, and their outcomes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert, select, update

from console.domain.model import Command, CommandKind, CommandStatus, Scope
from console.platform.store.registry import scope_condition
from console.platform.store.schema import commands, vehicles


def _row(command: Command) -> dict[str, Any]:
    return {
        "id": command.id,
        "vehicle_id": command.vehicle_id,
        "kind": command.kind.value,
        "message_id": command.message_id,
        "serial": command.serial,
        "status": command.status.value,
        "params": command.params,
        "result": command.result,
        "created_by": command.created_by,
        "created_at": command.created_at,
        "updated_at": command.updated_at,
    }


def insert_command(conn: Connection, command: Command) -> None:
    conn.execute(insert(commands).values(_row(command)))


def update_command(conn: Connection, command: Command) -> None:
    row = _row(command)
    del row["id"]
    conn.execute(update(commands).where(commands.c.id == command.id).values(row))


def get_command(conn: Connection, command_id: str, scope: Scope) -> Command | None:
    query = (
        select(commands)
        .join(vehicles, vehicles.c.id == commands.c.vehicle_id)
        .where(commands.c.id == command_id)
    )
    query = query.where(scope_condition(scope, vehicles.c.county_id, vehicles.c.enterprise_id))
    row = conn.execute(query).first()
    return _from_row(row) if row is not None else None


def _from_row(row: Any) -> Command:
    return Command(
        id=row.id,
        vehicle_id=row.vehicle_id,
        kind=CommandKind(row.kind),
        status=CommandStatus(row.status),
        created_at=row.created_at,
        updated_at=row.updated_at,
        message_id=row.message_id,
        serial=row.serial,
        params=dict(row.params or {}),
        result=dict(row.result or {}),
        created_by=row.created_by,
    )
