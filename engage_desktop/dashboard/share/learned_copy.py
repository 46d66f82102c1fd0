"""The learned sentiment model in a shared copy: copied as it is, or without handles.

The model (``sentiment_models``: weights, card, version history) travels so the copy
shows the same learned labels (``mentions.learned_version`` names the model row, whose
id is kept) and the same model card. Who trained it stays home.

Under ``--pseudonymize`` the model's vocabulary is the one leak left: it holds the
words of the corrected texts, and an ``@kim`` in a text became the word ``kim``
before the texts were rewritten. So every term containing a word of a pseudonymised
handle (its local part, before any ``@`` or ``.``) leaves the vocabulary, with its
weights, and the card's lists of top words. Such a word carries an author's name,
not sentiment; the labels the copy shows are the stored ones either way.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from engage_desktop.dashboard.share import allowlist
from engage_desktop.enrich.learned.model import LearnedModel, tokens
from engage_desktop.workspace.columns import ColumnTable

TABLE = "sentiment_models"


def handle_words(handles: Iterable[str]) -> set[str]:
    """The words by which the model's vocabulary would know these handles.

    ``ana.bsky.social`` gives ``ana``; ``kim@m.example`` gives ``kim``;
    ``carla_r`` gives ``carla`` and ``r``; long words also by their 5-letter stem
    (``"carlotta"`` gives ``"carlo~"``), as :func:`~engage_desktop.enrich.learned.model.terms`
    writes them.
    """
    words: set[str] = set()
    for handle in handles:
        local = handle.lstrip("@").split("@", 1)[0].split(".", 1)[0]
        for word in tokens(local):
            words.add(word)
            if len(word) > 6:
                words.add(word[:5] + "~")
    return words


def _named(term: str, words: set[str]) -> bool:
    return any(part in words for part in term.split(" "))


def scrub_model(blob: bytes, words: set[str]) -> bytes:
    """The model blob without the terms that contain one of ``words``."""
    model = LearnedModel.from_bytes(blob)
    keep = sorted((i, t) for t, i in model.vocabulary.items() if not _named(t, words))
    rows = np.array([i for i, _ in keep], dtype=np.int64)
    scrubbed = LearnedModel(
        vocabulary={t: n for n, (_, t) in enumerate(keep)},
        word_weights=model.word_weights[rows] if len(rows) else model.word_weights[:0],
        vader_weights=model.vader_weights,
        bias=model.bias,
        meta=model.meta,
        # Word vectors are public (GloVe), not the corrected texts: they stay.
        vector_weights=model.vector_weights,
        vectors=model.vectors,
    )
    return scrubbed.to_bytes()


def scrub_card(card_json: str, words: set[str], vocabulary: int) -> str:
    """The card without top words that contain one of ``words``."""
    card = json.loads(card_json)
    for key in ("top_positive", "top_negative"):
        card[key] = [t for t in card.get(key, []) if not _named(str(t.get("term", "")), words)]
    card["vocabulary"] = vocabulary
    return json.dumps(card)


Insert = Callable[..., int]


def copy_models(src: Any, sink: Any, pseudo: Any, insert: Insert) -> int:
    """Copy the learned models into the shared copy; returns the rows copied.

    Args:
        src: The source workspace's cursor.
        sink: The copy's sink (see ``copy.py``).
        pseudo: The copy's :class:`~engage_desktop.dashboard.share.pseudonyms.Pseudonyms`,
            or None when authors keep their names.
        insert: ``copy._insert``: (src, sink, table, sql, params, names, pseudo).
    """
    names, exprs = allowlist.columns_sql(TABLE, "s", False)
    select = ", ".join(f"{e} AS {n}" for e, n in zip(exprs, names, strict=True))
    sql = f"SELECT {select} FROM {TABLE} s ORDER BY s.id"
    if pseudo is None:
        return insert(src, sink, TABLE, sql, [], names, None)
    rows = src.execute(sql).fetchall()
    if not rows:
        return 0
    words = handle_words(pseudo.handles())
    columns: dict[str, list[Any]] = {n: [r[i] for r in rows] for i, n in enumerate(names)}
    blobs, cards = [], []
    for blob, card in zip(columns["weights"], columns["card"], strict=True):
        clean = scrub_model(bytes(blob), words)
        blobs.append(clean)
        cards.append(scrub_card(card, words, len(LearnedModel.from_bytes(clean).vocabulary)))
    columns["weights"], columns["card"] = blobs, cards
    table = ColumnTable(columns)  # bytes are read as BLOB
    src.register("share_models", table)
    try:
        return insert(
            src, sink, TABLE, f"SELECT {', '.join(names)} FROM share_models", [], names, None
        )
    finally:
        src.unregister("share_models")
