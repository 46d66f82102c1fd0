"""Secrets (Bluesky app passwords, later reply tokens) in the OS keyring.

Service name ``engage-desktop``; user names like ``bluesky:HANDLE``. When the machine
has no keyring backend (a headless server, a bare container) the secret goes to a
file only the user can read (mode 0600) in the config folder, and callers are told
so. A workspace file never holds a secret.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

from engage_desktop.paths import config_dir

SERVICE = "engage-desktop"
_FALLBACK = "secrets.json"


def _keyring_usable() -> bool:
    try:
        import keyring
        from keyring.backends import fail

        return not isinstance(keyring.get_keyring(), fail.Keyring)
    except Exception:  # a broken backend must not break fetching
        return False


def _fallback_path() -> Path:
    return config_dir() / _FALLBACK


def _read_fallback() -> dict[str, str]:
    path = _fallback_path()
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _write_fallback(data: dict[str, str]) -> None:
    path = _fallback_path()
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def set_secret(username: str, secret: str) -> str:
    """Store a secret; return where it went ("keyring" or the fallback file's path)."""
    if _keyring_usable():
        import keyring

        keyring.set_password(SERVICE, username, secret)
        return "keyring"
    data = _read_fallback()
    data[username] = secret
    _write_fallback(data)
    return str(_fallback_path())


def get_secret(username: str) -> str | None:
    """The stored secret, or None."""
    if _keyring_usable():
        import keyring

        value = keyring.get_password(SERVICE, username)
        if value is not None:
            return value
    return _read_fallback().get(username)


def delete_secret(username: str) -> None:
    """Forget a secret wherever it is."""
    if _keyring_usable():
        import keyring
        from keyring.errors import PasswordDeleteError

        with contextlib.suppress(PasswordDeleteError):
            keyring.delete_password(SERVICE, username)
    data = _read_fallback()
    if data.pop(username, None) is not None:
        _write_fallback(data)
