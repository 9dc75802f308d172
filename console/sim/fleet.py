"""The fleet: N virtual terminals on one asyncio loop (the thin I/O shell around
:class:`~console.sim.terminal.VirtualTerminal`, :class:`~console.sim.driver.Driver` and
:class:`~console.sim.alarms.SafetyMonitor`).

Scale: one :class:`asyncio.Protocol` per TCP link and no task per terminal -- a single
scheduler task keeps a heap of wake-up times (resends, heartbeats, position reports,
reconnects), so 20,000 idle terminals cost a transport and two small objects each. Tasks exist
only for the rare things: an evidence upload, a video stream, photo uploads.

Time: protocol timers (acks, heartbeats, reconnects) run on the real clock; the trucks run on
the simulated clock (:class:`SimClock`), ``speedup`` times faster, so a 30-second report
interval becomes ``30 / speedup`` real seconds. The simulated clock starts far enough in the
past that it reaches "now" at the end of the run, so reports never carry future times.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
import random
import resource
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from console.protocol.binary import CHINA_TZ
from console.protocol.jt808.video import LiveStreamType, LiveVideoRequest, PlaybackRequest
from console.sim.alarms import AlarmEvent, SafetyMonitor, alarm_item, location_report
from console.sim.driver import Activity, Connectivity, Driver, DriverProfile
from console.sim.terminal import (
    Action,
    Close,
    Speak,
    StartStream,
    StopStream,
    TakePhotos,
    Transmit,
    UploadEvidence,
    VirtualTerminal,
)
from console.sim.upload import AttachmentUpload, EvidenceFile, make_evidence_files, run_upload
from console.sim.world import VehicleSpec

log = logging.getLogger("truckwatch.sim")

TICK_S = 0.02  # longest the scheduler sleeps before looking again


class Fault(StrEnum):
    """Misbehaviour on demand (:meth:`Fleet.inject`)."""

    DROP = "drop"  # close the TCP link now (it reconnects)
    CORRUPT = "corrupt"  # the next frame goes out with a wrong check code
    STOP_ACKING = "stop_acking"  # stop answering the platform's commands
    RESUME_ACKING = "resume_acking"
    DELAY = "delay"  # hold outgoing bytes ``seconds`` before writing
    LOSE_UPLOAD_DATA = "lose_upload_data"  # the next evidence upload leaves a chunk out


@dataclass(slots=True)
class SimClock:
    """Simulated UNIX time = ``sim_start + (loop time - wall_start) × speedup``."""

    speedup: float
    sim_start: float
    wall_start: float

    def sim(self, wall: float) -> float:
        return self.sim_start + (wall - self.wall_start) * self.speedup

    def wall(self, sim: float) -> float:
        return self.wall_start + (sim - self.sim_start) / self.speedup

    def real_seconds(self, sim_seconds: float) -> float:
        return sim_seconds / self.speedup


@dataclass(slots=True)
class FleetOptions:
    host: str = "127.0.0.1"
    port: int = 0
    speedup: float = 1.0
    seed: int = 0
    idle: bool = False  # connect, register, authenticate, heartbeat: nothing else
    rate: float | None = None  # positions per second over the whole fleet (real time)
    report_s: float = 30.0  # simulated seconds between reports while driving
    parked_report_s: float = 300.0  # ... while parked
    heartbeat_s: float = 30.0  # real seconds without traffic before a heartbeat
    ack_timeout_s: float = 10.0
    retries: int = 3
    reconnect_s: float = 3.0
    alarm_scale: float = 1.0  # multiplies the active-safety alarm rates
    clip_seconds: float = 6.0
    evidence_size: tuple[int, int] = (640, 360)
    evidence_workers: int = 2
    connect_concurrency: int = 256
    ramp_s: float | None = None  # spread the first connections over this long
    sim_start: float | None = None  # simulated UNIX time at the start (default: see horizon)
    horizon_s: float = 3600.0  # real seconds after which the simulated clock reaches now
    warm_up: bool = True  # trucks start spread along their routes
    source_hosts: tuple[str, ...] = ()  # local addresses to spread connections over
    fault_every_s: float | None = None  # inject a random fault into a random truck this often
    offline_episodes: bool = True  # power-off and no-signal habits (off: links stay up)


@dataclass(slots=True)
class FleetStats:
    started: float = field(default_factory=time.monotonic)
    cpu_start: float = 0.0
    messages: Counter[int] = field(default_factory=Counter)  # by message id
    frames_out: int = 0
    bytes_out: int = 0
    bytes_in: int = 0
    connects: int = 0
    connect_failures: int = 0
    disconnects: int = 0
    positions: int = 0
    alarms: Counter[str] = field(default_factory=Counter)  # by family
    evidence_ok: int = 0
    evidence_failed: int = 0
    evidence_retransmissions: int = 0
    photos: int = 0
    streams: int = 0
    stream_packets: int = 0
    tts: int = 0
    faults: Counter[str] = field(default_factory=Counter)

    @property
    def sent(self) -> int:
        return sum(self.messages.values())


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Unit:
    """One truck: its terminal, driver, peripherals, and TCP link."""

    __slots__ = (
        "driver",
        "fail_count",
        "index",
        "lose_upload",
        "next_report",
        "reconnect_at",
        "refused_until",
        "safety",
        "sim_last",
        "spec",
        "streams",
        "terminal",
        "transport",
        "wake_at",
    )

    def __init__(self, index: int, spec: VehicleSpec, terminal: VirtualTerminal) -> None:
        self.index = index
        self.spec = spec
        self.terminal = terminal
        self.driver: Driver | None = None
        self.safety: SafetyMonitor | None = None
        self.transport: asyncio.Transport | None = None
        self.next_report = float("inf")
        self.sim_last = 0.0
        self.reconnect_at = 0.0
        self.refused_until = 0.0
        self.wake_at = float("inf")
        self.fail_count = 0
        self.lose_upload = False
        self.streams: dict[int, _Stream] | None = None

    @property
    def connected(self) -> bool:
        return self.transport is not None

    @property
    def connecting(self) -> bool:
        return self.reconnect_at == -1.0


class _Link(asyncio.Protocol):
    __slots__ = ("fleet", "transport", "unit")

    def __init__(self, fleet: Fleet, unit: Unit) -> None:
        self.fleet = fleet
        self.unit = unit
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.fleet._on_data(self.unit, data)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.unit.transport is self.transport:
            self.fleet._on_lost(self.unit)


class _Stream:
    """A running JT/T 1078 stream (live or playback) of one channel."""

    __slots__ = ("paused", "request", "stopped", "task")

    def __init__(self, request: LiveVideoRequest | PlaybackRequest) -> None:
        self.request = request
        self.task: asyncio.Task[None] | None = None
        self.paused = False
        self.stopped = False


class Fleet:
    def __init__(self, specs: list[VehicleSpec], options: FleetOptions) -> None:
        self.options = options
        self.stats = FleetStats()
        self.units: list[Unit] = []
        self.by_phone: dict[str, Unit] = {}
        self.by_plate: dict[str, Unit] = {}
        self._heap: list[tuple[float, int, Unit]] = []
        self._seq = 0
        self._stopping = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._connect_gate: asyncio.Semaphore | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._pool: ThreadPoolExecutor | None = None
        self._evidence_cache: dict[bytes, list[EvidenceFile]] = {}
        self.clock = SimClock(options.speedup, 0.0, 0.0)
        for i, spec in enumerate(specs):
            terminal = VirtualTerminal(
                spec,
                ack_timeout_s=options.ack_timeout_s,
                retries=options.retries,
                heartbeat_s=options.heartbeat_s,
            )
            unit = Unit(i, spec, terminal)
            self.units.append(unit)
            self.by_phone[spec.phone_digits] = unit
            self.by_plate[spec.plate] = unit

    # --- life cycle -------------------------------------------------------------------------
    async def start(self) -> None:
        loop = self._loop = asyncio.get_running_loop()
        opts = self.options
        self.stats = FleetStats(cpu_start=_cpu())
        now = loop.time()
        sim_start = opts.sim_start
        if sim_start is None:
            sim_start = time.time() - opts.horizon_s * max(0.0, opts.speedup - 1)
        self.clock = SimClock(opts.speedup, sim_start, now)
        self._connect_gate = asyncio.Semaphore(opts.connect_concurrency)
        self._pool = ThreadPoolExecutor(
            max_workers=max(1, opts.evidence_workers), thread_name_prefix="sim-evidence"
        )
        ramp = opts.ramp_s if opts.ramp_s is not None else min(30.0, len(self.units) / 1000)
        n = max(1, len(self.units))
        for unit in self.units:
            if not opts.idle:
                self._prepare(unit, sim_start)
            first = now + ramp * unit.index / n
            unit.reconnect_at = first
            if not opts.idle:
                if opts.rate:
                    interval = n / opts.rate
                    unit.next_report = first + 0.5 + interval * unit.index / n
                else:
                    unit.next_report = first + 0.2
            self._schedule(unit, first)
        self._tasks.add(loop.create_task(self._scheduler(), name="sim-scheduler"))
        if opts.fault_every_s:
            self._tasks.add(loop.create_task(self._chaos(opts.fault_every_s), name="sim-faults"))

    def _prepare(self, unit: Unit, sim_start: float) -> None:
        """Driver and peripherals of a driving truck; drivers who skip rests start hours into
        their shift, the earlier part held by the terminal for a blind-area upload."""
        opts = self.options
        spec = unit.spec
        rng = random.Random(f"{opts.seed}:{spec.plate}:{spec.phone}")
        profile = DriverProfile.draw(rng)
        if opts.rate or not opts.offline_episodes:  # e.g. a load generator: links stay up
            profile = replace(profile, goes_offline=False, blind_spots=False)
        terminal_id = spec.terminal_id[-(7 if spec.dialect.value == "subiao" else 30) :]
        unit.safety = SafetyMonitor(
            random.Random(f"{opts.seed}:alarms:{spec.phone}"),
            spec.dialect,
            terminal_id,
            scale=opts.alarm_scale,
        )
        warm = opts.warm_up and len(self.units) <= 5000 and not opts.rate
        if profile.no_rest and warm:
            # Mid-shift: 3.6-3.9 h at the wheel already, so the platform's > 4 h rule fires
            # soon. The shift is simulated ahead, then moved into the past.
            driver = Driver(rng, profile, start_time=sim_start, driving=True)
            target = rng.uniform(3.6, 3.9) * 3600
            samples = []
            while driver.continuous_s < target and driver.t < sim_start + 8 * 3600:
                driver.advance(driver.t + opts.report_s)
                samples.append(driver.sample())
            offset = sim_start - driver.t
            driver.shift(offset)
            backlog = [location_report(replace(s, time=s.time + offset)) for s in samples]
            unit.terminal.buffer(tuple(backlog))
        elif warm:
            driver = Driver(rng, profile, start_time=sim_start - rng.uniform(0, 5400))
            driver.advance(sim_start)
        else:
            driver = Driver(rng, profile, start_time=sim_start, driving=rng.random() < 0.7)
        unit.driver = driver
        unit.sim_last = sim_start

    async def run(self, duration: float | None = None) -> FleetStats:
        """Start (if needed), run for ``duration`` real seconds (None: until cancelled), stop."""
        if self._loop is None:
            await self.start()
        try:
            if duration is None:
                await asyncio.Event().wait()
            else:
                await asyncio.sleep(duration)
        finally:
            await self.stop()
        return self.stats

    async def stop(self) -> None:
        self._stopping = True
        for unit in self.units:
            if unit.streams:
                for stream in unit.streams.values():
                    stream.stopped = True
            if unit.transport is not None:
                unit.transport.close()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(BaseException):
                await task
        self._tasks.clear()
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        await asyncio.sleep(0)

    # --- scheduling ---------------------------------------------------------------------------
    def _schedule(self, unit: Unit, when: float) -> None:
        if when < unit.wake_at - 1e-6:
            unit.wake_at = when
            self._seq += 1
            heapq.heappush(self._heap, (when, self._seq, unit))

    def _reschedule(self, unit: Unit) -> None:
        candidates = [unit.next_report]
        deadline = unit.terminal.next_deadline()
        if deadline is not None:
            candidates.append(deadline)
        if (
            unit.transport is None
            and unit.reconnect_at >= 0
            and (unit.driver is None or unit.driver.connectivity is Connectivity.ONLINE)
        ):
            candidates.append(unit.reconnect_at)
        # never "now" again: a unit must not spin the scheduler within one pass
        self._schedule(unit, max(min(candidates), self._loop_time() + 0.001))

    async def _scheduler(self) -> None:
        assert self._loop is not None
        loop = self._loop
        heap = self._heap
        while not self._stopping:
            now = loop.time()
            while heap and heap[0][0] <= now:
                when, _, unit = heapq.heappop(heap)
                if when != unit.wake_at:
                    continue  # superseded by an earlier wake-up
                unit.wake_at = float("inf")
                try:
                    self._tick(unit, now)
                except Exception:
                    log.exception("terminal %s", unit.spec.plate)
                self._reschedule(unit)
            delay = heap[0][0] - loop.time() if heap else TICK_S
            await asyncio.sleep(min(max(delay, 0.0), TICK_S))

    def _tick(self, unit: Unit, now: float) -> None:
        terminal = unit.terminal
        self._apply(unit, terminal.poll(now))
        if unit.driver is not None and now >= unit.next_report:
            self._drive(unit, now)
        if (
            unit.transport is None
            and 0 <= unit.reconnect_at <= now
            and (unit.driver is None or unit.driver.connectivity is Connectivity.ONLINE)
        ):
            unit.reconnect_at = -1.0  # connecting
            self._spawn(self._connect(unit), f"connect-{unit.index}")

    # --- connections --------------------------------------------------------------------------
    async def _connect(self, unit: Unit) -> None:
        assert self._loop is not None and self._connect_gate is not None
        loop = self._loop
        opts = self.options
        async with self._connect_gate:
            if self._stopping:
                return
            local = None
            if opts.source_hosts:
                local = (opts.source_hosts[unit.index % len(opts.source_hosts)], 0)
            try:
                transport, _ = await asyncio.wait_for(
                    loop.create_connection(
                        lambda: _Link(self, unit), opts.host, opts.port, local_addr=local
                    ),
                    timeout=15,
                )
            except (OSError, TimeoutError) as exc:
                self.stats.connect_failures += 1
                unit.fail_count += 1
                backoff = min(30.0, opts.reconnect_s * 2 ** min(unit.fail_count, 4))
                unit.reconnect_at = loop.time() + backoff * random.uniform(0.5, 1.0)
                if unit.fail_count <= 2:
                    log.info("%s: cannot connect: %s", unit.spec.plate, exc)
                self._reschedule(unit)
                return
        assert isinstance(transport, asyncio.Transport)
        if self._stopping:
            transport.close()
            return
        unit.transport = transport
        unit.fail_count = 0
        unit.reconnect_at = 0.0
        self.stats.connects += 1
        self._apply(unit, unit.terminal.connected(loop.time()))
        self._reschedule(unit)

    def _on_data(self, unit: Unit, data: bytes) -> None:
        assert self._loop is not None
        self.stats.bytes_in += len(data)
        self._apply(unit, unit.terminal.receive_data(data, self._loop.time()))
        self._reschedule(unit)

    def _on_lost(self, unit: Unit) -> None:
        assert self._loop is not None
        now = self._loop.time()
        unit.transport = None
        unit.terminal.connection_lost(now)
        self.stats.disconnects += 1
        if self._stopping:
            return
        unit.reconnect_at = max(
            unit.refused_until, now + self.options.reconnect_s * random.uniform(0.5, 1.5)
        )
        self._reschedule(unit)

    def _close(self, unit: Unit) -> None:
        transport = unit.transport
        if transport is not None:
            transport.close()
            # connection_lost follows on the next loop iteration

    # --- actions ------------------------------------------------------------------------------
    def _apply(self, unit: Unit, actions: list[Action]) -> None:
        for action in actions:
            if isinstance(action, Transmit):
                self._write(unit, action.data)
            elif isinstance(action, Close):
                log.info("%s: closing link: %s", unit.spec.plate, action.reason)
                if action.retry_after_s is not None:
                    unit.fail_count += 1
                    unit.refused_until = self._loop_time() + action.retry_after_s
                self._close(unit)
            elif isinstance(action, UploadEvidence):
                self._spawn(self._upload(unit, action), f"evidence-{unit.index}")
            elif isinstance(action, StartStream):
                self._start_stream(unit, action.request)
            elif isinstance(action, StopStream):
                self._stop_stream(unit, action)
            elif isinstance(action, TakePhotos):
                self._spawn(self._photos(unit, action), f"photos-{unit.index}")
            elif isinstance(action, Speak):
                self.stats.tts += 1

    def _write(self, unit: Unit, data: bytes) -> None:
        transport = unit.transport
        if transport is None or transport.is_closing():
            return
        self.stats.frames_out += 1
        self.stats.bytes_out += len(data)
        if len(data) > 5:
            self.stats.messages[int.from_bytes(data[1:3], "big")] += 1
        delay = unit.terminal.faults.delay_s
        if delay > 0:
            assert self._loop is not None
            self._loop.call_later(delay, _late_write, transport, data)
        else:
            transport.write(data)

    def _loop_time(self) -> float:
        assert self._loop is not None
        return self._loop.time()

    def _spawn(self, coro: Any, name: str) -> None:
        assert self._loop is not None
        task = self._loop.create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- driving ------------------------------------------------------------------------------
    def _drive(self, unit: Unit, now: float) -> None:
        driver, safety, terminal = unit.driver, unit.safety, unit.terminal
        assert driver is not None and safety is not None
        opts = self.options
        sim_now = self.clock.sim(now)
        t0 = unit.sim_last
        unit.sim_last = sim_now
        events: list[AlarmEvent] = []
        if not opts.rate and sim_now > t0:
            events = safety.step(t0, sim_now, driver.sample())
        for event in events:
            driver.advance(event.time)
            self._raise(unit, event, now)
        driver.advance(sim_now)
        sample = driver.sample()
        connectivity = driver.connectivity
        if connectivity is not Connectivity.ONLINE and unit.transport is not None:
            log.info("%s: %s (truck keeps driving)", unit.spec.plate, connectivity.value)
            self._close(unit)
        if connectivity is not Connectivity.POWER_OFF:
            blocked = 1 if safety.video_blocked() else 0
            report = location_report(sample, video_blocked_channels=blocked)
            self.stats.positions += 1
            self._apply(unit, terminal.report(report, now))
        # next report
        if opts.rate:
            unit.next_report = now + len(self.units) / opts.rate
        else:
            interval = (
                opts.report_s if sample.activity is Activity.DRIVING else opts.parked_report_s
            )
            unit.next_report = now + self.clock.real_seconds(interval)
            if safety.active:  # an alarm will end before the next report: wake for it
                ends = [a.end for a in safety.active.values() if a.end is not None]
                if ends:
                    unit.next_report = min(unit.next_report, self.clock.wall(min(ends)) + 1e-3)

    def _raise(self, unit: Unit, event: AlarmEvent, now: float) -> None:
        driver, terminal = unit.driver, unit.terminal
        assert driver is not None
        sample = driver.sample()
        item = alarm_item(event, sample)
        if event.flag != 2:
            self.stats.alarms[event.alarm.kind.family] += 1
            terminal.remember_alarm(event.alarm)
            log.debug("%s raises %s", unit.spec.plate, event.alarm.describe(unit.spec.dialect)[1])
        if driver.connectivity is Connectivity.POWER_OFF:
            return
        blocked = 1 if unit.safety is not None and unit.safety.video_blocked() else 0
        report = location_report(
            sample, items=(item,) if item is not None else (), video_blocked_channels=blocked
        )
        self.stats.positions += 1
        self._apply(unit, terminal.report(report, now))

    def raise_alarm(self, key: str, family: str, type_code: int, level: int = 2) -> bool:
        """Raise an alarm on one truck now (plate or phone), e.g. for a demo or a test."""
        unit = self.by_plate.get(key) or self.by_phone.get(key)
        if unit is None or unit.safety is None or unit.driver is None or self._loop is None:
            return False
        kind = next(
            (k for k in unit.safety.kinds if k.family == family and k.type_code == type_code), None
        )
        if kind is None:
            return False
        now = self._loop.time()
        unit.driver.advance(max(unit.driver.t, self.clock.sim(now)))
        event = unit.safety.raise_alarm(kind, unit.driver.t, level=level)
        self._raise(unit, event, now)
        self._reschedule(unit)
        return True

    # --- faults -------------------------------------------------------------------------------
    def inject(self, key: str, fault: Fault, seconds: float = 5.0) -> bool:
        """Make one terminal (plate or phone) misbehave; False if there is no such truck."""
        unit = self.by_plate.get(key) or self.by_phone.get(key)
        if unit is None:
            return False
        faults = unit.terminal.faults
        self.stats.faults[fault.value] += 1
        log.info("%s: fault %s", unit.spec.plate, fault.value)
        if fault is Fault.DROP:
            if unit.transport is not None:
                unit.transport.abort()
        elif fault is Fault.CORRUPT:
            faults.corrupt_frames += 1
        elif fault is Fault.STOP_ACKING:
            faults.stop_acking = True
        elif fault is Fault.RESUME_ACKING:
            faults.stop_acking = False
        elif fault is Fault.DELAY:
            faults.delay_s = seconds
        elif fault is Fault.LOSE_UPLOAD_DATA:
            unit.lose_upload = True
        return True

    async def _chaos(self, every_s: float) -> None:
        """A random fault into a random connected truck every ``every_s`` seconds; the lasting
        ones (stop acking, delay) are lifted again after a while."""
        assert self._loop is not None
        rng = random.Random(f"{self.options.seed}:faults")
        kinds = (Fault.DROP, Fault.CORRUPT, Fault.STOP_ACKING, Fault.DELAY, Fault.LOSE_UPLOAD_DATA)
        while not self._stopping and self.options.fault_every_s:
            await asyncio.sleep(every_s)
            connected = [u for u in self.units if u.transport is not None]
            if not connected:
                continue
            unit = rng.choice(connected)
            fault = rng.choice(kinds)
            self.inject(unit.spec.plate, fault, seconds=rng.uniform(1, 5))
            faults = unit.terminal.faults
            if fault is Fault.STOP_ACKING:
                self._loop.call_later(rng.uniform(5, 20), setattr, faults, "stop_acking", False)
            elif fault is Fault.DELAY:
                self._loop.call_later(rng.uniform(5, 20), setattr, faults, "delay_s", 0.0)

    # --- evidence -----------------------------------------------------------------------------
    async def _upload(self, unit: Unit, action: UploadEvidence) -> None:
        assert self._loop is not None
        loop = self._loop
        request, spec = action.request, unit.spec
        key = request.alarm_ident.raw
        files = self._evidence_cache.get(key)
        if files is None:
            files = await loop.run_in_executor(
                self._pool,
                lambda: make_evidence_files(
                    plate=spec.plate,
                    dialect=spec.dialect,
                    request=request,
                    alarm=action.alarm,
                    note=unit.terminal.tts_text,
                    clip_seconds=self.options.clip_seconds,
                    width=self.options.evidence_size[0],
                    height=self.options.evidence_size[1],
                ),
            )
            self._evidence_cache[key] = files
            while len(self._evidence_cache) > 32:
                del self._evidence_cache[next(iter(self._evidence_cache))]
        skip = None
        if unit.lose_upload:
            unit.lose_upload = False
            skip = {len(files) - 1: (0,)}
        host = request.ip if request.ip not in ("", "0.0.0.0") else self.options.host
        upload = AttachmentUpload(
            phone=spec.phone_digits,
            edition=spec.edition,
            terminal_id=spec.terminal_id,
            request=request,
            files=files,
            skip=skip,
            ack_timeout_s=self.options.ack_timeout_s,
            retries=self.options.retries,
        )
        try:
            await run_upload(upload, host, request.tcp_port)
        except (OSError, TimeoutError) as exc:
            log.warning("%s: attachment server %s:%d: %s", spec.plate, host, request.tcp_port, exc)
        self.stats.evidence_retransmissions += upload.rounds
        if upload.done:
            self.stats.evidence_ok += 1
            log.debug("%s: evidence %s uploaded", spec.plate, request.alarm_no)
        else:
            self.stats.evidence_failed += 1
            log.warning("%s: evidence upload failed: %s", spec.plate, upload.error)

    async def _photos(self, unit: Unit, action: TakePhotos) -> None:
        assert self._loop is not None
        from console.media.evidence import make_photo

        spec, driver = unit.spec, unit.driver
        when = datetime.fromtimestamp(self.clock.sim(self._loop.time()), CHINA_TZ)
        note = unit.terminal.tts_text
        channel = action.request.channel
        photos = []
        for i, media_id in enumerate(action.media_ids):
            data = await self._loop.run_in_executor(
                self._pool,
                lambda i=i: make_photo(
                    spec.plate,
                    when,
                    "platform photo request / 平台拍照",
                    note=f"TTS: {note}" if note else "",
                    index=i,
                    label=f"CH{channel}",
                ),
            )
            photos.append((media_id, channel, data))
        location = location_report(driver.sample()) if driver is not None else None
        self.stats.photos += len(photos)
        self._apply(unit, unit.terminal.upload_photos(photos, location, self._loop.time()))

    # --- video --------------------------------------------------------------------------------
    def _start_stream(self, unit: Unit, request: LiveVideoRequest | PlaybackRequest) -> None:
        if unit.streams is None:
            unit.streams = {}
        old = unit.streams.get(request.channel)
        if old is not None:
            old.stopped = True
        stream = _Stream(request)
        unit.streams[request.channel] = stream
        assert self._loop is not None
        stream.task = self._loop.create_task(self._stream(unit, stream))
        self._tasks.add(stream.task)
        stream.task.add_done_callback(self._tasks.discard)

    def _stop_stream(self, unit: Unit, action: StopStream) -> None:
        if not unit.streams:
            return
        channels = list(unit.streams) if action.channel == 0 else [action.channel]
        for channel in channels:
            stream = unit.streams.get(channel)
            if stream is None:
                continue
            if action.pause:
                stream.paused = True
            elif action.resume:
                stream.paused = False
            else:
                stream.stopped = True
                unit.streams.pop(channel, None)

    async def _stream(self, unit: Unit, stream: _Stream) -> None:
        from console.media.evidence import cjk_font_path, plate_ascii, render_frame
        from console.sim.video import (
            AUDIO_FRAME,
            FPS,
            MAIN_SIZE,
            SUB_SIZE,
            LiveEncoder,
            MediaPacketizer,
            alaw_encode,
            tone,
        )

        assert self._loop is not None
        loop = self._loop
        request, spec = stream.request, unit.spec
        live = isinstance(request, LiveVideoRequest)
        host = request.ip if request.ip not in ("", "0.0.0.0") else self.options.host
        port = request.tcp_port
        sub = live and request.stream_type == LiveStreamType.SUB
        width, height = SUB_SIZE if sub else MAIN_SIZE
        audio = live and request.data_type == 0
        try:
            _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout=15)
        except (OSError, TimeoutError) as exc:
            log.warning("%s: media server %s:%d: %s", spec.plate, host, port, exc)
            return
        self.stats.streams += 1
        log.info("%s: streaming channel %d to %s:%d", spec.plate, request.channel, host, port)
        encoder = LiveEncoder(width, height, FPS)
        packetizer = MediaPacketizer(spec.sim_digits, request.channel)
        start = loop.time()
        base_ms = int(time.time() * 1000)
        playback_start = None
        if not live:
            moment = request.start.to_datetime()
            playback_start = moment.timestamp() if moment else None
        index = 0
        plate = spec.plate
        try:
            while not stream.stopped and not self._stopping:
                due = start + index / FPS
                delay = due - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                if stream.paused:
                    index += 1
                    continue
                t = index / FPS
                if playback_start is not None:
                    moment_s = playback_start + t
                    label = "PLAYBACK"
                else:
                    moment_s = self.clock.sim(loop.time())
                    label = "LIVE"
                stamp = datetime.fromtimestamp(moment_s, CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S")
                shown = plate if cjk_font_path() else plate_ascii(plate)
                lines = (f"{shown}  CH{request.channel} {label}", stamp)
                tts = unit.terminal.tts_text
                footer = (f"TTS: {tts}",) if tts else ()
                rgb = render_frame(width, height, t, lines, footer, alert=False)
                units = await loop.run_in_executor(self._pool, encoder.encode, rgb)
                ts = base_ms + index * 1000 // FPS
                chunks = [packetizer.video(data, key, ts) for data, key in units]
                if audio:
                    pcm = tone(index, AUDIO_FRAME)
                    chunks.append(packetizer.audio(alaw_encode(pcm), ts))
                writer.write(b"".join(chunks))
                await writer.drain()
                index += 1
        except (OSError, ConnectionError) as exc:
            log.info("%s: stream of channel %d ended: %s", spec.plate, request.channel, exc)
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()
            encoder.close()
            self.stats.stream_packets += packetizer.packets
            if unit.streams and unit.streams.get(request.channel) is stream:
                del unit.streams[request.channel]

    # --- reporting ----------------------------------------------------------------------------
    def online(self) -> int:
        return sum(1 for u in self.units if u.terminal.online)

    def summary(self) -> dict[str, Any]:
        s = self.stats
        wall = max(1e-9, time.monotonic() - s.started)
        cpu = _cpu() - s.cpu_start
        sent = s.sent
        rate = sent / wall
        return {
            "vehicles": len(self.units),
            "online": self.online(),
            "seconds": round(wall, 1),
            "messages_sent": sent,
            "messages_per_s": round(rate, 1),
            "positions": s.positions,
            "alarms": dict(s.alarms),
            "evidence_ok": s.evidence_ok,
            "evidence_failed": s.evidence_failed,
            "evidence_retransmissions": s.evidence_retransmissions,
            "photos": s.photos,
            "streams": s.streams,
            "tts": s.tts,
            "connects": s.connects,
            "connect_failures": s.connect_failures,
            "disconnects": s.disconnects,
            "resent": sum(u.terminal.counters.resent for u in self.units),
            "cpu_s": round(cpu, 2),
            "cpu_cores_per_1k_msgs_per_s": round(cpu / sent * 1000, 4) if sent else None,
        }


def _late_write(transport: asyncio.Transport, data: bytes) -> None:
    if not transport.is_closing():
        transport.write(data)
