"""Local files and folders: a feed file, a JSON Lines or CSV dump, or a folder of them.

For agencies working offline. Rows use the shared mention columns (``id, source, url,
author, title, text, published``; only ``text`` is required). Unchanged files cost
nothing: their size and modification time act as the ETag. ``resource://demo/NAME``
reads the feeds shipped with the app, so the demo fetches with no network.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

from engage_desktop.core.untrusted import allow_long_csv_fields
from engage_desktop.resources import resource
from engage_desktop.sources.base import FetchOutcome, SourceSpec
from engage_desktop.sources.http import FetchError
from engage_desktop.sources.item import FeedItem, item_key, utc
from engage_desktop.sources.sanitize import clean_html, html_to_text

FEED_SUFFIXES = (".xml", ".rss", ".atom", ".rdf")
DUMP_SUFFIXES = (".jsonl", ".ndjson", ".csv")
MAX_FILE = 200 * 1024 * 1024


def local_path(url: str) -> Path:
    """The file a ``file://``, ``resource://`` or plain path address names."""
    if url.startswith("resource://"):
        # Unquote first, then split: "..%2f.." must be seen as "../..".
        name = unquote(url[len("resource://") :]).replace("\\", "/")
        parts = [p for p in name.split("/") if p]
        if any(p in ("..", ".") or "\x00" in p or ":" in p for p in parts):
            raise FetchError(f"{url} points outside the shipped resources")
        return resource(*parts)
    if url.startswith("file://"):
        return Path(unquote(urlsplit(url).path))
    return Path(url).expanduser()


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(
            p for p in path.iterdir()
            if p.is_file() and p.suffix.lower() in FEED_SUFFIXES + DUMP_SUFFIXES
        )  # fmt: skip
    return [path]


def fetch(spec: SourceSpec, _http: object = None) -> FetchOutcome:
    """Read the file (or folder) unless it is unchanged since the last run."""
    path = local_path(spec.url)
    if not path.exists():
        raise FetchError(f"{path} does not exist; check the path or remove the source")
    files = _files(path)
    if not files:
        raise FetchError(f"{path} holds no feed, .jsonl or .csv files")
    try:
        stamp = ";".join(f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in files)
    except OSError as exc:
        raise FetchError(f"cannot read {path}: {exc.strerror}") from None
    if spec.etag == stamp:
        return FetchOutcome(not_modified=True, etag=stamp)
    if len(files) == 1 and files[0].suffix.lower() not in DUMP_SUFFIXES:
        return FetchOutcome(document=_read(files[0]), feed_url=spec.url, etag=stamp)
    items: list[FeedItem] = []
    for file in files:
        if file.suffix.lower() in DUMP_SUFFIXES:
            items.extend(dump_items(file, spec.url))
        else:
            from engage_desktop.sources.feed import parse_feed

            items.extend(parse_feed(_read(file), file.as_uri()).items)
    return FetchOutcome(items=items, etag=stamp)


def _read(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_FILE:
            raise FetchError(f"{path.name} is larger than {MAX_FILE // 2**20} MB")
        return path.read_bytes()
    except OSError as exc:
        raise FetchError(f"cannot read {path}: {exc.strerror}") from None


def dump_items(path: Path, source_url: str) -> list[FeedItem]:
    """Rows of a JSON Lines or CSV export as items.

    Raises:
        FetchError: The file has no ``text`` column or cannot be decoded.
    """
    raw = _read(path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    rows: list[dict] = []
    if path.suffix.lower() == ".csv":
        allow_long_csv_fields()  # one huge cell must not reject the whole file
        reader = csv.DictReader(io.StringIO(text))
        if not reader.fieldnames or "text" not in [f.strip().lower() for f in reader.fieldnames]:
            raise FetchError(f"{path.name} has no 'text' column; name the body column 'text'")
        rows = [{(k or "").strip().lower(): v for k, v in r.items()} for r in reader]
    else:
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError:
                raise FetchError(f"{path.name} line {number} is not JSON") from None
            if isinstance(row, dict):
                rows.append({str(k).lower(): v for k, v in row.items()})
    items = []
    base = path.as_uri()
    for row in rows:
        body = str(row.get("text") or "")
        if not body.strip():
            continue
        ident = row.get("id")
        title = row.get("title") or None
        author = row.get("author") or None
        html = clean_html(body) if "<" in body else None
        plain = html_to_text(body) if html else body.strip()
        items.append(
            FeedItem(
                item_key=item_key(
                    f"{base}#{ident}" if ident not in (None, "") else None,
                    row.get("url") or None,
                    source_url,
                    title,
                    plain,
                    author,
                ),
                url=row.get("url") or None,
                title=title,
                text=plain,
                html=html,
                published=_date(row.get("published")) or datetime.now(UTC),
                author_name=author,
                author_handle=row.get("author_handle") or None,
                language=row.get("language") or None,
            )
        )
    return items


def _date(value: object) -> datetime | None:
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return utc(datetime.fromisoformat(value.strip().replace("Z", "+00:00")))
    except ValueError:
        return None
