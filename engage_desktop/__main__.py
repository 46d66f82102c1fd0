"""``python -m engage_desktop``."""

import sys

from engage_desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
