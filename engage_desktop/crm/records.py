"""Customer records from a CRM export: CSV or JSON Lines, in bulk, without duplicates.

Columns understood without a map (case-insensitive): ``customer_id`` (the CRM's own
id; also ``id``, ``external_id``), ``name``, ``email`` (one or more, separated by
``;``), ``tier`` (also ``plan``), ``value`` (lifetime value; also ``ltv``),
``since`` (customer since, ISO 8601), ``open_tickets`` (also ``tickets``) and one
column per channel, named as the app names channels (``mastodon``, ``bluesky``,
``reddit``, ``hn``, ``forum``, ``review``, ``blog``, …), holding that person's
handle there (several separated by ``;``; a profile URL works too). Every other
column is kept as it is, in ``customers.extra`` (JSON).

``--map FIELD=HEADER`` names the header of a field when the export calls it
something else (``--map customer_id="Account ID",email=Mail``).

**Re-importing** the same ``customer_id`` updates that record: fields whose column
is in the file are replaced, fields whose column is absent are kept, and the
e-mails and handles of a column in the file are replaced by the file's. Nothing is
ever duplicated. Rows without a customer id, or with a value, date or ticket count
that cannot be read, are reported with their line number and skipped; the good
rows are imported.

The rows go to DuckDB as one Arrow table and one set-based upsert (``executemany``
would take a minute for 100,000 rows; this takes about a second).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from engage_desktop.core.errors import EngageError, UsageError
from engage_desktop.workspace.database import Workspace, log_event

#: Channels a column may be named after (plus any channel the workspace's authors use).
KNOWN_CHANNELS = (
    "mastodon", "bluesky", "reddit", "hn", "forum", "review", "blog", "news", "youtube",
)  # fmt: skip
FIELDS = ("customer_id", "name", "email", "tier", "value", "since", "open_tickets")
ALIASES = {
    "customer_id": ("customer_id", "external_id", "id", "customer id"),
    "name": ("name", "full_name", "customer_name"),
    "email": ("email", "emails", "e-mail", "email_addresses"),
    "tier": ("tier", "plan"),
    "value": ("value", "lifetime_value", "ltv"),
    "since": ("since", "customer_since"),
    "open_tickets": ("open_tickets", "tickets"),
}
Progress = Callable[[int, int], None]
_MONEY = re.compile(r"^[^\d\-+.]*([-+]?[\d,\s]*\.?\d+)\s*[^\d]*$")


@dataclass
class CustomerImport:
    """What :func:`import_customers` did.

    Attributes:
        rows: Records read from the file.
        created: New customers.
        updated: Customers that were already there (same customer id).
        bad: (line, reason) of every row skipped.
        repeated: Customer ids that appeared more than once in the file (last wins).
        extra_columns: Columns kept as they are, in ``extra``.
        channels: Channel columns read as handles.
    """

    rows: int = 0
    created: int = 0
    updated: int = 0
    bad: list[tuple[int, str]] = field(default_factory=list)
    repeated: int = 0
    extra_columns: list[str] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)


def parse_map(specs: list[str] | None) -> dict[str, str]:
    """``["customer_id=Account ID,email=Mail"]`` -> {field: header}.

    Raises:
        UsageError: An entry is not FIELD=HEADER.
    """
    mapping: dict[str, str] = {}
    for spec in specs or []:
        for part in spec.split(","):
            if not part.strip():
                continue
            key, sep, header = part.partition("=")
            if not sep or not key.strip() or not header.strip():
                raise UsageError(
                    f"--map {part.strip()!r} is not FIELD=HEADER; "
                    "e.g. --map customer_id='Account ID'"
                )
            mapping[key.strip().lower()] = header.strip().lower()
    return mapping


def normalize_handle(value: str) -> str:
    """A handle as stored for matching: trimmed, lower case, without a leading ``@``."""
    return value.strip().lstrip("@").strip().lower()


def normalize_url(value: str) -> str:
    """A profile URL for matching: no scheme, no ``www.``, no trailing slash, lower case."""
    text = value.strip().lower()
    text = re.sub(r"^https?://", "", text)
    text = text.removeprefix("www.")
    return text.rstrip("/")


def _records(path: Path) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    """(line, row with lower-case keys, error) for each record of a CSV or JSONL file."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            header = [h.strip().lower() for h in next(reader, [])]
            start = reader.line_num + 1
            for record in reader:
                line, start = start, reader.line_num + 1
                if not any(cell.strip() for cell in record):
                    continue
                if len(record) != len(header):
                    yield line, None, f"{len(record)} fields where the header has {len(header)}"
                    continue
                yield line, dict(zip(header, record, strict=True)), None
    elif suffix in (".jsonl", ".ndjson"):
        with path.open(encoding="utf-8-sig") as fh:
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
                yield line, {str(k).strip().lower(): v for k, v in obj.items()}, None
    else:
        raise UsageError(f"cannot import {path.name}: use a .csv or .jsonl file")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _split(value: Any) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else str(value).split(";")
    return [str(v).strip() for v in items if v is not None and str(v).strip()]


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    if not text:
        return None
    match = _MONEY.match(text)  # "$1,234.50", "1 234 EUR"
    if not match:
        raise ValueError(text)
    return float(match.group(1).replace(",", "").replace(" ", ""))


def _day(value: Any) -> date | None:
    text = _text(value)
    if text is None:
        return None
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    return datetime.fromisoformat(text).date() if len(text) > 10 else date.fromisoformat(text)


class _Columns:
    """Which key of a row holds each field, and which keys are channels or extras."""

    def __init__(self, keys: list[str], mapping: dict[str, str], channels: set[str]) -> None:
        self.field: dict[str, str] = {}
        for name in FIELDS:
            wanted = mapping.get(name)
            if wanted is not None:
                if wanted not in keys:
                    raise UsageError(
                        f"--map {name}={wanted}: the file has no column {wanted!r} "
                        f"(found: {', '.join(keys)})"
                    )
                self.field[name] = wanted
            else:
                alias = next((a for a in ALIASES[name] if a in keys), None)
                if alias is not None:
                    self.field[name] = alias
        self.channel: dict[str, str] = {}
        for key, header in mapping.items():
            if key not in FIELDS:
                if header not in keys:
                    raise UsageError(f"--map {key}={header}: the file has no column {header!r}")
                self.channel[key] = header
        used = set(self.field.values()) | set(self.channel.values())
        for key in keys:
            if key in channels and key not in used and key not in self.channel:
                self.channel[key] = key
        used |= set(self.channel.values())
        self.extra = [k for k in keys if k not in used]
        if "customer_id" not in self.field:
            raise UsageError(
                f"the file has no customer_id column (found: {', '.join(keys) or 'none'}); "
                "name it with --map customer_id=HEADER"
            )


def _read(path: Path, mapping: dict[str, str], channels: set[str], summary: CustomerImport):
    """Read and validate every record; returns (columns, {external id: clean row})."""
    rows: dict[str, dict[str, Any]] = {}
    columns: _Columns | None = None
    for line, row, error in _records(path):
        summary.rows += 1
        if row is None:
            summary.bad.append((line, error or "unreadable"))
            continue
        if columns is None:
            columns = _Columns(list(row), mapping, channels)
        f = columns.field
        ext = _text(row.get(f["customer_id"]))
        if ext is None:
            summary.bad.append((line, "no customer_id"))
            continue
        try:
            value = _number(row.get(f["value"])) if "value" in f else None
        except ValueError:
            summary.bad.append((line, f"value {row.get(f['value'])!r} is not a number"))
            continue
        try:
            since = _day(row.get(f["since"])) if "since" in f else None
        except ValueError:
            summary.bad.append((line, f"since {row.get(f['since'])!r} is not a date (YYYY-MM-DD)"))
            continue
        try:
            tickets = _number(row.get(f["open_tickets"])) if "open_tickets" in f else None
        except ValueError:
            summary.bad.append(
                (line, f"open_tickets {row.get(f['open_tickets'])!r} is not a number")
            )
            continue
        emails = [e.lower() for e in _split(row.get(f["email"]))] if "email" in f else []
        bad_mail = next((e for e in emails if "@" not in e), None)
        if bad_mail is not None:
            summary.bad.append((line, f"e-mail {bad_mail!r} has no @"))
            continue
        handles = []
        for channel, key in columns.channel.items():
            for handle in _split(row.get(key)):
                if handle.lower().startswith(("http://", "https://")):
                    handles.append({"channel": "url", "handle": normalize_url(handle)})
                else:
                    handles.append({"channel": channel, "handle": normalize_handle(handle)})
        extra = {k: row[k] for k in columns.extra if row.get(k) not in (None, "")}
        for value_ in extra.values():
            # A website column is weak evidence too (same name + this profile URL).
            if isinstance(value_, str) and value_.lower().startswith(("http://", "https://")):
                handles.append({"channel": "url", "handle": normalize_url(value_)})
        if ext in rows:
            summary.repeated += 1
        rows[ext] = {
            "external_id": ext,
            "name": _text(row.get(f["name"])) if "name" in f else None,
            "tier": _text(row.get(f["tier"])) if "tier" in f else None,
            "value": value,
            "since": since,
            "open_tickets": None if tickets is None else int(tickets),
            "extra": json.dumps(extra, default=str) if extra else None,
            "emails": list(dict.fromkeys(emails)),
            "handles": [dict(t) for t in {tuple(h.items()) for h in handles}],
        }
    return columns, rows


def workspace_channels(ws: Workspace) -> set[str]:
    """Channel names a column may carry: the known ones and those of the authors."""
    cur = ws.cursor()
    try:
        found = {r[0] for r in cur.execute("SELECT DISTINCT channel FROM authors").fetchall()}
    finally:
        cur.close()
    return set(KNOWN_CHANNELS) | {c for c in found if c}


def import_customers(
    ws: Workspace,
    path: str | Path,
    mapping: dict[str, str] | None = None,
    *,
    progress: Progress | None = None,
) -> CustomerImport:
    """Import (or update) customer records from a CRM export; see the module docstring.

    Linking to authors is a separate step (:func:`engage_desktop.crm.identity.link_all`)
    so a caller can import several files and link once.

    Raises:
        UsageError: Unsupported file type, no customer_id column, a bad ``--map``.
        EngageError: The file cannot be read.
    """
    import pyarrow as pa

    path = Path(path)
    if not path.is_file():
        raise UsageError(f"{path} does not exist; give the path of a .csv or .jsonl file")
    summary = CustomerImport()
    report = progress or (lambda done, total: None)
    try:
        columns, rows = _read(path, mapping or {}, workspace_channels(ws), summary)
    except UnicodeDecodeError:
        raise EngageError(
            f"{path.name} is not UTF-8 text; save it as UTF-8 and import again"
        ) from None
    except csv.Error as exc:
        raise EngageError(
            f"{path.name} is not a readable CSV file ({exc}); check its quoting"
        ) from None
    report(1, 3)
    if columns is None or not rows:
        return summary
    summary.extra_columns = columns.extra
    summary.channels = sorted(columns.channel)
    values = list(rows.values())
    table = pa.table(
        {
            "external_id": pa.array([r["external_id"] for r in values], pa.string()),
            "name": pa.array([r["name"] for r in values], pa.string()),
            "tier": pa.array([r["tier"] for r in values], pa.string()),
            "value": pa.array([r["value"] for r in values], pa.float64()),
            "since": pa.array([r["since"] for r in values], pa.date32()),
            "open_tickets": pa.array([r["open_tickets"] for r in values], pa.int32()),
            "extra": pa.array([r["extra"] for r in values], pa.string()),
            "emails": pa.array([r["emails"] for r in values], pa.list_(pa.string())),
            "handles": pa.array(
                [r["handles"] for r in values],
                pa.list_(pa.struct([("channel", pa.string()), ("handle", pa.string())])),
            ),
        }
    )
    present = [
        name for name in ("name", "tier", "value", "since", "open_tickets") if name in columns.field
    ]
    with ws.write() as cur:
        _upsert(cur, table, present, columns, summary)
        report(2, 3)
        update_value_ranks(cur)
        log_event(
            cur,
            ws.actor,
            "customers",
            None,
            "import",
            None,
            path.name,
            {"created": summary.created, "updated": summary.updated, "bad": len(summary.bad)},
        )
    report(3, 3)
    return summary


def _upsert(
    cur: Any, table: Any, present: list[str], columns: _Columns, summary: CustomerImport
) -> None:
    """One set-based upsert of the records and their identifiers."""
    cur.register("incoming_customers", table)
    try:
        known = cur.execute(
            "SELECT count(*) FROM incoming_customers i JOIN customers c USING (external_id)"
        ).fetchone()[0]
        summary.updated = int(known)
        summary.created = len(table) - int(known)
        sets = [f"{name} = excluded.{name}" for name in present]
        if columns.extra:
            # Extra columns of this file replace theirs; other extras stay.
            sets.append(
                "extra = CASE WHEN excluded.extra IS NULL THEN customers.extra "
                "WHEN customers.extra IS NULL THEN excluded.extra "
                "ELSE json_merge_patch(customers.extra, excluded.extra) END"
            )
        sets.append("updated_at = now()")
        cur.execute(
            "INSERT INTO customers (external_id, name, tier, value, since, open_tickets, extra) "
            "SELECT external_id, name, tier, value, since, open_tickets, extra::JSON "
            "FROM incoming_customers "
            f"ON CONFLICT (external_id) DO UPDATE SET {', '.join(sets)}"
        )
        cur.execute(
            "CREATE OR REPLACE TEMP TABLE incoming_ids AS SELECT c.id, i.emails, i.handles "
            "FROM incoming_customers i JOIN customers c USING (external_id)"
        )
        if "email" in columns.field:
            cur.execute(
                "DELETE FROM customer_emails WHERE customer_id IN (SELECT id FROM incoming_ids)"
            )
            cur.execute("INSERT INTO customer_emails SELECT id, unnest(emails) FROM incoming_ids")
        channels = list(columns.channel)
        if channels or columns.extra:
            cur.execute(
                "DELETE FROM customer_handles WHERE customer_id IN (SELECT id FROM incoming_ids) "
                "AND (list_contains(?, channel) OR channel = 'url')",
                [channels],
            )
            cur.execute(
                "INSERT INTO customer_handles SELECT id, h.channel, h.handle FROM "
                "(SELECT id, unnest(handles) AS h FROM incoming_ids)"
            )
        cur.execute("DROP TABLE incoming_ids")
    finally:
        cur.unregister("incoming_customers")


def update_value_ranks(cur: Any) -> None:
    """Each customer's value as its cumulative share among customers with a value.

    ``cume_dist``: the most valuable customer is 1.0, the median about 0.5; customers
    without a value get NULL.
    """
    cur.execute(
        "UPDATE customers SET value_rank = r.rank FROM ("
        "SELECT c.id, p.rank FROM customers c LEFT JOIN ("
        "SELECT id, cume_dist() OVER (ORDER BY value) AS rank FROM customers "
        "WHERE value IS NOT NULL) p USING (id)"
        ") r WHERE customers.id = r.id AND customers.value_rank IS DISTINCT FROM r.rank"
    )
