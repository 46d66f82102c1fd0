"""Per-user folders (platformdirs), overridable for tests and portable installs.

``ENGAGE_DESKTOP_DATA_DIR`` and ``ENGAGE_DESKTOP_CONFIG_DIR`` win over the platform
defaults; the test suite points both at a temporary folder.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "engage-desktop"
APP_AUTHOR = "engage-desktop"


def data_dir() -> Path:
    """The folder for the demo workspace and other per-user data (created)."""
    override = os.environ.get("ENGAGE_DESKTOP_DATA_DIR")
    if override:
        path = Path(override)
    else:
        import platformdirs

        path = Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))
    path.mkdir(parents=True, exist_ok=True)
    return path


def config_dir() -> Path:
    """The folder for per-user configuration (created)."""
    override = os.environ.get("ENGAGE_DESKTOP_CONFIG_DIR")
    if override:
        path = Path(override)
    else:
        import platformdirs

        path = Path(platformdirs.user_config_dir(APP_NAME, APP_AUTHOR))
    path.mkdir(parents=True, exist_ok=True)
    return path


def demo_workspace_path() -> Path:
    """Where a bare ``engage-desktop`` creates and reopens the demo workspace."""
    return data_dir() / "demo.engage"


def log_dir() -> Path:
    """The folder for the app's rotating log (created).

    ``ENGAGE_DESKTOP_LOG_DIR`` wins; else the platform's user log folder (on Linux
    ``~/.local/state/engage-desktop/log``).
    """
    override = os.environ.get("ENGAGE_DESKTOP_LOG_DIR")
    if override:
        path = Path(override)
    else:
        import platformdirs

        path = Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR))
    path.mkdir(parents=True, exist_ok=True)
    return path
