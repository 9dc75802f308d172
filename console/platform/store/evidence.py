"""Evidence (报警附件): the files of an alarm, their upload progress and the alarm's
evidence status.

Functions on a SQLAlchemy ``Connection``; the caller owns the transaction, so a file
marked complete, the alarm's new evidence status and the events announcing both commit
together (``with store.begin() as conn: ...``) and are published after the commit.

Evidence status of an alarm (``alarms.evidence_status``):

* ``none``: the alarm announced no attachments;
* ``pending``: announced (0x9208 sent) or an upload is running;
* ``complete``: every file the terminal listed is stored completely;
* ``incomplete``: an upload stopped short (connection lost, platform restarted); the files
  received so far are kept and a new upload (补传 or a re-request) resumes them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy import Connection, and_, case, exists, func, insert, select, update

from console.domain.model import Event, EventKind, Evidence, EvidenceStatus, FileType, Scope
from console.platform.ids import new_id
from console.platform.store.events import append_event
from console.platform.store.schema import alarms, evidence

#: Where the API serves a file; the router is mounted under ``/api/v1``.
CONTENT_PATH = "/api/v1/evidence/{evidence_id}/content"

#: Content types by file extension (lower case, without the dot).
CONTENT_TYPES: dict[str, str] = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "bmp": "image/bmp",
    "mp4": "video/mp4",
    "h264": "video/h264",
    "264": "video/h264",
    "h265": "video/h265",
    "265": "video/h265",
    "avi": "video/x-msvideo",
    "wav": "audio/wav",
    "g711": "audio/PCMA",  # China's terminals use A-law unless they say otherwise
    "g711a": "audio/PCMA",
    "pcma": "audio/PCMA",
    "g711u": "audio/PCMU",
    "pcmu": "audio/PCMU",
    "g726": "audio/G726-32",
    "aac": "audio/aac",
    "mp3": "audio/mpeg",
    "amr": "audio/AMR",
    "txt": "text/plain",
    "bin": "application/octet-stream",  # vehicle state data (车辆状态数据, 64-byte records)
}
DEFAULT_CONTENT_TYPE = "application/octet-stream"


def file_extension(file_name: str) -> str:
    suffix = PurePosixPath(file_name.replace("\\", "/")).suffix
    return suffix[1:].lower() if suffix else ""


def content_type_for(file_name: str) -> str:
    return CONTENT_TYPES.get(file_extension(file_name), DEFAULT_CONTENT_TYPE)


def file_type_for_name(file_name: str) -> FileType:
    """The file kind a name suggests (before 0x1211 tells it)."""
    major = content_type_for(file_name).split("/", 1)[0]
    return {
        "image": FileType.PHOTO,
        "video": FileType.VIDEO,
        "audio": FileType.AUDIO,
        "text": FileType.TEXT,
    }.get(major, FileType.OTHER)


def alarm_no_for(alarm_id: str) -> str:
    """A 报警编号 for an alarm that has none: 32 upper-case hex digits derived from its id
    (stable, so two requests racing for the same alarm agree)."""
    return hashlib.sha256(alarm_id.encode()).hexdigest()[:32].upper()


# --- alarms ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AlarmRef:
    """What the evidence side needs to know of an alarm."""

    id: str
    vehicle_id: str
    county_id: str
    enterprise_id: str
    alarm_no: str | None
    alarm_ident: str | None  # hex of the 16/40-byte identification
    attachment_count: int
    evidence_status: EvidenceStatus

    @property
    def ident_bytes(self) -> bytes | None:
        return bytes.fromhex(self.alarm_ident) if self.alarm_ident else None


_ALARM_COLUMNS = (
    alarms.c.id,
    alarms.c.vehicle_id,
    alarms.c.county_id,
    alarms.c.enterprise_id,
    alarms.c.alarm_no,
    alarms.c.alarm_ident,
    alarms.c.attachment_count,
    alarms.c.evidence_status,
)


def _alarm_ref(row: Any) -> AlarmRef:
    m = row._mapping
    return AlarmRef(
        id=m["id"],
        vehicle_id=m["vehicle_id"],
        county_id=m["county_id"],
        enterprise_id=m["enterprise_id"],
        alarm_no=m["alarm_no"],
        alarm_ident=m["alarm_ident"],
        attachment_count=m["attachment_count"] or 0,
        evidence_status=EvidenceStatus(m["evidence_status"]),
    )


def _scoped(query: Any, scope: Scope) -> Any:
    if scope.county_ids is not None:
        query = query.where(alarms.c.county_id.in_(scope.county_ids))
    if scope.enterprise_ids is not None:
        query = query.where(alarms.c.enterprise_id.in_(scope.enterprise_ids))
    return query


def get_alarm_ref(conn: Connection, alarm_id: str, scope: Scope | None = None) -> AlarmRef | None:
    """The alarm, or None when it does not exist or ``scope`` may not see it."""
    query = select(*_ALARM_COLUMNS).where(alarms.c.id == alarm_id)
    row = conn.execute(_scoped(query, scope or Scope.everything())).first()
    return _alarm_ref(row) if row is not None else None


def find_alarm_by_no(conn: Connection, alarm_no: str) -> AlarmRef | None:
    """The alarm with this 报警编号 (as sent in 0x9208 and repeated in 0x1210)."""
    alarm_no = alarm_no.strip("\x00 ")
    if not alarm_no:
        return None
    candidates = {alarm_no, alarm_no.upper(), alarm_no.lower()}
    row = conn.execute(
        select(*_ALARM_COLUMNS).where(alarms.c.alarm_no.in_(candidates)).limit(1)
    ).first()
    return _alarm_ref(row) if row is not None else None


def find_alarm_by_ident(conn: Connection, ident: bytes | str) -> AlarmRef | None:
    """The alarm with this identification (raw bytes or hex); the newest if several."""
    hex_ident = ident.hex() if isinstance(ident, bytes | bytearray) else ident
    candidates = {hex_ident, hex_ident.lower(), hex_ident.upper()}
    row = conn.execute(
        select(*_ALARM_COLUMNS)
        .where(alarms.c.alarm_ident.in_(candidates))
        .order_by(alarms.c.started_at.desc())
        .limit(1)
    ).first()
    return _alarm_ref(row) if row is not None else None


def ensure_alarm_no(conn: Connection, alarm_id: str, *, now: datetime) -> str:
    """The alarm's 报警编号, assigning :func:`alarm_no_for` when it has none yet."""
    current = conn.execute(select(alarms.c.alarm_no).where(alarms.c.id == alarm_id)).scalar()
    if current:
        return current
    alarm_no = alarm_no_for(alarm_id)
    conn.execute(
        update(alarms)
        .where(alarms.c.id == alarm_id, alarms.c.alarm_no.is_(None))
        .values(alarm_no=alarm_no, updated_at=now)
    )
    return conn.execute(select(alarms.c.alarm_no).where(alarms.c.id == alarm_id)).scalar_one()


# --- evidence rows --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoredEvidence:
    """An evidence row with where its file lives and whose alarm it is."""

    evidence: Evidence
    path: str  # relative to the data directory, "/"-separated
    vehicle_id: str
    county_id: str
    enterprise_id: str
    updated_at: datetime | None = None


def _file_type(value: int) -> FileType:
    try:
        return FileType(value)
    except ValueError:
        return FileType.OTHER


def _evidence(m: Any) -> Evidence:
    return Evidence(
        id=m["id"],
        alarm_id=m["alarm_id"],
        file_name=m["file_name"],
        file_type=_file_type(m["file_type"]),
        content_type=m["content_type"],
        size=m["size"],
        received=m["received"],
        complete=bool(m["complete"]),
        created_at=m["created_at"],
    )


def _stored(row: Any) -> StoredEvidence:
    m = row._mapping
    return StoredEvidence(
        evidence=_evidence(m),
        path=m["path"],
        vehicle_id=m["vehicle_id"],
        county_id=m["county_id"],
        enterprise_id=m["enterprise_id"],
        updated_at=m["updated_at"],
    )


def _stored_query() -> Any:
    return select(evidence, alarms.c.vehicle_id, alarms.c.county_id, alarms.c.enterprise_id).join(
        alarms, alarms.c.id == evidence.c.alarm_id
    )


def evidence_by_name(conn: Connection, alarm_id: str, file_name: str) -> StoredEvidence | None:
    row = conn.execute(
        _stored_query().where(evidence.c.alarm_id == alarm_id, evidence.c.file_name == file_name)
    ).first()
    return _stored(row) if row is not None else None


def get_evidence(conn: Connection, evidence_id: str, scope: Scope) -> StoredEvidence | None:
    """The evidence row, or None when it does not exist or ``scope`` may not see its alarm."""
    query = _scoped(_stored_query().where(evidence.c.id == evidence_id), scope)
    row = conn.execute(query).first()
    return _stored(row) if row is not None else None


def list_evidence(conn: Connection, alarm_id: str) -> list[Evidence]:
    """The files of an alarm (check the caller's scope on the alarm first)."""
    rows = conn.execute(
        select(evidence)
        .where(evidence.c.alarm_id == alarm_id)
        .order_by(evidence.c.created_at, evidence.c.file_name)
    ).all()
    return [_evidence(r._mapping) for r in rows]


def upsert_evidence(
    conn: Connection,
    alarm_id: str,
    file_name: str,
    *,
    file_type: FileType,
    size: int,
    path: str,
    received: int = 0,
    complete: bool = False,
    now: datetime,
) -> Evidence:
    """Create or update the row of one announced file; returns it as stored.

    ``received`` and ``complete`` are what the caller holds on disk for this file now
    (a fresh upload: 0 / False; a resumed one: what the partial file already has).
    """
    values = {
        "file_type": int(file_type),
        "content_type": content_type_for(file_name),
        "size": size,
        "received": min(received, size),
        "complete": complete,
        "path": path,
        "updated_at": now,
    }
    found = conn.execute(
        update(evidence)
        .where(evidence.c.alarm_id == alarm_id, evidence.c.file_name == file_name)
        .values(**values)
    ).rowcount
    if not found:
        conn.execute(
            insert(evidence).values(
                id=new_id("evd"), alarm_id=alarm_id, file_name=file_name, created_at=now, **values
            )
        )
    row = conn.execute(
        select(evidence).where(evidence.c.alarm_id == alarm_id, evidence.c.file_name == file_name)
    ).one()
    return _evidence(row._mapping)


def record_received(conn: Connection, evidence_id: str, received: int, *, now: datetime) -> None:
    """Progress of an unfinished file (bytes held on disk)."""
    conn.execute(
        update(evidence)
        .where(evidence.c.id == evidence_id, evidence.c.complete.is_(False))
        .values(received=received, updated_at=now)
    )


def mark_complete(
    conn: Connection, evidence_id: str, *, now: datetime, uploading: bool = True
) -> list[Event]:
    """The file is stored completely: mark it, append an ``evidence`` event and, when the
    alarm's evidence status changes, an ``alarm_updated`` event. Returns the events."""
    conn.execute(
        update(evidence)
        .where(evidence.c.id == evidence_id)
        .values(complete=True, received=evidence.c.size, updated_at=now)
    )
    row = conn.execute(_stored_query().where(evidence.c.id == evidence_id)).one()
    stored = _stored(row)
    out = [
        append_event(
            conn,
            EventKind.EVIDENCE,
            evidence_json(stored.evidence),
            time=now,
            vehicle_id=stored.vehicle_id,
            county_id=stored.county_id,
            enterprise_id=stored.enterprise_id,
        )
    ]
    changed = refresh_evidence_status(conn, stored.evidence.alarm_id, uploading=uploading, now=now)
    if changed is not None:
        out.append(changed)
    return out


# --- the alarm's evidence status ------------------------------------------------------------


def evidence_status_of(conn: Connection, alarm: AlarmRef, *, uploading: bool) -> EvidenceStatus:
    """What the alarm's status should be given its rows and whether an upload is running."""
    total, done = conn.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((evidence.c.complete.is_(True), 1), else_=0)), 0),
        ).where(evidence.c.alarm_id == alarm.id)
    ).one()
    if total and done == total:
        return EvidenceStatus.COMPLETE
    if uploading:
        return EvidenceStatus.PENDING
    if total:
        return EvidenceStatus.INCOMPLETE
    if alarm.attachment_count > 0:
        # Announced, never started: still waiting for the terminal (or already incomplete).
        return (
            alarm.evidence_status
            if alarm.evidence_status is not EvidenceStatus.NONE
            else EvidenceStatus.PENDING
        )
    return alarm.evidence_status


def set_evidence_status(
    conn: Connection, alarm_id: str, status: EvidenceStatus, *, now: datetime
) -> Event | None:
    """Store the status; when it changed, append and return an ``alarm_updated`` event
    (payload: the alarm's JSON, as every alarm event)."""
    changed = conn.execute(
        update(alarms)
        .where(alarms.c.id == alarm_id, alarms.c.evidence_status != status.value)
        .values(evidence_status=status.value, updated_at=now)
    ).rowcount
    if not changed:
        return None
    from console.platform.store.telemetry import alarm_json, get_alarm

    alarm = get_alarm(conn, alarm_id, Scope.everything())
    if alarm is None:  # pragma: no cover - the row was just updated
        return None
    return append_event(
        conn,
        EventKind.ALARM_UPDATED,
        alarm_json(alarm),
        time=now,
        vehicle_id=alarm.vehicle_id,
        county_id=alarm.county_id,
        enterprise_id=alarm.enterprise_id,
    )


def refresh_evidence_status(
    conn: Connection, alarm_id: str, *, uploading: bool, now: datetime
) -> Event | None:
    """Recompute and store the alarm's evidence status (see :func:`evidence_status_of`)."""
    alarm = get_alarm_ref(conn, alarm_id)
    if alarm is None:
        return None
    return set_evidence_status(
        conn, alarm_id, evidence_status_of(conn, alarm, uploading=uploading), now=now
    )


def mark_interrupted(conn: Connection, *, now: datetime) -> list[Event]:
    """At start-up: alarms left ``pending`` with unfinished files had their upload cut by
    the previous process; they are ``incomplete`` now."""
    unfinished = exists().where(
        and_(evidence.c.alarm_id == alarms.c.id, evidence.c.complete.is_(False))
    )
    ids = conn.execute(
        select(alarms.c.id).where(
            alarms.c.evidence_status == EvidenceStatus.PENDING.value, unfinished
        )
    ).scalars()
    out = []
    for alarm_id in list(ids):
        event = set_evidence_status(conn, alarm_id, EvidenceStatus.INCOMPLETE, now=now)
        if event is not None:
            out.append(event)
    return out


# --- JSON -----------------------------------------------------------------------------------


def evidence_json(e: Evidence) -> dict[str, Any]:
    """The one JSON shape of an evidence file: in the API and in ``evidence`` events."""
    return {
        "id": e.id,
        "alarm_id": e.alarm_id,
        "file_name": e.file_name,
        "file_type": int(e.file_type),
        "file_kind": e.file_type.name.lower(),
        "content_type": e.content_type,
        "size": e.size,
        "received": e.received,
        "complete": e.complete,
        "created_at": e.created_at.isoformat() if e.created_at else None,
        "url": CONTENT_PATH.format(evidence_id=e.id),
    }
