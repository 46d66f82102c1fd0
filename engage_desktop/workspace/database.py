"""Opening, creating and closing a workspace file (one DuckDB database).

Threading contract: a :class:`Workspace` owns one DuckDB connection. Each thread
that reads takes its own :meth:`Workspace.cursor`; every write goes through
:meth:`Workspace.write`, which serialises writers with a lock and wraps them in a
transaction. DuckDB lets only one *process* open a file, even read-only, so a second
engage-desktop gets a :class:`WorkspaceLockedError` that says so.
"""

from __future__ import annotations

import getpass
import json
import os
import re
import shutil
import tempfile
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from engage_desktop.core.errors import (
    NotAWorkspaceError,
    ReadOnlyError,
    WorkspaceError,
    WorkspaceLockedError,
    WorkspaceTooNewError,
)
from engage_desktop.core.foreground import make_way
from engage_desktop.workspace import schema, thread_guard
from engage_desktop.workspace.faults import explain_fault
from engage_desktop.workspace.interrupt import OpenInterrupt
from engage_desktop.workspace.shared import Manifest, has_manifest, read_manifest

SUFFIX = ".engage"
_DUCKDB_MAGIC = b"DUCK"  # bytes 8..12 of every DuckDB database file
_LOCK_PID = re.compile(r"\(PID (\d+)\)")


def current_user() -> str:
    """The name recorded as the actor of events: the display name, else the OS login."""
    from engage_desktop.profile import display_name

    name = display_name()
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, e.g. in some containers
        return "analyst"


def _looks_like_duckdb(path: Path) -> bool:
    with path.open("rb") as fh:
        head = fh.read(12)
    return len(head) == 12 and head[8:12] == _DUCKDB_MAGIC


def _connect(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    """Connect, turning DuckDB's errors into one-line workspace errors."""
    thread_guard.check("open")  # opening (and migrating) waits on the disk too
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        text = str(exc)
        if "Could not set lock" in text or "Conflicting lock" in text:
            match = _LOCK_PID.search(text)
            pid = int(match.group(1)) if match else None
            who = f" (process {pid})" if pid else ""
            raise WorkspaceLockedError(
                f"{path} is open in another engage-desktop window{who}; close it there, "
                "or open a read-only copy with --snapshot",
                path,
                pid,
            ) from None
        if "not a valid DuckDB database" in text:
            raise NotAWorkspaceError(
                f"{path} is not an engage-desktop workspace; choose a .engage file", path
            ) from None
        fault = explain_fault(exc, path)
        if fault is not None:
            raise WorkspaceError(fault, path) from None
        raise WorkspaceError(f"cannot open {path}: {text.splitlines()[0]}", path) from None
    except (duckdb.Error, OSError) as exc:
        # A truncated file, a read-only folder (DuckDB needs to write its WAL beside
        # the file), a full disk: in words, naming the file.
        fault = explain_fault(exc, path)
        if fault is None:
            raise
        raise WorkspaceError(fault, path) from None
    # Times are stored and shown in UTC; the machine's zone must not leak into the data.
    con.execute("SET TimeZone = 'UTC'")
    return con


def _migrate(con: duckdb.DuckDBPyConnection, path: Path, stop: OpenInterrupt | None) -> None:
    """Migrate ``con`` forward; on failure (or when ``stop`` stops it) close it.

    The migration in progress is rolled back and the file's lock goes with the
    connection, so a window closed while its workspace opens leaves the file as it was.
    """
    if stop is None:
        try:
            schema.migrate(con)
        except BaseException:
            con.close()
            raise
        return
    stop.attach(con)
    try:
        schema.migrate(con, before_step=lambda: stop.check(path))
    except BaseException:
        stop.attach(None)
        con.close()
        stop.check(path)  # stopped: say so, not "interrupted" from inside DuckDB
        raise
    stop.attach(None)


# Files this process holds open for writing (resolved path -> how many workspaces).
# DuckDB gives a second writing connection to such a file the database already open;
# the probing way refuses it, as it always did, so such a file takes that way.
_held_for_writing: Counter[str] = Counter()
_held_lock = threading.Lock()


def _held_key(path: Path) -> str:
    return os.path.realpath(path)


#: Rows turned into Python objects per step of :func:`fetch_all`. DuckDB holds the
#: GIL while it converts a batch, so one ``fetchall()`` of 100,000 rows froze the
#: window's GUI thread for 150-250 ms; 2,000 rows take a few milliseconds. 500 rows
#: made a GUI-thread timer much less late beside two reading threads alone
#: (``benchmarks/fetch_batch_gil.py``), but in the window the backfill, which makes
#: way for the GUI thread between batches (``core/foreground.py``), then scored 15-20 %
#: fewer mentions a second, and ``benchmarks/responsiveness.py`` did not gain.
FETCH_BATCH = 2_000


def fetch_batches(cur: duckdb.DuckDBPyConnection) -> Iterator[list[tuple[Any, ...]]]:
    """The remaining rows of ``cur``'s result, converted a batch at a time.

    Between batches other threads (the window's GUI thread above all) get the GIL,
    and no batch after the first starts while the GUI thread paints
    (:func:`make_way`), so a big read in the background never stalls the window for
    long. The first batch never waits: most reads (a count, a mention, a page) end
    with it, and a fetch or a backfill makes hundreds of them.
    """
    batch = cur.fetchmany(FETCH_BATCH)
    while batch:
        yield batch
        if len(batch) < FETCH_BATCH:
            return
        make_way()
        batch = cur.fetchmany(FETCH_BATCH)


def fetch_all(cur: duckdb.DuckDBPyConnection) -> list[tuple[Any, ...]]:
    """Every remaining row of ``cur``'s result (see :func:`fetch_batches`)."""
    out: list[tuple[Any, ...]] = []
    for batch in fetch_batches(cur):
        out.extend(batch)
    return out


class Workspace:
    """An open workspace file.

    Use :meth:`open` or :meth:`create`; close with :meth:`close` or a ``with`` block.
    """

    def __init__(
        self,
        path: Path,
        con: duckdb.DuckDBPyConnection,
        read_only: bool,
        manifest: Manifest | None = None,
    ) -> None:
        self.path = path
        self.read_only = read_only
        # Set for a shared copy (always read-only): who shared it, when, what range.
        self.manifest = manifest
        self._con = con
        self._write_lock = threading.RLock()
        self._held: str | None = None
        if not read_only:
            self._held = _held_key(path)
            with _held_lock:
                _held_for_writing[self._held] += 1
        self.actor = current_user()

    # -- opening -------------------------------------------------------------------

    @classmethod
    def create(
        cls, path: str | Path, *, overwrite: bool = False, stop: OpenInterrupt | None = None
    ) -> Workspace:
        """Create a new, empty workspace at ``path`` and open it for writing.

        ``stop``, when given, lets another thread stop the creation (see
        :class:`~engage_desktop.workspace.interrupt.OpenInterrupt`).

        Raises:
            WorkspaceError: The file exists and ``overwrite`` is false.
        """
        path = Path(path)
        if path.exists():
            if not overwrite:
                raise WorkspaceError(
                    f"{path} already exists; choose another name or remove it first", path
                )
            path.unlink()
            wal = path.with_name(path.name + ".wal")
            if wal.exists():
                wal.unlink()
        path.parent.mkdir(parents=True, exist_ok=True)
        con = _connect(path, read_only=False)
        _migrate(con, path, stop)
        return cls(path, con, read_only=False)

    @classmethod
    def open(
        cls, path: str | Path, *, read_only: bool = False, stop: OpenInterrupt | None = None
    ) -> Workspace:
        """Open an existing workspace, migrating it forward unless read-only.

        Nothing on disk changes when opening fails. A shared copy (one with a
        manifest, see :mod:`engage_desktop.workspace.shared`) always opens read-only,
        whatever was asked: the file someone sent stays byte-identical. ``stop``, when
        given, lets another thread stop the opening and its migration (see
        :class:`~engage_desktop.workspace.interrupt.OpenInterrupt`).

        Raises:
            WorkspaceError: The file is missing, locked, foreign or too new.
        """
        path = Path(path)
        if not path.is_file():
            raise WorkspaceError(
                f"{path} does not exist; create it with 'engage-desktop new {path}' "
                "(or File › New in the window)",
                path,
            )
        if not _looks_like_duckdb(path):
            raise NotAWorkspaceError(
                f"{path} is not an engage-desktop workspace; choose a .engage file", path
            )
        if stop is not None:
            stop.check(path)
        if not read_only:
            opened = cls._open_for_writing(path, stop)
            if opened is not None:
                return opened
        # Probe read-only first so a foreign or too-new file is never written to. A
        # workspace that opens read-only keeps the probe as its connection (starting
        # DuckDB costs ~20-30 ms of CPU); one that opens for writing needs its own
        # (an ordinary one took the single-start way above).
        probe = _connect(path, read_only=True)
        try:
            opened = cls._opened_read_only(path, probe, read_only)
        except BaseException:
            probe.close()
            raise
        if opened is not None:
            return opened
        probe.close()
        if stop is not None:
            stop.check(path)
        con = _connect(path, read_only=False)
        _migrate(con, path, stop)
        return cls(path, con, read_only=False)

    @classmethod
    def _open_for_writing(cls, path: Path, stop: OpenInterrupt | None) -> Workspace | None:
        """The usual opening for writing, with one start of DuckDB instead of two.

        A connection for writing changes nothing in the file until something is
        written (opened, checked and closed, the file stays byte-identical), so an
        ordinary workspace is checked on the connection it keeps. Anything else (a
        shared copy, a foreign or too-new or damaged file, a file DuckDB refuses to
        open for writing) is closed untouched, and None sends the caller the probing
        way, which says why in the same words as always. A write-ahead log beside the
        file would be folded into it by a writing connection, so such a file always
        takes the probing way.
        """
        if path.with_name(path.name + ".wal").exists():
            return None
        with _held_lock:
            if _held_for_writing[_held_key(path)]:
                return None
        try:
            con = _connect(path, read_only=False)
        except (WorkspaceError, duckdb.Error, OSError):
            return None
        try:
            version = schema.current_version(con)
            ordinary = (
                version is not None and version <= schema.LATEST_VERSION and not has_manifest(con)
            )
        except duckdb.Error:
            ordinary = False
        except BaseException:
            con.close()
            raise
        if not ordinary:
            con.close()
            return None
        _migrate(con, path, stop)
        return cls(path, con, read_only=False)

    @classmethod
    def _opened_read_only(
        cls, path: Path, probe: duckdb.DuckDBPyConnection, read_only: bool
    ) -> Workspace | None:
        """Check the probed file; the workspace if it opens read-only, None to write.

        Raises:
            WorkspaceError: The file is damaged, foreign or too new, or read-only
                was asked of an older schema.
        """
        try:
            version = schema.current_version(probe)
            manifest = read_manifest(probe) if version is not None else None
        except duckdb.Error as exc:  # a truncated or damaged file
            raise WorkspaceError(
                explain_fault(exc, path) or f"cannot read {path}: {str(exc).splitlines()[0]}",
                path,
            ) from None
        if version is None:
            raise NotAWorkspaceError(
                f"{path} is a DuckDB database but not an engage-desktop workspace; "
                "choose a .engage file",
                path,
            )
        if version > schema.LATEST_VERSION:
            raise WorkspaceTooNewError(
                f"{path} was written by a newer engage-desktop (schema {version}, this "
                f"version reads up to {schema.LATEST_VERSION}); upgrade engage-desktop",
                path,
            )
        if manifest is not None:
            if version < schema.LATEST_VERSION:
                probe.close()  # the copy is opened on its own
                return cls._open_upgraded_copy(path, manifest)
            return cls(path, probe, read_only=True, manifest=manifest)
        if read_only:
            if version < schema.LATEST_VERSION:
                raise WorkspaceError(
                    f"{path} uses an older schema ({version}); open it once without "
                    "--read-only to upgrade it",
                    path,
                )
            return cls(path, probe, read_only=True)
        return None

    @classmethod
    def _open_upgraded_copy(cls, path: Path, manifest: Manifest) -> Workspace:
        """A shared copy from an older version: migrate a private copy, never the file."""
        tmp = Path(tempfile.mkdtemp(prefix="engage-shared-"))
        copy = tmp / path.name
        try:
            shutil.copyfile(path, copy)
            con = _connect(copy, read_only=False)
            try:
                schema.migrate(con)
            finally:
                con.close()
            ws = cls(path, _connect(copy, read_only=True), read_only=True, manifest=manifest)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        ws._snapshot_dir = tmp
        return ws

    @classmethod
    def open_snapshot(cls, path: str | Path, *, stop: OpenInterrupt | None = None) -> Workspace:
        """Open a read-only copy of a workspace another process holds open.

        The copy (and its write-ahead log) goes to a temporary folder that is removed
        when the workspace is closed. ``stop``: as for :meth:`open`.
        """
        path = Path(path)
        if not path.is_file():
            raise WorkspaceError(
                f"{path} does not exist; create it with 'engage-desktop new {path}' "
                "(or File › New in the window)",
                path,
            )
        tmp = Path(tempfile.mkdtemp(prefix="engage-snapshot-"))
        copy = tmp / path.name
        shutil.copy2(path, copy)
        wal = path.with_name(path.name + ".wal")
        if wal.exists():
            shutil.copy2(wal, copy.with_name(copy.name + ".wal"))
        try:
            ws = cls.open(copy, read_only=True, stop=stop)
            if ws.manifest is not None:  # show the file's own name, not the temp copy's
                ws.path = path
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        ws._snapshot_dir = tmp
        return ws

    # -- use -----------------------------------------------------------------------

    @property
    def name(self) -> str:
        """The workspace's display name: its setting, else the file name."""
        from engage_desktop.workspace import settings as S

        value = S.get(self, S.WORKSPACE_NAME)
        return str(value) if value else self.path.stem

    @staticmethod
    def explain_fault(exc: BaseException) -> str | None:
        """A fault of the machine (disk full, denied, locked) in words; None for a bug."""
        return explain_fault(exc)

    @staticmethod
    def is_interruption(exc: BaseException) -> bool:
        """True when ``exc`` is a query stopped by its cursor's ``interrupt()``."""
        return isinstance(exc, duckdb.InterruptException)

    @staticmethod
    def guard_calling_thread(mode: str | None = None) -> str | None:
        """Debug: watch the calling thread (the GUI's) for queries; see ``thread_guard``.

        Args:
            mode: ``record`` or ``raise``; None takes ``ENGAGE_DESKTOP_DEBUG_GUI_DB``.

        Returns:
            The mode switched on, or None when the guard stays off.
        """
        mode = mode or thread_guard.mode_from_env()
        if mode is not None:
            thread_guard.guard_thread(mode=mode)
        return mode

    @staticmethod
    def guarded_queries() -> list[thread_guard.GuardedQuery]:
        """The queries the guard recorded on the watched thread so far."""
        return thread_guard.found()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor for the calling thread (DuckDB cursors are not thread-safe)."""
        thread_guard.check("cursor")
        return self._con.cursor()

    @contextmanager
    def write(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The single writer path: a locked transaction on a fresh cursor.

        Raises:
            ReadOnlyError: The workspace was opened read-only.
        """
        if self.read_only:
            raise ReadOnlyError(
                f"{self.path.name} is open read-only; open it without --read-only to change it",
                self.path,
            )
        thread_guard.check("write")
        with self._write_lock:
            cur = self._con.cursor()
            cur.execute("BEGIN TRANSACTION")
            try:
                yield cur
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            else:
                cur.execute("COMMIT")
            finally:
                cur.close()

    def scalar(self, sql: str, params: list[Any] | None = None) -> Any:
        """Run a query that returns one value (None when it returns no row)."""
        found = self.tuples(sql, params)
        return found[0][0] if found else None

    def rows(self, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        """Run a read on this thread's own cursor; every row as a dict by column name."""
        cur = self.cursor()
        try:
            cur.execute(sql, params or [])
            names = [d[0] for d in cur.description or ()]
            # Made into dicts a batch at a time: each batch is a burst of Python.
            return [
                dict(zip(names, row, strict=True)) for batch in fetch_batches(cur) for row in batch
            ]
        finally:
            cur.close()

    def one(self, sql: str, params: list[Any] | None = None) -> dict[str, Any] | None:
        """The first row of a read as a dict, or None when there is none."""
        found = self.rows(sql, params)
        return found[0] if found else None

    def values(self, sql: str, params: list[Any] | None = None) -> list[Any]:
        """The first column of every row of a read."""
        return [row[0] for row in self.tuples(sql, params)]

    def tuples(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        """Every row of a read as a tuple (the cheapest shape for big results)."""
        cur = self.cursor()
        try:
            return fetch_all(cur.execute(sql, params or []))
        finally:
            cur.close()

    def schema_version(self) -> int:
        """The highest migration applied to this file."""
        return int(self.scalar("SELECT max(version) FROM schema_version"))

    # -- settings and the audit log -----------------------------------------------

    def get_setting(self, key: str, default: Any = None) -> Any:
        """A workspace setting's value, decoded from JSON."""
        raw = self.scalar("SELECT value FROM settings WHERE key = ?", [key])
        return default if raw is None else json.loads(raw)

    def set_setting(self, key: str, value: Any) -> None:
        """Store a workspace setting and log the change."""
        encoded = json.dumps(value)
        with self.write() as cur:
            old = cur.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
            cur.execute(
                "INSERT OR REPLACE INTO settings (key, value, updated_at) VALUES (?, ?, now())",
                [key, encoded],
            )
            log_event(cur, self.actor, "setting", key, "set", old[0] if old else None, encoded)

    # -- closing -------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        """True once :meth:`close` released the file."""
        return self._con is None

    def close(self) -> None:
        """Close the connection (and remove a snapshot copy)."""
        if self._con is not None:
            self._con.close()
            self._con = None  # type: ignore[assignment]
            if self._held is not None:
                with _held_lock:
                    _held_for_writing[self._held] -= 1
                    if not _held_for_writing[self._held]:
                        del _held_for_writing[self._held]
        snap = getattr(self, "_snapshot_dir", None)
        if snap is not None:
            shutil.rmtree(snap, ignore_errors=True)

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        mode = "read-only" if self.read_only else "read-write"
        return f"<Workspace {self.path} {mode}>"


def log_event(
    cur: duckdb.DuckDBPyConnection,
    actor: str,
    entity: str,
    entity_id: object,
    action: str,
    old_value: object = None,
    new_value: object = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append one row to the audit log inside the caller's write transaction."""
    cur.execute(
        "INSERT INTO events (actor, entity, entity_id, action, old_value, new_value, detail) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            actor,
            entity,
            None if entity_id is None else str(entity_id),
            action,
            None if old_value is None else str(old_value),
            None if new_value is None else str(new_value),
            None if detail is None else json.dumps(detail),
        ],
    )
