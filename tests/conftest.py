"""Fixtures every test gets: headless Qt, private folders, no leftover threads."""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

import pytest

# Qt without a display aborts with a misleading xcb message; tests never need one.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# Session-long helpers that legitimately outlive a single test.
_LONG_LIVED_MODULES = ("pytest_httpserver", "werkzeug", "pytest_timeout")


@pytest.fixture(autouse=True)
def _private_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point settings, data and the home folder at tmp_path: no test touches ~."""
    use_private_dirs(tmp_path / "home", monkeypatch)


def use_private_dirs(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings, data, keyring and the home folder under ``home`` (also for fixtures
    wider than one test, which build their window before ``_private_dirs`` runs)."""
    for sub in ("", ".config", ".local/share", ".cache"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local/share"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("ENGAGE_DESKTOP_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("ENGAGE_DESKTOP_CONFIG_DIR", str(home / "config"))
    monkeypatch.delenv("ENGAGE_DESKTOP_WORKSPACE", raising=False)
    # The display name is preset, as CI does: no first-start dialog waits for a typist.
    monkeypatch.setenv("ENGAGE_DESKTOP_USER_NAME", "Robin Analyst")
    # Never the developer's real keyring: tests see a machine without one (secrets go
    # to the 0600 file under tmp_path); tests of the keyring path install their own.
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")


def _long_lived(thread: threading.Thread) -> bool:
    target = getattr(thread, "_target", None)
    module = getattr(target, "__module__", "") or ""
    owner = getattr(getattr(target, "__self__", None), "__class__", type(None)).__module__
    return any(module.startswith(m) or owner.startswith(m) for m in _LONG_LIVED_MODULES)


@pytest.fixture(autouse=True)
def _no_leftover_threads():
    """Fail a test that leaves threads running (after a grace period that a busy
    machine needs: threads that are ending end well before it, so it costs nothing)."""
    before = set(threading.enumerate())
    yield
    pool = sys.modules.get("engage_desktop.listen.pool")
    if pool is not None:  # the shared parse pool has a manager thread
        pool.shutdown_parse_pool()
        pool.shutdown_fetch_threads()  # kept for the next run of the process
    scoring = sys.modules.get("engage_desktop.enrich.sentiment.window_pool")
    if scoring is not None:  # so has a window's scoring pool, if a window left one
        scoring.close_window_pool()
    priority = sys.modules.get("engage_desktop.core.priority")
    if priority is not None:  # a window's test must not make later tests score in a pool
        priority._window = False
    deadline = time.monotonic() + 60.0
    while True:
        leftover = [
            t
            for t in threading.enumerate()
            if t not in before and t.is_alive() and not _long_lived(t)
        ]
        if not leftover or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    if leftover:
        pytest.fail(f"test left threads running: {[t.name for t in leftover]}")


class _EmptyTemplate:
    """The session's empty workspace for :func:`new_workspace`, built on first use."""

    factory: pytest.TempPathFactory | None = None
    path: Path | None = None


@pytest.fixture(scope="session", autouse=True)
def _empty_workspace_folder(tmp_path_factory: pytest.TempPathFactory) -> None:
    _EmptyTemplate.factory = tmp_path_factory


def new_workspace(path: Path):
    """A new, empty workspace at ``path``, open for writing: a copy of one workspace
    built once per session with ``Workspace.create`` (same schema, same rows).

    Creating runs every migration (~65 ms of CPU); a copy opens in ~25. The tests of
    creating itself call ``Workspace.create``.
    """
    import shutil

    from engage_desktop.workspace.database import Workspace

    if _EmptyTemplate.path is None:
        assert _EmptyTemplate.factory is not None
        folder = _EmptyTemplate.factory.mktemp("empty_workspace")
        with pytest.MonkeyPatch.context() as monkeypatch:
            use_private_dirs(folder / "home", monkeypatch)
            Workspace.create(folder / "template.engage").close()
        _EmptyTemplate.path = folder / "template.engage"
    path = Path(path)
    assert not path.exists(), f"{path} exists: new_workspace makes a new file"
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_EmptyTemplate.path, path)
    return Workspace.open(path)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 3,000-mention demo workspace built once per session (copy before writing)."""
    from datetime import UTC, datetime

    from engage_desktop.demo.build import build_demo

    path = tmp_path_factory.mktemp("demo") / "template.engage"
    build_demo(path, 3000, seed=11, end=datetime(2026, 11, 1, tzinfo=UTC))
    return path


@pytest.fixture
def demo_path(demo_template: Path, tmp_path: Path) -> Path:
    """A private copy of the session's demo workspace."""
    import shutil

    target = tmp_path / "demo.engage"
    shutil.copy2(demo_template, target)
    return target
