"""Corrections in bulk: a file of ``id,label`` rows, an inbox selection, an import.

Each correction wins over VADER and the learned model at once (like
:func:`engage_desktop.enrich.store.set_correction`, one by one), and all of them are
stored in one transaction through one table of numpy columns, so 10,000 corrections take well
under a second and a bad file changes nothing.

Mention ids in a file go through :func:`resolve_mention_ids`, the one place that
knows which ids a user may give.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engage_desktop.core.errors import InvalidInput
from engage_desktop.enrich.store import CANONICAL_COMPOUND, CORRECTABLE_LABELS, update_priority
from engage_desktop.workspace.database import Workspace, log_event

#: Spellings a client's file may use for the three labels.
LABEL_ALIASES = {
    "positive": "positive",
    "pos": "positive",
    "+": "positive",
    "1": "positive",
    "neutral": "neutral",
    "neu": "neutral",
    "0": "neutral",
    "negative": "negative",
    "neg": "negative",
    "-": "negative",
    "-1": "negative",
}


@dataclass
class BulkResult:
    """What a bulk correction did.

    Attributes:
        stored: Corrections stored (new or changed).
        bad: ``(line, reason)`` of rows skipped.
    """

    stored: int = 0
    bad: list[tuple[int, str]] = field(default_factory=list)


def normalize_label(value: Any) -> str | None:
    """A label from a client's spelling (``Positive``, ``neg``, ``-1``), or None."""
    if value is None:
        return None
    return LABEL_ALIASES.get(str(value).strip().lower())


def resolve_mention_ids(ws: Workspace, raw_ids: Sequence[str]) -> dict[str, int]:
    """Map the ids a user gave to mention ids; ids that match nothing are left out.

    An id is a mention's own id (what ``export mentions`` writes in ``id``) or the
    external id an import kept (``ext:VALUE`` forces the latter), as everywhere else
    (:mod:`engage_desktop.inbox.mention_ref`); an external id that names several
    mentions matches none of them.
    """
    texts = {str(raw).strip() for raw in raw_ids}
    ours = {t: int(t) for t in texts if t.isdigit() and len(t) < 19}
    ext = {t: t.removeprefix("ext:") for t in texts}
    if not texts:
        return {}
    known = set(
        ws.values(
            "SELECT id FROM mentions WHERE id IN (SELECT unnest(?::BIGINT[]))",
            [sorted(set(ours.values()))],
        )
    )
    by_ext: dict[str, list[int]] = {}
    for value, mid in ws.tuples(
        "SELECT external_id, id FROM mentions WHERE external_id IN (SELECT unnest(?::VARCHAR[]))",
        [sorted(set(ext.values()))],
    ):
        by_ext.setdefault(str(value), []).append(int(mid))
    found: dict[str, int] = {}
    for text in texts:
        if not text.startswith("ext:") and ours.get(text) in known:
            found[text] = ours[text]
        elif len(by_ext.get(ext[text], [])) == 1:
            found[text] = by_ext[ext[text]][0]
    return found


def set_corrections(ws: Workspace, pairs: Iterable[tuple[int, str]], source: str) -> int:
    """Store many corrections in one transaction; the last label of an id wins.

    Args:
        ws: Writable workspace.
        pairs: ``(mention_id, label)``; labels must be positive, neutral or negative.
        source: What made them, for the audit log ("file x.csv", "inbox", "import").

    Returns:
        How many corrections were stored.
    """
    import numpy as np

    from engage_desktop.workspace.columns import ColumnTable

    latest: dict[int, str] = {}
    for mention_id, label in pairs:
        if label not in CORRECTABLE_LABELS:
            raise ValueError(f"label must be one of {', '.join(CORRECTABLE_LABELS)}")
        latest[int(mention_id)] = label
    if not latest:
        return 0
    table = ColumnTable(
        mention_id=np.fromiter(latest, dtype=np.int64, count=len(latest)),
        label=list(latest.values()),
    )
    canonical = " ".join(f"WHEN '{k}' THEN {v}" for k, v in CANONICAL_COMPOUND.items())
    with ws.write() as cur:
        cur.register("bulk_corrections", table)
        try:
            # Same compound rule as one correction: the model's when it agrees.
            cur.execute(
                f"""
                INSERT OR REPLACE INTO sentiment_corrections
                    (mention_id, label, compound, corrected_by, corrected_at)
                SELECT b.mention_id, b.label,
                       CASE WHEN m.model_label = b.label AND m.model_sentiment IS NOT NULL
                            THEN m.model_sentiment ELSE CASE b.label {canonical} END END,
                       ?, now()
                FROM bulk_corrections b JOIN mentions m ON m.id = b.mention_id
                """,
                [ws.actor],
            )
            cur.execute(
                """
                UPDATE mentions SET sentiment = c.compound, sentiment_label = c.label
                FROM sentiment_corrections c
                WHERE c.mention_id = mentions.id
                  AND mentions.id IN (SELECT mention_id FROM bulk_corrections)
                """
            )
            update_priority(cur, "id IN (SELECT mention_id FROM bulk_corrections)")
            stored = int(
                cur.execute(
                    "SELECT count(*) FROM bulk_corrections b JOIN mentions m ON m.id = b.mention_id"
                ).fetchall()[0][0]
            )
            log_event(
                cur,
                ws.actor,
                "mention",
                None,
                "correct_sentiment_bulk",
                None,
                str(stored),
                {"source": source},
            )
        finally:
            cur.unregister("bulk_corrections")
    return stored


def imported_labels(ws: Workspace, mention_ids: Sequence[int]) -> list[tuple[int, str]]:
    """The sentiment labels the other tool gave these imported mentions (``their_label``).

    With ``import --labels-are-human`` they become corrections: a client's hand-coded
    sample teaches the model like the analyst's own corrections.
    """
    if not mention_ids:
        return []
    cur = ws.cursor()
    try:
        rows = cur.execute(
            "SELECT id, their_label FROM mentions WHERE id IN (SELECT unnest(?::BIGINT[])) "
            "AND their_label IN ('positive', 'neutral', 'negative')",
            [[int(i) for i in mention_ids]],
        ).fetchall()
    finally:
        cur.close()
    return [(int(i), str(label)) for i, label in rows]


def read_corrections_file(path: str | Path) -> list[tuple[int, str, str]]:
    """Rows ``(line, id, label)`` of a ``.csv`` or ``.jsonl`` file with ``id`` and ``label``.

    Raises:
        InvalidInput: Unreadable file, unknown extension, or no ``id``/``label`` columns.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".jsonl"):
        raise InvalidInput(f"{path.name}: give a .csv or .jsonl file with columns id and label")
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            if suffix == ".csv":
                reader = csv.DictReader(handle)
                columns = {(c or "").strip().lower(): c for c in reader.fieldnames or []}
                if "id" not in columns or "label" not in columns:
                    raise InvalidInput(
                        f"{path.name}: the header must name the columns id and label"
                    )
                return [
                    (n, str(row.get(columns["id"]) or ""), str(row.get(columns["label"]) or ""))
                    for n, row in enumerate(reader, start=2)
                ]
            rows: list[tuple[int, str, str]] = []
            for n, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    item = json.loads(line)
                except json.JSONDecodeError:
                    rows.append((n, "", "\0not json"))
                    continue
                if not isinstance(item, dict):
                    rows.append((n, "", "\0not an object"))
                    continue
                rows.append((n, str(item.get("id") or ""), str(item.get("label") or "")))
            return rows
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InvalidInput(f"cannot read {path}: {exc}") from None


def correct_from_file(ws: Workspace, path: str | Path) -> BulkResult:
    """Apply a corrections file; bad rows are reported and skipped, good ones stored."""
    rows = read_corrections_file(path)
    result = BulkResult()
    resolved = resolve_mention_ids(ws, [r[1] for r in rows])
    pairs: list[tuple[int, str]] = []
    for line, raw_id, raw_label in rows:
        if raw_label.startswith("\0"):
            result.bad.append((line, raw_label[1:]))
            continue
        label = normalize_label(raw_label)
        if label is None:
            result.bad.append((line, f"label {raw_label!r} is not positive, neutral or negative"))
        elif raw_id.strip() not in resolved:
            result.bad.append((line, f"no mention with id {raw_id!r}"))
        else:
            pairs.append((resolved[raw_id.strip()], label))
    result.stored = set_corrections(ws, pairs, f"file {Path(path).name}")
    return result
