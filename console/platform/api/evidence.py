"""API router: evidence (报警附件) — list an alarm's files, download one (with HTTP Range,
so the console can seek in a video without downloading it), ask the terminal again.

Routes (mounted under ``/api/v1``; errors are the app's ``{"error": {"code", "message"}}``):

* ``GET /alarms/{alarm_id}/evidence`` → ``{"alarm_id", "evidence_status",
  "attachment_count", "items": [evidence JSON (store.evidence.evidence_json)]}``;
  404 ``not_found`` for unknown or out-of-scope alarms.
* ``GET /evidence/{evidence_id}/content`` → the file with its Content-Type,
  Content-Length, ETag and ``Accept-Ranges: bytes``: 200, or 206 with Content-Range for a
  single satisfiable ``Range`` (``bytes=a-b``, ``a-``, ``-n``); 416
  ``range_not_satisfiable`` with ``Content-Range: bytes */size``; 304 for a matching
  ``If-None-Match``; 409 ``evidence_incomplete`` while the upload is unfinished (the
  received prefix is not served: ask again instead); 404 for unknown or out-of-scope ids.
* ``POST /alarms/{alarm_id}/evidence/request`` → 202 with the 0x9208 command's JSON (its
  outcome: ``acked``, ``failed``, ``timed_out``); 404 out of scope; 409
  ``terminal_offline`` or ``no_attachments`` (not an active-safety alarm); 503 when the
  gateway or the evidence server is not running.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from console.domain.model import CommandKind, CommandStatus, Scope
from console.platform.api.deps import (
    ApiError,
    ConnDep,
    CtxDep,
    CurrentUser,
    ScopeDep,
    not_found,
    now_of,
)
from console.platform.attachments import attachment_port, upload_request_for
from console.platform.gateway import command_json
from console.platform.store.evidence import (
    AlarmRef,
    ensure_alarm_no,
    evidence_json,
    get_alarm_ref,
    get_evidence,
    list_evidence,
)

router = APIRouter(tags=["evidence"])

CHUNK_SIZE = 64 * 1024
_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)


# --- list -----------------------------------------------------------------------------------


@router.get("/alarms/{alarm_id}/evidence")
def alarm_evidence(alarm_id: str, conn: ConnDep, scope: ScopeDep) -> dict[str, Any]:
    """The alarm's files (announced, partly received or complete)."""
    alarm = get_alarm_ref(conn, alarm_id, scope)
    if alarm is None:
        raise not_found(f"alarm {alarm_id}")
    return {
        "alarm_id": alarm.id,
        "evidence_status": alarm.evidence_status.value,
        "attachment_count": alarm.attachment_count,
        "items": [evidence_json(e) for e in list_evidence(conn, alarm.id)],
    }


# --- content --------------------------------------------------------------------------------


class _Unsatisfiable(Exception):
    pass


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """``(first, last)`` byte positions (inclusive) of a single-range ``Range`` header.

    None: no header, or one to ignore (another unit, several ranges, malformed — RFC 9110
    §14.2 lets a server answer those with the whole file). Raises :class:`_Unsatisfiable`
    when the range lies outside the file.
    """
    if not header:
        return None
    match = _RANGE.match(header)
    if match is None:
        return None
    first_text, last_text = match.groups()
    if not first_text and not last_text:
        return None
    if not first_text:  # suffix: the last n bytes
        suffix = int(last_text)
        if suffix == 0 or size == 0:
            raise _Unsatisfiable
        return max(0, size - suffix), size - 1
    first = int(first_text)
    last = int(last_text) if last_text else size - 1
    if last_text and last < first:
        return None  # invalid: ignored
    if first >= size:
        raise _Unsatisfiable
    return first, min(last, size - 1)


def _read(path: Path, start: int, length: int) -> Iterator[bytes]:
    with open(path, "rb") as handle:
        handle.seek(start)
        while length > 0:
            chunk = handle.read(min(CHUNK_SIZE, length))
            if not chunk:
                return
            length -= len(chunk)
            yield chunk


def _file_of(ctx: Any, relative: str) -> Path:
    root = Path(ctx.config.evidence_dir).resolve()
    path = (Path(ctx.config.data_dir) / relative).resolve()
    if not path.is_relative_to(root):
        raise not_found("evidence file")
    return path


@router.get("/evidence/{evidence_id}/content", name="evidence_content")
def evidence_content(
    evidence_id: str, request: Request, conn: ConnDep, scope: ScopeDep, ctx: CtxDep
) -> Response:
    """The file, with its content type; honours a single ``Range`` (``bytes=a-b``,
    ``bytes=a-``, ``bytes=-n``), ``If-Range`` and ``If-None-Match``."""
    stored = get_evidence(conn, evidence_id, scope)
    if stored is None:
        raise not_found(f"evidence {evidence_id}")
    item = stored.evidence
    if not item.complete:
        raise ApiError(
            409,
            "evidence_incomplete",
            f"evidence {evidence_id} ({item.file_name}) is incomplete: "
            f"{item.received} of {item.size} bytes received; request it again",
        )
    path = _file_of(ctx, stored.path)
    try:
        stat = path.stat()
    except OSError:
        raise not_found(f"the file of evidence {evidence_id}") from None
    size = stat.st_size
    etag = f'"{evidence_id}-{size:x}-{stat.st_mtime_ns:x}"'
    headers = {
        "ETag": etag,
        "Accept-Ranges": "bytes",
        "Cache-Control": "private, max-age=3600",
        "Content-Disposition": f"inline; filename*=UTF-8''{quote(item.file_name)}",
    }
    if etag in _etags(request.headers.get("if-none-match")):
        return Response(status_code=304, headers=headers)
    range_header = request.headers.get("range")
    if_range = request.headers.get("if-range")
    if if_range is not None and if_range.strip() != etag:
        range_header = None  # the client's copy is stale: send the whole file
    try:
        wanted = parse_range(range_header, size)
    except _Unsatisfiable:
        raise ApiError(
            416,
            "range_not_satisfiable",
            f"range {range_header!r} is outside the file ({size} bytes)",
            headers={"Content-Range": f"bytes */{size}", **headers},
        ) from None
    if wanted is None:
        start, length, status = 0, size, 200
    else:
        first, last = wanted
        start, length, status = first, last - first + 1, 206
        headers["Content-Range"] = f"bytes {first}-{last}/{size}"
    headers["Content-Length"] = str(length)
    return StreamingResponse(
        _read(path, start, length),
        status_code=status,
        headers=headers,
        media_type=item.content_type,
    )


def _etags(header: str | None) -> set[str]:
    if not header:
        return set()
    return {tag.strip().removeprefix("W/") for tag in header.split(",")}


# --- ask again ------------------------------------------------------------------------------


def _alarm_for_request(ctx: Any, alarm_id: str, scope: Scope) -> AlarmRef | None:
    with ctx.store.begin() as conn:
        alarm = get_alarm_ref(conn, alarm_id, scope)
        if alarm is None or not alarm.alarm_ident or alarm.alarm_no:
            return alarm
        ensure_alarm_no(conn, alarm.id, now=now_of(ctx))
        return get_alarm_ref(conn, alarm.id)


@router.post("/alarms/{alarm_id}/evidence/request", status_code=202)
async def request_evidence(
    alarm_id: str, ctx: CtxDep, user: CurrentUser, scope: ScopeDep
) -> dict[str, Any]:
    """Ask the terminal (0x9208) to upload the alarm's files again; answers 202 with the
    command and its outcome (``acked``, ``failed``, ``timed_out``)."""
    alarm = await run_in_threadpool(_alarm_for_request, ctx, alarm_id, scope)
    if alarm is None:
        raise not_found(f"alarm {alarm_id}")
    if not alarm.alarm_ident:
        raise ApiError(
            409,
            "no_attachments",
            f"alarm {alarm_id} is not an active-safety alarm: it has no attachments",
        )
    port = attachment_port(ctx)
    if ctx.gateway is None or not port:
        raise ApiError(503, "unavailable", "the terminal gateway or evidence server is not running")
    message = upload_request_for(alarm, ctx.config, port=port)
    command = await ctx.gateway.send(
        alarm.vehicle_id,
        CommandKind.EVIDENCE_REQUEST,
        message,
        params={"alarm_id": alarm.id, "alarm_no": alarm.alarm_no},
        user_id=user.id,
    )
    if command.status is CommandStatus.OFFLINE:
        raise ApiError(
            409, "terminal_offline", f"the terminal of vehicle {alarm.vehicle_id} is offline"
        )
    return command_json(command)
