"""``GET /events``: the live event stream (Server-Sent Events) with Last-Event-ID resume.

Every event the user's scope may see, in id order. A console that reconnects sends the
id of the last event it got (``Last-Event-ID`` header, or ``?after=``) and receives what it
missed; if that is older than the retained log it first gets a ``reset`` event telling it
to reload its state. Comments keep idle connections alive through proxies.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse
from sqlalchemy import func, select

from console.domain.model import Event, Scope
from console.platform.api.deps import CtxDep, CurrentUser
from console.platform.store.events import events_after
from console.platform.store.schema import events as events_table

router = APIRouter(tags=["events"])

KEEPALIVE_S = 15.0
BATCH = 500


def sse(event: Event) -> str:
    """``id:`` is the event id, ``event:`` its kind, ``data:`` the thing itself in its one
    JSON shape (an alarm as ``GET /alarms/{id}`` gives it, a command, the positions batch)."""
    data = json.dumps(event.payload, ensure_ascii=False, separators=(",", ":"))
    return f"id: {event.id}\nevent: {event.kind.value}\ndata: {data}\n\n"


@router.get("/events", response_class=StreamingResponse)
async def event_stream(
    request: Request,
    ctx: CtxDep,
    user: CurrentUser,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
    after: Annotated[int | None, Query(ge=0, description="resume after this event id")] = None,
) -> StreamingResponse:
    scope = Scope.of(user)
    resume = _resume_point(last_event_id, after)
    return StreamingResponse(
        _stream(request, ctx, scope, resume),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def _resume_point(header: str | None, query: int | None) -> int | None:
    if header is not None and header.strip().isdigit():
        return int(header.strip())
    return query


async def _stream(
    request: Request, ctx: object, scope: Scope, resume: int | None
) -> AsyncIterator[str]:
    store, bus = ctx.store, ctx.bus  # type: ignore[attr-defined]
    yield "retry: 2000\n\n"
    if resume is None:
        last = bus.last_id  # a new client starts with what happens from now on
    else:
        last = resume
        oldest = await asyncio.to_thread(_oldest_id, store)
        if oldest is not None and resume < oldest - 1:
            yield f"event: reset\ndata: {json.dumps({'oldest': oldest})}\n\n"
    while not await request.is_disconnected():
        newest_committed = bus.last_id
        batch, scanned, complete = await asyncio.to_thread(_read, store, last, scope)
        if batch:  # one chunk (one write) for what one read found
            yield "".join([sse(event) for event in batch])
        last = max(last, scanned)
        if complete:
            # Everything committed up to the snapshot has been looked at, visible or not.
            last = max(last, newest_committed)
            if not await bus.wait(last, KEEPALIVE_S):
                yield ": keep-alive\n\n"


def _read(store: object, after: int, scope: Scope) -> tuple[list[Event], int, bool]:
    with store.connect() as conn:  # type: ignore[attr-defined]
        return events_after(conn, after, scope, limit=BATCH)


def _oldest_id(store: object) -> int | None:
    with store.connect() as conn:  # type: ignore[attr-defined]
        return conn.execute(select(func.min(events_table.c.id))).scalar()
