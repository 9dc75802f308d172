"""The ``truckwatch-sim`` command line (the runs against a platform are in
test_against_platform.py)."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

from console.sim.cli import build_parser, load_vehicles, main
from console.sim.world import WorldError, synthetic_world, world_json


def test_the_documented_options_parse() -> None:
    args = build_parser().parse_args(
        shlex.split(
            "--jt808 127.0.0.1:7808 --api http://127.0.0.1:8080 --username u --password p "
            "--vehicles 300 --speedup 10 --seed 5 --duration 60 --idle --rate 500 "
            "--report-interval 15 --progress 5 --start '2025-03-04 08:00:00'"
        )
    )
    assert args.jt808 == ("127.0.0.1", 7808)
    assert (args.vehicles, args.speedup, args.seed, args.duration) == (300, 10.0, 5, 60.0)
    assert args.idle and args.rate == 500.0
    assert args.report_interval == 15.0 and args.progress == 5.0
    assert args.start == 1741046400.0  # 2025-03-04 08:00 CST


def test_a_bad_address_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--jt808", "localhost"])
    assert "HOST:PORT" in capsys.readouterr().err


def test_without_a_world_source_the_tool_says_what_to_give(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--jt808", "127.0.0.1:1", "--duration", "1"]) == 2
    assert "--world" in capsys.readouterr().err


def test_the_api_needs_a_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRUCKWATCH_SIM_PASSWORD", raising=False)
    args = build_parser().parse_args(["--jt808", "h:1", "--api", "http://127.0.0.1:1"])
    with pytest.raises(WorldError, match="password"):
        load_vehicles(args)


def test_a_world_file_and_the_vehicle_count(tmp_path: Path) -> None:
    path = tmp_path / "world.json"
    path.write_text(json.dumps(world_json(synthetic_world(10)), ensure_ascii=False), "utf-8")
    args = build_parser().parse_args(["--jt808", "h:1", "--world", str(path), "--vehicles", "4"])
    vehicles = load_vehicles(args)
    assert len(vehicles) == 4 and vehicles == sorted(vehicles, key=lambda v: (v.plate, v.phone))


def test_synthetic_fleets_for_load_tests() -> None:
    args = build_parser().parse_args(["--jt808", "h:1", "--synthetic", "--vehicles", "7"])
    assert len(load_vehicles(args)) == 7
