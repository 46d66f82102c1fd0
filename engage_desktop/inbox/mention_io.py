"""Import and export of mention tables (CSV, JSON Lines) with the shared column names.

Columns: ``id, source, url, author, title, text, published`` (ISO 8601, UTC),
``sentiment`` (compound, -1..1), ``sentiment_label``, ``status``, ``tags``. Only
``text`` is required on import; unknown columns are ignored and reported.

**Ids.** An imported ``id`` that is a positive integer not yet used in the
workspace becomes the mention's id, so ``import`` -> ``score`` -> ``export``
gives back the same ids. Any other id (taken, not an integer, absurdly large) is
kept as the mention's ``remote_id`` and the mention gets a new id; the import
summary lists each such change.

**Bad rows** (no text, a date that is not ISO 8601, a sentiment outside -1..1, an
unknown label or status, broken JSON) are reported with their line number and not
imported; the good rows are. Rows already in the workspace (same ``url``, or same
source and id, or same content) are skipped as duplicates.

Imported ``sentiment``/``sentiment_label`` (another tool's model) are shown until
our scorer runs; scoring replaces them. An analyst's correction is the way to
override the model.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from engage_desktop.core.errors import EngageError, UsageError
from engage_desktop.core.text import mention_norm
from engage_desktop.inbox.import_guard import allow_long_csv_fields, harden_row
from engage_desktop.workspace.database import Workspace, log_event

COLUMNS = (
    "id", "source", "url", "author", "title", "text", "published",
    "sentiment", "sentiment_label", "status", "tags",
)  # fmt: skip
STATUSES = ("new", "open", "pending", "resolved", "ignored", "spam")
LABELS = ("positive", "neutral", "negative", "unscored")
IMPORT_CHANNEL = "import"
#: An imported integer id is kept only this far above the highest id in use: the
#: id sequence must be moved past it, one step at a time.
MAX_ID_JUMP = 10_000_000
Progress = Callable[[int, int], None]


@dataclass
class BadRow:
    """A row that was not imported: its line in the file and why."""

    line: int
    reason: str


@dataclass
class ImportSummary:
    """What :func:`import_mentions` did."""

    rows: int = 0
    imported: int = 0
    duplicates: int = 0
    bad: list[BadRow] = field(default_factory=list)
    kept_ids: int = 0
    new_ids: list[tuple[int, str, int]] = field(default_factory=list)  # (line, original, new)
    ignored_columns: list[str] = field(default_factory=list)
    undated: int = 0
    mention_ids: list[int] = field(default_factory=list)
    warnings: list[BadRow] = field(default_factory=list)  # rows kept, but changed or skipped


def _reader(path: Path) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    """Yield (line number, row or None, error) for each record of a CSV or JSONL file."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        allow_long_csv_fields()
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            try:
                header = next(reader)
            except StopIteration:
                return
            header = [h.strip().lower() for h in header]
            if "text" not in header:
                raise UsageError(
                    f"{path.name} has no 'text' column (found: {', '.join(header) or 'none'}); "
                    "the first line must name the columns"
                )
            start = reader.line_num + 1
            yield 0, {"__columns__": header}, None
            for record in reader:
                line, start = start, reader.line_num + 1
                if not any(cell.strip() for cell in record):
                    continue
                if len(record) != len(header):
                    yield line, None, f"{len(record)} fields where the header has {len(header)}"
                    continue
                yield line, dict(zip(header, record, strict=True)), None
    elif suffix in (".jsonl", ".ndjson", ".json"):
        with path.open(encoding="utf-8-sig") as fh:
            yield 0, None, None
            for line, raw in enumerate(fh, start=1):
                if not raw.strip():
                    continue
                try:
                    obj = json.loads(raw)
                except json.JSONDecodeError as exc:
                    yield line, None, f"not valid JSON ({exc.msg})"
                    continue
                if not isinstance(obj, dict):
                    yield line, None, "not a JSON object"
                    continue
                yield line, {str(k).lower(): v for k, v in obj.items()}, None
    else:
        raise UsageError(f"cannot import {path.name}: use a .csv or .jsonl file (XLSX comes later)")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def parse_published(value: Any) -> datetime | None:
    """An ISO 8601 date/time as a UTC datetime; naive values are taken as UTC.

    Raises:
        ValueError: Not ISO 8601.
    """
    text = _text(value)
    if text is None:
        return None
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    stamp = datetime.fromisoformat(text)
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return stamp.astimezone(UTC)


def _tags(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        items = [str(v) for v in value]
    else:
        items = str(value).replace(";", ",").split(",")
    return [t.strip() for t in items if t and t.strip()]


def _validate(row: dict[str, Any]) -> tuple[dict[str, Any] | None, str | None]:
    """A clean row, or the reason it is bad."""
    text = row.get("text")
    text = None if text is None else str(text)
    if text is None or not text.strip():
        return None, "no text"
    try:
        published = parse_published(row.get("published"))
    except (ValueError, TypeError):
        return None, f"published {row.get('published')!r} is not an ISO 8601 date/time"
    sentiment = row.get("sentiment")
    if sentiment is not None and str(sentiment).strip() != "":
        try:
            sentiment = float(sentiment)
        except (TypeError, ValueError):
            return None, f"sentiment {row.get('sentiment')!r} is not a number"
        if not -1.0 <= sentiment <= 1.0:
            return None, f"sentiment {sentiment} is outside -1..1"
    else:
        sentiment = None
    label = _text(row.get("sentiment_label"))
    if label is not None:
        label = label.lower()
        if label not in LABELS:
            return None, f"sentiment_label {label!r} is not one of {', '.join(LABELS)}"
    status = _text(row.get("status"))
    if status is not None:
        status = status.lower()
        if status not in STATUSES:
            return None, f"status {status!r} is not one of {', '.join(STATUSES)}"
    if isinstance(row.get("tags"), dict):
        return None, "tags must be a list or a comma-separated text"
    return {
        "id": _text(row.get("id")),
        "source": _text(row.get("source")),
        "url": _text(row.get("url")),
        "author": _text(row.get("author")),
        "title": _text(row.get("title")),
        "text": text,
        "published": published,
        "sentiment": sentiment,
        "sentiment_label": label,
        "status": status or "new",
        "tags": _tags(row.get("tags")),
    }, None


def _item_key(row: dict[str, Any], source: str) -> str:
    """The dedupe key: the url; else the source's own id; else the content."""
    if row["url"]:
        return row["url"]
    if row["id"]:
        return f"import:{source}:{row['id']}"
    stamp = row["published"].isoformat() if row["published"] else ""
    blob = "\x1f".join((source, row["author"] or "", stamp, row["title"] or "", row["text"]))
    return "import:" + hashlib.blake2b(blob.encode(), digest_size=12).hexdigest()


def _int_id(value: str | None) -> int | None:
    if value is None or not value.isdigit():
        return None
    number = int(value)
    return number if 0 < number < 2**62 else None


def import_mentions(
    ws: Workspace, path: str | Path, *, progress: Progress | None = None
) -> ImportSummary:
    """Import a CSV or JSON Lines file of mentions; see the module docstring.

    Raises:
        UsageError: The file type is not supported or a CSV has no ``text`` column.
        EngageError: The file cannot be read.
    """
    import pyarrow as pa

    path = Path(path)
    if not path.is_file():
        raise UsageError(f"{path} does not exist; give the path of a .csv or .jsonl file")
    summary = ImportSummary()
    started = datetime.now(UTC)
    good: list[tuple[int, dict[str, Any]]] = []
    seen_columns: set[str] = set()
    try:
        for line, row, error in _reader(path):
            if line == 0:
                if row:
                    seen_columns.update(row["__columns__"])
                continue
            summary.rows += 1
            if error is not None or row is None:
                summary.bad.append(BadRow(line, error or "unreadable"))
                continue
            seen_columns.update(row)
            clean, reason = _validate(row)
            if clean is None:
                summary.bad.append(BadRow(line, reason or "invalid"))
                continue
            for note in harden_row(clean, started):
                summary.warnings.append(BadRow(line, note))
            good.append((line, clean))
    except UnicodeDecodeError:
        raise EngageError(
            f"{path.name} is not UTF-8 text; save it as UTF-8 and import again"
        ) from None
    except csv.Error as exc:
        raise EngageError(
            f"{path.name} is not a readable CSV file ({exc}); check its quoting"
        ) from None
    summary.ignored_columns = sorted(c for c in seen_columns if c and c not in COLUMNS)

    default_source = path.name
    keyed: dict[str, tuple[int, dict[str, Any]]] = {}
    for line, row in good:
        key = _item_key(row, row["source"] or default_source)
        if key in keyed:
            summary.duplicates += 1
            what = "url" if row["url"] else "id" if row["id"] else "content"
            summary.warnings.append(
                BadRow(line, f"same {what} as line {keyed[key][0]}; skipped as a duplicate")
            )
            continue
        keyed[key] = (line, row)
    now = datetime.now(UTC)
    with ws.write() as cur:
        # A row is already here when its key is, or its url is a stored mention's
        # url (mentions fetched by the app key on guids, not urls).
        known = {
            r[0]
            for r in cur.execute(
                "SELECT item_key FROM mentions WHERE item_key IN (SELECT unnest(?::VARCHAR[])) "
                "UNION SELECT url FROM mentions WHERE url IN (SELECT unnest(?::VARCHAR[]))",
                [list(keyed), [k for k, (_, r) in keyed.items() if r["url"]]],
            ).fetchall()
        }
        summary.duplicates += len(known)
        todo = [(key, line, row) for key, (line, row) in keyed.items() if key not in known]
        wanted = [n for _, _, row in todo if (n := _int_id(row["id"])) is not None]
        used = {
            int(r[0])
            for r in cur.execute(
                "SELECT id FROM mentions WHERE id IN (SELECT unnest(?::BIGINT[]))", [wanted]
            ).fetchall()
        }
        top = int(cur.execute("SELECT coalesce(max(id), 0) FROM mentions").fetchone()[0])
        ids: list[int | None] = []
        remote: list[str | None] = []
        taken: set[int] = set()
        for _key, _line, row in todo:
            number = _int_id(row["id"])
            if (
                number is not None
                and number not in used
                and number not in taken
                and (number <= top + MAX_ID_JUMP)
            ):
                taken.add(number)
                ids.append(number)
                remote.append(None)
            else:
                ids.append(None)
                remote.append(row["id"])
        _advance_past(cur, max([top, *taken]))
        missing = sum(1 for i in ids if i is None)
        fresh = [
            int(r[0])
            for r in cur.execute(
                f"SELECT nextval('mention_ids') FROM range({missing}) ORDER BY 1"
            ).fetchall()
        ]
        draw = iter(fresh)
        for k, (_key, line, row) in enumerate(todo):
            if ids[k] is None:
                ids[k] = next(draw)
                if row["id"] is not None:
                    summary.new_ids.append((line, row["id"], int(ids[k])))  # type: ignore[arg-type]
        summary.kept_ids = len(taken)
        summary.undated = sum(1 for _, _, row in todo if row["published"] is None)
        rows = [row for _, _, row in todo]
        table = pa.table(
            {
                "id": pa.array(ids, pa.int64()),
                "item_key": [key for key, _, _ in todo],
                "channel": [IMPORT_CHANNEL] * len(todo),
                "source_name": [r["source"] or default_source for r in rows],
                "remote_id": pa.array(remote, pa.string()),
                "url": [r["url"] for r in rows],
                "author_name": [r["author"] for r in rows],
                "author_handle": [r["author"] for r in rows],
                "title": [r["title"] for r in rows],
                "text": [r["text"] for r in rows],
                "text_norm": [mention_norm(r["title"], r["text"]) for r in rows],
                "published": pa.array(
                    [r["published"] or now for r in rows], pa.timestamp("us", tz="UTC")
                ),
                "sentiment": pa.array([r["sentiment"] for r in rows], pa.float64()),
                "sentiment_label": pa.array([r["sentiment_label"] for r in rows], pa.string()),
                "status": [r["status"] for r in rows],
                "unread": [r["status"] == "new" for r in rows],
                "tags": pa.array([r["tags"] for r in rows], pa.list_(pa.string())),
                "published_note": pa.array([r.get("published_note") for r in rows], pa.string()),
            }
        )
        cur.register("imported_mentions", table)
        from engage_desktop.core.intents import intents_sql
        from engage_desktop.enrich.pipeline import intent_rules

        # Intent tags go in with the row: updating a LIST column later rewrites the row.
        cur.execute(
            "INSERT INTO mentions BY NAME SELECT *, "
            f"{intents_sql(intent_rules(ws))} AS intents FROM imported_mentions"
        )
        log_event(
            cur, ws.actor, "mentions", None, "import", None, len(todo),
            {"file": str(path), "bad": len(summary.bad), "duplicates": summary.duplicates},
        )  # fmt: skip
    summary.imported = len(todo)
    summary.mention_ids = [int(i) for i in ids if i is not None]
    if progress is not None:
        progress(summary.rows, summary.rows)
    return summary


def _advance_past(cur: Any, value: int) -> None:
    """Move the mention id sequence past ``value`` (DuckDB has no setval)."""
    current = int(cur.execute("SELECT nextval('mention_ids')").fetchone()[0])
    if current < value:
        cur.execute(
            f"SELECT max(nextval('mention_ids')) FROM range({int(value - current)})"
        ).fetchall()


# -- export ----------------------------------------------------------------------------

_EXPORT_SELECT = """
    SELECT id, source_name AS source, url, coalesce(author_name, author_handle) AS author,
           title, text, strftime(published, '%Y-%m-%dT%H:%M:%SZ') AS published,
           sentiment, sentiment_label, status, {tags} AS tags
    FROM mentions WHERE {where} ORDER BY id
"""


def export_mentions(
    ws: Workspace, out: str | Path, *, where: str = "true", params: tuple[Any, ...] = ()
) -> int:
    """Write mentions to ``OUT.csv`` or ``OUT.jsonl`` with the shared columns.

    The file appears complete or not at all (written beside it, then renamed).
    CSV tags are comma-separated; JSON Lines tags are a list.

    Returns:
        How many mentions were written.

    Raises:
        UsageError: Another file type.
    """
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix in (".xlsx", ".parquet"):
        raise UsageError(f"{suffix[1:].upper()} export is not available yet; use .csv or .jsonl")
    if suffix not in (".csv", ".jsonl", ".ndjson"):
        raise UsageError(f"cannot export to {out.name}: use a .csv or .jsonl file name")
    if not out.parent.exists():
        raise UsageError(f"folder {out.parent} does not exist; create it or choose another")
    tags = "array_to_string(tags, ',')" if suffix == ".csv" else "tags"
    options = "FORMAT csv, HEADER" if suffix == ".csv" else "FORMAT json"
    tmp = out.with_name(f".{out.name}.part")
    query = _EXPORT_SELECT.format(tags=tags, where=where)
    literal = str(tmp).replace("'", "''")
    cur = ws.cursor()
    try:
        count = int(
            cur.execute(f"SELECT count(*) FROM mentions WHERE {where}", list(params)).fetchone()[0]
        )
        cur.execute(f"COPY ({query}) TO '{literal}' ({options})", list(params))
        os.replace(tmp, out)
    except OSError as exc:
        raise EngageError(f"cannot write {out}: {exc.strerror or exc}") from None
    finally:
        cur.close()
        if tmp.exists():
            tmp.unlink()
    return count
