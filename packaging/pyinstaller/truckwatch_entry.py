"""The frozen executable's entry point: the console, or a child by subcommand
(``truckwatch platform …``, ``truckwatch sim …``; see console/app.py)."""

import sys

from console.app import main

if __name__ == "__main__":
    sys.exit(main())
