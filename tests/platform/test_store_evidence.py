"""Evidence queries: alarms by number/identification, evidence rows, the alarm's evidence
status and the events that announce changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from console.domain.model import EventKind, EvidenceStatus, FileType, Scope
from console.platform.store import Store
from console.platform.store.events import events_after
from console.platform.store.evidence import (
    alarm_no_for,
    content_type_for,
    ensure_alarm_no,
    evidence_by_name,
    evidence_json,
    file_type_for_name,
    find_alarm_by_ident,
    find_alarm_by_no,
    get_alarm_ref,
    get_evidence,
    list_evidence,
    mark_complete,
    mark_interrupted,
    record_received,
    refresh_evidence_status,
    upsert_evidence,
)
from console.platform.store.schema import alarms, counties, enterprises, vehicles

NOW = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
IDENT_A = "47443030303031" + "00" * 23 + "261121160000" + "00" + "02" + "0000"  # 40 bytes
NO_A = "A" * 32


def seed(store: Store) -> None:
    """Two counties, an enterprise in each, a truck each, and alarms on both."""
    with store.begin() as conn:
        conn.execute(
            insert(counties),
            [{"id": "cty_1", "name": "清城区"}, {"id": "cty_2", "name": "英德市"}],
        )
        conn.execute(
            insert(enterprises),
            [
                {"id": "ent_1", "name": "安达物流", "county_id": "cty_1", "created_at": NOW},
                {"id": "ent_2", "name": "恒通货运", "county_id": "cty_2", "created_at": NOW},
            ],
        )
        conn.execute(
            insert(vehicles),
            [
                {
                    "id": f"veh_{n}",
                    "plate": f"粤R1000{n}",
                    "plate_color": 2,
                    "enterprise_id": f"ent_{n}",
                    "county_id": f"cty_{n}",
                    "vehicle_type": "heavy_goods",
                    "speed_limit_kmh": 80,
                    "created_at": NOW,
                }
                for n in (1, 2)
            ],
        )
        conn.execute(
            insert(alarms),
            [
                alarm_row("alm_a", "veh_1", 1, alarm_no=NO_A, ident=IDENT_A, count=2),
                alarm_row("alm_b", "veh_2", 2, alarm_no="B" * 32, ident="11" * 16, count=1),
                alarm_row("alm_c", "veh_1", 1, alarm_no=None, ident=None, count=0),
            ],
        )


def alarm_row(
    alarm_id: str,
    vehicle: str,
    n: int,
    *,
    alarm_no: str | None,
    ident: str | None,
    count: int,
) -> dict:
    return {
        "id": alarm_id,
        "vehicle_id": vehicle,
        "county_id": f"cty_{n}",
        "enterprise_id": f"ent_{n}",
        "type_code": "dsm.01",
        "family": "dsm",
        "severity": 2,
        "source": "terminal",
        "alarm_key": f"key-{alarm_id}",
        "started_at": NOW,
        "evidence_status": "pending" if count else "none",
        "attachment_count": count,
        "alarm_no": alarm_no,
        "alarm_ident": ident,
        "detail": {},
        "created_at": NOW,
        "updated_at": NOW,
    }


@pytest.fixture
def store(store: Store) -> Store:
    """The migrated store of ``conftest`` (SQLite; PostgreSQL too when configured), seeded."""
    seed(store)
    return store


def add_file(store: Store, alarm_id: str, name: str, size: int, **kw) -> str:
    with store.begin() as conn:
        row = upsert_evidence(
            conn,
            alarm_id,
            name,
            file_type=file_type_for_name(name),
            size=size,
            path=f"evidence/{alarm_id}/{name}",
            now=NOW,
            **kw,
        )
    return row.id


def status(store: Store, alarm_id: str) -> EvidenceStatus:
    with store.connect() as conn:
        ref = get_alarm_ref(conn, alarm_id)
    assert ref is not None
    return ref.evidence_status


def all_events(store: Store) -> list:
    with store.connect() as conn:
        return events_after(conn, 0, Scope.everything())[0]


# --- names ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content_type", "kind"),
    [
        ("00_65_6501_0_X.jpg", "image/jpeg", FileType.PHOTO),
        ("00_65_6501_0_X.JPG", "image/jpeg", FileType.PHOTO),
        ("02_65_6501_2_X.mp4", "video/mp4", FileType.VIDEO),
        ("02_64_6401_2_X.h264", "video/h264", FileType.VIDEO),
        ("01_65_6501_1_X.wav", "audio/wav", FileType.AUDIO),
        ("01_65_6501_1_X.g711", "audio/PCMA", FileType.AUDIO),
        ("03_65_6501_3_X.txt", "text/plain", FileType.TEXT),
        ("04_65_6501_4_X.bin", "application/octet-stream", FileType.OTHER),
        ("no_extension", "application/octet-stream", FileType.OTHER),
    ],
)
def test_content_type_and_kind_follow_the_extension(name, content_type, kind) -> None:
    assert content_type_for(name) == content_type
    assert file_type_for_name(name) is kind


def test_alarm_no_for_is_32_upper_hex_and_stable() -> None:
    no = alarm_no_for("alm_0123456789abcdef0123")
    assert len(no) == 32 and no == no.upper() and int(no, 16) >= 0
    assert no == alarm_no_for("alm_0123456789abcdef0123")
    assert no != alarm_no_for("alm_other")


# --- alarms ---------------------------------------------------------------------------------


def test_find_alarm_by_number(store: Store) -> None:
    with store.connect() as conn:
        found = find_alarm_by_no(conn, NO_A)
        assert found is not None and found.id == "alm_a"
        assert found.vehicle_id == "veh_1" and found.attachment_count == 2
        assert find_alarm_by_no(conn, NO_A.lower() + "\x00") is not None
        assert find_alarm_by_no(conn, "C" * 32) is None
        assert find_alarm_by_no(conn, "") is None


def test_find_alarm_by_identification(store: Store) -> None:
    with store.connect() as conn:
        found = find_alarm_by_ident(conn, bytes.fromhex(IDENT_A))
        assert found is not None and found.id == "alm_a"
        assert found.ident_bytes == bytes.fromhex(IDENT_A)
        assert find_alarm_by_ident(conn, IDENT_A.upper()) is not None
        assert find_alarm_by_ident(conn, "22" * 16) is None


def test_get_alarm_ref_checks_the_scope(store: Store) -> None:
    with store.connect() as conn:
        assert get_alarm_ref(conn, "alm_a", Scope(enterprise_ids=frozenset({"ent_1"})))
        assert get_alarm_ref(conn, "alm_a", Scope(enterprise_ids=frozenset({"ent_2"}))) is None
        assert get_alarm_ref(conn, "alm_a", Scope(county_ids=frozenset({"cty_1"})))
        assert get_alarm_ref(conn, "alm_a", Scope(county_ids=frozenset({"cty_2"}))) is None
        assert get_alarm_ref(conn, "alm_zz") is None


def test_ensure_alarm_no_assigns_once(store: Store) -> None:
    with store.begin() as conn:
        assert ensure_alarm_no(conn, "alm_a", now=NOW) == NO_A
        first = ensure_alarm_no(conn, "alm_c", now=NOW)
        assert first == alarm_no_for("alm_c")
        assert ensure_alarm_no(conn, "alm_c", now=NOW) == first
    with store.connect() as conn:
        assert find_alarm_by_no(conn, first).id == "alm_c"


# --- evidence rows --------------------------------------------------------------------------


def test_upsert_creates_then_updates_one_row(store: Store) -> None:
    first = add_file(store, "alm_a", "a.jpg", 1000)
    again = add_file(store, "alm_a", "a.jpg", 1200, received=300)
    assert first == again
    with store.connect() as conn:
        items = list_evidence(conn, "alm_a")
    assert len(items) == 1
    item = items[0]
    assert (item.size, item.received, item.complete) == (1200, 300, False)
    assert item.content_type == "image/jpeg" and item.file_type is FileType.PHOTO


def test_record_received_keeps_complete_rows(store: Store) -> None:
    evidence_id = add_file(store, "alm_a", "a.jpg", 1000)
    with store.begin() as conn:
        record_received(conn, evidence_id, 400, now=NOW)
    with store.connect() as conn:
        assert evidence_by_name(conn, "alm_a", "a.jpg").evidence.received == 400
    with store.begin() as conn:
        mark_complete(conn, evidence_id, now=NOW)
        record_received(conn, evidence_id, 10, now=NOW)
    with store.connect() as conn:
        assert evidence_by_name(conn, "alm_a", "a.jpg").evidence.received == 1000


def test_get_evidence_checks_the_alarm_scope(store: Store) -> None:
    evidence_id = add_file(store, "alm_a", "a.jpg", 1000)
    with store.connect() as conn:
        stored = get_evidence(conn, evidence_id, Scope.everything())
        assert stored is not None
        assert stored.path == "evidence/alm_a/a.jpg"
        assert (stored.vehicle_id, stored.county_id, stored.enterprise_id) == (
            "veh_1",
            "cty_1",
            "ent_1",
        )
        assert get_evidence(conn, evidence_id, Scope(enterprise_ids=frozenset({"ent_1"})))
        assert get_evidence(conn, evidence_id, Scope(enterprise_ids=frozenset({"ent_2"}))) is None
        assert get_evidence(conn, evidence_id, Scope(county_ids=frozenset({"cty_2"}))) is None
        assert get_evidence(conn, "evd_nope", Scope.everything()) is None


def test_evidence_json_shape(store: Store) -> None:
    evidence_id = add_file(store, "alm_a", "02_65_6501_2_X.mp4", 5000, received=10)
    with store.connect() as conn:
        item = list_evidence(conn, "alm_a")[0]
    data = evidence_json(item)
    assert data == {
        "id": evidence_id,
        "alarm_id": "alm_a",
        "file_name": "02_65_6501_2_X.mp4",
        "file_type": 2,
        "file_kind": "video",
        "content_type": "video/mp4",
        "size": 5000,
        "received": 10,
        "complete": False,
        "created_at": NOW.isoformat(),
        "url": f"/api/v1/evidence/{evidence_id}/content",
    }


# --- evidence status and events -------------------------------------------------------------


def test_complete_files_make_the_alarm_complete_with_events(store: Store) -> None:
    one = add_file(store, "alm_a", "a.jpg", 100)
    two = add_file(store, "alm_a", "b.mp4", 200)
    with store.begin() as conn:
        first = mark_complete(conn, one, now=NOW)
    assert [e.kind for e in first] == [EventKind.EVIDENCE]
    assert status(store, "alm_a") is EvidenceStatus.PENDING
    later = NOW + timedelta(seconds=5)
    with store.begin() as conn:
        second = mark_complete(conn, two, now=later)
    assert [e.kind for e in second] == [EventKind.EVIDENCE, EventKind.ALARM_UPDATED]
    assert status(store, "alm_a") is EvidenceStatus.COMPLETE
    evidence_event, alarm_event = second
    assert evidence_event.payload["id"] == two and evidence_event.payload["complete"] is True
    assert evidence_event.payload["received"] == 200
    assert (evidence_event.vehicle_id, evidence_event.county_id) == ("veh_1", "cty_1")
    assert evidence_event.enterprise_id == "ent_1"
    assert alarm_event.payload["id"] == "alm_a"
    assert alarm_event.payload["evidence_status"] == "complete"
    assert [e.id for e in all_events(store)] == [first[0].id, *(e.id for e in second)]
    with store.connect() as conn:
        updated = conn.execute(select(alarms.c.updated_at).where(alarms.c.id == "alm_a")).scalar()
    assert updated == later


def test_an_interrupted_upload_is_incomplete_until_resumed(store: Store) -> None:
    one = add_file(store, "alm_a", "a.jpg", 100)
    add_file(store, "alm_a", "b.mp4", 200, received=50)
    with store.begin() as conn:
        mark_complete(conn, one, now=NOW)
        event = refresh_evidence_status(conn, "alm_a", uploading=False, now=NOW)
    assert event is not None and event.kind is EventKind.ALARM_UPDATED
    assert event.payload["evidence_status"] == "incomplete"
    assert status(store, "alm_a") is EvidenceStatus.INCOMPLETE
    with store.begin() as conn:
        assert refresh_evidence_status(conn, "alm_a", uploading=False, now=NOW) is None
        again = refresh_evidence_status(conn, "alm_a", uploading=True, now=NOW)
    assert again is not None and again.payload["evidence_status"] == "pending"


def test_an_alarm_without_files_keeps_its_status(store: Store) -> None:
    with store.begin() as conn:
        assert refresh_evidence_status(conn, "alm_b", uploading=False, now=NOW) is None
        assert refresh_evidence_status(conn, "alm_c", uploading=False, now=NOW) is None
    assert status(store, "alm_b") is EvidenceStatus.PENDING
    assert status(store, "alm_c") is EvidenceStatus.NONE


def test_mark_interrupted_after_a_restart(store: Store) -> None:
    add_file(store, "alm_a", "a.jpg", 100, received=10)  # alm_a: pending with an unfinished file
    # alm_b: pending without files (0x9208 sent, no upload yet): stays pending
    with store.begin() as conn:
        events = mark_interrupted(conn, now=NOW)
    assert [e.payload["id"] for e in events] == ["alm_a"]
    assert status(store, "alm_a") is EvidenceStatus.INCOMPLETE
    assert status(store, "alm_b") is EvidenceStatus.PENDING
