"""Sub-package reassembly (分包, JT/T 808-2013 §4.4.3) with missing-packet detection.

Packets of one long message (a resource list, a photo) arrive as separate
frames, each with a 1-based index and the total. :class:`Reassembler` joins
them, tells the caller which indexes are still missing once a message has been
quiet for ``retry_after`` seconds (so the platform can ask with 0x8003), and
gives up after ``give_up_after``. Memory is bounded: at most ``max_messages``
partial messages and ``max_bytes`` of buffered bodies per link.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from console.protocol.errors import ReassemblyError
from console.protocol.jt808.framing import Frame


@dataclass(frozen=True, slots=True)
class MissingPackets:
    """Packets still missing from the message whose first packet had ``first_serial``."""

    message_id: int
    first_serial: int
    package_total: int
    missing: tuple[int, ...]


@dataclass(slots=True)
class _Partial:
    first: Frame  # the lowest-index packet seen so far (its header becomes the message's)
    first_serial: int
    total: int
    bodies: dict[int, bytes] = field(default_factory=dict)
    size: int = 0
    last_activity: float = 0.0
    requests_sent: int = 0


class Reassembler:
    def __init__(
        self,
        *,
        max_messages: int = 8,
        max_bytes: int = 8 * 1024 * 1024,
        max_packets: int = 8192,
        retry_after: float = 10.0,
        give_up_after: float = 120.0,
        max_requests: int = 3,
    ) -> None:
        self.max_messages = max_messages
        self.max_bytes = max_bytes
        self.max_packets = max_packets
        self.retry_after = retry_after
        self.give_up_after = give_up_after
        self.max_requests = max_requests
        self._partials: dict[tuple[int, int], _Partial] = {}
        self._dropped: list[ReassemblyError] = []

    @property
    def buffered_bytes(self) -> int:
        return sum(p.size for p in self._partials.values())

    def add(self, frame: Frame, now: float) -> Frame | None:
        """Take one packet; return the whole message as one Frame once every packet is in.

        Raises :class:`ReassemblyError` for a packet that cannot belong to any message
        (impossible index, too many packets); the link goes on.
        """
        header = frame.header
        total, index = header.package_total, header.package_index
        if total is None or index is None:
            return frame
        if not 1 <= index <= total:
            raise ReassemblyError(f"packet {index} of {total} of 0x{header.message_id:04X}")
        if total > self.max_packets:
            raise ReassemblyError(
                f"0x{header.message_id:04X} announces {total} packets (limit {self.max_packets})"
            )
        key = (header.message_id, total)
        partial = self._partials.get(key)
        first_serial = (header.serial - (index - 1)) & 0xFFFF
        if (
            partial is not None
            and index == 1
            and 1 in partial.bodies
            and partial.first_serial != header.serial
        ):
            # A new transfer of the same message id began: the old one will never finish.
            del self._partials[key]
            partial = None
        if partial is None:
            if len(self._partials) >= self.max_messages:
                self._drop_oldest()
            partial = _Partial(frame, first_serial, total)
            self._partials[key] = partial
        if index == 1:
            partial.first_serial = header.serial
        if index < (partial.first.header.package_index or 1):
            partial.first = frame
        previous = partial.bodies.get(index)
        partial.bodies[index] = frame.body
        partial.size += len(frame.body) - (len(previous) if previous is not None else 0)
        partial.last_activity = now
        while self.buffered_bytes > self.max_bytes and self._partials:
            self._drop_oldest()
            if key not in self._partials:
                raise ReassemblyError(
                    f"0x{header.message_id:04X} exceeds the {self.max_bytes}-byte reassembly bound"
                )
        if len(partial.bodies) < total:
            return None
        del self._partials[key]
        body = b"".join(partial.bodies[i] for i in range(1, total + 1))
        whole_header = replace(
            partial.first.header,
            serial=partial.first_serial,
            package_total=None,
            package_index=None,
        )
        return Frame(whole_header, body, checksum_ok=True, escaped=False)

    def poll(self, now: float) -> list[MissingPackets | ReassemblyError]:
        """What to do now: ask again for missing packets, or give up on a message."""
        out: list[MissingPackets | ReassemblyError] = list(self._dropped)
        self._dropped.clear()
        for key, partial in list(self._partials.items()):
            quiet = now - partial.last_activity
            if quiet >= self.give_up_after or (
                quiet >= self.retry_after and partial.requests_sent >= self.max_requests
            ):
                del self._partials[key]
                out.append(
                    ReassemblyError(
                        f"gave up on 0x{key[0]:04X} (first serial {partial.first_serial}): "
                        f"{len(partial.bodies)} of {partial.total} packets arrived"
                    )
                )
            elif quiet >= self.retry_after:
                partial.requests_sent += 1
                partial.last_activity = now
                missing = tuple(i for i in range(1, partial.total + 1) if i not in partial.bodies)
                out.append(MissingPackets(key[0], partial.first_serial, partial.total, missing))
        return out

    def next_deadline(self) -> float | None:
        """When :meth:`poll` will next have something to say (None: nothing pending)."""
        if self._dropped:
            return float("-inf")
        if not self._partials:
            return None
        return min(p.last_activity for p in self._partials.values()) + self.retry_after

    def _drop_oldest(self) -> None:
        key = min(self._partials, key=lambda k: self._partials[k].last_activity)
        partial = self._partials.pop(key)
        self._dropped.append(
            ReassemblyError(
                f"dropped unfinished 0x{key[0]:04X} (first serial {partial.first_serial}, "
                f"{len(partial.bodies)} of {partial.total} packets) to stay within bounds"
            )
        )
