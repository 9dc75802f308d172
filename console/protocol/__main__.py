import sys

from console.protocol.cli import main

sys.exit(main())
