"""JT/T 1078-2016 signalling carried over the JT/T 808 link (§5.5-5.6; identical bodies in the
2013 and 2019 editions): live audio/video request and control, playback request and control,
resource query and the terminal's resource list.

Code fields (data type, stream type, commands, ...) decode to the :class:`~enum.IntEnum`
member when the value is documented and stay a plain ``int`` otherwise: terminals and peers'
test suites send values outside the tables, and a decoder must not refuse them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Self, TypeVar

from console.protocol.binary import BcdTime, Reader, Writer, display_text
from console.protocol.jt808.message import DEFAULT_CONTEXT, DecodeContext, Message, register

_E = TypeVar("_E", bound=IntEnum)


def code(enum: type[_E], value: int) -> _E | int:
    """``enum(value)`` when the value is documented, else the plain int (never raises)."""
    try:
        return enum(value)
    except ValueError:
        return value


class AvDataType(IntEnum):
    """0x9101 data type (数据类型), [1078] table 17."""

    AUDIO_VIDEO = 0
    VIDEO = 1
    TWO_WAY_TALK = 2  # 双向对讲
    LISTEN = 3  # 监听
    BROADCAST = 4  # 中心广播
    TRANSPARENT = 5  # 透传


class LiveStreamType(IntEnum):
    """0x9101 stream type and 0x9102 switch-to stream (码流类型)."""

    MAIN = 0
    SUB = 1


class LiveControlCommand(IntEnum):
    """0x9102 control command (控制指令), [1078] table 18."""

    CLOSE = 0  # 关闭音视频传输 (see close type)
    SWITCH_STREAM = 1  # 切换码流 (also pause/resume of that stream)
    PAUSE = 2  # 暂停该通道所有流的发送
    RESUME = 3  # 恢复暂停前流的发送
    CLOSE_TALK = 4  # 关闭双向对讲


class CloseType(IntEnum):
    """0x9102 close type (关闭音视频类型), meaningful with :attr:`LiveControlCommand.CLOSE`."""

    AUDIO_VIDEO = 0
    AUDIO = 1
    VIDEO = 2


class AvType(IntEnum):
    """Audio/video resource type of 0x9201, 0x9205 and 0x1205 records (音视频类型)."""

    AUDIO_VIDEO = 0
    AUDIO = 1
    VIDEO = 2
    VIDEO_OR_AUDIO_VIDEO = 3


class RecordStream(IntEnum):
    """Stream of a recording (码流类型) in 0x9201 / 0x9205 / 0x1205: 0 means any (not in 0x1205)."""

    ANY = 0
    MAIN = 1
    SUB = 2


class StorageType(IntEnum):
    """Storage of a recording (存储器类型) in 0x9201 / 0x9205 / 0x1205: 0 means any."""

    ANY = 0
    MAIN = 1
    BACKUP = 2  # 灾备存储器


class PlaybackMode(IntEnum):
    """0x9201 playback mode (回放方式), [1078] table 24."""

    NORMAL = 0
    FAST_FORWARD = 1
    KEY_FRAME_REWIND = 2  # 关键帧快退回放
    KEY_FRAME_PLAY = 3  # 关键帧播放
    SINGLE_FRAME = 4  # 单帧上传


class PlaybackSpeed(IntEnum):
    """Fast-forward / rewind factor (快进或快退倍数) of 0x9201 and 0x9202."""

    NONE = 0  # 无效
    X1 = 1
    X2 = 2
    X4 = 3
    X8 = 4
    X16 = 5


class PlaybackCommand(IntEnum):
    """0x9202 playback control (回放控制), [1078] table 26."""

    START = 0  # 开始回放
    PAUSE = 1  # 暂停回放
    STOP = 2  # 结束回放
    FAST_FORWARD = 3  # 快进回放 (speed applies)
    KEY_FRAME_REWIND = 4  # 关键帧快退回放 (speed applies)
    SEEK = 5  # 拖动回放 (position applies)
    KEY_FRAME_PLAY = 6  # 关键帧播放


def _alarm64(value: int) -> str:
    return f"{value:016x}"


@register
@dataclass(frozen=True, slots=True)
class LiveVideoRequest(Message):
    """0x9101 实时音视频传输请求: the terminal answers 0x0001, then connects to ``ip`` and
    streams JT/T 1078 packets."""

    MESSAGE_ID = 0x9101
    ip: str
    tcp_port: int
    udp_port: int
    channel: int
    data_type: AvDataType | int = AvDataType.AUDIO_VIDEO
    stream_type: LiveStreamType | int = LiveStreamType.MAIN

    @classmethod
    def decode(cls, body: bytes, ctx: DecodeContext = DEFAULT_CONTEXT) -> Self:
        r = Reader(body, "0x9101")
        value = cls(
            ip=r.text_u8("server IP"),
            tcp_port=r.u16("TCP port"),
            udp_port=r.u16("UDP port"),
            channel=r.u8("channel"),
            data_type=code(AvDataType, r.u8("data type")),
            stream_type=code(LiveStreamType, r.u8("stream type")),
        )
        r.end()
        return value

    def encode(self) -> bytes:
        w = Writer("0x9101").text_u8(self.ip, "server IP")
        w.u16(self.tcp_port, "TCP port").u16(self.udp_port, "UDP port")
        w.u8(self.channel, "channel").u8(self.data_type, "data type")
        return w.u8(self.stream_type, "stream type").getvalue()

    def to_json(self) -> dict[str, Any]:
        return {
            "ip": display_text(self.ip),
            "tcp_port": self.tcp_port,
            "udp_port": self.udp_port,
            "channel": self.channel,
            "data_type": int(self.data_type),
            "stream_type": int(self.stream_type),
        }


@register
@dataclass(frozen=True, slots=True)
class LiveVideoControl(Message):
    """0x9102 音视频实时传输控制."""

    MESSAGE_ID = 0x9102
    channel: int
    control: LiveControlCommand | int
    close_type: CloseType | int = CloseType.AUDIO_VIDEO
    switch_stream: LiveStreamType | int = LiveStreamType.MAIN

    @classmethod
    def decode(cls, body: bytes, ctx: DecodeContext = DEFAULT_CONTEXT) -> Self:
        r = Reader(body, "0x9102")
        value = cls(
            channel=r.u8("channel"),
            control=code(LiveControlCommand, r.u8("control command")),
            close_type=code(CloseType, r.u8("close type")),
            switch_stream=code(LiveStreamType, r.u8("switch stream")),
        )
        r.end()
        return value

    def encode(self) -> bytes:
        w = Writer("0x9102").u8(self.channel, "channel").u8(self.control, "control command")
        w.u8(self.close_type, "close type")
        return w.u8(self.switch_stream, "switch stream").getvalue()

    def to_json(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "control": int(self.control),
            "close_type": int(self.close_type),
            "switch_stream": int(self.switch_stream),
        }


@register
@dataclass(frozen=True, slots=True)
class PlaybackRequest(Message):
    """0x9201 平台下发远程录像回放请求; ``end`` all zero means "until the end"."""

    MESSAGE_ID = 0x9201
    ip: str
    tcp_port: int  # 0 when TCP is not used
    udp_port: int  # 0 when UDP is not used
    channel: int
    av_type: AvType | int
    stream_type: RecordStream | int
    memory_type: StorageType | int
    playback_mode: PlaybackMode | int
    speed: PlaybackSpeed | int
    start: BcdTime
    end: BcdTime

    @classmethod
    def decode(cls, body: bytes, ctx: DecodeContext = DEFAULT_CONTEXT) -> Self:
        r = Reader(body, "0x9201")
        value = cls(
            ip=r.text_u8("server IP"),
            tcp_port=r.u16("TCP port"),
            udp_port=r.u16("UDP port"),
            channel=r.u8("channel"),
            av_type=code(AvType, r.u8("AV type")),
            stream_type=code(RecordStream, r.u8("stream type")),
            memory_type=code(StorageType, r.u8("storage type")),
            playback_mode=code(PlaybackMode, r.u8("playback mode")),
            speed=code(PlaybackSpeed, r.u8("speed")),
            start=r.time("start time"),
            end=r.time("end time"),
        )
        r.end()
        return value

    def encode(self) -> bytes:
        w = Writer("0x9201").text_u8(self.ip, "server IP")
        w.u16(self.tcp_port, "TCP port").u16(self.udp_port, "UDP port")
        w.u8(self.channel, "channel").u8(self.av_type, "AV type")
        w.u8(self.stream_type, "stream type").u8(self.memory_type, "storage type")
        w.u8(self.playback_mode, "playback mode").u8(self.speed, "speed")
        return w.time(self.start, "start time").time(self.end, "end time").getvalue()

    def to_json(self) -> dict[str, Any]:
        return {
            "ip": display_text(self.ip),
            "tcp_port": self.tcp_port,
            "udp_port": self.udp_port,
            "channel": self.channel,
            "av_type": int(self.av_type),
            "stream_type": int(self.stream_type),
            "memory_type": int(self.memory_type),
            "playback_mode": int(self.playback_mode),
            "speed": int(self.speed),
            "start": str(self.start),
            "end": str(self.end),
        }


NO_POSITION = BcdTime(BcdTime.ZERO)


@register
@dataclass(frozen=True, slots=True)
class PlaybackControl(Message):
    """0x9202 平台下发远程录像回放控制, [1078] table 26.

    ``speed`` applies to fast-forward and key-frame rewind, ``position`` (拖动回放位置) to
    seek; both are sent in every message (0 / all-zero when unused).
    """

    MESSAGE_ID = 0x9202
    channel: int
    control: PlaybackCommand | int
    speed: PlaybackSpeed | int = PlaybackSpeed.NONE
    position: BcdTime = NO_POSITION

    @classmethod
    def decode(cls, body: bytes, ctx: DecodeContext = DEFAULT_CONTEXT) -> Self:
        r = Reader(body, "0x9202")
        value = cls(
            channel=r.u8("channel"),
            control=code(PlaybackCommand, r.u8("playback control")),
            speed=code(PlaybackSpeed, r.u8("speed")),
            position=r.time("seek position"),
        )
        r.end()
        return value

    def encode(self) -> bytes:
        w = Writer("0x9202").u8(self.channel, "channel").u8(self.control, "playback control")
        return w.u8(self.speed, "speed").time(self.position, "seek position").getvalue()

    def to_json(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "control": int(self.control),
            "speed": int(self.speed),
            "position": str(self.position),
        }


@register
@dataclass(frozen=True, slots=True)
class QueryResources(Message):
    """0x9205 查询资源列表; channel 0 = all channels, all-zero times = no bound,
    ``alarm_flags`` 0 = no filter (bits 0-31: 808 alarm flags, 32-63: 1078 video alarms)."""

    MESSAGE_ID = 0x9205
    channel: int
    start: BcdTime
    end: BcdTime
    alarm_flags: int = 0
    av_type: AvType | int = AvType.AUDIO_VIDEO
    stream_type: RecordStream | int = RecordStream.ANY
    memory_type: StorageType | int = StorageType.ANY

    @classmethod
    def decode(cls, body: bytes, ctx: DecodeContext = DEFAULT_CONTEXT) -> Self:
        r = Reader(body, "0x9205")
        value = cls(
            channel=r.u8("channel"),
            start=r.time("start time"),
            end=r.time("end time"),
            alarm_flags=r.u64("alarm flags"),
            av_type=code(AvType, r.u8("AV type")),
            stream_type=code(RecordStream, r.u8("stream type")),
            memory_type=code(StorageType, r.u8("storage type")),
        )
        r.end()
        return value

    def encode(self) -> bytes:
        w = Writer("0x9205").u8(self.channel, "channel")
        w.time(self.start, "start time").time(self.end, "end time")
        w.u64(self.alarm_flags, "alarm flags").u8(self.av_type, "AV type")
        return w.u8(self.stream_type, "stream type").u8(self.memory_type, "storage type").getvalue()

    def to_json(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "start": str(self.start),
            "end": str(self.end),
            "alarm64": _alarm64(self.alarm_flags),
            "av_type": int(self.av_type),
            "stream_type": int(self.stream_type),
            "memory_type": int(self.memory_type),
        }


RESOURCE_RECORD_SIZE = 28


@dataclass(frozen=True, slots=True)
class ResourceRecord:
    """One 28-byte entry of 0x1205 ([1078] table 23)."""

    channel: int
    start: BcdTime
    end: BcdTime
    alarm_flags: int
    av_type: AvType | int
    stream_type: RecordStream | int  # 1 main, 2 sub
    memory_type: StorageType | int  # 1 main, 2 backup
    size: int  # file size in bytes

    @classmethod
    def read(cls, r: Reader) -> ResourceRecord:
        return cls(
            channel=r.u8("record channel"),
            start=r.time("record start"),
            end=r.time("record end"),
            alarm_flags=r.u64("record alarm flags"),
            av_type=code(AvType, r.u8("record AV type")),
            stream_type=code(RecordStream, r.u8("record stream type")),
            memory_type=code(StorageType, r.u8("record storage type")),
            size=r.u32("record file size"),
        )

    @classmethod
    def read_all(cls, data: bytes, base: int = 0) -> tuple[tuple[ResourceRecord, ...], bytes]:
        """Every whole record in ``data`` and the bytes of a trailing partial one.

        Also the way to read a continuation packet of a sub-packaged 0x1205 whose
        packets happen to split on record boundaries.
        """
        r = Reader(data, "0x1205", base)
        records = []
        while r.remaining >= RESOURCE_RECORD_SIZE:
            records.append(cls.read(r))
        return tuple(records), r.rest()

    def write(self, w: Writer) -> None:
        w.u8(self.channel, "record channel")
        w.time(self.start, "record start").time(self.end, "record end")
        w.u64(self.alarm_flags, "record alarm flags").u8(self.av_type, "record AV type")
        w.u8(self.stream_type, "record stream type").u8(self.memory_type, "record storage type")
        w.u32(self.size, "record file size")

    def to_json(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "start": str(self.start),
            "end": str(self.end),
            "alarm64": _alarm64(self.alarm_flags),
            "av_type": int(self.av_type),
            "stream": int(self.stream_type),
            "memory": int(self.memory_type),
            "size": self.size,
        }


@register
@dataclass(frozen=True, slots=True)
class ResourceList(Message):
    """0x1205 终端上传音视频资源列表.

    Decodes a complete body or just the first packet of a sub-packaged one: ``total``
    is the declared record count and ``records`` the whole records present, so the two
    may differ and that is not an error here (the reassembly layer knows whether more
    packets follow). ``tail`` holds the bytes of a record cut by the packet boundary.
    """

    MESSAGE_ID = 0x1205
    reply_serial: int
    total: int
    records: tuple[ResourceRecord, ...] = ()
    tail: bytes = b""

    @classmethod
    def decode(cls, body: bytes, ctx: DecodeContext = DEFAULT_CONTEXT) -> Self:
        r = Reader(body, "0x1205")
        reply_serial = r.u16("reply serial")
        total = r.u32("total")
        records, tail = ResourceRecord.read_all(r.rest(), r.base + 6)
        return cls(reply_serial, total, records, tail)

    @classmethod
    def of(cls, reply_serial: int, records: tuple[ResourceRecord, ...]) -> Self:
        """A complete list (``total`` = number of records)."""
        return cls(reply_serial, len(records), records)

    @property
    def is_partial(self) -> bool:
        return bool(self.tail) or len(self.records) != self.total

    def encode(self) -> bytes:
        w = Writer("0x1205").u16(self.reply_serial, "reply serial").u32(self.total, "total")
        for record in self.records:
            record.write(w)
        return w.raw(self.tail).getvalue()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "reply_serial": self.reply_serial,
            "total": self.total,
            "items_in_this_packet": len(self.records),
            "first": self.records[0].to_json() if self.records else None,
            "records": [record.to_json() for record in self.records],
        }
        if self.tail:
            out["partial_record_bytes"] = len(self.tail)
        return out
