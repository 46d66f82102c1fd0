"""The learned sentiment model: logistic regression on VADER's scores plus words.

What it learns: how this workspace's analyst labels text, given what VADER already
says. Its inputs per text are

* VADER's four scores (compound, pos, neu, neg) and the compound cut into bins, so
  it can move VADER's decision thresholds (VADER's own ±0.05 suits tweets, not
  review sentences);
* the words and two-word phrases of the text that occur in the corrections
  (a vocabulary, not hashing: a word never seen in a correction carries no
  weight in a linear model anyway, and a dict look-up is stable across processes).

Three classes (negative, neutral, positive), softmax, L2 penalty (stronger on words
than on VADER's scores), fitted by full-batch gradient descent with Nesterov
momentum in numpy. No scikit-learn: it would add ~270 MB for ~150 lines.

Measured on the VADER authors' human-rated sentences (``benchmarks/learn.py``),
VADER's scores carry most of the signal on short posts and the words add what
VADER's general lexicon misses in reviews and editorials ("predictable",
"tepid", "fails to").
"""

from __future__ import annotations

import io
import itertools
import json
import re
import zipfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from engage_desktop.core.errors import WorkspaceError

#: Class order of every probability row.
CLASSES = ("negative", "neutral", "positive")
#: Bin edges on VADER's compound: the model learns its own thresholds.
COMPOUND_EDGES = np.array([-0.75, -0.5, -0.25, -0.05, 0.05, 0.25, 0.5, 0.75])
#: VADER features: compound, pos, neu, neg, then one-hot bins.
N_VADER = 4 + len(COMPOUND_EDGES) + 1
#: From this many training texts on, terms seen in only one of them are dropped.
RARE_TERMS_FROM = 500
#: Format of the serialized model; bump when :meth:`LearnedModel.to_bytes` changes.
FORMAT = 1

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[!?]")


def tokens(text: str) -> list[str]:
    """Lower-case words (with their apostrophe part) and ``!``/``?`` marks."""
    return _TOKEN.findall(text.lower())


def terms(text: str) -> set[str]:
    """The distinct unigrams and bigrams of a text (a bigram is ``"word1 word2"``).

    Long words also count by their first five letters (``"predi~"``), a crude stem
    so that "predictable" teaches about "predictably".
    """
    words = tokens(text)
    out = set(words)
    out.update(w[:5] + "~" for w in words if len(w) > 6)
    out.update(map(" ".join, itertools.pairwise(words)))
    return out


def vader_features(vader: np.ndarray) -> np.ndarray:
    """Dense features from an ``(n, 4)`` array of compound, pos, neu, neg."""
    vader = np.asarray(vader, dtype=np.float64).reshape(-1, 4)
    bins = np.searchsorted(COMPOUND_EDGES, vader[:, 0], side="right")
    one_hot = np.zeros((len(vader), len(COMPOUND_EDGES) + 1))
    one_hot[np.arange(len(vader)), bins] = 1.0
    return np.hstack([vader, one_hot])


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
        )

    def t_dot(self, grad: np.ndarray) -> np.ndarray:
        """``X.T @ grad`` for an ``(n_rows, k)`` matrix."""
        rows = self.row_of_entry()
        return np.stack(
            [
                np.bincount(self.indices, self.values * grad[rows, k], minlength=self.n_cols)
                for k in range(grad.shape[1])
            ],
            axis=1,
        )


def encode_terms(texts: Sequence[str], vocabulary: dict[str, int]) -> SparseRows:
    """Map texts to the vocabulary's columns (unknown terms are dropped)."""
    lengths: list[int] = []
    indices: list[int] = []
    known = vocabulary.keys()
    get = vocabulary.__getitem__
    for text in texts:
        # Set intersection with the dict's key view runs in C; ~2x a per-term get().
        found = terms(text) & known
        lengths.append(len(found))
        indices.extend(map(get, found))
    counts = np.asarray(lengths, dtype=np.int64)
    indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    scale = np.repeat(1.0 / np.sqrt(np.maximum(counts, 1)), counts)
    return SparseRows(indptr, np.asarray(indices, dtype=np.int64), scale, len(vocabulary))


def build_vocabulary(
    texts: Sequence[str], min_count: int = 1, limit: int = 50_000
) -> dict[str, int]:
    """Terms of the training texts seen in at least ``min_count`` texts, most frequent first."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(terms(text))
    kept = [t for t, n in counts.most_common(limit) if n >= min_count]
    return {t: i for i, t in enumerate(sorted(kept))}


@dataclass
class TrainSettings:
    """Hyper-parameters of one fit.

    Attributes:
        word_penalty: L2 penalty on word weights (per training item).
        vader_penalty: L2 penalty on the VADER-score weights.
        iterations: Gradient steps (Nesterov momentum converges in ~100 here; F1 on
            the evaluation sets was the same at 120 and 300 steps).
        min_count: A term must occur in this many training texts to be a feature;
            None: 1 below :data:`RARE_TERMS_FROM` texts, else 2 (words seen once in a
            big set add cost, not accuracy).
    """

    word_penalty: float = 1e-3
    vader_penalty: float = 1e-4
    iterations: int = 120
    min_count: int | None = None


@dataclass
class LearnedModel:
    """A fitted model: weights, vocabulary and what it was trained on.

    Attributes:
        vocabulary: Term -> row of ``word_weights``.
        word_weights: ``(len(vocabulary), 3)``.
        vader_weights: ``(N_VADER, 3)``.
        bias: ``(3,)``.
        meta: Free-form facts (settings, counts) kept with the model.
    """

    vocabulary: dict[str, int]
    word_weights: np.ndarray
    vader_weights: np.ndarray
    bias: np.ndarray
    meta: dict[str, Any] = field(default_factory=dict)

    # -- scoring -------------------------------------------------------------------

    def logits(self, texts: Sequence[str], vader: np.ndarray) -> np.ndarray:
        """Raw class scores, ``(n, 3)``."""
        words = encode_terms(texts, self.vocabulary)
        return vader_features(vader) @ self.vader_weights + words.dot(self.word_weights) + self.bias

    def predict_proba(self, texts: Sequence[str], vader: np.ndarray) -> np.ndarray:
        """Class probabilities in :data:`CLASSES` order, ``(n, 3)``."""
        return _softmax(self.logits(texts, vader))

    def predict(self, texts: Sequence[str], vader: np.ndarray) -> list[str]:
        """The most probable label of each text."""
        proba = self.predict_proba(texts, vader)
        return [CLASSES[i] for i in proba.argmax(axis=1)]

    def term_weights(self) -> list[tuple[str, float]]:
        """Each term with its pull towards positive (positive minus negative weight)."""
        pull = self.word_weights[:, 2] - self.word_weights[:, 0]
        inverse = {i: t for t, i in self.vocabulary.items()}
        return [(inverse[i], float(pull[i])) for i in range(len(pull))]

    # -- storage -------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        """A compact, self-describing blob (npz) for the workspace file."""
        buffer = io.BytesIO()
        terms_sorted = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        np.savez_compressed(
            buffer,
            format=np.array([FORMAT]),
            terms=np.array(json.dumps(terms_sorted)),
            word_weights=self.word_weights.astype(np.float32),
            vader_weights=self.vader_weights,
            bias=self.bias,
            meta=np.array(json.dumps(self.meta)),
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes) -> LearnedModel:
        """Read a blob written by :meth:`to_bytes`.

        Raises:
            WorkspaceError: Not a model blob, or a newer format than this build reads.
        """
        try:
            # allow_pickle=False: a workspace from someone else cannot run code here.
            with np.load(io.BytesIO(blob), allow_pickle=False) as data:
                version = int(data["format"][0])
                terms_sorted = json.loads(str(data["terms"]))
                model = cls(
                    vocabulary={t: i for i, t in enumerate(terms_sorted)},
                    word_weights=data["word_weights"].astype(np.float64),
                    vader_weights=data["vader_weights"],
                    bias=data["bias"],
                    meta=json.loads(str(data["meta"])),
                )
        except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
            raise WorkspaceError(
                f"the workspace's sentiment model cannot be read ({exc}); "
                "run 'engage-desktop learn' to train a new one"
            ) from exc
        if version > FORMAT:
            raise WorkspaceError(
                "the workspace's sentiment model was saved by a newer engage-desktop; upgrade"
            )
        return model


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def fit(
    texts: Sequence[str],
    vader: np.ndarray,
    labels: Sequence[str],
    settings: TrainSettings | None = None,
) -> LearnedModel:
    """Fit a model on labelled texts.

    Args:
        texts: The texts.
        vader: ``(n, 4)`` VADER compound, pos, neu, neg of each text.
        labels: negative, neutral or positive per text.
        settings: Hyper-parameters; defaults when None.

    Returns:
        The fitted :class:`LearnedModel`.
    """
    settings = settings or TrainSettings()
    y = np.array([CLASSES.index(lab) for lab in labels])
    min_count = settings.min_count or (1 if len(texts) < RARE_TERMS_FROM else 2)
    vocabulary = build_vocabulary(texts, min_count)
    words = encode_terms(texts, vocabulary)
    dense = vader_features(vader)
    n = len(y)
    target = np.zeros((n, 3))
    target[np.arange(n), y] = 1.0
    # Classes weighted to be balanced: corrections are often mostly one class.
    counts = np.bincount(y, minlength=3).astype(np.float64)
    class_weight = np.where(counts > 0, n / (3.0 * np.maximum(counts, 1.0)), 0.0)
    row_weight = class_weight[y] / n

    params = [np.zeros((dense.shape[1], 3)), np.zeros((len(vocabulary), 3)), np.zeros(3)]
    velocity = [np.zeros_like(p) for p in params]
    rate, momentum = 0.5, 0.9
    for _ in range(settings.iterations):
        look = [p + momentum * v for p, v in zip(params, velocity, strict=True)]
        proba = _softmax(dense @ look[0] + words.dot(look[1]) + look[2])
        grad_z = (proba - target) * row_weight[:, None]
        grads = [
            dense.T @ grad_z + settings.vader_penalty * look[0],
            words.t_dot(grad_z) + settings.word_penalty * look[1],
            grad_z.sum(axis=0),
        ]
        for i in range(3):
            velocity[i] = momentum * velocity[i] - rate * grads[i]
            params[i] = params[i] + velocity[i]
    return LearnedModel(
        vocabulary,
        params[1],
        params[0],
        params[2],
        meta={
            "trained_on": n,
            "word_penalty": settings.word_penalty,
            "vader_penalty": settings.vader_penalty,
            "iterations": settings.iterations,
        },
    )


def macro_f1(truth: Sequence[str], predicted: Sequence[str]) -> float:
    """Macro-averaged F1 over the three classes (a class absent from both counts 0)."""
    scores = []
    for cls in CLASSES:
        tp = sum(1 for t, p in zip(truth, predicted, strict=True) if t == cls and p == cls)
        fp = sum(1 for t, p in zip(truth, predicted, strict=True) if t != cls and p == cls)
        fn = sum(1 for t, p in zip(truth, predicted, strict=True) if t == cls and p != cls)
        scores.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return float(np.mean(scores))
