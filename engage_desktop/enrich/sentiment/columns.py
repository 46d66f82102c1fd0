"""What is scored, and scores as columns: shared by enrichment and the fetch workers.

Kept free of storage imports so a parse worker can use it without loading DuckDB.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import attrgetter

from engage_desktop.enrich.sentiment.vader_fast import UNSCORED, SentimentScore

_GETTERS = {name: attrgetter(name) for name in ("compound", "pos", "neu", "neg", "label")}


def text_to_score(title: str | None, text: str | None) -> str:
    """What the customer wrote: the body, else the title."""
    return text if text and text.strip() else (title or "")


def score_columns(scores: Sequence[SentimentScore], scored_mask: Sequence[bool]) -> dict[str, list]:
    """Column lists (compound, pos, neu, neg, label) of scores; unscored rows get NULLs."""
    if all(scored_mask):  # the common batch: each column read by one C-level map
        return {name: list(map(getter, scores)) for name, getter in _GETTERS.items()}
    compound: list[float | None] = []
    pos: list[float | None] = []
    neu: list[float | None] = []
    neg: list[float | None] = []
    label: list[str] = []
    for s, keep in zip(scores, scored_mask, strict=True):
        if keep:
            compound.append(s.compound)
            pos.append(s.pos)
            neu.append(s.neu)
            neg.append(s.neg)
            label.append(s.label)
        else:
            compound.append(None)
            pos.append(None)
            neu.append(None)
            neg.append(None)
            label.append(UNSCORED)
    return {"compound": compound, "pos": pos, "neu": neu, "neg": neg, "label": label}
