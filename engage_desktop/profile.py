"""The person at the keyboard: the display name replies are signed and changes logged with.

The name is asked once, on the window's first start, and kept in the per-user settings
folder (``profile.ini`` beside the window's settings), so the command line signs and
logs with the same name. ``ENGAGE_DESKTOP_USER_NAME`` presets it (tests, CI, shared
machines). Until a name is given, the operating-system login stands in.
"""

from __future__ import annotations

import configparser
import os

from engage_desktop.core.errors import EngageError
from engage_desktop.paths import config_dir

ENV = "ENGAGE_DESKTOP_USER_NAME"
MAX_LENGTH = 80
_FILE = "profile.ini"


def display_name() -> str | None:
    """The user's display name, or None when none was given yet."""
    preset = os.environ.get(ENV, "").strip()
    if preset:
        return preset[:MAX_LENGTH]
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(config_dir() / _FILE, encoding="utf-8")
    except (OSError, configparser.Error):  # an unreadable file means "ask again"
        return None
    name = parser.get("user", "display_name", fallback="").strip()
    return name or None


def set_display_name(name: str) -> str:
    """Keep ``name`` as the user's display name; returns it cleaned.

    Raises:
        EngageError: The name is empty or too long.
    """
    cleaned = " ".join(name.split())
    if not cleaned:
        raise EngageError("type the name your replies should be signed with")
    if len(cleaned) > MAX_LENGTH:
        raise EngageError(f"the name is {len(cleaned)} characters; keep it to {MAX_LENGTH}")
    parser = configparser.ConfigParser(interpolation=None)
    parser["user"] = {"display_name": cleaned}
    path = config_dir() / _FILE
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        parser.write(fh)
    os.replace(tmp, path)  # atomic: a crash never leaves half a file
    return cleaned
