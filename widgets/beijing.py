"""Times as the console shows them: Beijing time (中国标准时间, UTC+8), whatever the
workstation's own time zone, because the trucks, the rules and the duty rosters run on it."""

from __future__ import annotations

from datetime import UTC, datetime

from console.domain.times import BEIJING

CST = BEIJING  # the name the widgets use


def beijing_time(iso: str | None, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    """An ISO 8601 time from the API (with its offset) in Beijing time; "—" for none."""
    if not iso:
        return "—"
    try:
        return datetime.fromisoformat(iso).astimezone(CST).strftime(fmt)
    except ValueError:
        return iso


def day_start(now: datetime) -> datetime:
    """Midnight Beijing time of ``now``'s day, as an aware UTC datetime."""
    local = now.astimezone(CST).replace(hour=0, minute=0, second=0, microsecond=0)
    return local.astimezone(UTC)
