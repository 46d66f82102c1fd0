"""What the learned model reads of a text: words, phrases, stems and word vectors.

A column of texts is split once (one regular-expression split per text) into
numbered tokens; phrases, stems and vocabulary look-ups then work once per
distinct word and on integer arrays for the rest, so re-scoring a million mentions
spends little time per token in Python. Training and scoring use the same
functions, so a model sees the same features in both.

Tokens are lower-case runs of letters, digits and inner apostrophes, ``n't``
split off as GloVe does ("don't" -> "do", "n't"), and ``!``/``?`` marks. The terms
of a text are its distinct tokens, two-token phrases ("keeps dropping") and the
first five letters of long words ("dropp~", a crude stem so that "predictable"
teaches about "predictably").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from engage_desktop.workspace.columns import objects

#: Bin edges on VADER's compound: the model learns its own thresholds.
COMPOUND_EDGES = np.array([-0.75, -0.5, -0.25, -0.05, 0.05, 0.25, 0.5, 0.75])
#: VADER features: compound, pos, neu, neg, then one-hot bins.
N_VADER = 4 + len(COMPOUND_EDGES) + 1
#: Words from this length on also count by their first :data:`STEM` letters.
STEM_FROM = 7
STEM = 5

_SPLIT = re.compile(r"[^a-z0-9'!?]+")
_MARKS = re.compile(r"([!?])")


@dataclass
class Tokens:
    """The tokens of a column of texts, flattened and numbered.

    Attributes:
        rows: Index of the text each token belongs to (non-decreasing).
        codes: Each token as an index into ``words``, in text order.
        words: The distinct tokens (an ``object`` array), in order of first appearance.
        n_texts: Number of texts.
    """

    rows: np.ndarray
    codes: np.ndarray
    words: np.ndarray
    n_texts: int

    @property
    def tokens(self) -> np.ndarray:
        """Every token as text, in text order."""
        return self.words[self.codes]

    def lookup(self, index: Mapping[str, int]) -> np.ndarray:
        """``index[token]`` of every token, -1 when absent (one look-up per distinct word)."""
        return lookup(self.words, index)[self.codes]


def lookup(names: np.ndarray, index: Mapping[str, int]) -> np.ndarray:
    """``index[name]`` of each name, -1 when absent."""
    get = index.get
    return np.fromiter((get(n, -1) for n in names.tolist()), dtype=np.int64, count=len(names))


def tokenize(texts: Iterable[Any]) -> Tokens:
    """Split texts (None counts as empty) into tokens.

    One regular-expression split per text; each token is numbered as it is found,
    so the later steps (phrases, stems, look-ups) work once per distinct word and on
    integer arrays for the rest.
    """
    index: dict[str, int] = {}
    number = index.setdefault
    rows: list[int] = []
    codes: list[int] = []
    n_texts = 0
    for i, text in enumerate(texts):
        n_texts = i + 1
        if not text:
            continue
        low = (text if isinstance(text, str) else str(text)).lower().replace("n't", " n't")
        if "!" in low or "?" in low:
            low = _MARKS.sub(r" \1 ", low)
        for part in _SPLIT.split(low):
            # "n't" keeps its apostrophe (only the ends are stripped); "''" is dropped.
            part = part.strip("'")
            if part:
                rows.append(i)
                codes.append(number(part, len(index)))
    return Tokens(
        np.array(rows, dtype=np.int64),
        np.array(codes, dtype=np.int64),
        objects(index, len(index)),
        n_texts,
    )


def tokens(text: str) -> list[str]:
    """The tokens of one text, in order."""
    return tokenize([text]).tokens.tolist()


def term_pairs(tok: Tokens) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every (text, term) occurrence: unigrams, bigrams and stems (duplicates kept).

    Returns:
        ``(rows, ids, names)``: the text and the term id of each occurrence, and the
        term of each id (all distinct: a phrase has a space, a stem ends in ``~``, a
        token has neither).
    """
    rows, codes, words = tok.rows, tok.codes, tok.words
    n_words = max(len(words), 1)
    same = rows[:-1] == rows[1:]
    pairs, pair_ids = np.unique(codes[:-1][same] * n_words + codes[1:][same], return_inverse=True)
    listed = words.tolist()
    left, right = divmod(pairs, n_words)
    phrases = objects(
        (f"{listed[a]} {listed[b]}" for a, b in zip(left.tolist(), right.tolist(), strict=True)),
        len(pairs),
    )
    stems: dict[str, int] = {}
    stem_of = np.fromiter(
        (
            stems.setdefault(w[:STEM] + "~", len(stems)) if len(w) >= STEM_FROM else -1
            for w in listed
        ),
        dtype=np.int64,
        count=len(listed),
    )
    token_stems = stem_of[codes]
    long = token_stems >= 0
    all_rows = np.concatenate([rows, rows[:-1][same], rows[long]])
    ids = np.concatenate(
        [codes, len(words) + pair_ids.reshape(-1), len(words) + len(pairs) + token_stems[long]]
    )
    names = np.concatenate([words, phrases, objects(stems, len(stems))])
    return all_rows, ids.astype(np.int64), names


def terms(text: str) -> set[str]:
    """The distinct terms of one text (for the model card and tests)."""
    _rows, ids, names = term_pairs(tokenize([text]))
    return set(names[ids].tolist())


def build_vocabulary(
    texts: Sequence[str], min_count: int = 1, limit: int = 50_000
) -> dict[str, int]:
    """Terms of the training texts seen in at least ``min_count`` texts, most frequent first."""
    rows, ids, names = term_pairs(tokenize(texts))
    if not len(ids):
        return {}
    # Texts per term: the distinct (text, term) pairs, counted by term.
    in_texts = np.bincount(np.unique(rows * len(names) + ids) % len(names), minlength=len(names))
    listed = names.tolist()
    # Most frequent first, ties by term, so the cut at ``limit`` is reproducible.
    top = sorted(np.flatnonzero(in_texts).tolist(), key=lambda i: (-in_texts[i], listed[i]))
    kept = sorted(listed[i] for i in top[:limit] if in_texts[i] >= min_count)
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


def encode_terms(texts: Iterable[Any] | Tokens, vocabulary: dict[str, int]) -> SparseRows:
    """Map texts (or their :class:`Tokens`) to the vocabulary's columns (unknown terms dropped)."""
    tok = texts if isinstance(texts, Tokens) else tokenize(texts)
    rows, ids, names = term_pairs(tok)
    cols = lookup(names, vocabulary)[ids]
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


def vader_features(vader: np.ndarray) -> np.ndarray:
    """Dense features from an ``(n, 4)`` array of compound, pos, neu, neg."""
    vader = np.asarray(vader, dtype=np.float64).reshape(-1, 4)
    bins = np.searchsorted(COMPOUND_EDGES, vader[:, 0], side="right")
    one_hot = np.zeros((len(vader), len(COMPOUND_EDGES) + 1))
    one_hot[np.arange(len(vader)), bins] = 1.0
    return np.hstack([vader, one_hot])
