"""Durable ingest: terminal messages become stored positions, alarms and events, and a
message is acknowledged only once the transaction that stored it has committed.

One worker thread owns the writes. Callers on the asyncio loop hand it jobs and await
their futures; the worker takes whatever is queued (up to ``group_commit_max``, waiting
at most ``group_commit_wait_s`` for company) and stores it in ONE transaction — group
commit: thousands of terminals share one fsync. The futures resolve after the commit, or
fail with the database error so the gateway does not acknowledge and the terminal resends.
Ingest is idempotent: a re-sent frame stores no second position (same vehicle and time)
and no second alarm (alarm keys are unique).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from console.domain.alarm_types import AlarmFamily, AlarmType, alarm_type, by_code
from console.domain.model import Alarm, EventKind, EvidenceStatus, Position
from console.platform import rules
from console.platform.ids import new_id
from console.platform.rules import RuleConfig, RuleEvent, RuleEventKind, RuleState
from console.platform.store import Store
from console.platform.store.events import append_event, last_event_id
from console.platform.store.telemetry import (
    VehicleRef,
    VehicleState,
    alarm_by_key,
    alarm_json,
    end_alarm,
    insert_alarm,
    insert_positions,
    load_states,
    offline_candidates,
    open_alarm_key,
    position_values,
    reopen_alarm,
    save_states,
    update_alarm_detail,
    vehicle_refs,
)
from console.protocol._fast import fast_constructor
from console.protocol.jt808.active_safety import ALARM_ITEMS
from console.protocol.jt808.location import LocationBatch, LocationReport
from console.protocol.jt808.message import set_bits
from console.protocol.jt808.standard_items import (
    Fuel,
    Mileage,
    Satellites,
    SignalStrength,
    VideoAlarm,
)

log = logging.getLogger(__name__)

_ALARM_ITEM_TYPES = tuple(ALARM_ITEMS.values())
MOVING_KMH = 1.0
SWEEP_S = 15.0  # how often vehicles are checked for going offline


@dataclass(frozen=True, slots=True)
class StoredLocation:
    """What one stored location message led to."""

    positions: int
    new_alarms: tuple[Alarm, ...]  # alarms first seen in this message
    evidence_wanted: tuple[Alarm, ...]  # new alarms that announce attachments (send 0x9208)


@dataclass(slots=True)
class _Job:
    kind: str  # "location" | "locations" | "status" | "tick" | "sweep"
    vehicle_id: str = ""
    reports: tuple[LocationReport, ...] = ()
    messages: list[tuple[LocationReport, ...]] | None = None  # "locations": one per message
    received_at: datetime | None = None
    online: bool = False
    future: asyncio.Future[Any] | None = None
    loop: asyncio.AbstractEventLoop | None = None
    result: Any = None


@dataclass(slots=True)
class _Batch:
    """Everything one transaction writes, collected while the jobs are applied."""

    positions: list[tuple[Any, ...]] = field(default_factory=list)
    states: dict[str, VehicleState] = field(default_factory=dict)
    # Vehicles whose rule state changed: serialised once, when the batch is written.
    rules: set[str] = field(default_factory=set)
    # The newest position of each vehicle, for the positions event.
    latest: dict[str, tuple[VehicleRef, Position]] = field(default_factory=dict)
    events: int = 0


def utc_now(clock: Any) -> datetime:
    return datetime.fromtimestamp(clock(), UTC)


class Ingest:
    def __init__(self, platform: Any) -> None:
        self.config = platform.config
        self.store: Store = platform.store
        self.bus = platform.bus
        self.metrics = platform.metrics
        self.clock = platform.clock
        self.workflow = platform.workflow
        # The worker's in-tray: lists of jobs (None: stop). The loop hands over what it
        # collected in one iteration as one list: one wake-up of the worker for them all
        # (a queue.put per job woke the worker, and moved the GIL, once per message).
        self._queue: queue.Queue[list[_Job] | None] = queue.Queue()
        self._outbox: list[_Job] = []
        self._thread: threading.Thread | None = None
        self._refs: dict[str, VehicleRef] = {}
        self._pending_positions: dict[str, tuple[VehicleRef, Position]] = {}
        self._last_flush = 0.0
        self._ticker: asyncio.Task[None] | None = None
        # Vehicle and rule state: the worker is their only writer and keeps them in memory;
        # the store has the safe copy, reloaded after a failed batch.
        self._states: dict[str, VehicleState] = {}
        self._rule_states: dict[str, RuleState] = {}
        self._rule_configs: dict[int, RuleConfig] = {}
        self._last_sweep = 0.0

    # --- life cycle -----------------------------------------------------------------------
    async def start(self) -> int:
        with self.store.connect() as conn:
            self._refs = vehicle_refs(conn)
            self.bus.published(last_event_id(conn))
        self._thread = threading.Thread(target=self._run, name="ingest", daemon=True)
        self._thread.start()
        self._ticker = asyncio.get_running_loop().create_task(self._tick())
        return 0

    async def stop(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
        if self._thread is not None:
            self._handoff()
            self._queue.put(None)
            await asyncio.to_thread(self._thread.join, 30)
            self._thread = None

    async def _tick(self) -> None:
        # Coalesced positions go out at least every position_coalesce_s, even when quiet;
        # the offline check runs every SWEEP_S.
        while True:
            await asyncio.sleep(self.config.position_coalesce_s)
            if self._pending_positions:
                self._hand(_Job("tick"))
            if self.clock() - self._last_sweep >= min(SWEEP_S, self.config.offline_after_s / 4):
                self._last_sweep = self.clock()
                self._hand(_Job("sweep"))

    # --- what the gateway calls -------------------------------------------------------------
    def vehicle(self, vehicle_id: str) -> VehicleRef | None:
        return self._refs.get(vehicle_id)

    def refresh_vehicles(self) -> None:
        with self.store.connect() as conn:
            self._refs = vehicle_refs(conn)

    async def store_location(
        self, vehicle_id: str, message: LocationReport | LocationBatch, received_at: datetime
    ) -> StoredLocation:
        """Store a 0x0200 or 0x0704 durably; returns after the commit (raises if it failed)."""
        reports = message.locations if isinstance(message, LocationBatch) else (message,)
        return await self._submit(
            _Job("location", vehicle_id, tuple(reports), received_at=received_at)
        )

    def submit_locations(
        self,
        vehicle_id: str,
        messages: list[LocationReport | LocationBatch],
        received_at: datetime,
    ) -> asyncio.Future[list[StoredLocation]]:
        """Store several 0x0200/0x0704 of one vehicle, in order, in one transaction (one
        job: what a terminal sent in one read); the future gives one
        :class:`StoredLocation` per message after the commit, or the database error.
        Call from the event loop."""
        job = _Job(
            "locations",
            vehicle_id,
            messages=[m.locations if isinstance(m, LocationBatch) else (m,) for m in messages],
            received_at=received_at,
        )
        loop = asyncio.get_running_loop()
        job.loop, job.future = loop, loop.create_future()
        self._hand(job)
        return job.future

    async def set_online(self, vehicle_id: str, online: bool, at: datetime) -> None:
        await self._submit(_Job("status", vehicle_id, received_at=at, online=online))

    async def _submit(self, job: _Job) -> Any:
        loop = asyncio.get_running_loop()
        job.loop, job.future = loop, loop.create_future()
        self._hand(job)
        return await job.future

    def _hand(self, job: _Job) -> None:
        """Queue ``job`` for the worker (on the event loop: jobs keep their order)."""
        self._outbox.append(job)
        if len(self._outbox) == 1:
            asyncio.get_running_loop().call_soon(self._handoff)

    def _handoff(self) -> None:
        jobs, self._outbox = self._outbox, []
        if jobs:
            self._queue.put(jobs)

    # --- the worker -------------------------------------------------------------------------
    def _run(self) -> None:
        waiting: deque[_Job] = deque()  # handed over, not yet in a batch
        stopping = False
        cap = self.config.group_commit_max  # messages per transaction, not jobs
        while True:
            if not waiting:
                if stopping:
                    return
                handed = self._queue.get()
                if handed is None:
                    return
                waiting.extend(handed)
            jobs: list[_Job] = []
            messages = 0
            deadline = time.monotonic() + self.config.group_commit_wait_s
            while True:
                while waiting and messages < cap:
                    job = waiting.popleft()
                    jobs.append(job)
                    messages += _messages(job)
                if messages >= cap or stopping:
                    break
                remaining = deadline - time.monotonic()
                try:
                    handed = (
                        self._queue.get(timeout=remaining)
                        if remaining > 0
                        else self._queue.get_nowait()
                    )
                except queue.Empty:
                    break
                if handed is None:
                    stopping = True  # store what was handed over, then stop
                    break
                waiting.extend(handed)
            self._commit(jobs)

    def _commit(self, jobs: list[_Job]) -> None:
        started = time.perf_counter()
        try:
            with self.store.begin() as conn:
                batch = _Batch()
                for job in jobs:
                    job.result = self._apply(conn, job, batch)
                insert_positions(conn, batch.positions)
                for vehicle_id in batch.rules:  # once per vehicle and batch, not per report
                    text = self._rule_states[vehicle_id].to_json_text()
                    batch.states[vehicle_id].set_rules_json(text)
                save_states(conn, list(batch.states.values()))
                flushed = self._flush_positions(conn, batch)
                last = last_event_id(conn) if batch.events else 0
        except Exception as exc:  # the database failed: nobody is acknowledged
            self._states.clear()  # they may have run ahead of the store: reload
            self._rule_states.clear()
            self.metrics.inc("ingest_failed_batches")
            log.error("ingest batch of %d messages failed: %s", len(jobs), exc)
            _resolve_all(jobs, error=exc)
            return
        # Only committed positions may reach the live stream.
        if flushed:
            self._pending_positions.clear()
        else:
            self._pending_positions.update(batch.latest)
        if last:
            self.bus.published(last)
        self.metrics.inc("ingest_batches")
        self.metrics.inc("positions_stored", len(batch.positions))
        self.metrics.set("ingest_last_batch_ms", round((time.perf_counter() - started) * 1000, 2))
        _resolve_all(jobs)

    def _apply(self, conn: Any, job: _Job, batch: _Batch) -> Any:
        if job.kind == "tick":
            return None
        if job.kind == "sweep":
            self._sweep(conn, batch)
            return None
        ref = self._refs.get(job.vehicle_id)
        if ref is None:  # registered after our cache was filled
            self._refs = vehicle_refs(conn)
            ref = self._refs[job.vehicle_id]
        state = batch.states.get(ref.id)
        if state is None:
            state = batch.states[ref.id] = self._state(conn, ref.id)
        now = job.received_at or utc_now(self.clock)
        if job.kind == "status":
            if state.online != job.online:
                state.online = job.online
                kind = EventKind.VEHICLE_ONLINE if job.online else EventKind.VEHICLE_OFFLINE
                self._event(conn, batch, kind, {"vehicle_id": ref.id, "plate": ref.plate}, ref, now)
            state.last_seen_at = now
            return None
        if job.messages is not None:
            return [self._apply_reports(conn, batch, ref, state, r, now) for r in job.messages]
        return self._apply_reports(conn, batch, ref, state, job.reports, now)

    def _apply_reports(
        self,
        conn: Any,
        batch: _Batch,
        ref: VehicleRef,
        state: VehicleState,
        reports: tuple[LocationReport, ...],
        now: datetime,
    ) -> StoredLocation:
        new_alarms: list[Alarm] = []
        for report in reports:
            self._apply_report(conn, batch, ref, state, report, now, new_alarms)
        if not new_alarms:
            return StoredLocation(len(reports), (), ())
        wanted = tuple(a for a in new_alarms if a.attachment_count > 0)
        return StoredLocation(len(reports), tuple(new_alarms), wanted)

    def _apply_report(
        self,
        conn: Any,
        batch: _Batch,
        ref: VehicleRef,
        state: VehicleState,
        report: LocationReport,
        now: datetime,
        new_alarms: list[Alarm],
    ) -> None:
        position, items = to_position(ref.id, report, now)
        invalid = rules.validate(position, now)
        if invalid:
            position = replace(position, invalid_reasons=position.invalid_reasons + invalid)
            self.metrics.inc("positions_invalid")
        batch.positions.append(position_values(position, items))
        rule_state, rule_events = rules.evaluate(
            self._rule_state(state), position, self._rule_config(ref), now, validated=True
        )
        self._rule_states[ref.id] = rule_state
        batch.rules.add(ref.id)
        self._apply_rule_events(conn, batch, ref, rule_events, now, new_alarms)
        state.last_seen_at = now
        state.online = True
        latest = state.time is None or position.time >= state.time
        if latest:
            state.time, state.lat, state.lon = position.time, position.lat, position.lon
            state.speed_kmh, state.direction = position.speed_kmh, position.direction
            state.status = report.status
            # Flag alarms by edges, in time order only: a back-filled old report must not
            # raise again what the newer ones already cleared.
            self._edges(
                conn,
                batch,
                ref,
                position,
                AlarmFamily.JT808,
                state.alarm_flags,
                report.alarm_flags,
                new_alarms,
            )
            state.alarm_flags = report.alarm_flags
            video = report.item(VideoAlarm) if report.items else None
            video_bits = video.value if video is not None else 0
            self._edges(
                conn,
                batch,
                ref,
                position,
                AlarmFamily.VIDEO,
                state.video_alarms,
                video_bits,
                new_alarms,
            )
            state.video_alarms = video_bits
            batch.latest[ref.id] = (ref, position)
        for item in report.items:  # (usually none)
            if isinstance(item, _ALARM_ITEM_TYPES):
                self._active_safety(conn, batch, ref, position, item, now, new_alarms)

    # --- alarms -----------------------------------------------------------------------------
    def _edges(
        self,
        conn: Any,
        batch: _Batch,
        ref: VehicleRef,
        position: Position,
        family: AlarmFamily,
        before: int,
        after: int,
        new_alarms: list[Alarm],
    ) -> None:
        if before == after:
            return
        for bit in set_bits(after & ~before):
            kind = alarm_type(family, bit)
            key = f"bit:{ref.id}:{kind.code}:{position.time.isoformat()}"
            alarm = self._new_alarm(
                conn,
                batch,
                ref,
                kind,
                key,
                position,
                position.time,
                None,
                now=position.received_at or position.time,
                level=None,
                detail={"bit": bit},
            )
            if alarm is not None:
                new_alarms.append(alarm)
        for bit in set_bits(before & ~after):
            code = alarm_type(family, bit).code
            key = open_alarm_key(conn, ref.id, code)
            if key is not None and end_alarm(conn, key, position.time, position.received_at):
                self._alarm_changed(conn, batch, ref, key, position.received_at)

    def _active_safety(
        self,
        conn: Any,
        batch: _Batch,
        ref: VehicleRef,
        position: Position,
        item: Any,
        now: datetime,
        new_alarms: list[Alarm],
    ) -> None:
        ident = item.alarm_ident
        when = item.snapshot.time.to_datetime() or position.time
        attachments = ident.attachments
        for family, type_code, dialect in item.catalogue_keys():
            kind = alarm_type(family, type_code, dialect)
            key = f"as:{ident.raw.hex()}:{kind.code}"
            detail = item.json_fields()
            if item.flag == 2:  # end of an alarm: close the one its start opened
                if end_alarm(conn, key, when, now):
                    self._alarm_changed(conn, batch, ref, key, now)
                    continue
                ended = when  # its start never reached us: record it as a whole
            else:
                ended = when if item.flag == 0 else None  # 0: a one-off event
            alarm = self._new_alarm(
                conn,
                batch,
                ref,
                kind,
                key,
                position,
                when,
                ended,
                now=now,
                level=getattr(item, "level", None),
                detail=detail,
                attachments=attachments,
                ident_hex=ident.raw.hex(),
            )
            if alarm is not None:
                new_alarms.append(alarm)

    def _new_alarm(
        self,
        conn: Any,
        batch: _Batch,
        ref: VehicleRef,
        kind: AlarmType,
        key: str,
        where: Position | RuleEvent,
        started: datetime,
        ended: datetime | None,
        *,
        now: datetime,
        level: int | None,
        detail: dict[str, Any],
        attachments: int = 0,
        ident_hex: str | None = None,
    ) -> Alarm | None:
        alarm = Alarm(
            id=new_id("alm"),
            vehicle_id=ref.id,
            type_code=kind.code,
            severity=int(kind.severity_at(level)),
            started_at=started,
            ended_at=ended,
            level=level,
            lat=where.lat,
            lon=where.lon,
            speed_kmh=where.speed_kmh,
            evidence_status=EvidenceStatus.PENDING if attachments else EvidenceStatus.NONE,
            attachment_count=attachments,
            source=kind.source.value,
            county_id=ref.county_id,
            enterprise_id=ref.enterprise_id,
            plate=ref.plate,
            detail=detail,
        )
        inserted = insert_alarm(
            conn,
            {
                "id": alarm.id,
                "vehicle_id": ref.id,
                "county_id": ref.county_id,
                "enterprise_id": ref.enterprise_id,
                "type_code": kind.code,
                "family": kind.family.value,
                "severity": alarm.severity,
                "level": level,
                "source": alarm.source,
                "alarm_key": key,
                "started_at": started,
                "ended_at": ended,
                "lat": alarm.lat,
                "lon": alarm.lon,
                "speed_kmh": alarm.speed_kmh,
                "evidence_status": alarm.evidence_status.value,
                "attachment_count": attachments,
                "alarm_no": secrets.token_hex(16).upper() if attachments else None,
                "alarm_ident": ident_hex,
                "detail": detail,
                "created_at": now,
                "updated_at": now,
            },
        )
        if not inserted:
            return None  # the same alarm again (a re-sent frame): nothing new
        self.metrics.inc("alarms_created")
        self._event(conn, batch, EventKind.ALARM, alarm_json(alarm), ref, now)
        if self.workflow.on_alarm(conn, alarm, now) is not None:  # opened or grew a case
            batch.events += 1
        return alarm

    def _alarm_changed(
        self, conn: Any, batch: _Batch, ref: VehicleRef, key: str, now: datetime
    ) -> None:
        alarm = alarm_by_key(conn, key)
        if alarm is not None:
            self._event(conn, batch, EventKind.ALARM_UPDATED, alarm_json(alarm), ref, now)

    def _state(self, conn: Any, vehicle_id: str) -> VehicleState:
        state = self._states.get(vehicle_id)
        if state is None:
            if not self._states:  # first use: load every vehicle in one query
                self._states.update(load_states(conn, set(self._refs)))
            state = self._states.get(vehicle_id)
            if state is None:
                state = self._states[vehicle_id] = load_states(conn, {vehicle_id})[vehicle_id]
        return state

    # --- platform rules -----------------------------------------------------------------------
    def _rule_state(self, state: VehicleState) -> RuleState:
        cached = self._rule_states.get(state.vehicle_id)
        if cached is not None:
            return cached
        loaded = RuleState.from_json(state.rules_value())
        return loaded if loaded.vehicle_id else replace(loaded, vehicle_id=state.vehicle_id)

    def _rule_config(self, ref: VehicleRef) -> RuleConfig:
        limit = ref.speed_limit_kmh
        config = self._rule_configs.get(limit)
        if config is None:  # one per speed limit (they are immutable)
            config = self._rule_configs[limit] = RuleConfig(
                speed_limit_kmh=float(limit), offline_after_s=self.config.offline_after_s
            )
        return config

    def _apply_rule_events(
        self,
        conn: Any,
        batch: _Batch,
        ref: VehicleRef,
        events: list[RuleEvent],
        now: datetime,
        new_alarms: list[Alarm],
    ) -> None:
        for event in events:
            if event.kind is RuleEventKind.START:
                alarm = self._new_alarm(
                    conn,
                    batch,
                    ref,
                    by_code(event.type_code),
                    event.key,
                    event,
                    event.started_at,
                    event.ended_at,
                    now=now,
                    level=None,
                    detail=event.detail,
                )
                if alarm is not None:
                    new_alarms.append(alarm)
                continue
            if event.kind is RuleEventKind.END:
                changed = end_alarm(conn, event.key, event.ended_at or now, now)
            else:
                changed = reopen_alarm(conn, event.key, now)
            update_alarm_detail(conn, event.key, event.detail, now)
            if changed:
                self._alarm_changed(conn, batch, ref, event.key, now)

    def _sweep(self, conn: Any, batch: _Batch) -> None:
        """Vehicles that stopped reporting for longer than the offline interval."""
        now = utc_now(self.clock)
        for vehicle_id, last_seen in offline_candidates(conn, now, self.config.offline_after_s):
            ref = self._refs.get(vehicle_id)
            cached = self._rule_states.get(vehicle_id)
            if ref is None or (cached is not None and cached.offline_since is not None):
                continue  # known, and already offline
            state = batch.states.get(vehicle_id)
            if state is None:
                state = batch.states[vehicle_id] = self._state(conn, vehicle_id)
            rule_state, events = rules.check_offline(
                self._rule_state(state), now, self._rule_config(ref), last_message_at=last_seen
            )
            if not events:
                continue
            self._rule_states[vehicle_id] = rule_state
            batch.rules.add(vehicle_id)
            self._apply_rule_events(conn, batch, ref, events, now, [])

    # --- events -----------------------------------------------------------------------------
    def _event(
        self,
        conn: Any,
        batch: _Batch,
        kind: EventKind,
        payload: dict[str, Any],
        ref: VehicleRef,
        now: datetime,
    ) -> None:
        append_event(
            conn,
            kind,
            payload,
            time=now,
            vehicle_id=ref.id,
            county_id=ref.county_id,
            enterprise_id=ref.enterprise_id,
        )
        batch.events += 1

    def _flush_positions(self, conn: Any, batch: _Batch) -> bool:
        """Write the coalesced positions event (latest per vehicle) when it is due."""
        now = self.clock()
        pending = {**self._pending_positions, **batch.latest}
        if not pending or now - self._last_flush < self.config.position_coalesce_s:
            return False
        self._last_flush = now
        payload = {"positions": [position_event_entry(r, p) for r, p in pending.values()]}
        append_event(conn, EventKind.POSITIONS, payload, time=utc_now(self.clock))
        batch.events += 1
        return True


def _messages(job: _Job) -> int:
    return len(job.messages) if job.messages is not None else 1


def _resolve_all(jobs: list[_Job], *, error: BaseException | None = None) -> None:
    """Settle the jobs' futures: one wake-up per event loop for the whole batch (a
    call_soon_threadsafe per message costs more than storing the message)."""
    by_loop: dict[asyncio.AbstractEventLoop, list[_Job]] = {}
    for job in jobs:
        if job.future is not None and job.loop is not None:
            by_loop.setdefault(job.loop, []).append(job)

    def settle(batch: list[_Job]) -> None:
        for job in batch:
            if job.future is None or job.future.done():
                continue
            if error is not None:
                job.future.set_exception(error)
            else:
                job.future.set_result(job.result)

    for loop, batch in by_loop.items():
        with contextlib.suppress(RuntimeError):  # that loop is closed (shutdown)
            loop.call_soon_threadsafe(settle, batch)


def to_position(
    vehicle_id: str, report: LocationReport, received_at: datetime
) -> tuple[Position, dict[str, Any]]:
    """A 0x0200 as a stored position, and its additional items (vectors' JSON names)."""
    reasons: tuple[str, ...] = ()
    when = report.time.to_datetime()
    if when is None:
        reasons = (f"unreadable time {report.time.digits}",)
        when = received_at
    mileage = fuel = satellites = signal = None
    if report.items:  # the first item of each type, as report.item() finds it
        for item in report.items:
            kind = type(item)
            if kind is Mileage:
                mileage = item if mileage is None else mileage
            elif kind is Fuel:
                fuel = item if fuel is None else fuel
            elif kind is Satellites:
                satellites = item if satellites is None else satellites
            elif kind is SignalStrength:
                signal = item if signal is None else signal
        items = report.items_json()
    else:
        items = report.items_json() if report.issues else {}
    position = _make_position(
        vehicle_id,
        when,
        report.latitude,
        report.longitude,
        report.speed_kmh,
        report.direction,
        report.altitude,
        report.alarm_flags,
        report.status,
        mileage.value / 10 if mileage is not None else None,
        fuel.value / 10 if fuel is not None else None,
        satellites.value if satellites is not None else None,
        signal.value if signal is not None else None,
        received_at,
        reasons,
    )
    return position, items


# Every field, positionally (a frozen dataclass's __init__ costs more than the rest).
_make_position = fast_constructor(Position)


def position_event_entry(ref: VehicleRef, position: Position) -> dict[str, Any]:
    return {
        "vehicle_id": ref.id,
        "plate": ref.plate,
        "county_id": ref.county_id,
        "enterprise_id": ref.enterprise_id,
        "time": position.time.isoformat(),
        "lat": position.lat,
        "lon": position.lon,
        "speed_kmh": position.speed_kmh,
        "direction": position.direction,
        "moving": position.speed_kmh >= MOVING_KMH,
        "alarm_flags": position.alarm_flags,
    }
