"""Live video: start a vehicle's channel (0x9101), watch it as a chunked Annex-B byte stream,
stop it (0x9102), list what is running. The relay behind it is ``console/platform/media.py``.

The stream (``GET /video/{vehicle_id}/{channel}``) is the raw elementary stream: H.264
(``video/h264``) or H.265 (``video/h265``) access units with start codes, the first one a key
frame with its parameter sets, so ``requests`` ``iter_content`` chunks can go straight into a
PyAV parser (``console.media.h264.AnnexBDecoder``) or ``av.open(file, format="h264")``.
Opening the stream starts the terminal when nothing runs yet; closing the last one stops it
after a short grace. Every route answers 404 for a vehicle outside the caller's scope.

History playback (``GET /playback/{vehicle_id}/{channel}?start=…&end=…``) is the same kind of
byte stream for one viewer: opening it sends 0x9201 for the recording's time range, hanging
up sends 0x9202 "stop". A channel runs live video or a playback, never both (the terminal's
media packets do not say which is which): asking for one while the other runs is 409
``channel_busy``.

Live audio (``GET /audio/{vehicle_id}/{channel}``) is the terminal's G.711A of a channel whose
live video runs: raw A-law bytes, 8 kHz mono (``audio/PCMA``), one terminal frame per chunk,
from now on. It never starts the stream (409 ``no_stream`` when no live video runs) and does
not keep it running: it ends when the video viewers have left and the stream stops.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy import select

from console.domain.model import Scope
from console.platform.api.deps import ApiError, ConnDep, CtxDep, CurrentUser, ScopeDep, not_found
from console.platform.gateway import command_json
from console.platform.media import (
    PLAYBACK,
    STREAM_TYPES,
    AudioListener,
    ChannelBusy,
    CommandTimedOut,
    MediaError,
    MediaRelay,
    NoStream,
    Stream,
    VehicleOffline,
    Viewer,
)
from console.platform.store.registry import scope_condition
from console.platform.store.schema import vehicles

router = APIRouter(tags=["video"])

StreamName = Literal["main", "sub"]
Channel = Annotated[int, Path(ge=1, le=255, description="logical channel (JT/T 1076 table 2)")]


class LiveVideoIn(BaseModel):
    channel: Annotated[int, Field(ge=1, le=255)] = 1
    stream: StreamName = "main"


class StopVideoIn(BaseModel):
    channel: Annotated[int, Field(ge=1, le=255)] = 1


def stream_url(vehicle_id: str, channel: int) -> str:
    return f"/api/v1/video/{vehicle_id}/{channel}"


def _relay(ctx: Any) -> MediaRelay:
    relay = getattr(ctx, "media", None)
    if relay is None:
        raise ApiError(503, "media_unavailable", "the media relay is not running")
    return relay


def _visible(conn: Any, vehicle_id: str, scope: Scope) -> None:
    query = select(vehicles.c.id).where(
        vehicles.c.id == vehicle_id,
        scope_condition(scope, vehicles.c.county_id, vehicles.c.enterprise_id),
    )
    if conn.execute(query).first() is None:
        raise not_found(f"vehicle {vehicle_id}")


def _api_error(exc: MediaError) -> ApiError:
    if isinstance(exc, NoStream):
        return ApiError(409, "no_stream", exc.message)
    if isinstance(exc, ChannelBusy):
        return ApiError(409, "channel_busy", exc.message)
    if isinstance(exc, VehicleOffline):
        return ApiError(409, "vehicle_offline", exc.message)
    if isinstance(exc, CommandTimedOut):
        return ApiError(504, "terminal_timeout", exc.message)
    return ApiError(502, "terminal_refused", exc.message)


def _stream_json(stream: Stream) -> dict[str, Any]:
    return {
        **stream.stats(),
        # A playback has one viewer: nobody else can join it.
        "stream_url": None
        if stream.kind == PLAYBACK
        else stream_url(stream.vehicle_id, stream.channel),
        "media_type": stream.media_type if stream.codec else None,
    }


@router.post("/vehicles/{vehicle_id}/commands/live-video")
async def start_live_video(
    vehicle_id: str,
    body: LiveVideoIn,
    ctx: CtxDep,
    conn: ConnDep,
    scope: ScopeDep,
    user: CurrentUser,
) -> dict[str, Any]:
    """Have the terminal stream a channel (0x9101, unless it already does) and answer where to
    watch it. Nobody watching within a short while stops it again. 409 when the vehicle is
    offline, 502 when the terminal refuses, 504 when it does not answer."""
    _visible(conn, vehicle_id, scope)
    relay = _relay(ctx)
    try:
        stream = await relay.start_stream(
            vehicle_id, body.channel, user_id=user.id, stream_type=STREAM_TYPES[body.stream]
        )
    except MediaError as exc:
        raise _api_error(exc) from None
    return {
        "vehicle_id": vehicle_id,
        "channel": body.channel,
        "stream": body.stream,
        "stream_url": stream_url(vehicle_id, body.channel),
        "command": command_json(stream.command) if stream.command else None,
        "video": _stream_json(stream),
    }


@router.post("/vehicles/{vehicle_id}/commands/stop-video")
async def stop_live_video(
    vehicle_id: str,
    body: StopVideoIn,
    ctx: CtxDep,
    conn: ConnDep,
    scope: ScopeDep,
    user: CurrentUser,
) -> dict[str, Any]:
    """Stop a channel now, whoever watches it (their streams end): 0x9102 to the terminal."""
    _visible(conn, vehicle_id, scope)
    relay = _relay(ctx)
    running = relay.stream(vehicle_id, body.channel) is not None
    command = await relay.stop_stream(vehicle_id, body.channel, user_id=user.id)
    return {
        "vehicle_id": vehicle_id,
        "channel": body.channel,
        "was_running": running,
        "command": command_json(command) if command else None,
    }


@router.get("/video")
async def list_streams(ctx: CtxDep, scope: ScopeDep) -> dict[str, Any]:
    """The live streams of vehicles in the caller's scope, with their statistics."""
    # The relay lives on the event loop: read it here, not from a worker thread.
    running = sorted(_relay(ctx).streams(), key=lambda s: (s.vehicle_id, s.channel))
    snapshot = [_stream_json(s) for s in running]
    visible = await asyncio.to_thread(_visible_ids, ctx, {s.vehicle_id for s in running}, scope)
    return {"streams": [s for s in snapshot if s["vehicle_id"] in visible]}


def _visible_ids(ctx: Any, ids: set[str], scope: Scope) -> set[str]:
    if not ids:
        return set()
    query = select(vehicles.c.id).where(
        vehicles.c.id.in_(sorted(ids)),
        scope_condition(scope, vehicles.c.county_id, vehicles.c.enterprise_id),
    )
    with ctx.store.connect() as conn:
        return {row.id for row in conn.execute(query)}


@router.get(
    "/video/{vehicle_id}/{channel}",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {"video/h264": {}, "video/h265": {}},
            "description": "Annex-B elementary stream, starting at a key frame",
        }
    },
)
async def watch(
    vehicle_id: str,
    channel: Channel,
    ctx: CtxDep,
    user: CurrentUser,
    scope: ScopeDep,
    stream: Annotated[StreamName, Query(description="used when this starts the stream")] = "main",
) -> StreamingResponse:
    """Live video of one channel as a chunked byte stream until the client hangs up (or the
    stream is stopped). 409/502/504 as for the live-video command; 504 also when the
    terminal accepted but sends no video."""
    # A short read, not ConnDep: that connection would be held for the whole stream.
    with ctx.store.connect() as conn:
        _visible(conn, vehicle_id, scope)
    relay = _relay(ctx)
    try:
        viewer = await relay.open_viewer(
            vehicle_id, channel, user_id=user.id, stream_type=STREAM_TYPES[stream]
        )
    except MediaError as exc:
        raise _api_error(exc) from None
    return await _respond(relay, viewer)


@router.get(
    "/audio/{vehicle_id}/{channel}",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {AudioListener.media_type: {}},
            "description": "raw G.711 A-law bytes, 8 kHz mono",
        }
    },
)
async def listen(
    vehicle_id: str, channel: Channel, ctx: CtxDep, user: CurrentUser, scope: ScopeDep
) -> StreamingResponse:
    """The live audio of a channel whose live video runs, as a chunked byte stream until the
    client hangs up or the stream stops. 409 ``no_stream`` when no live video runs: this
    never starts the terminal's stream (watch ``/video/{vehicle_id}/{channel}`` for that)."""
    with ctx.store.connect() as conn:
        _visible(conn, vehicle_id, scope)
    try:
        listener = _relay(ctx).open_audio(vehicle_id, channel, user_id=user.id)
    except MediaError as exc:
        raise _api_error(exc) from None
    return StreamingResponse(
        _audio_body(listener),
        media_type=listener.media_type,
        headers={
            "Cache-Control": "no-store",
            "X-Audio-Codec": "pcm_alaw",
            "X-Audio-Rate": str(listener.sample_rate),
            "X-Audio-Channels": "1",
            "X-Accel-Buffering": "no",
        },
    )


async def _audio_body(listener: AudioListener) -> AsyncIterator[bytes]:
    """Audio frames until the stream ends; the listener is closed however this ends."""
    try:
        async for chunk in listener:
            yield chunk
    finally:
        listener.close()


@router.get(
    "/playback/{vehicle_id}/{channel}",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {"video/h264": {}, "video/h265": {}},
            "description": "Annex-B elementary stream of the recording, from a key frame",
        }
    },
)
async def play_back(
    vehicle_id: str,
    channel: Channel,
    ctx: CtxDep,
    user: CurrentUser,
    scope: ScopeDep,
    start: Annotated[datetime, Query(description="aware ISO 8601 time")],
    end: Annotated[datetime, Query(description="aware ISO 8601 time, after start")],
) -> StreamingResponse:
    """A recording played back by the terminal (0x9201 for ``start``..``end``) as a chunked
    byte stream until the client hangs up (then 0x9202 stop) or the terminal ends it. 409
    ``channel_busy`` while the channel runs live video or another playback; otherwise the
    errors of the live stream."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ApiError(422, "naive_time", "start and end need a time zone")
    if end <= start:
        raise ApiError(422, "empty_range", "end must come after start")
    with ctx.store.connect() as conn:
        _visible(conn, vehicle_id, scope)
    relay = _relay(ctx)
    try:
        viewer = await relay.open_playback(vehicle_id, channel, start, end, user_id=user.id)
    except MediaError as exc:
        raise _api_error(exc) from None
    return await _respond(relay, viewer)


async def _respond(relay: MediaRelay, viewer: Viewer) -> StreamingResponse:
    """Wait for the first unit (it decides the media type), then stream the rest."""
    try:
        # The media type depends on the codec, known with the first frame.
        first = await viewer.next(relay.settings.stall_timeout_s + 5)
    except TimeoutError:
        first = None
    except BaseException:
        viewer.close()
        raise
    if first is None:
        reason = viewer.end_reason
        viewer.close()
        raise ApiError(504, "no_video", f"no video from the terminal ({reason or 'timed out'})")
    return StreamingResponse(
        _body(viewer, first),
        media_type=viewer.media_type,
        headers={
            "Cache-Control": "no-store",
            "X-Video-Codec": viewer.codec or "",
            "X-Accel-Buffering": "no",
        },
    )


async def _body(viewer: Viewer, first: bytes) -> AsyncIterator[bytes]:
    """Access units until the stream ends; the viewer is closed however this ends (the
    client hanging up cancels the response task, which runs the ``finally``)."""
    try:
        yield first
        async for unit in viewer:
            yield unit
    finally:
        viewer.close()
