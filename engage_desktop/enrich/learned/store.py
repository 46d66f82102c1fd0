"""Where the learned model lives: the ``sentiment_models`` table of the workspace.

A model row holds the weights (a numpy npz blob), the model card (JSON) and the
number of corrections it saw. The newest active row of a domain is the model in use;
older rows are kept (at most :data:`KEEP_VERSIONS` per domain) so the card can show
how agreement moved. The label a mention shows records which model made it:
``learned_version`` is ``learned.<id>``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from engage_desktop.workspace.database import Workspace, log_event

if TYPE_CHECKING:  # the model needs numpy: imported where a model is read or written
    from engage_desktop.enrich.learned.model import LearnedModel

#: Models kept per domain (the active one and its predecessors).
KEEP_VERSIONS = 5
#: Version prefix stored in ``mentions.learned_version``.
VERSION_PREFIX = "learned."


@dataclass(frozen=True)
class StoredModel:
    """A model as stored in the workspace.

    Attributes:
        id: Row id; its version string is ``learned.<id>``.
        domain: The topic it serves, or None for the whole workspace.
        corrections: Corrections it was trained on.
        card: The model card (see :mod:`engage_desktop.enrich.learned.card`).
        model: The fitted model.
    """

    id: int
    domain: str | None
    corrections: int
    card: dict[str, Any]
    model: LearnedModel

    @property
    def version(self) -> str:
        """What ``mentions.learned_version`` holds for scores of this model."""
        return f"{VERSION_PREFIX}{self.id}"


def has_model_table(ws: Workspace) -> bool:
    """True when the workspace's schema has the learned-model tables."""
    return bool(
        ws.scalar(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_name = 'sentiment_models' AND table_schema = 'main'"
        )
    )


def active_models(ws: Workspace) -> list[StoredModel]:
    """The model in use for each domain: the whole workspace's first, then by topic."""
    if not has_model_table(ws):
        return []
    cur = ws.cursor()
    try:
        rows = cur.execute(
            """
            SELECT id, domain, corrections, card, weights FROM sentiment_models
            WHERE active QUALIFY row_number() OVER (PARTITION BY domain ORDER BY id DESC) = 1
            ORDER BY domain NULLS FIRST
            """
        ).fetchall()
    finally:
        cur.close()
    if not rows:
        return []
    from engage_desktop.enrich.learned.model import LearnedModel

    return [
        StoredModel(int(i), d, int(n), json.loads(card), LearnedModel.from_bytes(bytes(blob)))
        for i, d, n, card, blob in rows
    ]


def active_model(ws: Workspace, domain: str | None = None) -> StoredModel | None:
    """The model in use for ``domain`` (None: the whole workspace), or None."""
    for stored in active_models(ws):
        if stored.domain == domain:
            return stored
    return None


def save_model(
    ws: Workspace,
    model: LearnedModel,
    card: dict[str, Any],
    domain: str | None,
    active: bool = True,
) -> int:
    """Store a new model version for ``domain``; older versions beyond the limit go.

    An inactive version (it did not beat VADER) is kept for its card only; the
    domain's previous active model, if any, stays in use.

    Returns:
        The new model's id.
    """
    from engage_desktop.enrich.learned.model import FORMAT

    blob = model.to_bytes()
    with ws.write() as cur:
        model_id = int(
            cur.execute(
                "INSERT INTO sentiment_models (domain, created_by, corrections, format, "
                "weights, card, active) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                [
                    domain,
                    ws.actor,
                    int(card["corrections"]),
                    FORMAT,
                    blob,
                    json.dumps(card),
                    bool(active),
                ],
            ).fetchone()[0]
        )
        cur.execute(
            "DELETE FROM sentiment_models WHERE domain IS NOT DISTINCT FROM ? AND id NOT IN "
            "(SELECT id FROM sentiment_models WHERE domain IS NOT DISTINCT FROM ? "
            f"ORDER BY id DESC LIMIT {KEEP_VERSIONS})",
            [domain, domain],
        )
        log_event(
            cur,
            ws.actor,
            "sentiment_model",
            model_id,
            "train",
            None,
            f"{VERSION_PREFIX}{model_id}",
            {"domain": domain, "corrections": card["corrections"]},
        )
    return model_id


def latest_card(ws: Workspace, domain: str | None = None) -> tuple[str, dict[str, Any]] | None:
    """``(version, card)`` of the newest trained model of ``domain``, in use or not."""
    history = model_history(ws, domain)
    if not history:
        return None
    last = history[-1]
    return f"{VERSION_PREFIX}{last['id']}", last["card"]


def model_history(ws: Workspace, domain: str | None = None) -> list[dict[str, Any]]:
    """Every kept version of a domain's model: id, when, corrections and its card."""
    if not has_model_table(ws):
        return []
    cur = ws.cursor()
    try:
        rows = cur.execute(
            "SELECT id, created_at, corrections, card FROM sentiment_models "
            "WHERE domain IS NOT DISTINCT FROM ? ORDER BY id",
            [domain],
        ).fetchall()
    finally:
        cur.close()
    return [
        {"id": int(i), "created_at": at, "corrections": int(n), "card": json.loads(card)}
        for i, at, n, card in rows
    ]
