"""The learned model's after-insert hook, light to import.

:mod:`engage_desktop.enrich.learned.apply` loads numpy (its features are integer
arrays); most workspaces have no learned model, and a one-shot fetch that stores
its rows without numpy (listen/store.py) would load it (~0.1 s of CPU) only to find
there is nothing to apply. This hook looks for a model first.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def after_insert(ws: Any, mention_ids: Sequence[int], state: Any = None) -> None:
    """New mentions get the model's label too, when the workspace has a model."""
    if ws.read_only or not mention_ids:
        return
    from engage_desktop.enrich.learned.store import has_model_table

    if not has_model_table(ws) or not ws.scalar("SELECT count(*) FROM sentiment_models"):
        return
    from engage_desktop.enrich.learned.apply import label_new

    label_new(ws, mention_ids, state)
