"""Hand a command to the window that holds the workspace, and run it there.

DuckDB lets one process open a workspace file, so while a window has it open a
command-line run cannot. Instead the window listens on a local socket named after
the workspace (per user, per workspace: a hash of the resolved path), and the command
line hands it its arguments: the window runs the same CLI code in its own process
(off the GUI thread, on its open workspace), streams stdout and stderr back, and the
command line prints them and exits with the same status as if it had run alone.
This is how VS Code and qutebrowser route a second invocation to the running one.

This module is Qt-free: the client is a plain ``AF_UNIX`` socket, and the window's
side (``ui/command_server.py``) calls :func:`run_hosted` on a worker thread.

Wire format, one JSON object per line. Request: ``{"argv": [...], "cwd": "...",
"stdin": "..."}``. Replies: ``{"out": text}``, ``{"err": text}``, then
``{"exit": status}``.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import importlib
import io
import json
import os
import socket
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from engage_desktop.core.errors import EngageError
from engage_desktop.workspace.database import Workspace

#: Command groups that need the caller's terminal or environment (secrets typed at a
#: prompt or read from a variable): these are never handed over.
LOCAL_ONLY = frozenset({"accounts"})
MAX_REQUEST = 4 * 1024 * 1024

_hosted: dict[str, Workspace] = {}
_hosted_lock = threading.Lock()
_run_lock = threading.Lock()  # one hosted command at a time (it owns the cwd)


class HandedOver(Exception):
    """The command ran in the window; ``status`` is its exit status."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def _key(path: str | Path) -> str:
    return str(Path(path).expanduser().resolve())


def socket_dir() -> Path:
    """The per-user folder of the windows' sockets (created private to the user)."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    base = Path(runtime) if runtime and Path(runtime).is_dir() else Path(tempfile.gettempdir())
    folder = base / f"engage-desktop-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    info = folder.stat()
    if info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise EngageError(
            f"{folder} is not private to you; remove it and start engage-desktop again"
        )
    return folder


def socket_path(workspace: str | Path) -> Path:
    """Where the window holding ``workspace`` listens."""
    digest = hashlib.sha256(_key(workspace).encode()).hexdigest()[:20]
    return socket_dir() / f"ws-{digest}.sock"


# -- the command line's side ------------------------------------------------------------


def forward(workspace: str | Path, argv: list[str]) -> int | None:
    """Run ``argv`` in the window holding ``workspace``; None when no window listens.

    Output arrives as the window produces it and is printed here unchanged.

    Raises:
        EngageError: The window went away before the command finished.
    """
    words = [w for w in argv if not w.startswith("-")]
    if words and words[0] in LOCAL_ONLY:
        return None
    try:
        path = socket_path(workspace)
    except EngageError:
        return None
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(str(path))
    except OSError:  # no window, or a stale socket of one that crashed
        sock.close()
        return None
    piped = "" if sys.stdin is None or sys.stdin.closed or sys.stdin.isatty() else sys.stdin.read()
    request = {"argv": ["-w", _key(workspace), *argv], "cwd": os.getcwd(), "stdin": piped}
    with sock, sock.makefile("rwb") as stream:
        stream.write(json.dumps(request).encode() + b"\n")
        stream.flush()
        for raw in stream:
            message = json.loads(raw)
            if "out" in message:
                sys.stdout.write(message["out"])
                sys.stdout.flush()
            elif "err" in message:
                sys.stderr.write(message["err"])
                sys.stderr.flush()
            elif "exit" in message:
                return int(message["exit"])
    raise EngageError("the engage-desktop window closed before the command finished; run it again")


# -- the window's side ------------------------------------------------------------------


def host(ws: Workspace) -> None:
    """Let commands handed to this process use the window's open workspace."""
    with _hosted_lock:
        _hosted[_key(ws.path)] = ws


def unhost(ws: Workspace) -> None:
    """The window is closing its workspace: commands can no longer use it."""
    with _hosted_lock:
        if _hosted.get(_key(ws.path)) is ws:
            del _hosted[_key(ws.path)]


def borrow(path: str | Path) -> Workspace | None:
    """The hosted workspace at ``path`` for a command, or None.

    The command gets a handle whose ``close`` leaves the window's connection open;
    it shares the window's connection and its single writer lock.
    """
    with _hosted_lock:
        ws = _hosted.get(_key(path))
    if ws is None:
        return None
    handle = copy.copy(ws)
    handle.close = lambda: None  # type: ignore[method-assign]
    return handle


class _ThreadRouted(io.TextIOBase):
    """sys.stdout/sys.stderr/sys.stdin stand-in: the hosting thread's own stream."""

    def __init__(self, original: Any, local: threading.local, name: str) -> None:
        self.original, self._local, self._name = original, local, name

    def _target(self) -> Any:
        return getattr(self._local, self._name, None) or self.original

    def write(self, text: str) -> int:
        return self._target().write(text)

    def flush(self) -> None:
        self._target().flush()

    def read(self, size: int | None = -1) -> str:
        return self._target().read(size)

    def readline(self, size: int | None = -1) -> str:
        return self._target().readline(size)

    def isatty(self) -> bool:
        target = self._target()
        return False if target is not self.original else bool(target.isatty())

    @property
    def encoding(self) -> str:
        return getattr(self.original, "encoding", None) or "utf-8"


class _Sink(io.TextIOBase):
    """A text stream whose writes go to ``emit``."""

    def __init__(self, emit: Callable[[str], None]) -> None:
        self._emit = emit

    def write(self, text: str) -> int:
        if text:
            self._emit(text)
        return len(text)

    def isatty(self) -> bool:
        return False


@contextlib.contextmanager
def _routed(out: _Sink, err: _Sink, stdin: io.StringIO) -> Iterator[None]:
    local = threading.local()
    local.stdout, local.stderr, local.stdin = out, err, stdin
    saved = sys.stdout, sys.stderr, sys.stdin
    sys.stdout = _ThreadRouted(saved[0], local, "stdout")
    sys.stderr = _ThreadRouted(saved[1], local, "stderr")
    sys.stdin = _ThreadRouted(saved[2], local, "stdin")
    try:
        yield
    finally:
        sys.stdout, sys.stderr, sys.stdin = saved


def parse_request(raw: bytes) -> dict[str, Any]:
    """Check a request line from the socket.

    Raises:
        EngageError: It is not a request this module writes.
    """
    try:
        request = json.loads(raw)
    except ValueError:
        raise EngageError("not a command request") from None
    argv, cwd = request.get("argv") if isinstance(request, dict) else None, None
    if isinstance(request, dict):
        cwd = request.get("cwd")
    if not isinstance(argv, list) or not all(isinstance(a, str) for a in argv):
        raise EngageError("not a command request")
    if not isinstance(cwd, str) or not os.path.isdir(cwd):
        raise EngageError("the command's folder does not exist here")
    stdin = request.get("stdin")
    return {"argv": argv, "cwd": cwd, "stdin": stdin if isinstance(stdin, str) else ""}


def run_hosted(
    request: dict[str, Any], emit_out: Callable[[str], None], emit_err: Callable[[str], None]
) -> int:
    """Run a handed-over command here, as ``engage-desktop`` would run it alone.

    Commands run one at a time: each runs in the caller's folder (relative paths in
    its arguments mean what they meant there), which is process-wide.

    Returns:
        The command's exit status.
    """
    # The entry point by name: a static import would close the circle
    # cli -> ui.app (the window command) -> main window -> command server -> here.
    cli = importlib.import_module("engage_desktop.cli")
    out, err = _Sink(emit_out), _Sink(emit_err)
    with _run_lock:
        previous = os.getcwd()
        try:
            os.chdir(request["cwd"])
            with _routed(out, err, io.StringIO(request["stdin"])):
                try:
                    return int(cli.main(request["argv"]))
                except BaseException as exc:  # --debug re-raises; never kill the window
                    sys.stderr.write(f"{cli.PROG}: {type(exc).__name__}: {exc}\n")
                    return 1
        finally:
            os.chdir(previous)
