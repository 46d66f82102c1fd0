"""Account secrets (tokens, app passwords): the OS keyring, else a private file.

Secrets never go into a workspace file: a workspace is shared with clients and
executives. They go to the operating system's keyring through ``keyring``. On a
machine without a keyring backend (a headless server, a container), the secret is
kept in ``secrets.json`` in the user's config folder, readable only by the user
(mode 0600), and :func:`storage_note` says so in words for the CLI and the dialog.

A secret's name is the account's identity — channel, server and handle — so the
same account used by two client workspaces shares one secret.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from pathlib import Path

from engage_desktop.core.errors import EngageError
from engage_desktop.paths import config_dir

SERVICE = "engage-desktop"
FALLBACK_NAME = "secrets.json"
_lock = threading.Lock()


def secret_name(channel: str, server: str | None, handle: str | None) -> str:
    """The keyring user name of an account's secret."""
    return f"{channel}:{(server or '').rstrip('/').lower()}:{(handle or '').lower()}"


def _keyring():
    """The OS keyring backend, or None when this machine has none."""
    import keyring
    from keyring.backends import fail

    try:
        backend = keyring.get_keyring()
    except Exception:  # a broken keyring configuration is the same as none
        return None
    if isinstance(backend, fail.Keyring) or getattr(backend, "priority", 1) <= 0:
        return None
    if type(backend).__name__ == "ChainerBackend" and not getattr(backend, "backends", None):
        return None
    return backend


def fallback_path() -> Path:
    """Where secrets go without a keyring."""
    return config_dir() / FALLBACK_NAME


def uses_keyring() -> bool:
    """True when secrets go to the OS keyring."""
    return _keyring() is not None


def storage_note() -> str:
    """Where secrets are kept, in words."""
    backend = _keyring()
    if backend is not None:
        return f"secrets are kept in the OS keyring ({type(backend).__name__})"
    return (
        "no OS keyring is available on this machine (headless?); secrets are kept in "
        f"{fallback_path()}, readable only by you (mode 0600)"
    )


def _read_file() -> dict[str, str]:
    path = fallback_path()
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise EngageError(
            f"cannot read {path} ({exc}); fix or delete it and add the accounts again"
        ) from None
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _write_file(data: dict[str, str]) -> None:
    path = fallback_path()
    tmp = path.with_name(path.name + ".tmp")
    # Created with 0600 from the start: never readable by others, not even briefly.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=1, sort_keys=True)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def set_secret(name: str, secret: str) -> None:
    """Store a secret under ``name`` (see :func:`secret_name`)."""
    backend = _keyring()
    if backend is not None:
        backend.set_password(SERVICE, name, secret)
        return
    with _lock:
        data = _read_file()
        data[name] = secret
        _write_file(data)


def get_secret(name: str) -> str | None:
    """The secret stored under ``name``, or None."""
    backend = _keyring()
    if backend is not None:
        return backend.get_password(SERVICE, name)
    with _lock:
        return _read_file().get(name)


def delete_secret(name: str) -> None:
    """Forget a secret (no error when there is none)."""
    backend = _keyring()
    if backend is not None:
        import keyring.errors

        with contextlib.suppress(keyring.errors.PasswordDeleteError):
            backend.delete_password(SERVICE, name)
        return
    with _lock:
        data = _read_file()
        if data.pop(name, None) is not None:
            _write_file(data)
