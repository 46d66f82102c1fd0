"""What the learned model reads of a text: words, phrases, stems and word vectors.

Everything here works on whole columns at once with Arrow's compute kernels
(C++, no Python loop per text), so re-scoring a million mentions spends its time
in native code. Training and scoring use the same functions, so a model sees the
same features in both.

Tokens are lower-case runs of letters, digits and inner apostrophes, ``n't``
split off as GloVe does ("don't" -> "do", "n't"), and ``!``/``?`` marks. The terms
of a text are its distinct tokens, two-token phrases ("keeps dropping") and the
first five letters of long words ("dropp~", a crude stem so that "predictable"
teaches about "predictably").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: Bin edges on VADER's compound: the model learns its own thresholds.
COMPOUND_EDGES = np.array([-0.75, -0.5, -0.25, -0.05, 0.05, 0.25, 0.5, 0.75])
#: VADER features: compound, pos, neu, neg, then one-hot bins.
N_VADER = 4 + len(COMPOUND_EDGES) + 1
#: Words from this length on also count by their first :data:`STEM` letters.
STEM_FROM = 7
STEM = 5


def _pa() -> tuple[Any, Any]:
    # Imported here: the model module is imported at start-up, Arrow only on use.
    import pyarrow as pa
    import pyarrow.compute as pc

    return pa, pc


@dataclass
class Tokens:
    """The tokens of a column of texts, flattened.

    Attributes:
        rows: Index of the text each token belongs to (non-decreasing).
        tokens: The tokens (an Arrow string array), in text order.
        n_texts: Number of texts.
    """

    rows: np.ndarray
    tokens: Any
    n_texts: int


def tokenize(texts: Sequence[str] | Any) -> Tokens:
    """Split texts (a list or an Arrow string array; None counts as empty) into tokens."""
    pa, pc = _pa()
    array = texts if isinstance(texts, pa.Array | pa.ChunkedArray) else pa.array(texts, pa.string())
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    n_texts = len(array)
    low = pc.utf8_lower(pc.fill_null(array.cast(pa.string()), ""))
    low = pc.replace_substring(low, "n't", " n't")
    low = pc.replace_substring_regex(low, r"([!?])", r" \1 ")
    parts = pc.split_pattern_regex(low, r"[^a-z0-9'!?]+")
    rows = pc.list_parent_indices(parts)
    tokens = pc.utf8_trim(pc.list_flatten(parts), "'")
    # "n't" keeps its apostrophe (trim only strips the ends); "''" becomes empty.
    keep = pc.greater(pc.utf8_length(tokens), 0)
    tokens = pc.filter(tokens, keep)
    rows = pc.filter(rows, keep).to_numpy(zero_copy_only=False).astype(np.int64)
    return Tokens(rows, tokens, n_texts)


def tokens(text: str) -> list[str]:
    """The tokens of one text, in order."""
    return list(tokenize([text]).tokens.to_pylist())


def term_pairs(tok: Tokens) -> tuple[np.ndarray, Any]:
    """Every (text, term) occurrence: unigrams, bigrams and stems (duplicates kept)."""
    pa, pc = _pa()
    tokens, rows = tok.tokens, tok.rows
    n = len(tokens)
    if n == 0:
        return np.zeros(0, dtype=np.int64), pa.array([], pa.string())
    same = rows[:-1] == rows[1:]
    mask = pa.array(same)
    left = pc.filter(tokens.slice(0, n - 1), mask)
    right = pc.filter(tokens.slice(1), mask)
    bigrams = pc.binary_join_element_wise(left, right, " ")
    long = pc.greater_equal(pc.utf8_length(tokens), STEM_FROM)
    stems = pc.binary_join_element_wise(
        pc.utf8_slice_codeunits(pc.filter(tokens, long), 0, STEM), "~", ""
    )
    long_np = long.to_numpy(zero_copy_only=False)
    all_rows = np.concatenate([rows, rows[:-1][same], rows[long_np]])
    return all_rows, pa.concat_arrays([tokens, bigrams, stems])


def terms(text: str) -> set[str]:
    """The distinct terms of one text (for the model card and tests)."""
    _rows, found = term_pairs(tokenize([text]))
    return set(found.to_pylist())


def build_vocabulary(
    texts: Sequence[str], min_count: int = 1, limit: int = 50_000
) -> dict[str, int]:
    """Terms of the training texts seen in at least ``min_count`` texts, most frequent first."""
    pa, _pc = _pa()
    rows, found = term_pairs(tokenize(texts))
    if not len(found):
        return {}
    table = pa.table({"row": rows, "term": found}).group_by(["row", "term"]).aggregate([])
    counts = table.group_by("term").aggregate([([], "count_all")])
    # Most frequent first, ties by term, so the cut at ``limit`` is reproducible.
    top = counts.sort_by([("count_all", "descending"), ("term", "ascending")]).slice(0, limit)
    n = top.column("count_all").to_numpy()
    kept = sorted(
        t for t, c in zip(top.column("term").to_pylist(), n, strict=True) if c >= min_count
    )
    return {t: i for i, t in enumerate(kept)}


@dataclass
class SparseRows:
    """Rows of binary term features in CSR form (values 1/sqrt(terms in row))."""

    indptr: np.ndarray
    indices: np.ndarray
    values: np.ndarray
    n_cols: int
    _rows: np.ndarray | None = field(default=None, repr=False)

    @property
    def n_rows(self) -> int:
        """Number of rows."""
        return len(self.indptr) - 1

    def row_of_entry(self) -> np.ndarray:
        """The row index of every stored entry (computed once)."""
        if self._rows is None:
            self._rows = np.repeat(np.arange(self.n_rows), np.diff(self.indptr))
        return self._rows

    def dot(self, weights: np.ndarray) -> np.ndarray:
        """``X @ weights`` for a ``(n_cols, k)`` weight matrix."""
        # bincount per column: ~20x faster than np.add.at on the same sums.
        rows = self.row_of_entry()
        picked = weights[self.indices]
        return np.stack(
            [
                np.bincount(rows, picked[:, k] * self.values, minlength=self.n_rows)
                for k in range(weights.shape[1])
            ],
            axis=1,
        ).reshape(self.n_rows, weights.shape[1])

    def t_dot(self, grad: np.ndarray) -> np.ndarray:
        """``X.T @ grad`` for an ``(n_rows, k)`` matrix."""
        rows = self.row_of_entry()
        return np.stack(
            [
                np.bincount(self.indices, self.values * grad[rows, k], minlength=self.n_cols)
                for k in range(grad.shape[1])
            ],
            axis=1,
        ).reshape(self.n_cols, grad.shape[1])


def lookup(values: Any, vocabulary: Any) -> np.ndarray:
    """Index of each value in ``vocabulary`` (an Arrow string array); -1 when absent."""
    _pa_mod, pc = _pa()
    found = pc.index_in(values, value_set=vocabulary)
    return pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int64)


def encode_terms(
    texts: Sequence[str] | Tokens, vocabulary: dict[str, int], terms_array: Any = None
) -> SparseRows:
    """Map texts to the vocabulary's columns (unknown terms are dropped).

    Args:
        texts: Texts, or their :class:`Tokens`.
        vocabulary: Term -> column.
        terms_array: The vocabulary's terms in column order as an Arrow array
            (pass it when encoding many chunks: building it costs a little).
    """
    tok = texts if isinstance(texts, Tokens) else tokenize(texts)
    if terms_array is None:
        terms_array = vocabulary_array(vocabulary)
    rows, found = term_pairs(tok)
    cols = lookup(found, terms_array) if len(terms_array) else np.full(len(rows), -1)
    known = cols >= 0
    n_cols = max(len(vocabulary), 1)
    # Distinct (row, column) pairs, sorted by row: a term counts once per text.
    # (A sort and a shift: numpy 2's hash-based np.unique was ~10x slower here.)
    keys = np.sort(rows[known] * n_cols + cols[known])
    keys = keys[np.concatenate([[True], keys[1:] != keys[:-1]])] if len(keys) else keys
    entry_rows, indices = keys // n_cols, keys % n_cols
    counts = np.bincount(entry_rows, minlength=tok.n_texts)
    indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    scale = np.repeat(1.0 / np.sqrt(np.maximum(counts, 1)), counts)
    return SparseRows(indptr, indices.astype(np.int64), scale, len(vocabulary))


def vocabulary_array(vocabulary: dict[str, int]) -> Any:
    """The vocabulary's terms in column order, as an Arrow string array."""
    pa, _pc = _pa()
    return pa.array(sorted(vocabulary, key=vocabulary.__getitem__), pa.string())


def vader_features(vader: np.ndarray) -> np.ndarray:
    """Dense features from an ``(n, 4)`` array of compound, pos, neu, neg."""
    vader = np.asarray(vader, dtype=np.float64).reshape(-1, 4)
    bins = np.searchsorted(COMPOUND_EDGES, vader[:, 0], side="right")
    one_hot = np.zeros((len(vader), len(COMPOUND_EDGES) + 1))
    one_hot[np.arange(len(vader)), bins] = 1.0
    return np.hstack([vader, one_hot])
