"""Commands to a vehicle's terminal: TTS text (0x8300), take photo (0x8801), resource query
(0x9205), and reading a command's outcome. Live video and evidence have their own routers.

A terminal gets one resource query at a time: a second one for the same vehicle waits until
the first has its answer (0x1205) or gave up. Terminals search their storage for each
query and many answer a second one during the first badly or not at all."""

from __future__ import annotations

import asyncio
import weakref
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from console.domain.model import CommandKind, CommandStatus, Scope
from console.platform.api.deps import ConnDep, CtxDep, CurrentUser
from console.platform.gateway import command_json
from console.platform.store.commands import get_command
from console.platform.store.registry import get_vehicle
from console.protocol.binary import BcdTime
from console.protocol.errors import LocalProtocolError
from console.protocol.jt808.multimedia import TakePhoto
from console.protocol.jt808.text import TextFlag, TextMessage
from console.protocol.jt808.video import QueryResources

router = APIRouter(tags=["commands"])


class TextIn(BaseModel):
    text: Annotated[str, Field(min_length=1, max_length=500)]
    tts: bool = True  # read out by the terminal
    display: bool = True  # shown on the terminal's screen
    urgent: bool = False


class PhotoIn(BaseModel):
    channel: Annotated[int, Field(ge=1, le=255)] = 1
    count: Annotated[int, Field(ge=1, le=10)] = 1


class ResourcesIn(BaseModel):
    channel: Annotated[int, Field(ge=0, le=255)] = 0  # 0: all channels
    start: datetime
    end: datetime


def visible_vehicle(conn: Any, vehicle_id: str, scope: Scope) -> None:
    if get_vehicle(conn, vehicle_id, scope) is None:
        raise HTTPException(404, f"no vehicle {vehicle_id}")


async def _send(
    ctx: Any, vehicle_id: str, kind: CommandKind, message: Any, params: dict[str, Any], user: Any
) -> dict[str, Any]:
    if ctx.gateway is None:
        raise HTTPException(503, "the terminal gateway is not running")
    command = await ctx.gateway.send(vehicle_id, kind, message, params=params, user_id=user.id)
    if command.status is CommandStatus.OFFLINE:
        raise HTTPException(409, f"the terminal of vehicle {vehicle_id} is offline")
    return command_json(command)


@router.post("/vehicles/{vehicle_id}/commands/text")
async def send_text(
    vehicle_id: str, body: TextIn, ctx: CtxDep, conn: ConnDep, user: CurrentUser
) -> dict[str, Any]:
    """Speak to the driver: 0x8300 with the TTS and display flags; answers with the outcome."""
    visible_vehicle(conn, vehicle_id, Scope.of(user))
    flags = (
        (TextFlag.TTS if body.tts else 0)
        | (TextFlag.DISPLAY if body.display else 0)
        | (TextFlag.EMERGENCY if body.urgent else 0)
    )
    message = TextMessage(int(flags), body.text)
    try:
        message.encode()
    except LocalProtocolError as exc:
        raise HTTPException(422, str(exc)) from None
    return await _send(ctx, vehicle_id, CommandKind.TEXT, message, body.model_dump(), user)


@router.post("/vehicles/{vehicle_id}/commands/photo")
async def take_photo(
    vehicle_id: str, body: PhotoIn, ctx: CtxDep, conn: ConnDep, user: CurrentUser
) -> dict[str, Any]:
    visible_vehicle(conn, vehicle_id, Scope.of(user))
    message = TakePhoto(channel=body.channel, command=body.count)
    return await _send(ctx, vehicle_id, CommandKind.PHOTO, message, body.model_dump(), user)


def resource_lock(request: Request, vehicle_id: str) -> asyncio.Lock:
    """The lock that keeps one 0x9205 per vehicle in flight (per app, so per event loop)."""
    state = request.app.state
    locks: weakref.WeakValueDictionary[str, asyncio.Lock] | None = getattr(
        state, "resource_locks", None
    )
    if locks is None:
        locks = state.resource_locks = weakref.WeakValueDictionary()
    lock = locks.get(vehicle_id)
    if lock is None:
        lock = locks[vehicle_id] = asyncio.Lock()
    return lock


@router.post("/vehicles/{vehicle_id}/commands/resources")
async def query_resources(
    vehicle_id: str,
    body: ResourcesIn,
    ctx: CtxDep,
    user: CurrentUser,
    request: Request,
) -> dict[str, Any]:
    """The terminal's recordings in a time range (0x9205 → 0x1205), one query per terminal
    at a time (see the module docstring)."""
    # A short read, not ConnDep: that connection would be held while the query waits.
    with ctx.store.connect() as conn:
        visible_vehicle(conn, vehicle_id, Scope.of(user))
    if body.start.tzinfo is None or body.end.tzinfo is None:
        raise HTTPException(422, "start and end need a time zone")
    message = QueryResources(
        body.channel, BcdTime.from_datetime(body.start), BcdTime.from_datetime(body.end)
    )
    params = {"channel": body.channel, "start": body.start.isoformat(), "end": body.end.isoformat()}
    async with resource_lock(request, vehicle_id):
        return await _send(ctx, vehicle_id, CommandKind.RESOURCE_QUERY, message, params, user)


@router.get("/commands/{command_id}")
def command_detail(command_id: str, conn: ConnDep, user: CurrentUser) -> dict[str, Any]:
    command = get_command(conn, command_id, Scope.of(user))
    if command is None:
        raise HTTPException(404, f"no command {command_id}")
    return command_json(command)
