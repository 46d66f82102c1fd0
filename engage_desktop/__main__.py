"""``python -m engage_desktop``."""

import multiprocessing

from engage_desktop.cli import run

if __name__ == "__main__":
    # The sentiment pool spawns workers; a frozen (PyInstaller) build needs this.
    multiprocessing.freeze_support()
    run()
