"""RangedFile (console/client/ranged.py): against a small Range-capable HTTP server written
here (exact control of the answers), then end to end against a real platform whose
simulated fleet uploads real evidence."""

from __future__ import annotations

import io
import json
import random
import socket
import threading
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import av
import pytest
from live_platform import ADMIN_PASSWORD, LivePlatform, wait_for

from console.client import ClientError, PlatformClient, Unreachable
from console.client.ranged import (
    EvidenceIncomplete,
    RangedFile,
    download_evidence,
    open_evidence,
)
from console.media.evidence import make_clip
from console.media.player import ClipPlayer

BLOB = random.Random(1078).randbytes(300_000)
CLIP = make_clip("粤R12345", datetime(2024, 5, 1, 8, 0, 0), "前向碰撞报警", seconds=4.0)


class _Handler(BaseHTTPRequestHandler):
    """``/api/v1/files/<name>`` of ``server.files``; a few names misbehave on purpose."""

    server: _Server

    def log_message(self, *args: object) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self.server.seen.append(dict(self.headers))
        name = self.path.rsplit("/", 1)[-1]
        if name == "incomplete":
            return self._error(
                409,
                "evidence_incomplete",
                "evidence evd_1 (a.mp4) is incomplete: 1000 of 4000 bytes received; "
                "request it again",
            )
        if name not in self.server.files:
            return self._error(404, "not_found", f"evidence {name}")
        data = self.server.files[name]
        etag = f'"{name}-{self.server.version}"'
        if name == "changing":
            self.server.version += 1  # replaced after every request
        wanted = self.headers.get("Range")
        if_range = self.headers.get("If-Range")
        if name == "norange" or (if_range is not None and if_range != etag):
            wanted = None
        if wanted is None:
            return self._send(200, data, {"ETag": etag})
        first_text, last_text = wanted.removeprefix("bytes=").split("-")
        first = int(first_text)
        last = min(int(last_text), len(data) - 1) if last_text else len(data) - 1
        if first >= len(data):
            return self._error(416, "range_not_satisfiable", "outside", {"Content-Range": "*/0"})
        headers = {"ETag": etag, "Content-Range": f"bytes {first}-{last}/{len(data)}"}
        self._send(206, data[first : last + 1], headers)

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for key, value in {**headers, "Content-Length": str(len(body))}.items():
            self.send_header(key, value)
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        self.wfile.write(body)

    def _error(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        body = json.dumps({"error": {"code": code, "message": message}}).encode()
        self._send(status, body, {"Content-Type": "application/json", **(headers or {})})


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.files = {"blob": BLOB, "clip.mp4": CLIP, "norange": BLOB, "changing": BLOB}
        self.files["empty"] = b""
        self.seen: list[dict[str, str]] = []
        self.version = 0


@pytest.fixture(scope="module")
def server() -> Iterator[_Server]:
    server = _Server()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def client(server: _Server) -> PlatformClient:
    client = PlatformClient(f"http://127.0.0.1:{server.server_address[1]}")
    client.token = "tok-123"
    return client


def test_reads_the_whole_file_block_by_block(client: PlatformClient) -> None:
    with RangedFile(client, "/files/blob", block_size=64 * 1024) as f:
        assert f.size == len(BLOB)
        assert f.read() == BLOB
        assert f.read(10) == b""
        assert f.requests < 5  # read-ahead grows on sequential reads (5 blocks, 1 + 2 + 2)


def test_random_seeks_read_the_same_bytes_as_a_local_file(client: PlatformClient) -> None:
    local = io.BytesIO(BLOB)
    rng = random.Random(7)
    with RangedFile(client, "/api/v1/files/blob", block_size=16 * 1024, cache_blocks=4) as f:
        for _ in range(200):
            offset, whence = rng.choice(
                [
                    (rng.randrange(len(BLOB) + 100), io.SEEK_SET),
                    (rng.randrange(-5000, 5000), io.SEEK_CUR),
                    (-rng.randrange(1, len(BLOB)), io.SEEK_END),
                ]
            )
            if local.tell() + offset < 0 and whence == io.SEEK_CUR:
                continue
            assert f.seek(offset, whence) == local.seek(offset, whence)
            size = rng.choice([1, 100, 16 * 1024, 40_000, -1])
            assert f.read(size) == local.read(size)
            assert f.tell() == local.tell()


def test_sends_the_bearer_token_and_if_range(client: PlatformClient, server: _Server) -> None:
    server.seen.clear()
    with RangedFile(client, "/files/blob", block_size=1024) as f:
        f.seek(100_000)
        f.read(10)
    assert all(h["Authorization"] == "Bearer tok-123" for h in server.seen)
    assert server.seen[0]["Range"] == "bytes=0-1023" and "If-Range" not in server.seen[0]
    assert server.seen[1]["Range"].startswith("bytes=99328-")
    assert server.seen[1]["If-Range"] == '"blob-0"'


def test_pyav_seeks_without_downloading_the_whole_clip(client: PlatformClient) -> None:
    f = RangedFile(client, "/files/clip.mp4", name="clip.mp4", block_size=4096)
    with ClipPlayer(f) as player:
        assert player.info.frame_count == 100
        frame = player.seek(3.0)
        assert frame is not None and frame.index == 75
        assert f.bytes_fetched < len(CLIP) * 0.75  # the first half of mdat was never read
        assert sum(1 for _ in player.frames()) == 24
    assert f.closed  # the player closes what it was given


def test_incomplete_evidence_is_a_clear_error(client: PlatformClient) -> None:
    with pytest.raises(EvidenceIncomplete) as err:
        RangedFile(client, "/files/incomplete")
    assert err.value.code == "evidence_incomplete" and err.value.status == 409
    assert (err.value.received, err.value.size) == (1000, 4000)
    assert err.value.describe() == "报警附件尚未上传完整（1000/4000 字节），请重新请求附件。"
    assert "request it again" in err.value.describe("en")


def test_open_evidence_refuses_an_incomplete_item_without_asking(
    client: PlatformClient, server: _Server
) -> None:
    server.seen.clear()
    item = {"url": "/api/v1/files/blob", "complete": False, "received": 5, "size": 9}
    with pytest.raises(EvidenceIncomplete):
        open_evidence(client, item)
    with pytest.raises(EvidenceIncomplete):
        download_evidence(client, item)
    assert server.seen == []


def test_missing_file_is_a_client_error(client: PlatformClient) -> None:
    with pytest.raises(ClientError) as err:
        RangedFile(client, "/files/nothing")
    assert err.value.code == "not_found" and err.value.status == 404


def test_a_server_without_range_gives_the_whole_file(client: PlatformClient) -> None:
    with RangedFile(client, "/files/norange", block_size=1024) as f:
        assert f.requests == 1 and f.size == len(BLOB)
        f.seek(250_000)
        assert f.read(100) == BLOB[250_000:250_100]
        assert f.requests == 1


def test_a_file_replaced_while_reading_is_an_error(client: PlatformClient) -> None:
    with RangedFile(client, "/files/changing", block_size=1024) as f:
        f.seek(200_000)
        with pytest.raises(ClientError) as err:
            f.read(10)
    assert err.value.code == "evidence_changed"


def test_empty_file(client: PlatformClient) -> None:
    with RangedFile(client, "/files/empty") as f:
        assert f.size == 0 and f.read() == b""


def test_closed_file_refuses_to_read(client: PlatformClient) -> None:
    f = RangedFile(client, "/files/blob")
    f.close()
    with pytest.raises(ValueError):
        f.read(1)


def test_unreachable_server() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(Unreachable):
        RangedFile(PlatformClient(f"http://127.0.0.1:{port}", timeout_s=2), "/files/blob")


# --- end to end: a real platform, real uploaded evidence --------------------------------------


@pytest.mark.timeout(240)
def test_streams_a_real_evidence_clip_from_the_platform(live: LivePlatform) -> None:
    client = PlatformClient(live.url)
    client.login("admin", ADMIN_PASSWORD)
    live.start_fleet(vehicles=10, speedup=10)
    alarms = wait_for(
        lambda: client.alarms(evidence_status="complete")["items"],
        180,
        "an alarm with complete evidence from the simulator",
    )
    items = client.alarm_evidence(alarms[0]["id"])["items"]
    video = next(i for i in items if i["file_kind"] == "video")
    whole = download_evidence(client, video)
    assert len(whole) == video["size"]
    with open_evidence(client, video, block_size=16 * 1024) as f:
        assert f.size == video["size"] and f.etag
        f.seek(-1000, io.SEEK_END)
        assert f.read() == whole[-1000:]
        f.seek(0)
        with av.open(f) as container:
            expected = container.streams.video[0].frames
            frames = sum(1 for _ in container.decode(video=0))
        assert frames == expected > 0
        assert f.requests > 1  # read through Range requests, not one download
