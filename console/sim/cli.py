"""``truckwatch-sim``: run a simulated fleet against a TruckWatch platform.

    truckwatch-sim --jt808 HOST:PORT --api URL [--username U --password P] [--world FILE]
                   --vehicles N --speedup K [--seed S] [--duration SECONDS] [--idle]
                   [--rate R] [--report-interval S] [--progress S]

Vehicles come from the platform's API (log in, ``GET /api/v1/vehicles``) or from a world file
(``--world FILE``, a JSON list of the same records), so the simulated terminals are the trucks
the platform knows. ``--speedup K`` compresses simulated time (a report every 30/K s while
driving, alarms K times as often); ``--seed`` makes the run repeatable. At the end the
simulator prints a JSON summary, including its own CPU cost per 1,000 messages per second
(so benchmarks can subtract it).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import resource
import signal
import sys
import time
from datetime import datetime
from typing import Any

from console.protocol.binary import CHINA_TZ
from console.sim.fleet import Fleet, FleetOptions
from console.sim.world import (
    VehicleSpec,
    WorldError,
    fetch_world,
    load_world_file,
    synthetic_world,
    world_json,
)

log = logging.getLogger("truckwatch.sim")


def _host_port(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {text!r}")
    return host.strip("[]") or "127.0.0.1", int(port)


def _start_time(text: str) -> float:
    try:
        moment = datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=CHINA_TZ)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected 'YYYY-MM-DD hh:mm:ss', got {text!r}") from None
    return moment.timestamp()


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="truckwatch-sim",
        description="Simulated heavy trucks speaking JT/T 808 / JT/T 1078 to a TruckWatch "
        "platform.",
    )
    p.add_argument("--jt808", type=_host_port, required=True, help="platform JT/T 808 HOST:PORT")
    p.add_argument("--api", help="platform HTTP API URL (to read the vehicles)")
    p.add_argument("--username", default=os.environ.get("TRUCKWATCH_SIM_USERNAME", "admin"))
    p.add_argument(
        "--password",
        default=os.environ.get("TRUCKWATCH_SIM_PASSWORD"),
        help="API password (default: $TRUCKWATCH_SIM_PASSWORD)",
    )
    p.add_argument("--world", help="JSON world file instead of the API")
    p.add_argument(
        "--synthetic",
        action="store_true",
        help="make up --vehicles trucks instead of reading a world (load tests)",
    )
    p.add_argument("--write-world", help="write the vehicles used to this JSON file and go on")
    p.add_argument("--vehicles", type=int, default=None, help="how many trucks (default: all)")
    p.add_argument("--speedup", type=float, default=1.0, help="simulated seconds per real second")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--duration", type=float, default=None, help="real seconds to run")
    p.add_argument(
        "--start",
        type=_start_time,
        default=None,
        help="simulated start time 'YYYY-MM-DD hh:mm:ss' (Beijing time; default: so that the "
        "simulated clock reaches now at the end of --duration)",
    )
    p.add_argument(
        "--idle", action="store_true", help="connect, register, authenticate and heartbeat only"
    )
    p.add_argument("--rate", type=float, default=None, help="target positions/s for the fleet")
    p.add_argument(
        "--report-interval",
        type=float,
        default=30.0,
        help="simulated seconds between 0x0200 reports while driving (default 30; parked: 300)",
    )
    p.add_argument(
        "--progress", type=float, default=10.0, help="seconds between progress lines (0: none)"
    )
    p.add_argument("--heartbeat", type=float, default=30.0, help="heartbeat interval, s")
    p.add_argument(
        "--ack-timeout",
        type=float,
        default=10.0,
        help="JT/T 808 response timeout T (resend after T, 2T, 3T)",
    )
    p.add_argument("--retries", type=int, default=3)
    p.add_argument(
        "--alarm-scale", type=float, default=1.0, help="multiply the active-safety alarm rates"
    )
    p.add_argument("--clip-seconds", type=float, default=6.0)
    p.add_argument("--evidence-workers", type=int, default=2)
    p.add_argument(
        "--ramp",
        type=float,
        default=None,
        help="spread the first connections over this many seconds",
    )
    p.add_argument(
        "--source-hosts",
        default="",
        help="comma-separated local addresses to connect from (beyond ~28k links)",
    )
    p.add_argument(
        "--fault-every",
        type=float,
        default=None,
        help="inject a random fault (drop, corrupt frame, stop acking, delay, lost upload "
        "data) into a random truck every S seconds",
    )
    p.add_argument("--log-level", default=os.environ.get("TRUCKWATCH_SIM_LOG", "INFO"))
    return p


def load_vehicles(args: argparse.Namespace) -> list[VehicleSpec]:
    if args.synthetic:
        return synthetic_world(args.vehicles or 100, seed=args.seed)
    if args.world:
        vehicles = load_world_file(args.world)
    elif args.api:
        if not args.password:
            raise WorldError("--api needs --password (or $TRUCKWATCH_SIM_PASSWORD)")
        vehicles = fetch_world(args.api, args.username, args.password)
    else:
        raise WorldError("give --api URL (with --password), --world FILE or --synthetic")
    if not vehicles:
        raise WorldError("the world has no vehicles with terminals")
    if args.vehicles is not None:
        if args.vehicles > len(vehicles):
            log.warning("only %d vehicles in the world; simulating all of them", len(vehicles))
        vehicles = vehicles[: args.vehicles]
    return vehicles


def _raise_fd_limit(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = needed + 256
    if soft >= want:
        return
    for limit in (max(hard, want), hard):
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, limit), limit))
            return


def _progress(fleet: Fleet, last: dict[str, float]) -> str:
    now = time.monotonic()
    sent = fleet.stats.sent
    rate = (sent - last.get("sent", 0)) / max(1e-9, now - last.get("t", fleet.stats.started))
    last.update(sent=sent, t=now)
    s = fleet.stats
    alarms = sum(s.alarms.values())
    return (
        f"online {fleet.online()}/{len(fleet.units)}  msgs {sent} ({rate:.0f}/s)  "
        f"positions {s.positions}  alarms {alarms}  evidence {s.evidence_ok} ok "
        f"{s.evidence_failed} failed  streams {s.streams}"
    )


async def run(args: argparse.Namespace, vehicles: list[VehicleSpec]) -> dict[str, Any]:
    host, port = args.jt808
    options = FleetOptions(
        host=host,
        port=port,
        speedup=args.speedup,
        seed=args.seed,
        idle=args.idle,
        rate=args.rate,
        report_s=args.report_interval,
        heartbeat_s=args.heartbeat,
        ack_timeout_s=args.ack_timeout,
        retries=args.retries,
        alarm_scale=args.alarm_scale,
        clip_seconds=args.clip_seconds,
        evidence_workers=args.evidence_workers,
        ramp_s=args.ramp,
        horizon_s=args.duration or 3600.0,
        sim_start=args.start,
        fault_every_s=args.fault_every,
        source_hosts=tuple(h for h in args.source_hosts.split(",") if h),
    )
    fleet = Fleet(vehicles, options)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    await fleet.start()
    log.info(
        "simulating %d vehicles against %s:%d (speedup %g, seed %d%s)",
        len(vehicles),
        host,
        port,
        args.speedup,
        args.seed,
        ", idle" if args.idle else "",
    )
    last: dict[str, float] = {}
    deadline = None if args.duration is None else loop.time() + args.duration
    try:
        while not stop.is_set():
            wait = args.progress or 3600.0
            if deadline is not None:
                wait = min(wait, deadline - loop.time())
                if wait <= 0:
                    break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), wait)
            if args.progress and not stop.is_set():
                log.info("%s", _progress(fleet, last))
    finally:
        summary = fleet.summary()
        await fleet.stop()
    return summary


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=getattr(logging, str(args.log_level).upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        vehicles = load_vehicles(args)
    except WorldError as exc:
        print(f"truckwatch-sim: {exc}", file=sys.stderr)
        return 2
    if args.write_world:
        with open(args.write_world, "w", encoding="utf-8") as fh:
            json.dump(world_json(vehicles), fh, ensure_ascii=False, indent=1)
    _raise_fd_limit(len(vehicles) * 2)
    try:
        summary = asyncio.run(run(args, vehicles))
    except KeyboardInterrupt:
        return 130
    print(json.dumps(summary, ensure_ascii=False), flush=True)
    cost = summary.get("cpu_cores_per_1k_msgs_per_s")
    if cost is not None:
        print(
            f"truckwatch-sim cost: {cost:.4f} CPU cores per 1,000 msgs/s "
            f"({summary['cpu_s']} CPU s for {summary['messages_sent']} messages in "
            f"{summary['seconds']} s)",
            file=sys.stderr,
        )
    return 0
