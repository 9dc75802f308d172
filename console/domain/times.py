"""Beijing time and the API's ISO times: the one definition every layer above the protocol
uses (terminals, templates, notifications and the console all speak Beijing time)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

#: China Standard Time: UTC+8 all year, no daylight saving.
BEIJING = timezone(timedelta(hours=8), "CST")


def parse_time(value: Any) -> datetime | None:
    """An ISO time (as the API writes them) as an aware datetime; a time without a zone is
    taken as UTC, the store's; None for none or nonsense."""
    if isinstance(value, datetime):
        return value
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
