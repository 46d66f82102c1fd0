"""The archive's manifest: which Parquet files hold which rows, with their checksums.

The manifest is the only truth about an archive. Readers use exactly the files it
lists; a file on disk that it does not list (left by an interrupted run) is ignored
and removed by the next writing run. It is replaced atomically (write a temporary
file, flush it to disk, rename it over the old one), so a reader sees either the
old list or the new one, never half of each.

Writers take :func:`archive_lock` first: one writing run per archive at a time.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from engage_desktop.core.errors import EngageError
from engage_desktop.workspace.parquet import parquet_reader, parquet_rows

FORMAT = "engage-desktop archive"
#: Version of the archive layout and of its Parquet schema (bump on a change).
SCHEMA_VERSION = 1
MANIFEST = "manifest.json"
DATASETS = ("mentions", "replies", "corrections")
_LOCK = ".lock"


class ArchiveError(EngageError):
    """An archive folder cannot be read or written (the message says what to do)."""


@dataclass(frozen=True)
class FileEntry:
    """One Parquet file of the archive.

    Attributes:
        dataset: ``mentions``, ``replies`` or ``corrections``.
        path: Path relative to the archive folder, with ``/`` separators.
        rows: Row count (checked against the file when written).
        sha256: Checksum of the file's bytes.
        bytes: File size.
        year: Hive partition year (of the mention's publication).
        month: Hive partition month.
        run: The run that wrote it.
        min_published: Earliest mention publication in it (ISO 8601), for pruning.
        max_published: Latest one.
        min_id: Smallest mention id in it.
        max_id: Largest mention id in it.
    """

    dataset: str
    path: str
    rows: int
    sha256: str
    bytes: int
    year: int
    month: int
    run: str
    min_published: str | None = None
    max_published: str | None = None
    min_id: int | None = None
    max_id: int | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FileEntry:
        """Read an entry, ignoring keys a newer version added."""
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass
class Manifest:
    """What an archive holds.

    Attributes:
        files: Every live Parquet file.
        runs: One record per writing run (export, score, cube), oldest first.
        cube: The precomputed dashboard cube (path, sha256, rows, context), or None.
        superseded: Files replaced by the last run; removed by the next one, so a
            reader that listed them just before the swap can still finish.
        schema_version: Layout version that wrote the archive.
        created_at: When the archive was started.
    """

    files: list[FileEntry] = field(default_factory=list)
    runs: list[dict[str, Any]] = field(default_factory=list)
    cube: dict[str, Any] | None = None
    superseded: list[str] = field(default_factory=list)
    schema_version: int = SCHEMA_VERSION
    created_at: str = field(default_factory=lambda: now_iso())

    def files_of(
        self, dataset: str, start: datetime | None = None, end: datetime | None = None
    ) -> list[FileEntry]:
        """Files of one dataset whose rows may fall in ``[start, end)`` (partition pruning)."""
        out = []
        for entry in self.files:
            if entry.dataset != dataset:
                continue
            last, first = entry.max_published, entry.min_published
            if start is not None and last and parse_time(last) < start:
                continue
            if end is not None and first and parse_time(first) >= end:
                continue
            out.append(entry)
        return out

    def rows(self, dataset: str = "mentions") -> int:
        """Rows of a dataset."""
        return sum(e.rows for e in self.files if e.dataset == dataset)

    def to_json(self) -> str:
        """The manifest file's text."""
        data = {
            "format": FORMAT,
            "schema_version": self.schema_version,
            "created_at": self.created_at,
            "updated_at": now_iso(),
            "rows": {d: self.rows(d) for d in DATASETS},
            "files": [asdict(f) for f in self.files],
            "runs": self.runs,
            "cube": self.cube,
            "superseded": self.superseded,
        }
        return json.dumps(data, indent=1, sort_keys=False)


def now_iso() -> str:
    """The current UTC time, ISO 8601."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def new_run_id() -> str:
    """A run id that sorts by time and never repeats (it names the run's files)."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3)


def parse_time(value: str) -> datetime:
    """A manifest's ISO time (UTC when it names no zone)."""
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def load(folder: str | Path, *, create: bool = False) -> Manifest:
    """Read an archive's manifest.

    Args:
        folder: The archive folder.
        create: An empty or missing folder is a new, empty archive (for writers).

    Raises:
        ArchiveError: The folder is not an archive, or one written by a newer version.
    """
    folder = Path(folder)
    path = folder / MANIFEST
    if not path.is_file():
        if create and (not folder.exists() or folder.is_dir()):
            # What a first run killed before its manifest leaves (hidden staging
            # folders, dataset folders) is ours to clean up; anything else is not.
            ours = {*DATASETS, "cube"}
            if folder.is_dir() and any(
                not p.name.startswith(".") and p.name not in ours for p in folder.iterdir()
            ):
                raise ArchiveError(
                    f"{folder} is not empty and has no {MANIFEST}; choose an empty folder "
                    "or an existing archive"
                )
            return Manifest()
        raise ArchiveError(
            f"{folder} is not an engage-desktop archive (no {MANIFEST}); "
            "write one with 'engage-desktop archive export DIR'"
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ArchiveError(f"cannot read {path}: {exc}; the archive manifest is damaged") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ArchiveError(f"{path} is not an engage-desktop archive manifest")
    version = int(data.get("schema_version", 0))
    if version > SCHEMA_VERSION:
        raise ArchiveError(
            f"{folder} was written by a newer engage-desktop (archive schema {version}, "
            f"this version reads up to {SCHEMA_VERSION}); upgrade engage-desktop"
        )
    try:
        files = [FileEntry.from_dict(f) for f in data.get("files", [])]
    except TypeError as exc:
        raise ArchiveError(f"{path} lists a file without its details ({exc})") from None
    return Manifest(
        files=files,
        runs=list(data.get("runs", [])),
        cube=data.get("cube"),
        superseded=list(data.get("superseded", [])),
        schema_version=version,
        created_at=str(data.get("created_at") or now_iso()),
    )


def save(folder: str | Path, manifest: Manifest) -> None:
    """Replace the manifest atomically (temporary file, fsync, rename, fsync folder)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{MANIFEST}.{secrets.token_hex(4)}.tmp"
    with tmp.open("w", encoding="utf-8") as fh:
        fh.write(manifest.to_json())
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, folder / MANIFEST)
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    """Make a rename durable (POSIX); Windows has no directory handles to sync."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sha256_of(path: Path) -> str:
    """Checksum of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def describe_file(folder: Path, path: Path, con: Any = None, **fields: Any) -> FileEntry:
    """Check a freshly written Parquet file and describe it for the manifest.

    The row count is read back from the file's footer (with the DuckDB connection or
    cursor ``con``, if given) and must equal ``fields['rows']``.

    Raises:
        ArchiveError: The file holds another number of rows than was written.
    """
    found = parquet_rows(path, con)
    if found != fields["rows"]:
        raise ArchiveError(
            f"{path} holds {found} rows, {fields['rows']} were written; nothing was changed "
            "in the workspace, run the export again"
        )
    rel = path.relative_to(folder).as_posix()
    return FileEntry(path=rel, sha256=sha256_of(path), bytes=path.stat().st_size, **fields)


def verify(folder: str | Path) -> list[str]:
    """Problems with an archive's files: missing, wrong size, checksum or row count."""
    folder = Path(folder)
    manifest = load(folder)
    problems = []
    with parquet_reader() as con:  # one DuckDB for every footer
        for entry in manifest.files:
            path = folder / entry.path
            if not path.is_file():
                problems.append(f"{entry.path}: missing")
            elif path.stat().st_size != entry.bytes or sha256_of(path) != entry.sha256:
                problems.append(f"{entry.path}: checksum differs (the file was changed or damaged)")
            elif parquet_rows(path, con) != entry.rows:
                problems.append(f"{entry.path}: row count differs")
    return problems


def remove_strays(folder: Path, manifest: Manifest) -> int:
    """Delete what interrupted runs left: staging folders and unlisted part files.

    Files the last run superseded stay (a reader may still hold their names) until
    the run after it; call this only under :func:`archive_lock`.

    Returns:
        How many files were removed.
    """
    import shutil

    listed = {e.path for e in manifest.files} | set(manifest.superseded)
    if manifest.cube:
        listed.add(manifest.cube["path"])
    removed = 0
    for staging in folder.glob(".staging-*"):
        shutil.rmtree(staging, ignore_errors=True)
        removed += 1
    for dataset in (*DATASETS, "cube"):
        for path in (folder / dataset).rglob("*.parquet"):
            if path.relative_to(folder).as_posix() not in listed:
                path.unlink(missing_ok=True)
                removed += 1
    for tmp in folder.glob(f".{MANIFEST}.*.tmp"):
        tmp.unlink(missing_ok=True)
    return removed


def drop_superseded(folder: Path, manifest: Manifest) -> None:
    """Delete the files an earlier run replaced (the next run's first step)."""
    for rel in manifest.superseded:
        (folder / rel).unlink(missing_ok=True)
    manifest.superseded = []


@contextlib.contextmanager
def archive_lock(folder: str | Path) -> Iterator[None]:
    """Hold the archive's writer lock (released by the OS if the process dies).

    Raises:
        ArchiveError: Another run is writing to the archive.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    fh = (folder / _LOCK).open("a+b")
    try:
        try:
            _lock_file(fh)
        except OSError:
            raise ArchiveError(
                f"another engage-desktop run is writing to {folder}; wait for it to finish"
            ) from None
        yield
    finally:
        fh.close()  # closing releases the lock


def _lock_file(fh: Any) -> None:
    if os.name == "nt":  # pragma: no cover - exercised on Windows only
        import msvcrt

        msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
