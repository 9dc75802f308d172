"""History playback from the platform (Qt-free): list a terminal's recordings in a time range
(0x9205 → 0x1205) and play one back (0x9201) as an Annex-B stream.

:func:`query_recordings` asks the terminal through ``POST /vehicles/{id}/commands/resources``
(the platform sends one query per terminal at a time, so a second one waits for the first).
:class:`Playback` is a :class:`~console.client.video.LiveVideo` reading
``GET /playback/{vehicle}/{channel}?start=…&end=…`` instead: opening it sends 0x9201,
``stop()``/``close()`` hang up and the platform sends 0x9202 "stop" at once. A channel plays
live video or a recording, not both: the other while one runs is a
:class:`~console.client.video.VideoError` ``channel_busy`` (409).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from console.client.api import PlatformClient
from console.client.errors import ClientError
from console.client.video import OPEN_TIMEOUT_S, READ_TIMEOUT_S, LiveVideo, VideoError
from console.domain.times import BEIJING

#: Recording times are the terminal's: Beijing time (BCD without a zone, GMT+8).

#: code → (中文, English) of a resource query that reached the platform but not its answer.
QUERY_MESSAGES: dict[str, tuple[str, str]] = {
    "timed_out": ("终端未响应录像查询。", "The terminal did not answer the recording query."),
    "failed": ("终端拒绝了录像查询。", "The terminal refused the recording query."),
    "offline": ("车辆不在线，无法查询录像。", "The vehicle is offline: no recordings."),
}


class RecordingQueryError(ClientError):
    """The terminal did not list its recordings (``code``: timed_out, failed, offline)."""

    def describe(self, language: str = "zh") -> str:
        zh, en = QUERY_MESSAGES.get(self.code, (self.message, self.message))
        return zh if language.startswith("zh") else en


@dataclass(frozen=True, slots=True)
class Recording:
    """One file of the terminal's storage (a 0x1205 record)."""

    channel: int
    start: datetime  # aware, Beijing time
    end: datetime
    size: int  # bytes
    alarm64: str  # the alarm flags of the recording, 16 hex digits
    av_type: int  # 0 audio+video, 1 audio, 2 video
    stream: int  # 1 main, 2 sub
    memory: int  # 1 main storage, 2 backup

    @property
    def duration_s(self) -> float:
        return (self.end - self.start).total_seconds()

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Recording:
        return cls(
            channel=int(data["channel"]),
            start=_beijing(data["start"]),
            end=_beijing(data["end"]),
            size=int(data.get("size", 0)),
            alarm64=str(data.get("alarm64", "0" * 16)),
            av_type=int(data.get("av_type", 0)),
            stream=int(data.get("stream", 0)),
            memory=int(data.get("memory", 0)),
        )


def _beijing(text: str) -> datetime:
    """``YYYY-MM-DD hh:mm:ss`` of a 0x1205 record as an aware Beijing time."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=BEIJING)


def _aware(moment: datetime, what: str) -> str:
    if moment.tzinfo is None:
        raise ValueError(f"{what} needs a time zone")
    return moment.isoformat()


def query_recordings(
    client: PlatformClient, vehicle_id: str, channel: int, start: datetime, end: datetime
) -> list[Recording]:
    """The terminal's recordings of ``channel`` (0: all) between ``start`` and ``end``
    (aware), sorted by start. Raises :class:`RecordingQueryError` when the terminal did not
    answer, :class:`~console.client.errors.ClientError` for the platform's refusals."""
    body = {
        "channel": channel,
        "start": _aware(start, "start"),
        "end": _aware(end, "end"),
    }
    try:
        command = client.post(f"/vehicles/{vehicle_id}/commands/resources", body)
    except ClientError as exc:
        if exc.status == 409:
            raise RecordingQueryError(
                "offline", exc.message, status=exc.status, details=exc.details
            ) from exc
        raise
    status = command.get("status")
    if status != "acked":
        code = status if status in QUERY_MESSAGES else "failed"
        raise RecordingQueryError(code, f"resource query {status}: {command.get('result')}")
    records = (command.get("result") or {}).get("records") or []
    return sorted((Recording.from_json(r) for r in records), key=lambda r: (r.start, r.channel))


class Playback(LiveVideo):
    """One playback of a recording; used like :class:`LiveVideo` (open, frames, stop, close).

    ``end`` is where the terminal stops; the stream also ends when it hangs up.
    """

    def __init__(
        self,
        client: PlatformClient,
        vehicle_id: str,
        channel: int,
        start: datetime,
        end: datetime,
        *,
        open_timeout_s: float = OPEN_TIMEOUT_S,
        read_timeout_s: float = READ_TIMEOUT_S,
    ) -> None:
        super().__init__(
            client,
            vehicle_id,
            channel,
            open_timeout_s=open_timeout_s,
            read_timeout_s=read_timeout_s,
        )
        self.start = start
        self.end = end
        self._query = {"start": _aware(start, "start"), "end": _aware(end, "end")}

    @classmethod
    def of(cls, client: PlatformClient, vehicle_id: str, recording: Recording) -> Playback:
        return cls(client, vehicle_id, recording.channel, recording.start, recording.end)

    @property
    def path(self) -> str:
        return f"/playback/{self.vehicle_id}/{self.channel}"

    @property
    def params(self) -> dict[str, str]:
        return dict(self._query)

    def __enter__(self) -> Playback:
        return self


__all__ = [
    "BEIJING",
    "Playback",
    "Recording",
    "RecordingQueryError",
    "VideoError",
    "query_recordings",
]
