"""``truckwatch-platform``: the server command. Arrives with issue #3."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    print("truckwatch-platform: not built yet (issue #3).", file=sys.stderr)
    return 2
