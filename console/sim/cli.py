"""``truckwatch-sim``: the fleet simulator command. Arrives with issue #4."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    print("truckwatch-sim: not built yet (issue #4).", file=sys.stderr)
    return 2
