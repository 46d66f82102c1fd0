"""Undoable sentiment corrections: the inbox's keys 1 / 2 / 3 and its Ctrl+Z.

:func:`correct_undoably` remembers each mention's previous correction (or that it had
none) before storing the new ones; :func:`undo_corrections` puts them back in one
transaction: an earlier correction returns as it was (label, score, who, when), and
a mention that had none shows the learned model's label again, else VADER's. Like
the triage undo, it restores the remembered state even if the mention was corrected
again meanwhile, and the audit log records the undo.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from engage_desktop.enrich.learned.corrections import set_corrections
from engage_desktop.enrich.store import update_priority
from engage_desktop.workspace.database import Workspace, log_event


@dataclass(frozen=True)
class PreviousCorrection:
    """A correction as it was before it was replaced."""

    label: str
    compound: float | None
    corrected_by: str | None
    corrected_at: datetime | None


@dataclass(frozen=True)
class CorrectionUndo:
    """Enough to undo one round of corrections.

    Attributes:
        label: What happened, for the status line.
        before: (mention id, its previous correction or None) for each mention.
    """

    label: str
    before: tuple[tuple[int, PreviousCorrection | None], ...]

    @property
    def count(self) -> int:
        """How many mentions were corrected."""
        return len(self.before)

    @property
    def ids(self) -> list[int]:
        """The corrected mentions."""
        return [i for i, _ in self.before]


def correct_undoably(
    ws: Workspace, pairs: Iterable[tuple[int, str]], source: str
) -> tuple[int, CorrectionUndo]:
    """:func:`set_corrections`, remembering what it replaces; (stored, undo)."""
    latest = {int(i): label for i, label in pairs}
    ids = sorted(latest)
    found = {
        int(mid): PreviousCorrection(label, compound, by, at)
        for mid, label, compound, by, at in ws.tuples(
            "SELECT mention_id, label, compound, corrected_by, corrected_at "
            "FROM sentiment_corrections WHERE mention_id IN (SELECT unnest(?::BIGINT[]))",
            [ids],
        )
    }
    stored = set_corrections(ws, latest.items(), source)
    labels = set(latest.values())
    what = labels.pop() if len(labels) == 1 else "new labels"
    text = f"Sentiment of {stored:,} mention{'s' if stored != 1 else ''} set to {what}"
    return stored, CorrectionUndo(text, tuple((i, found.get(i)) for i in ids))


def undo_corrections(ws: Workspace, undo: CorrectionUndo) -> int:
    """Put back the corrections ``undo`` replaced; returns how many mentions changed."""
    if not undo.before:
        return 0
    ids = undo.ids
    kept = [(i, p) for i, p in undo.before if p is not None]
    with ws.write() as cur:
        cur.execute(
            "DELETE FROM sentiment_corrections WHERE mention_id IN (SELECT unnest(?::BIGINT[]))",
            [ids],
        )
        if kept:
            cur.execute(
                "INSERT INTO sentiment_corrections "
                "(mention_id, label, compound, corrected_by, corrected_at) "
                "SELECT unnest(?::BIGINT[]), unnest(?::VARCHAR[]), unnest(?::DOUBLE[]), "
                "unnest(?::VARCHAR[]), unnest(?::TIMESTAMPTZ[])",
                [
                    [i for i, _ in kept],
                    [p.label for _, p in kept],
                    [p.compound for _, p in kept],
                    [p.corrected_by for _, p in kept],
                    [p.corrected_at for _, p in kept],
                ],
            )
        # The correction that is back, else the learned model's score, else VADER's.
        cur.execute(
            "UPDATE mentions SET "
            "sentiment = coalesce(c.compound, mentions.learned_sentiment, "
            "mentions.model_sentiment), "
            "sentiment_label = coalesce(c.label, mentions.learned_label, mentions.model_label) "
            "FROM (SELECT unnest(?::BIGINT[]) AS id) u "
            "LEFT JOIN sentiment_corrections c ON c.mention_id = u.id "
            "WHERE mentions.id = u.id",
            [ids],
        )
        update_priority(cur, "id IN (SELECT unnest(?::BIGINT[]))", [ids])
        log_event(
            cur, ws.actor, "mention", None, "undo_sentiment_correction", None, str(len(ids)),
            {"mentions": ids[:100]},
        )  # fmt: skip
    return len(ids)
