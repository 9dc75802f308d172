"""``python -m console.protocol decode`` as an engineer runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from vectors import vector

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "console.protocol", "decode", *args],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


def test_decodes_a_hex_frame_to_json() -> None:
    result = run(vector("sc_0200_2013")["hex"])
    assert result.returncode == 0, result.stderr
    decoded = json.loads(result.stdout)
    assert decoded["message_id"] == "0x0200" and decoded["mileage_km"] == 10.0


def test_reads_a_raw_binary_capture_with_several_frames(tmp_path: Path) -> None:
    capture = tmp_path / "capture.bin"
    capture.write_bytes(
        bytes.fromhex(vector("sc_0001_2013")["hex"] + vector("go_0002_2019")["hex"])
    )
    result = run(str(capture))
    assert result.returncode == 0, result.stderr
    assert [m["message_id"] for m in json.loads(result.stdout)] == ["0x0001", "0x0002"]


def test_reads_hex_with_spaces_from_stdin() -> None:
    spaced = " ".join(vector("sc_8300_2013")["hex"][i : i + 2] for i in range(0, 60, 2))
    spaced += vector("sc_8300_2013")["hex"][60:]
    result = run("-", stdin=spaced.encode())
    assert json.loads(result.stdout)["text"] == "smallchi 518"


def test_body_item_rtp_and_stream_modes() -> None:
    body = run(vector("sc_yuebiao_dsm_body")["hex"], "--body", "0x0200", "--edition", "2019")
    assert json.loads(body.stdout)["dsm"]["alarm_ident"]["std"] == "yuebiao(40)"
    item = run(vector("sc_issue48_0x70_item")["hex"], "--item")
    assert json.loads(item.stdout)["aggressive_driving"]["alarm_id"] == 16
    rtp = run(vector("tr1078_2019_sim10")["hex"], "--rtp")
    assert json.loads(rtp.stdout)["sim"] == "00000866496077582164"
    stream = run(vector("go_stream_packet_1")["hex"], "--stream")
    assert json.loads(stream.stdout)["data_ascii"] == "owor"


def test_bad_input_prints_the_error_and_exits_non_zero() -> None:
    broken = vector("sc_0001_2013")["hex"][:-4] + "FF7E"
    result = run(broken)
    assert result.returncode == 1
    assert b"ChecksumError" in result.stderr and result.stdout == b""
    assert run("zz-not-hex").returncode == 1


def test_lenient_mode_accepts_a_wrong_check_code() -> None:
    hex_frame = vector("tr_0200_subiao_adas_real_badck")["hex"]
    assert run(hex_frame).returncode == 1
    result = run(hex_frame, "--lenient")
    assert result.returncode == 0
    assert json.loads(result.stdout)["checksum_ok"] is False
