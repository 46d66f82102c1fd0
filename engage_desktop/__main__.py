"""``python -m engage_desktop``."""

import multiprocessing
import sys

from engage_desktop.cli import main

if __name__ == "__main__":
    # The sentiment pool spawns workers; a frozen (PyInstaller) build needs this.
    multiprocessing.freeze_support()
    sys.exit(main())
