"""The learned sentiment model: logistic regression on VADER's scores, words and word vectors.

What it learns: how this workspace's analyst labels text, given what VADER already
says. Its inputs per text are

* VADER's four scores (compound, pos, neu, neg) and the compound cut into bins, so
  it can move VADER's decision thresholds (VADER's own ±0.05 suits tweets, not
  review sentences);
* the words and two-word phrases of the text that occur in the corrections
  (a vocabulary, not hashing: a word never seen in a correction carries no
  weight in a linear model anyway);
* the mean of the text's static word vectors (GloVe 6B 50d, shipped in
  ``resources/word_vectors``), so what 100 corrections teach about "dull" carries
  to "tedious", which none of them contained.

Three classes (negative, neutral, positive), softmax, L2 penalty (stronger on words
and vectors than on VADER's scores), fitted by full-batch gradient descent with
Nesterov momentum in numpy. No scikit-learn: it would add ~270 MB for ~150 lines.
Features are computed column-wise (:mod:`.features`), so scoring a million texts
has no Python loop per text.

Measured on the VADER authors' human-rated sentences (``benchmarks/learn.py``),
VADER's scores carry most of the signal on short posts; the words and vectors add
what VADER's general lexicon misses in reviews and editorials ("predictable",
"tepid", "fails to").
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from engage_desktop.core.errors import WorkspaceError
from engage_desktop.enrich.learned.features import (
    N_VADER,
    SparseRows,
    Tokens,
    build_vocabulary,
    encode_terms,
    terms,
    tokenize,
    tokens,
    vader_features,
)
from engage_desktop.enrich.learned.word_vectors import (
    TABLE,
    check_table,
    shipped_vectors,
    vectors_named,
)

__all__ = [
    "CLASSES",
    "N_VADER",
    "LearnedModel",
    "SparseRows",
    "TrainSettings",
    "encode_terms",
    "fit",
    "macro_f1",
    "terms",
    "tokens",
    "vader_features",
]

#: Class order of every probability row.
CLASSES = ("negative", "neutral", "positive")
#: From this many training texts on, terms seen in only one of them are dropped.
RARE_TERMS_FROM = 500
#: Format of the serialized model; bump when :meth:`LearnedModel.to_bytes` changes.
#: 2 added the word-vector weights; a format-1 model (no vectors) still loads.
FORMAT = 2


@dataclass
class TrainSettings:
    """Hyper-parameters of one fit.

    Attributes:
        word_penalty: L2 penalty on word weights (per training item).
        vector_penalty: L2 penalty on the word-vector weights.
        vader_penalty: L2 penalty on the VADER-score weights.
        iterations: Gradient steps (F1 on the evaluation sets was the same at 160
            and 300 steps).
        min_count: A term must occur in this many training texts to be a feature;
            None: 1 below :data:`RARE_TERMS_FROM` texts, else 2 (words seen once in a
            big set add cost, not accuracy).
        word_vectors: Use the shipped word vectors (False: words and VADER only).
    """

    word_penalty: float = 3e-4
    vector_penalty: float = 1e-3
    vader_penalty: float = 1e-4
    iterations: int = 160
    min_count: int | None = None
    word_vectors: bool = True


@dataclass
class LearnedModel:
    """A fitted model: weights, vocabulary and what it was trained on.

    Attributes:
        vocabulary: Term -> row of ``word_weights``.
        word_weights: ``(len(vocabulary), 3)``.
        vader_weights: ``(N_VADER, 3)``.
        bias: ``(3,)``.
        meta: Free-form facts (settings, counts) kept with the model.
        vector_weights: ``(DIMENSIONS, 3)`` weights of the mean word vector, or None.
        vectors: Name of the word-vector table those weights belong to, or None.
    """

    vocabulary: dict[str, int]
    word_weights: np.ndarray
    vader_weights: np.ndarray
    bias: np.ndarray
    meta: dict[str, Any] = field(default_factory=dict)
    vector_weights: np.ndarray | None = None
    vectors: str | None = None
    _projection: np.ndarray | None = field(default=None, repr=False)

    # -- scoring -------------------------------------------------------------------

    def logits(self, texts: Sequence[str] | Any, vader: np.ndarray) -> np.ndarray:
        """Raw class scores, ``(n, 3)``, of texts (a list or an array of strings)."""
        tok = tokenize(texts)
        words = encode_terms(tok, self.vocabulary)
        out = vader_features(vader) @ self.vader_weights + words.dot(self.word_weights) + self.bias
        if self.vector_weights is not None:
            table = vectors_named(self.vectors)
            if self._projection is None:
                # One 3-number pull per word: the mean of pulls is the pull of the mean.
                self._projection = table.vectors @ self.vector_weights
            out += table.pulls(tok, self._projection)
        return out

    def predict_proba(self, texts: Sequence[str] | Any, vader: np.ndarray) -> np.ndarray:
        """Class probabilities in :data:`CLASSES` order, ``(n, 3)``."""
        return _softmax(self.logits(texts, vader))

    def predict(self, texts: Sequence[str] | Any, vader: np.ndarray) -> list[str]:
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
        extra = {}
        if self.vector_weights is not None:
            extra["vector_weights"] = self.vector_weights
            extra["vectors"] = np.array(self.vectors or "")
        np.savez_compressed(
            buffer,
            format=np.array([FORMAT]),
            terms=np.array(json.dumps(terms_sorted)),
            word_weights=self.word_weights.astype(np.float32),
            vader_weights=self.vader_weights,
            bias=self.bias,
            meta=np.array(json.dumps(self.meta)),
            **extra,
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
                has_vectors = "vector_weights" in data.files
                model = cls(
                    vocabulary={t: i for i, t in enumerate(terms_sorted)},
                    word_weights=data["word_weights"].astype(np.float64),
                    vader_weights=data["vader_weights"],
                    bias=data["bias"],
                    meta=json.loads(str(data["meta"])),
                    vector_weights=data["vector_weights"] if has_vectors else None,
                    vectors=str(data["vectors"]) if has_vectors else None,
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
        if model.vectors is not None:
            check_table(model.vectors)  # the table itself loads on first scoring
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
    y = np.array([CLASSES.index(lab) for lab in labels], dtype=np.int64)
    min_count = settings.min_count or (1 if len(texts) < RARE_TERMS_FROM else 2)
    tok: Tokens = tokenize(texts)
    vocabulary = build_vocabulary(texts, min_count)
    words = encode_terms(tok, vocabulary)
    blocks = [vader_features(vader)]
    penalties = [np.full(N_VADER, settings.vader_penalty)]
    table = shipped_vectors() if settings.word_vectors else None
    if table is not None:
        blocks.append(table.means(tok))
        penalties.append(np.full(blocks[-1].shape[1], settings.vector_penalty))
    dense = np.hstack(blocks)
    dense_penalty = np.concatenate(penalties)[:, None]
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
            dense.T @ grad_z + dense_penalty * look[0],
            words.t_dot(grad_z) + settings.word_penalty * look[1],
            grad_z.sum(axis=0),
        ]
        for i in range(3):
            velocity[i] = momentum * velocity[i] - rate * grads[i]
            params[i] = params[i] + velocity[i]
    return LearnedModel(
        vocabulary,
        params[1],
        params[0][:N_VADER],
        params[2],
        meta={
            "trained_on": n,
            "word_penalty": settings.word_penalty,
            "vector_penalty": settings.vector_penalty,
            "vader_penalty": settings.vader_penalty,
            "iterations": settings.iterations,
        },
        vector_weights=params[0][N_VADER:] if table is not None else None,
        vectors=TABLE if table is not None else None,
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
