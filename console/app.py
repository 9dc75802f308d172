"""``truckwatch``: the console's entry point.

The Qt console window arrives with issue #5. Until then ``truckwatch --demo`` runs the
local demo headless: the embedded platform and the simulated fleet as child processes,
with a status line (see :mod:`console.demo`).
"""

from __future__ import annotations

import argparse
import sys

from console import __version__


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="truckwatch", description="TruckWatch console")
    parser.add_argument(
        "--demo", action="store_true", help="local demo: platform + simulated fleet"
    )
    parser.add_argument("--vehicles", type=int, help="demo: how many trucks drive (default all)")
    parser.add_argument("--speedup", type=float, default=10.0, help="demo: simulated time ×K")
    parser.add_argument("--duration", type=float, help="demo: stop after this many seconds")
    parser.add_argument("--version", action="version", version=f"TruckWatch {__version__}")
    args = parser.parse_args(argv)
    if not args.demo:
        parser.print_help()
        return 0
    from console import demo

    return demo.run(
        demo.demo_dir(), vehicles=args.vehicles, speedup=args.speedup, duration=args.duration
    )


if __name__ == "__main__":
    sys.exit(main())
