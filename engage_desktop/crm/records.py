"""Customer records from a CRM export: CSV, JSON Lines or XLSX, in bulk, without duplicates.

Columns understood without a map (case, spaces, hyphens and underscores ignored:
``Customer ID`` is ``customer_id``): ``customer_id`` (the CRM's own
id; also ``id``, ``external_id``), ``name``, ``email`` (one or more, separated by
``;``), ``tier`` (also ``plan``), ``value`` (lifetime value; also ``ltv``),
``since`` (customer since, ISO 8601), ``open_tickets`` (also ``tickets``) and one
column per channel, named as the app names channels (``mastodon``, ``bluesky``,
``reddit``, ``hn``, ``forum``, ``review``, ``blog``, …), holding that person's
handle there (several separated by ``;``; a profile URL works too). Every other
column is kept as it is, in ``customers.extra`` (JSON; a JSON Lines number or
true/false stays one, everything else is text).

``--map FIELD=HEADER`` names the header of a field when the export calls it
something else (``--map customer_id="Account ID",email=Mail``).

**Re-importing** the same ``customer_id`` updates that record: fields whose column
is in the file are replaced, fields whose column is absent are kept, and the
e-mails and handles of a column in the file are replaced by the file's. Nothing is
ever duplicated. Rows without a customer id, or with a value, date or ticket count
that cannot be read, are reported with their line number and skipped; the good
rows are imported. The file is untrusted: control characters are removed and huge
cells cut, each change reported with its line (``warnings``); an XLSX formula never
runs (its stored value is read, or nothing).

The rows go to DuckDB as one table of numpy columns and one set-based upsert (``executemany``
would take a minute for 100,000 rows; this takes about a second).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engage_desktop.core.errors import InvalidInput, NotFound
from engage_desktop.crm.export_reader import JSON_PREFIX
from engage_desktop.crm.segments import sync_customer_columns
from engage_desktop.workspace.database import Workspace, log_event

#: Channels a column may be named after (plus any channel the workspace's authors use).
KNOWN_CHANNELS = (
    "mastodon", "bluesky", "reddit", "hn", "forum", "review", "blog", "news", "youtube",
)  # fmt: skip
FIELDS = ("customer_id", "name", "email", "tier", "value", "since", "open_tickets")
ALIASES = {
    "customer_id": ("customer_id", "external_id", "id"),
    "name": ("name", "full_name", "customer_name"),
    "email": ("email", "emails", "e_mail", "email_addresses"),
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
        warnings: (line, what was changed) for cells made safe (control characters,
            huge cells); those rows are imported.
    """

    rows: int = 0
    created: int = 0
    updated: int = 0
    bad: list[tuple[int, str]] = field(default_factory=list)
    repeated: int = 0
    extra_columns: list[str] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)


def parse_map(specs: list[str] | None) -> dict[str, str]:
    """``["customer_id=Account ID,email=Mail"]`` -> {field: header}.

    Raises:
        InvalidInput: An entry is not FIELD=HEADER.
    """
    mapping: dict[str, str] = {}
    for spec in specs or []:
        for part in spec.split(","):
            if not part.strip():
                continue
            key, sep, header = part.partition("=")
            if not sep or not key.strip() or not header.strip():
                raise InvalidInput(
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


def _norm_header(name: str) -> str:
    """A header as compared with the aliases: spaces and hyphens become underscores."""
    return re.sub(r"[\s\-]+", "_", name.strip())


class _Columns:
    """Which key of a row holds each field, and which keys are channels or extras."""

    def __init__(
        self,
        keys: list[str],
        mapping: dict[str, str],
        channels: set[str],
        typed: set[str] | None = None,
    ) -> None:
        self.typed = typed or set()  # columns with JSON-typed values (JSON Lines)
        # "Customer ID", "customer-id" and "customer_id" name the same field.
        by_norm: dict[str, str] = {}
        for key in keys:
            by_norm.setdefault(_norm_header(key), key)
        self.field: dict[str, str] = {}
        for name in FIELDS:
            wanted = mapping.get(name)
            if wanted is not None:
                if wanted not in keys:
                    raise InvalidInput(
                        f"--map {name}={wanted}: the file has no column {wanted!r} "
                        f"(found: {', '.join(keys)})"
                    )
                self.field[name] = wanted
            else:
                alias = next((by_norm[a] for a in ALIASES[name] if a in by_norm), None)
                if alias is not None:
                    self.field[name] = alias
        self.channel: dict[str, str] = {}
        for key, header in mapping.items():
            if key not in FIELDS:
                if header not in keys:
                    raise InvalidInput(f"--map {key}={header}: the file has no column {header!r}")
                self.channel[key] = header
        used = set(self.field.values()) | set(self.channel.values())
        for key in keys:
            if key in channels and key not in used and key not in self.channel:
                self.channel[key] = key
        used |= set(self.channel.values())
        self.extra = [k for k in keys if k not in used]
        if "customer_id" not in self.field:
            raise InvalidInput(
                f"the file has no customer_id column (found: {', '.join(keys) or 'none'}); "
                "name it with --map customer_id=HEADER"
            )


def workspace_channels(ws: Workspace) -> set[str]:
    """Channel names a column may carry: the known ones and those of the authors."""
    cur = ws.cursor()
    try:
        found = {r[0] for r in cur.execute("SELECT DISTINCT channel FROM authors").fetchall()}
    finally:
        cur.close()
    return set(KNOWN_CHANNELS) | {c for c in found if c}


def _ident(name: str) -> str:
    """A column name from the file, quoted as an SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    """A string as an SQL literal."""
    return "'" + text.replace("'", "''") + "'"


_URL_SQL = "regexp_replace(regexp_replace(rtrim(lower({0}), '/'), '^https?://', ''), '^www\\.', '')"
_Q = "''''"  # an SQL literal holding one quote, to quote bad values in the reason


def _extra_value(key: str, typed: set[str]) -> str:
    """The JSON value of an extra column's cell: its JSON Lines number or boolean, or text."""
    text = f"to_json(nullif(trim({_ident(key)}), ''))"
    if key in typed:
        return f"coalesce({_ident(JSON_PREFIX + key)}::JSON, {text})"
    return text


def _clean_sql(columns: _Columns) -> str:
    """One SELECT over ``crm_raw`` that checks and converts every row.

    Text cells are trimmed; empty means missing. ``reason`` says why a row is bad
    (NULL when it is good), in the order a person would fix them.
    """
    f = {k: f"nullif(trim({_ident(v)}), '')" for k, v in columns.field.items()}
    null = "NULL::VARCHAR"
    ext, name, tier = f["customer_id"], f.get("name", null), f.get("tier", null)
    value_raw, since_raw = f.get("value", null), f.get("since", null)
    tickets_raw, email_raw = f.get("open_tickets", null), f.get("email", null)
    # "$1,234.50", "1 234 EUR": drop thousands separators and currency signs.
    value = (
        f"TRY_CAST(regexp_replace(replace({value_raw}, ',', ''), '[^0-9.+-]', '', 'g') AS DOUBLE)"
    )
    since = f"coalesce(TRY_CAST({since_raw} AS DATE), TRY_CAST({since_raw} AS TIMESTAMPTZ)::DATE)"
    tickets = f"TRY_CAST(TRY_CAST({tickets_raw} AS DOUBLE) AS INTEGER)"
    emails = (
        f"list_distinct(list_filter(list_transform(string_split(lower(coalesce({email_raw}, '')), "
        "';'), lambda x: trim(x)), lambda x: x <> ''))"
    )
    handle_lists = []
    for channel, key in columns.channel.items():
        parts = (
            f"list_filter(list_transform(string_split(coalesce({_ident(key)}, ''), ';'), "
            "lambda x: trim(x)), lambda x: x <> '')"
        )
        handle_lists.append(
            f"list_transform({parts}, lambda x: CASE WHEN regexp_matches(lower(x), '^https?://') "
            f"THEN {{'channel': 'url', 'handle': {_URL_SQL.format('x')}}} "
            f"ELSE {{'channel': {_lit(channel)}, 'handle': lower(ltrim(x, '@'))}} END)"
        )
    for key in columns.extra:
        # A website among the other columns is weak evidence too (name + profile URL).
        cell = f"trim({_ident(key)})"
        handle_lists.append(
            f"CASE WHEN regexp_matches(lower({cell}), '^https?://') "
            f"THEN [{{'channel': 'url', 'handle': {_URL_SQL.format(cell)}}}] END"
        )
    handles = "[]::STRUCT(channel VARCHAR, handle VARCHAR)[]"
    if handle_lists:
        joined = ", ".join(f"coalesce({h}, [])" for h in handle_lists)
        handles = f"list_distinct(flatten([{joined}]))"
    extra = "NULL::VARCHAR"
    if columns.extra:
        entries = ", ".join(
            f"{{'k': {_lit(k)}, 'v': {_extra_value(k, columns.typed)}}}" for k in columns.extra
        )
        kept = f"list_filter([{entries}], lambda e: e.v IS NOT NULL)"
        extra = f"CASE WHEN len({kept}) > 0 THEN to_json(map_from_entries({kept}))::VARCHAR END"
    no_at = f"list_filter({emails}, lambda x: NOT contains(x, '@'))"
    reason = (
        f"CASE WHEN {ext} IS NULL THEN 'no customer_id' "
        f"WHEN {value_raw} IS NOT NULL AND {value} IS NULL "
        f"THEN 'value ' || {_Q} || {value_raw} || {_Q} || ' is not a number' "
        f"WHEN {since_raw} IS NOT NULL AND {since} IS NULL "
        f"THEN 'since ' || {_Q} || {since_raw} || {_Q} || ' is not a date (YYYY-MM-DD)' "
        f"WHEN {tickets_raw} IS NOT NULL AND {tickets} IS NULL "
        f"THEN 'open_tickets ' || {_Q} || {tickets_raw} || {_Q} || ' is not a number' "
        f"WHEN len({no_at}) > 0 THEN 'e-mail ' || {_Q} || {no_at}[1] || {_Q} || ' has no @' END"
    )
    return (
        f"SELECT __line AS line, {reason} AS reason, {ext} AS external_id, {name} AS name, "
        f"{tier} AS tier, {value} AS value, {since} AS since, {tickets} AS open_tickets, "
        f"{extra} AS extra, {emails} AS emails, {handles} AS handles FROM crm_raw"
    )


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
        NotFound: The file does not exist.
        InvalidInput: Unsupported file type, no customer_id column, a bad ``--map``.
        EngageError: The file cannot be read.
    """
    from engage_desktop.crm.export_reader import LINE, harden, read_export

    path = Path(path)
    if not path.is_file():
        raise NotFound(f"{path} does not exist; give the path of a .csv, .jsonl or .xlsx file")
    summary = CustomerImport()
    report = progress or (lambda done, total: None)
    table, unreadable = read_export(path)
    table, summary.warnings = harden(table)
    summary.bad.extend(unreadable)
    summary.rows = table.num_rows + len(unreadable)
    report(1, 4)
    if not table.num_rows:
        summary.bad.sort()
        return summary
    names = table.column_names
    keys = [k for k in names if k != LINE and not k.startswith(JSON_PREFIX)]
    typed = {k[len(JSON_PREFIX) :] for k in names if k.startswith(JSON_PREFIX)}
    columns = _Columns(keys, mapping or {}, workspace_channels(ws), typed)
    summary.extra_columns = columns.extra
    summary.channels = sorted(columns.channel)
    present = [n for n in ("name", "tier", "value", "since", "open_tickets") if n in columns.field]
    with ws.write() as cur:
        cur.register("crm_raw", table)
        cur.execute(f"CREATE OR REPLACE TEMP TABLE crm_checked AS {_clean_sql(columns)}")
        cur.unregister("crm_raw")
        summary.bad.extend(
            (int(line), reason)
            for line, reason in cur.execute(
                "SELECT line, reason FROM crm_checked WHERE reason IS NOT NULL"
            ).fetchall()
        )
        summary.bad.sort()
        good = cur.execute("SELECT count(*) FROM crm_checked WHERE reason IS NULL").fetchone()[0]
        cur.execute(
            "CREATE OR REPLACE TEMP TABLE incoming_customers AS SELECT * EXCLUDE (line, reason) "
            "FROM crm_checked WHERE reason IS NULL "
            "QUALIFY row_number() OVER (PARTITION BY external_id ORDER BY line DESC) = 1"
        )
        cur.execute("DROP TABLE crm_checked")
        distinct = cur.execute("SELECT count(*) FROM incoming_customers").fetchone()[0]
        summary.repeated = int(good) - int(distinct)
        report(2, 4)
        _upsert(cur, present, columns, summary)
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
    report(3, 4)
    # Derived data, in its own transaction: ranking rows written earlier in the same
    # transaction was many times slower (5 s instead of 0.2 s for 100k customers).
    with ws.write() as cur:
        update_value_ranks(cur)
        # Tiers, values and ranks of linked customers may have changed.
        sync_customer_columns(cur, "SELECT author_id FROM customer_links")
    report(4, 4)
    return summary


def _upsert(cur: Any, present: list[str], columns: _Columns, summary: CustomerImport) -> None:
    """One set-based upsert of ``incoming_customers`` and their identifiers."""
    known = cur.execute(
        "SELECT count(*) FROM incoming_customers i JOIN customers c USING (external_id)"
    ).fetchone()[0]
    total = cur.execute("SELECT count(*) FROM incoming_customers").fetchone()[0]
    summary.updated = int(known)
    summary.created = int(total) - int(known)
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
    cur.execute("DROP TABLE incoming_customers")


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
