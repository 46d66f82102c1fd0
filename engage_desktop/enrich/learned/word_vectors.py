"""Static word vectors: what a word means, for words no correction has taught yet.

A hundred corrections teach a few hundred words; the vectors (GloVe 6B, 50
dimensions, the 100,000 most frequent words, int8; ``resources/word_vectors``)
let what was learned about "dull" carry to "tedious" and "lifeless". A text's
vector is the mean of its known words' vectors, and the model weighs it linearly,
so scoring folds the weights into one 3-number pull per word
(:meth:`WordVectors.pulls`) and never builds the 50-number means of a million texts.

The table is read once per process (~0.1 s, 20 MB as float32) and shipped with the
app: nothing is downloaded.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np

from engage_desktop.enrich.learned.features import Tokens
from engage_desktop.resources import resource

#: The shipped table; a model records it, so it is never applied with other vectors.
TABLE = "glove-6b-50d-100k"
DIMENSIONS = 50


class WordVectors:
    """A word -> vector table.

    Args:
        words: The words, in row order.
        vectors: ``(len(words), DIMENSIONS)`` float32.
        name: What a model records as its table.
    """

    def __init__(self, words: Sequence[str], vectors: np.ndarray, name: str) -> None:
        self.words = list(words)
        self.row = {w: i for i, w in enumerate(self.words)}
        self.vectors = vectors
        self.name = name

    def rows_of(self, tok: Tokens) -> tuple[np.ndarray, np.ndarray]:
        """The text and table row of every token found in the table."""
        ids = tok.lookup(self.row)
        known = ids >= 0
        return tok.rows[known], ids[known]

    def means(self, tok: Tokens) -> np.ndarray:
        """``(n_texts, DIMENSIONS)``: the mean vector of each text's known tokens (0 if none)."""
        rows, ids = self.rows_of(tok)
        out = np.zeros((tok.n_texts, self.vectors.shape[1]))
        if len(ids):
            # Tokens come in text order, so each text's rows are one run: reduceat sums them.
            starts = np.flatnonzero(np.concatenate([[True], rows[1:] != rows[:-1]]))
            present = rows[starts]
            counts = np.diff(np.append(starts, len(rows)))
            sums = np.add.reduceat(self.vectors[ids].astype(np.float64), starts, axis=0)
            out[present] = sums / counts[:, None]
        return out

    def pulls(self, tok: Tokens, projection: np.ndarray) -> np.ndarray:
        """``means(tok) @ weights``, given ``projection = vectors @ weights`` (per word)."""
        rows, ids = self.rows_of(tok)
        k = projection.shape[1]
        counts = np.bincount(rows, minlength=tok.n_texts)
        picked = projection[ids]
        sums = np.stack(
            [np.bincount(rows, picked[:, j], minlength=tok.n_texts) for j in range(k)], axis=1
        ).reshape(tok.n_texts, k)
        return sums / np.maximum(counts, 1)[:, None]


@cache
def shipped_vectors() -> WordVectors:
    """The table shipped in ``resources/word_vectors`` (read once per process)."""
    path = resource("word_vectors", f"{TABLE}.npz")
    # allow_pickle=False: the file holds plain arrays only.
    with np.load(path, allow_pickle=False) as data:
        text = data["words"]
        vectors = data["vectors"].astype(np.float32) * data["scale"][:, None]
    return WordVectors(_words(text), vectors, TABLE)


def _words(joined: np.ndarray) -> list[str]:
    """The words of UTF-8 text joined by newlines (the bytes of a ``uint8`` array)."""
    return joined.tobytes().decode("utf-8").split("\n")


def check_table(name: str) -> None:
    """Refuse a model trained with vectors this build does not ship (without loading any).

    Raises:
        WorkspaceError: ``name`` is not the shipped table.
    """
    if name != TABLE:
        from engage_desktop.core.errors import WorkspaceError

        raise WorkspaceError(
            f"the workspace's sentiment model uses word vectors '{name}' that this "
            "engage-desktop does not ship; run 'engage-desktop learn' to train a new one"
        )


def vectors_named(name: str | None) -> WordVectors | None:
    """The table a model was trained with; None for a model without vectors."""
    if name is None:
        return None
    check_table(name)
    return shipped_vectors()
