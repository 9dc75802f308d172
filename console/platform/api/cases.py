"""The case workflow over HTTP (docs/cases.md): list and read cases, act on them, upload
attachments, read statistics, read and edit the policy.

The rules live in ``workflow.py``; this module parses, asks, and answers: 403 with the reason
when the role or scope forbids an action, 409 with the allowed actions when the state does.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from console.domain.model import (
    Case,
    CaseAction,
    CommandKind,
    CommandStatus,
    Event,
    Measure,
    Scope,
)
from console.platform import notify
from console.platform.api.deps import (
    AdminOnly,
    ApiError,
    ConnDep,
    CtxDep,
    CurrentUser,
    not_found,
    now_of,
    read_body,
    require_aware,
)
from console.platform.case_policy import gbk_problem
from console.platform.ids import new_id
from console.platform.store.cases import (
    CaseFilter,
    alarms_of_case,
    attachment_json,
    attachments_json,
    case_event_json,
    case_json,
    case_stats,
    events_of_case,
    get_attachment,
    get_case,
    insert_attachment,
    list_cases,
)
from console.platform.store.telemetry import alarm_json
from console.platform.workflow import ActionInput, Refused, Workflow, actions_for
from console.protocol.jt808.text import TextFlag, TextMessage

router = APIRouter(tags=["cases"])

States = Literal["new", "reminded", "notified", "feedback", "closed", "dismissed"]


class ActionIn(BaseModel):
    """The body of ``POST /cases/{id}/actions/{action}``: each action reads its fields."""

    model_config = ConfigDict(extra="forbid")

    note: Annotated[str, Field(max_length=2000)] = ""
    deadline: datetime | None = None
    measures: list[Measure] = []
    attachments: Annotated[list[str], Field(max_length=20)] = []
    text: Annotated[str | None, Field(max_length=500)] = None  # remind
    level: Annotated[int | None, Field(ge=1, le=9)] = None  # escalate
    supervisor: Annotated[str | None, Field(max_length=100)] = None
    assignee_id: str | None = None


def _workflow(ctx: Any) -> Workflow:
    return ctx.workflow


def _refused(exc: Refused) -> ApiError:
    extra = {"allowed": exc.allowed} if exc.allowed is not None else None
    return ApiError(exc.status, exc.code, exc.message, extra=extra)


def _with_actions(case: Case, user: Any) -> dict[str, Any]:
    return {**case_json(case), "actions": actions_for(user, case)}


def case_detail_json(ctx: Any, conn: Any, case: Case, user: Any) -> dict[str, Any]:
    events = events_of_case(conn, case.id)
    files = attachments_json(conn, sorted({a for e in events for a in e.attachments}))
    alarms = alarms_of_case(conn, case.id)
    return {
        **_with_actions(case, user),
        "alarms": [alarm_json(a) for a in alarms],
        "events": [case_event_json(e, files) for e in events],
        "deliveries": notify.deliveries(conn, case.id),
        "reminder_text": _workflow(ctx).reminder_text(conn, case, alarms),
    }


@router.get("/cases")
def cases_page(
    conn: ConnDep,
    user: CurrentUser,
    state: Annotated[list[States] | None, Query()] = None,
    county_id: str | None = None,
    enterprise_id: str | None = None,
    county: Annotated[str | None, Query(description="the same as county_id")] = None,
    enterprise: Annotated[str | None, Query(description="the same as enterprise_id")] = None,
    vehicle_id: str | None = None,
    alarm_id: str | None = None,
    overdue: bool | None = None,
    assignee: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    require_aware("since", since)
    require_aware("until", until)
    wanted = CaseFilter(
        states=tuple(state or ()),
        county_id=county_id or county,
        enterprise_id=enterprise_id or enterprise,
        vehicle_id=vehicle_id,
        overdue=overdue,
        assignee_id=user.id if assignee == "me" else assignee,
        since=since,
        until=until,
        alarm_id=alarm_id,
    )
    items, total = list_cases(conn, Scope.of(user), wanted, limit=limit, offset=offset)
    return {
        "items": [_with_actions(c, user) for c in items],
        "total": total,
        "offset": offset,
        "limit": limit,
    }


@router.get("/cases/stats")
def cases_stats(
    conn: ConnDep,
    user: CurrentUser,
    start: datetime,
    end: datetime,
    by: Literal["county", "enterprise"] = "county",
) -> dict[str, Any]:
    require_aware("start", start)
    require_aware("end", end)
    if end <= start:
        raise ApiError(422, "validation_error", "end must be after start")
    return case_stats(conn, Scope.of(user), start, end, by)


@router.get("/cases/{case_id}")
def case_detail(case_id: str, ctx: CtxDep, conn: ConnDep, user: CurrentUser) -> dict[str, Any]:
    case = get_case(conn, case_id, Scope.of(user))
    if case is None:
        raise not_found(f"case {case_id}")
    return case_detail_json(ctx, conn, case, user)


@router.post("/cases/{case_id}/actions/{action}")
async def case_action(
    case_id: str, action: str, body: ActionIn, ctx: CtxDep, user: CurrentUser
) -> dict[str, Any]:
    try:
        chosen = CaseAction(action)
    except ValueError:
        chosen = None
    if chosen is None or chosen in (CaseAction.OPEN, CaseAction.ATTACH):
        raise ApiError(404, "not_found", f"no action {action!r}")
    require_aware("deadline", body.deadline)
    workflow = _workflow(ctx)
    try:
        if chosen is CaseAction.REMIND:
            case, event = await _remind(ctx, workflow, case_id, body, user)
        else:
            given = ActionInput(
                note=body.note,
                deadline=body.deadline,
                measures=tuple(body.measures),
                attachments=tuple(body.attachments),
                level=body.level,
                supervisor=body.supervisor,
                assignee_id=body.assignee_id,
            )
            with ctx.store.begin() as conn:
                case, event = workflow.act(conn, case_id, chosen, user, given, now_of(ctx))
    except Refused as exc:
        raise _refused(exc) from None
    ctx.bus.published(event.id)  # committed: the live stream may carry it
    with ctx.store.connect() as conn:
        return case_detail_json(ctx, conn, case, user)


async def _remind(
    ctx: Any, workflow: Workflow, case_id: str, body: ActionIn, user: Any
) -> tuple[Case, Event]:
    """Check, speak to the driver (0x8300, TTS + display), then record the outcome: the
    terminal's answer is the proof the reminder arrived."""
    with ctx.store.connect() as conn:
        case = workflow.visible(conn, case_id, user)
        workflow.check(CaseAction.REMIND, user, case)
        text = (body.text or "").strip() or workflow.reminder_text(
            conn, case, alarms_of_case(conn, case.id)
        )
    problem = gbk_problem(text)
    if problem:
        raise Refused(422, "not_gbk", f"the terminal cannot show this text: {problem}")
    if ctx.gateway is None:
        raise Refused(503, "gateway_down", "the terminal gateway is not running")
    message = TextMessage(int(TextFlag.TTS | TextFlag.DISPLAY), text)
    command = await ctx.gateway.send(
        case.vehicle_id,
        CommandKind.TEXT,
        message,
        params={"text": text, "tts": True, "display": True, "case_id": case.id},
        user_id=user.id,
    )
    if command.status is CommandStatus.PENDING:  # never: send waits for the outcome
        raise Refused(502, "no_outcome", "the terminal's answer is unknown")
    with ctx.store.begin() as conn:
        return workflow.record_reminder(conn, case.id, user, command, text, body.note, now_of(ctx))


# --- attachments -------------------------------------------------------------------------------
_SAFE_NAME = re.compile(r"[^\w.\-\u4e00-\u9fff]+")


@router.post("/attachments")
async def upload_attachment(
    request: Request, ctx: CtxDep, user: CurrentUser, name: str
) -> dict[str, Any]:
    """A file for a case action: the raw body, ``?name=`` its file name. Kept until used."""
    data = await read_body(request, ctx.config.max_attachment_bytes, "an attachment")
    if not data:
        raise ApiError(422, "empty_file", "the file is empty")
    file_name = Path(name).name.strip()[:200]
    if not file_name:
        raise ApiError(422, "validation_error", "name: a file name is needed")
    content_type = (request.headers.get("content-type") or "").split(";")[0].strip()
    if not content_type or content_type == "application/x-www-form-urlencoded":
        content_type = mimetypes.guess_type(file_name)[0] or "application/octet-stream"
    attachment_id = new_id("att")
    relative = f"case-files/{attachment_id}_{_SAFE_NAME.sub('_', file_name)[-80:]}"
    path = ctx.config.data_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".part")
    tmp.write_bytes(data)
    tmp.replace(path)  # the row below never points at a half-written file
    values = {
        "id": attachment_id,
        "case_id": None,
        "file_name": file_name,
        "content_type": content_type,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "path": relative,
        "uploaded_by": user.id,
        "uploaded_at": now_of(ctx),
    }
    try:
        with ctx.store.begin() as conn:
            insert_attachment(conn, values)
    except Exception:
        path.unlink(missing_ok=True)
        raise
    return attachment_json(SimpleNamespace(**values))


@router.get("/attachments/{attachment_id}")
def attachment_content(
    attachment_id: str, ctx: CtxDep, conn: ConnDep, user: CurrentUser
) -> Response:
    row = get_attachment(conn, attachment_id)
    visible = row is not None and (
        row.uploaded_by == user.id
        or (row.case_id is not None and get_case(conn, row.case_id, Scope.of(user)) is not None)
    )
    if not visible:
        raise not_found(f"attachment {attachment_id}")
    path = ctx.config.data_dir / row.path
    if not path.is_file():
        raise ApiError(410, "gone", f"the file of attachment {attachment_id} is missing")
    return Response(
        path.read_bytes(),
        media_type=row.content_type,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(row.file_name)}"},
    )


# --- policy ------------------------------------------------------------------------------------
@router.get("/policies")
def get_policy(ctx: CtxDep, conn: ConnDep, user: CurrentUser) -> dict[str, Any]:
    return _workflow(ctx).policy(conn).raw


@router.put("/policies")
def put_policy(body: dict[str, Any], ctx: CtxDep, user: AdminOnly) -> dict[str, Any]:
    try:
        with ctx.store.begin() as conn:
            policy = _workflow(ctx).set_policy(conn, body, user, now_of(ctx))
    except ValueError as exc:
        raise ApiError(422, "invalid_policy", str(exc)) from None
    return policy.raw
