"""``truckwatch``: the console's entry point.

The Qt console (issue #5) is not built yet. Until then ``truckwatch --demo``
shows what the project can already do with real protocol bytes, and says so.
"""

from __future__ import annotations

import argparse
import json
import sys

from console import __version__

# Real frames a Guangdong terminal sends: a 2019 registration, and a 苏标 DSM
# fatigue alarm from a real device (both also in shared/protocol/vectors.json).
_DEMO_FRAMES = {
    "终端注册 0x0100 (JT/T 808-2019)": "7E010040540100000000000123456789000A0028003231323334000000"
    "00000000736D616C6C6368693132330000000000000000000000000000000000000043484931323300000000"
    "000000000000000000000000000000000000000001D4C1413132333435B27E",
    "疲劳驾驶报警 DSM 0x65 (苏标, real device)": "7E020000AE04085359895000AC0000000000040001"
    "01DC9F7B073C3CF8"
    "00000000008C2104291206410104000000C6030200001404000000001504000000001604000000001702000018"
    "030000002504000000002B0400000000300105310100B70400000000320150B1040B050100B40100B6020000BA"
    "020202BD0E0000801E80F4803A000A00098005652F08322CCF010101000000000000000001DC9F7B073C3CF82104"
    "29120639000133353938393530210429120639000500C17E",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="truckwatch", description="TruckWatch console")
    parser.add_argument("--demo", action="store_true", help="local demo (embedded platform)")
    parser.add_argument("--version", action="version", version=f"TruckWatch {__version__}")
    args = parser.parse_args(argv)
    if not args.demo:
        parser.print_help()
        return 0
    from console.protocol.jsonview import decode_frame_json

    print(f"TruckWatch {__version__} — demo")
    print(
        "The console window (issue #5), the platform (#3) and the simulated fleet (#4) are not "
        "built yet.\nWhat runs today is the protocol core; here it decodes two real frames:\n"
    )
    for title, hex_frame in _DEMO_FRAMES.items():
        print(f"== {title}")
        print(json.dumps(decode_frame_json(bytes.fromhex(hex_frame)), ensure_ascii=False, indent=2))
    print("\nDecode your own capture: python -m console.protocol decode <hex | file | ->")
    return 0


if __name__ == "__main__":
    sys.exit(main())
