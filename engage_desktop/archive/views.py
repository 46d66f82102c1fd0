"""Reading the workspace and an attached archive together: the one place that names
the mentions a reader sees.

Every reader that lists or counts mentions (the inbox pager, search, drill-downs, the
dashboard's analytics and cube) asks :func:`mention_source` for the relation to read
instead of naming the ``mentions`` table. Without an archive that is the table itself.
With one it is a view, aliased ``mentions``, that unions the workspace table with
``read_parquet`` over the archive's files (``hive_partitioning``), plus a
``from_archive`` flag. It is built per query so that a date range prunes whole
partitions (by each file's min/max publication in the manifest) before DuckDB opens
any file; inside a file DuckDB still skips row groups by their statistics.

Archived rows keep their ids. When the archive also holds rows that are still in the
workspace (copied without ``--move``, or a move interrupted before its delete), the
workspace's copy wins and the archive's is left out, so nothing shows twice.

The archive is attached per workspace (the ``archive.path`` setting; for a read-only
workspace, for the session) and is itself read-only: nothing here writes to it.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from engage_desktop.archive import manifest as mf
from engage_desktop.archive.export import parquet_list
from engage_desktop.workspace import settings as S
from engage_desktop.workspace.database import Workspace

FLAG = "from_archive"


@dataclass(frozen=True)
class MentionSource:
    """What a query reads its mentions from.

    Attributes:
        sql: A FROM item whose name is ``mentions``: the table, or the union view.
        flag: SQL for "this row comes from the archive" (``false`` without one).
        archived: True when archive files are part of :attr:`sql`.
    """

    sql: str = "mentions"
    flag: str = "false"
    archived: bool = False


WORKSPACE_ONLY = MentionSource()


@dataclass(frozen=True)
class _Attached:
    folder: Path
    stamp: tuple[int, int]
    manifest: mf.Manifest
    overlap: bool


_state: weakref.WeakKeyDictionary[Workspace, _Attached | None] = weakref.WeakKeyDictionary()
_session: weakref.WeakKeyDictionary[Workspace, str] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def attach(ws: Workspace, folder: str | Path) -> mf.Manifest:
    """Attach an archive to a workspace.

    A writable workspace remembers it in its settings; a read-only one (an executive
    copy) for as long as it is open.

    Raises:
        ArchiveError: The folder is not a readable archive.
    """
    folder = Path(folder).resolve()
    manifest = mf.load(folder)
    if ws.read_only:
        _session[ws] = str(folder)
    else:
        S.put(ws, S.ARCHIVE_PATH, str(folder))
    forget(ws)
    return manifest


def detach(ws: Workspace) -> bool:
    """Stop reading the attached archive; False when none was attached."""
    if ws.read_only:
        found = _session.pop(ws, None) is not None
    else:
        found = bool(S.get(ws, S.ARCHIVE_PATH))
        if found:
            S.put(ws, S.ARCHIVE_PATH, None)
    forget(ws)
    return found


def forget(ws: Workspace) -> None:
    """Drop what is remembered about the workspace's archive (re-read on next use)."""
    with _lock:
        _state.pop(ws, None)


def attached(ws: Workspace) -> tuple[Path, mf.Manifest] | None:
    """The attached archive's folder and manifest, or None.

    Raises:
        ArchiveError: The archive is attached but cannot be read (moved, unplugged).
    """
    state = _current(ws)
    return None if state is None else (state.folder, state.manifest)


def mention_source(
    ws: Workspace, start: datetime | None = None, end: datetime | None = None
) -> MentionSource:
    """The relation of every mention a reader sees, pruned to ``[start, end)``.

    Args:
        ws: The workspace.
        start: The query's earliest publication, if it has one (prunes partitions).
        end: The query's first excluded publication, if it has one.
    """
    state = _current(ws)
    if state is None:
        return WORKSPACE_ONLY
    return _union(state, state.manifest.files_of("mentions", start, end))


def known_span(
    ws: Workspace, low: datetime, high: datetime
) -> tuple[tuple[datetime, datetime] | None, MentionSource]:
    """The archive's publication span as far as the manifest tells it, and what to scan.

    Each file's earliest and latest publication are in the manifest, so no archived
    file needs opening to bound the data (scanning 10M archived dates took a second).
    Only a file whose range leaves ``[low, high]`` (an impossible date the caller
    filters out) must be read.

    Returns:
        ``(span, source)``: the span of the files that need no reading (None if
        none), and the relation of the workspace plus the files that do.
    """
    state = _current(ws)
    if state is None:
        return None, WORKSPACE_ONLY
    known, rest = [], []
    for entry in state.manifest.files_of("mentions"):
        first, last = entry.min_published, entry.max_published
        inside = first and last and low <= mf.parse_time(first) and mf.parse_time(last) <= high
        (known if inside else rest).append(entry)
    span = None
    if known:
        span = (
            min(mf.parse_time(e.min_published) for e in known),
            max(mf.parse_time(e.max_published) for e in known),
        )
    return span, _union(state, rest)


def _union(state: _Attached, files: list[mf.FileEntry]) -> MentionSource:
    """The workspace's mentions and those of ``files``, as one relation."""
    if not files:
        return MentionSource(archived=False)
    dedupe = " WHERE id NOT IN (SELECT id FROM main.mentions)" if state.overlap else ""
    sql = (
        f"(SELECT *, false AS {FLAG} FROM main.mentions UNION ALL BY NAME "
        f"SELECT * EXCLUDE (year, month), true AS {FLAG} FROM read_parquet("
        f"{parquet_list(state.folder, files)}, hive_partitioning = true, "
        f"union_by_name = true){dedupe}) AS mentions"
    )
    return MentionSource(sql, FLAG, True)


def _stamp(folder: Path) -> tuple[int, int]:
    try:
        st = (folder / mf.MANIFEST).stat()
    except OSError:
        return (-1, -1)
    return (st.st_mtime_ns, st.st_size)


def _current(ws: Workspace) -> _Attached | None:
    """The attached archive, re-read when its manifest changed on disk."""
    with _lock:
        known = _state.get(ws, False)
    if known is None:
        return None
    if known is not False and _stamp(known.folder) == known.stamp:
        return known
    value = _session.get(ws) or S.get(ws, S.ARCHIVE_PATH)
    if not value:
        with _lock:
            _state[ws] = None
        return None
    folder = Path(value)
    stamp = _stamp(folder)
    manifest = mf.load(folder)
    state = _Attached(folder, stamp, manifest, _overlaps(ws, folder, manifest))
    with _lock:
        _state[ws] = state
    return state


def _overlaps(ws: Workspace, folder: Path, manifest: mf.Manifest) -> bool:
    """True when some archived mention is still in the workspace.

    First by the files' id ranges (no file is opened); only if a range holds a
    workspace id are the archive's ids read.
    """
    files = manifest.files_of("mentions")
    if not files:
        return False
    ranges = " OR ".join(
        f"id BETWEEN {int(e.min_id)} AND {int(e.max_id)}" for e in files if e.min_id is not None
    )
    if not ranges or not ws.scalar(f"SELECT count(*) FROM main.mentions WHERE {ranges}"):
        return False
    found = ws.scalar(
        "SELECT count(*) FROM main.mentions WHERE id IN "
        f"(SELECT id FROM read_parquet({parquet_list(folder, files)}, hive_partitioning = false))"
    )
    return bool(found)


def cube_context(within_sla_sql: str) -> str:
    """A fingerprint of the rules a cube was computed with (the SLA's SQL)."""
    import hashlib

    return hashlib.sha256(within_sla_sql.encode()).hexdigest()[:16]


def precomputed_cube(ws: Workspace, within_sla_sql: str) -> Path | None:
    """The attached archive's stored cube, when it is current; else None.

    Current means computed over exactly the archive's mention files, with the same
    SLA rules, and no archived mention is still in the workspace (it would count
    twice: the live part of the cube reads the workspace).
    """
    state = _current(ws)
    if state is None or state.overlap or not state.manifest.cube:
        return None
    cube = state.manifest.cube
    files = sorted(e.path for e in state.manifest.files_of("mentions"))
    if cube.get("context") != cube_context(within_sla_sql) or cube.get("sources") != files:
        return None
    path = state.folder / cube["path"]
    return path if path.is_file() else None


def archive_note(ws: Workspace) -> str:
    """A status-bar note about the attached archive, or ``""``."""
    try:
        found = attached(ws)
    except mf.ArchiveError as exc:
        return f"Archive unavailable: {exc}"
    if found is None:
        return ""
    folder, manifest = found
    return f"Archive attached (read-only): {manifest.rows():,} mentions from {folder.name}"
