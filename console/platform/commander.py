"""How platform parts ask a terminal to do something (implemented by the gateway).

A command is stored, sent with the link's next serial number, and answered by the
terminal (0x0001, or a specific answer such as 0x0805); the returned :class:`Command`
carries the outcome: acked, failed, timed out (after retries) or offline. Every change
of status is stored and published as a ``command`` event.
"""

from __future__ import annotations

from typing import Any, Protocol

from console.domain.model import Command, CommandKind
from console.protocol.jt808.message import Message


class Commander(Protocol):
    def is_online(self, vehicle_id: str) -> bool: ...

    async def send(
        self,
        vehicle_id: str,
        kind: CommandKind,
        message: Message,
        *,
        params: dict[str, Any] | None = None,
        user_id: str | None = None,
    ) -> Command:
        """Send ``message`` to the vehicle's terminal and wait for the outcome."""
        ...
