"""Defences for imported mention files (CSV, JSON Lines): a client's file is untrusted.

Kept apart from :mod:`engage_desktop.inbox.mention_io`, which reads and stores the
rows, so each reader (CSV, JSON Lines, and later XLSX or Parquet) runs the same
checks on a row that already passed validation:

* a field longer than :data:`MAX_FIELD_CHARS` is cut, with a marker saying so (a
  50 MB single-line record once froze the inbox for 40 s);
* control characters go (see :func:`engage_desktop.core.untrusted.strip_controls`);
* a ``url`` that is not http(s) is dropped (it would become a link);
* a date outside 1990 .. now + 2 days becomes the import time, with a note.

Each change is reported with the row's line number.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engage_desktop.core.untrusted import (
    MAX_FIELD_CHARS,
    allow_long_csv_fields,
    cap_text,
    clamp_date,
    safe_link,
    strip_controls,
)

__all__ = ["MAX_FIELD_CHARS", "allow_long_csv_fields", "harden_row"]
_TEXT_FIELDS = ("text", "title", "author", "source", "id")


def harden_row(row: dict[str, Any], now: datetime) -> list[str]:
    """Make a validated row safe to store, in place; return what was changed.

    Args:
        row: A row from ``mention_io._validate`` (``text``, ``title``, ``url``...).
        now: The import time, which replaces an impossible date.

    Returns:
        One sentence per change, for the import report (empty when none).
    """
    notes: list[str] = []
    for name in _TEXT_FIELDS:
        value = row.get(name)
        if not isinstance(value, str):
            continue
        value, cut = cap_text(strip_controls(value))
        if cut:
            notes.append(f"{name} cut to {MAX_FIELD_CHARS:,} characters")
        row[name] = value
    url = row.get("url")
    if url:
        safe = safe_link(url[:4096])
        if safe is None:
            notes.append("url dropped: only http and https addresses are kept")
        row["url"] = safe
    row["tags"] = [strip_controls(t)[:200] for t in row.get("tags") or []]
    published = row.get("published")
    if published is not None:
        row["published"], replaced = clamp_date(published, now)
        if replaced:
            row["published_note"] = (
                f"the file dated it {published.isoformat()}; shown at the import time"
            )
            notes.append(f"published {published:%Y-%m-%d} is impossible; the import time is used")
    return notes
