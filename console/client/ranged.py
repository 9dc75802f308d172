"""A remote file read through HTTP Range requests: what lets the player seek in an evidence
video without downloading it first.

:class:`RangedFile` is a read-only, seekable binary file over one API resource (usually
``/evidence/{id}/content``). It fetches whole blocks (256 KiB by default) and keeps the
last few in a small LRU cache; sequential reading doubles the read-ahead up to a limit, so
a decoder that streams through a clip makes few requests while one that jumps (the MP4
demuxer looking for ``moov`` at the end, a seek) fetches only what it touches.

Every request goes through :meth:`PlatformClient.request` (bearer token, errors as
:class:`ClientError`). The first block is fetched when the file is opened, which also
learns the size and the ETag; later requests carry ``If-Range`` so that a file replaced
on the server (a re-upload) is noticed instead of splicing two versions together.
"""

from __future__ import annotations

import io
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from console.client.api import PREFIX, PlatformClient
from console.client.errors import ApiFailure, ClientError

__all__ = [
    "BLOCK_SIZE",
    "EvidenceIncomplete",
    "RangedFile",
    "download_evidence",
    "open_evidence",
]

BLOCK_SIZE = 256 * 1024
#: A server that ignores Range answers 200 with the whole file; keep it if it is this small.
WHOLE_FILE_LIMIT = 64 * 1024 * 1024

_CONTENT_RANGE = re.compile(r"^\s*bytes\s+(\d+)-(\d+)/(\d+|\*)\s*$", re.IGNORECASE)


class EvidenceIncomplete(ApiFailure):
    """409 ``evidence_incomplete``: the terminal has not finished uploading the file; the
    received prefix is not served, the alarm's evidence must be requested again."""

    def __init__(self, message: str = "", *, received: int | None = None, size: int | None = None):
        super().__init__("evidence_incomplete", message or "the evidence file is incomplete")
        self.status = 409
        self.received = received
        self.size = size

    def describe(self, language: str = "zh") -> str:
        # errors.MESSAGES has no entry for this code; say it here rather than echo the
        # server's English sentence to a Chinese-speaking operator.
        progress = ""
        if self.size:
            progress = f"（{self.received or 0}/{self.size} 字节）"
        if language.startswith("zh"):
            return f"报警附件尚未上传完整{progress}，请重新请求附件。"
        done = f" ({self.received or 0} of {self.size} bytes)" if self.size else ""
        return f"The evidence file is not completely uploaded{done}; request it again."


def _api_path(path: str) -> str:
    """Evidence JSON gives ``/api/v1/evidence/…``; the client adds the prefix itself."""
    return path[len(PREFIX) :] if path.startswith(PREFIX + "/") else path


class RangedFile(io.RawIOBase):
    """A read-only seekable file over ``GET path`` with HTTP Range (see the module doc).

    Opening makes one request (the first block); ``ClientError`` if it fails, with
    :class:`EvidenceIncomplete` for a 409 ``evidence_incomplete``. ``requests`` and
    ``bytes_fetched`` count the traffic (tests check that seeking does not download all).
    Thread-safe, though a decoder reads from one thread anyway.
    """

    def __init__(
        self,
        client: PlatformClient,
        path: str,
        *,
        name: str | None = None,
        block_size: int = BLOCK_SIZE,
        cache_blocks: int = 16,
        readahead_blocks: int = 4,
        timeout_s: float | None = None,
    ) -> None:
        super().__init__()
        if block_size <= 0:
            raise ValueError("block_size must be positive")
        self.client = client
        self.path = _api_path(path)
        self.name = name or self.path.rsplit("/", 1)[-1]
        self.block_size = block_size
        self.readahead_blocks = max(1, readahead_blocks)
        self.cache_blocks = max(cache_blocks, self.readahead_blocks + 1)
        self.timeout_s = timeout_s
        self.size = 0
        self.etag: str | None = None
        self.content_type: str | None = None
        self.requests = 0
        self.bytes_fetched = 0
        self._pos = 0
        self._blocks: OrderedDict[int, bytes] = OrderedDict()
        self._last_miss = -2
        self._span = 1
        self._lock = threading.Lock()
        self._probe()

    # --- io.RawIOBase -----------------------------------------------------------------------
    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def writable(self) -> bool:
        return False

    def tell(self) -> int:
        self._check_open()
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self._check_open()
        if whence == io.SEEK_SET:
            pos = offset
        elif whence == io.SEEK_CUR:
            pos = self._pos + offset
        elif whence == io.SEEK_END:
            pos = self.size + offset
        else:
            raise ValueError(f"invalid whence {whence}")
        if pos < 0:
            raise OSError(f"negative seek position {pos}")
        self._pos = pos  # past the end is allowed, as for regular files: reads give b""
        return pos

    def read(self, size: int = -1) -> bytes:
        self._check_open()
        with self._lock:
            end = self.size if size is None or size < 0 else min(self.size, self._pos + size)
            if end <= self._pos:
                return b""
            parts = []
            pos = self._pos
            while pos < end:
                index, offset = divmod(pos, self.block_size)
                block = self._block(index)
                if offset >= len(block):  # the server's file is shorter than it said
                    break
                chunk = block[offset : offset + (end - pos)]
                parts.append(chunk)
                pos += len(chunk)
            self._pos = pos
            return b"".join(parts)

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(memoryview(buffer)))
        memoryview(buffer).cast("B")[: len(data)] = data
        return len(data)

    def readall(self) -> bytes:
        return self.read(-1)

    def close(self) -> None:
        self._blocks.clear()
        super().close()

    # --- blocks -----------------------------------------------------------------------------
    def _check_open(self) -> None:
        if self.closed:
            raise ValueError("I/O operation on closed RangedFile")

    def _block(self, index: int) -> bytes:
        block = self._blocks.get(index)
        if block is not None:
            self._blocks.move_to_end(index)
            return block
        # Sequential misses (a decoder streaming through) fetch more at once; a jump
        # starts again from one block, so seeking costs one small request.
        self._span = (
            min(self._span * 2, self.readahead_blocks) if index == self._last_miss + 1 else 1
        )
        last = min(index + self._span, self._block_count()) - 1
        self._last_miss = last
        self._fetch(index, last)
        return self._blocks[index]

    def _block_count(self) -> int:
        return max(1, -(-self.size // self.block_size))

    def _remember(self, index: int, data: bytes) -> None:
        self._blocks[index] = data
        self._blocks.move_to_end(index)
        while len(self._blocks) > self.cache_blocks:
            self._blocks.popitem(last=False)

    def _store(self, start: int, body: bytes) -> None:
        for offset in range(0, max(len(body), 1), self.block_size):
            self._remember(
                (start + offset) // self.block_size, body[offset : offset + self.block_size]
            )

    def _get(self, first: int, last: int, extra: Mapping[str, str] | None = None) -> Any:
        headers = {"Range": f"bytes={first}-{last}", **(extra or {})}
        try:
            response = self.client.request(
                "GET", self.path, headers=headers, timeout_s=self.timeout_s
            )
        except ClientError as exc:
            if exc.code == "evidence_incomplete":
                raise _incomplete(exc) from exc
            raise
        self.requests += 1
        self.bytes_fetched += len(response.content)
        return response

    def _probe(self) -> None:
        """Fetch the first block; learn the size, the ETag and the content type."""
        try:
            response = self._get(0, self.block_size - 1)
        except ClientError as exc:
            if exc.code == "range_not_satisfiable":  # only an empty file refuses bytes=0-
                self.size = 0
                return
            raise
        self.etag = response.headers.get("ETag")
        self.content_type = response.headers.get("Content-Type")
        body = response.content
        if response.status_code == 200:  # no Range support: we have the whole file
            if len(body) > WHOLE_FILE_LIMIT:
                raise ClientError("no_range_support", "the server does not support HTTP Range")
            self.size = len(body)
            self.block_size = max(1, self.size)  # one block that never leaves the cache
            self._store(0, body)
            return
        start, _, total = _content_range(response)
        if start != 0 or total is None:
            raise ApiFailure("bad_range", f"unexpected Content-Range for bytes=0-: {start}")
        self.size = total
        self._store(0, body)

    def _fetch(self, first_block: int, last_block: int) -> None:
        first = first_block * self.block_size
        last = min(self.size, (last_block + 1) * self.block_size) - 1
        extra = {"If-Range": self.etag} if self.etag else None
        response = self._get(first, last, extra)
        if response.status_code != 206:
            # If-Range did not match: the file was replaced since we opened it.
            raise ClientError(
                "evidence_changed",
                "the file changed on the server while it was being read; open it again",
                status=response.status_code,
            )
        start, _, _ = _content_range(response)
        if start != first:
            raise ApiFailure("bad_range", f"asked for bytes from {first}, got from {start}")
        self._store(first, response.content)


def _content_range(response: Any) -> tuple[int, int, int | None]:
    match = _CONTENT_RANGE.match(response.headers.get("Content-Range", ""))
    if match is None:
        raise ApiFailure("bad_range", "a 206 answer without a valid Content-Range")
    first, last, total = match.groups()
    return int(first), int(last), None if total == "*" else int(total)


def _incomplete(exc: ClientError) -> EvidenceIncomplete:
    numbers = re.search(r"(\d+) of (\d+) bytes", exc.message or "")
    received, size = (int(numbers[1]), int(numbers[2])) if numbers else (None, None)
    return EvidenceIncomplete(exc.message, received=received, size=size)


# --- evidence helpers (they would fit PlatformClient; they take it instead) -----------------


def open_evidence(
    client: PlatformClient, evidence: Mapping[str, Any], **options: Any
) -> RangedFile:
    """A :class:`RangedFile` over an evidence item (the API's evidence JSON); an item not
    yet complete raises :class:`EvidenceIncomplete` without asking the server."""
    if not evidence.get("complete", True):
        raise EvidenceIncomplete(received=evidence.get("received"), size=evidence.get("size"))
    return RangedFile(client, evidence["url"], name=evidence.get("file_name"), **options)


def download_evidence(client: PlatformClient, evidence: Mapping[str, Any]) -> bytes:
    """The whole file of an evidence item (photos: small, shown at once)."""
    if not evidence.get("complete", True):
        raise EvidenceIncomplete(received=evidence.get("received"), size=evidence.get("size"))
    try:
        return client.request("GET", _api_path(evidence["url"])).content
    except ClientError as exc:
        if exc.code == "evidence_incomplete":
            raise _incomplete(exc) from exc
        raise
