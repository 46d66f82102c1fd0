"""Training the workspace's model from its corrections, and its model card.

The training set is every analyst correction of a mention that VADER scored
(English or undetermined text): the text, VADER's four stored scores, and the
analyst's label. Below :data:`MIN_CORRECTIONS` the workspace keeps VADER and is told
how many more corrections it needs.

The model card is honest by construction: F1 is cross-validated (each correction is
predicted by a model that did not see it) and VADER is scored on exactly the same
corrections. Note that corrections are not a random sample: analysts mostly correct
what VADER got wrong, so VADER's F1 on corrections is lower than on all mentions.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np

from engage_desktop.enrich.learned.model import (
    CLASSES,
    LearnedModel,
    TrainSettings,
    encode_terms,
    fit,
    macro_f1,
)
from engage_desktop.enrich.learned.store import active_model, save_model
from engage_desktop.enrich.sentiment.columns import text_to_score
from engage_desktop.resources import resource
from engage_desktop.workspace.database import Workspace

#: Corrections needed before a model replaces VADER.
MIN_CORRECTIONS = 100
#: Each label needs this many corrections for it to be learned at all.
MIN_PER_LABEL = 5
#: Cross-validation folds for the model card.
FOLDS = 5
#: Terms shown on the card, per direction.
TOP_TERMS = 8

Progress = Callable[[int, int], None]


@dataclass
class TrainingSet:
    """Corrections as model inputs.

    Attributes:
        ids: Mention ids.
        texts: What the customer wrote.
        vader: ``(n, 4)`` VADER compound, pos, neu, neg.
        labels: The analyst's labels.
        vader_labels: VADER's labels of the same mentions.
        corrected_at: When each correction was made.
    """

    ids: list[int]
    texts: list[str]
    vader: np.ndarray
    labels: list[str]
    vader_labels: list[str]
    corrected_at: list[Any] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.ids)


@dataclass
class TrainResult:
    """What :func:`train_workspace` did.

    Attributes:
        corrections: Usable corrections found.
        needed: More corrections needed before a model is trained (0 when trained).
        model_id: The new model's id, or None when not trained.
        card: The new model card, or None.
        seconds: Training time, cross-validation included.
    """

    corrections: int
    needed: int = 0
    model_id: int | None = None
    card: dict[str, Any] | None = None
    seconds: float = 0.0

    def line(self, domain: str | None = None) -> str:
        """One summary line for the CLI and the status bar."""
        scope = f" for topic '{domain}'" if domain else ""
        if self.model_id is None:
            return (
                f"{self.corrections:,} corrections{scope}: VADER stays in use; the model needs "
                f"{self.needed:,} more (correct mentions in the 'Teach the model' view)"
            )
        card = self.card or {}
        figures = (
            f"cross-validated F1 {card.get('f1_model', 0):.2f} vs VADER "
            f"{card.get('f1_vader', 0):.2f}"
        )
        if not card.get("beats_vader", True):
            return (
                f"trained model learned.{self.model_id}{scope} on {self.corrections:,} "
                f"corrections but VADER stays in use: it does better on them ({figures})"
            )
        return (
            f"trained model learned.{self.model_id}{scope} on {self.corrections:,} corrections "
            f"in {self.seconds:.1f} s: {figures}"
        )

    @property
    def in_use(self) -> bool:
        """True when the new model replaced VADER (or the previous model)."""
        return self.model_id is not None and bool((self.card or {}).get("beats_vader"))


def training_set(ws: Workspace, domain: str | None = None) -> TrainingSet:
    """The corrections usable for training, oldest first."""
    where = "m.model_label IS NOT NULL AND m.model_label <> 'unscored' AND "
    where += "m.model_sentiment IS NOT NULL"
    params: list[Any] = []
    if domain is not None:
        where += " AND list_contains(m.topics, ?)"
        params.append(domain)
    cur = ws.cursor()
    try:
        rows = cur.execute(
            f"""
            SELECT m.id, m.title, m.text, m.model_sentiment, m.sentiment_pos, m.sentiment_neu,
                   m.sentiment_neg, c.label, m.model_label, c.corrected_at
            FROM sentiment_corrections c JOIN mentions m ON m.id = c.mention_id
            WHERE {where} AND c.label IN ('positive', 'neutral', 'negative')
            ORDER BY c.corrected_at, m.id
            """,
            params,
        ).fetchall()
    finally:
        cur.close()
    return TrainingSet(
        ids=[int(r[0]) for r in rows],
        texts=[text_to_score(r[1], r[2]) for r in rows],
        vader=np.array([[r[3], r[4] or 0.0, r[5] or 0.0, r[6] or 0.0] for r in rows]).reshape(
            -1, 4
        ),
        labels=[str(r[7]) for r in rows],
        vader_labels=[str(r[8]) for r in rows],
        corrected_at=[r[9] for r in rows],
    )


def corrections_needed(data: TrainingSet) -> int:
    """How many more corrections before a model can be trained (0: enough)."""
    counts = Counter(data.labels)
    short = max(0, MIN_CORRECTIONS - len(data))
    if sum(1 for c in CLASSES if counts[c] >= MIN_PER_LABEL) < 2:
        # At least two labels must be taught; say how many of the second are missing.
        second = sorted((counts[c] for c in CLASSES), reverse=True)[1]
        short = max(short, MIN_PER_LABEL - second)
    return short


def cross_validated_predictions(
    data: TrainingSet, settings: TrainSettings | None = None, folds: int = FOLDS
) -> list[str]:
    """Each correction predicted by a model trained on the other folds."""
    order = np.random.default_rng(0).permutation(len(data))
    predicted = [""] * len(data)
    for k in range(folds):
        test = order[k::folds]
        train = np.setdiff1d(order, test)
        model = fit(
            [data.texts[i] for i in train],
            data.vader[train],
            [data.labels[i] for i in train],
            settings,
        )
        for i, label in zip(
            test, model.predict([data.texts[i] for i in test], data.vader[test]), strict=True
        ):
            predicted[int(i)] = label
    return predicted


@cache
def _stop_words() -> frozenset[str]:
    """The shipped English stop words (the same list the rising-terms chart uses)."""
    lines = resource("stopwords", "english.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


def _telling(term: str) -> bool:
    """Worth showing on the card: not a stem ("dropp~"), a mark, or only stop words.

    Stop words still count in the model (the weights say "the" leans positive on
    this workspace's corrections), but a reader learns nothing from them.
    """
    if term.endswith("~"):
        return False
    words = term.split(" ")
    stop = _stop_words()
    return any(w not in stop and w.isalnum() and not w.isdigit() for w in words)


def build_card(
    data: TrainingSet, model: LearnedModel, cv_predicted: list[str], domain: str | None
) -> dict[str, Any]:
    """The model card: counts, F1 against VADER, agreement over time, decisive terms."""
    weeks: dict[str, list[int]] = {}
    for at, truth, vader, cv in zip(
        data.corrected_at, data.labels, data.vader_labels, cv_predicted, strict=True
    ):
        week = at.strftime("%G-W%V") if at is not None else "unknown"
        n, v_ok, m_ok = weeks.get(week, [0, 0, 0])
        weeks[week] = [n + 1, v_ok + (vader == truth), m_ok + (cv == truth)]
    # In how many corrections each term occurs (a term counts once per text).
    seen = np.bincount(
        encode_terms(data.texts, model.vocabulary).indices, minlength=len(model.vocabulary)
    )
    doc_freq = {t: int(seen[i]) for t, i in model.vocabulary.items()}
    # A term's influence is its learned pull (positive minus negative weight); terms
    # seen in a single correction are left out, they say more about that text.
    scored = [
        (t, w, doc_freq.get(t, 0))
        for t, w in model.term_weights()
        if doc_freq.get(t, 0) >= 2 and _telling(t)
    ]
    scored.sort(key=lambda x: x[1])
    negative = [
        {"term": t, "weight": round(w, 3), "seen": n} for t, w, n in scored[:TOP_TERMS] if w < 0
    ]
    positive = [
        {"term": t, "weight": round(w, 3), "seen": n}
        for t, w, n in reversed(scored[-TOP_TERMS:])
        if w > 0
    ]
    agree_vader = sum(v == t for v, t in zip(data.vader_labels, data.labels, strict=True))
    agree_model = sum(p == t for p, t in zip(cv_predicted, data.labels, strict=True))
    return {
        "domain": domain,
        "corrections": len(data),
        "labels": dict(Counter(data.labels)),
        "f1_model": round(macro_f1(data.labels, cv_predicted), 4),
        "f1_vader": round(macro_f1(data.labels, data.vader_labels), 4),
        "agreement_model": round(agree_model / len(data), 4) if len(data) else None,
        "agreement_vader": round(agree_vader / len(data), 4) if len(data) else None,
        "folds": FOLDS,
        "over_time": [
            {"week": w, "corrections": n, "vader_agreed": v, "model_agreed": m}
            for w, (n, v, m) in sorted(weeks.items())
        ],
        "top_positive": positive,
        "top_negative": negative,
        "vocabulary": len(model.vocabulary),
    }


def train_workspace(
    ws: Workspace,
    domain: str | None = None,
    *,
    progress: Progress | None = None,
    settings: TrainSettings | None = None,
) -> TrainResult:
    """Train (and store) a new model version from the workspace's corrections.

    Args:
        ws: Writable workspace.
        domain: Only corrections of mentions with this topic; None for all.
        progress: Called as ``progress(step, FOLDS + 1)`` after each fit.
        settings: Hyper-parameters; defaults when None.

    Returns:
        A :class:`TrainResult`; ``needed`` > 0 and no model when too few corrections.
    """
    started = time.perf_counter()
    data = training_set(ws, domain)
    needed = corrections_needed(data)
    if needed:
        return TrainResult(corrections=len(data), needed=needed)
    model, card = fit_with_card(data, domain, settings)
    if progress is not None:
        progress(FOLDS, FOLDS + 1)
    model.meta["domain"] = domain
    model_id = save_model(ws, model, card, domain, active=card["beats_vader"])
    if progress is not None:
        progress(FOLDS + 1, FOLDS + 1)
    return TrainResult(
        corrections=len(data),
        model_id=model_id,
        card=card,
        seconds=time.perf_counter() - started,
    )


def fit_with_card(
    data: TrainingSet, domain: str | None = None, settings: TrainSettings | None = None
) -> tuple[LearnedModel, dict[str, Any]]:
    """Cross-validate, fit on everything, and write the card.

    The card's ``beats_vader`` says whether the model may replace VADER: only when
    its cross-validated F1 on the corrections is higher than VADER's on the same
    ones. On text VADER already reads well (short social posts) a model trained on
    a few hundred corrections can be a little worse; then VADER stays.
    """
    cv_predicted = cross_validated_predictions(data, settings)
    model = fit(data.texts, data.vader, data.labels, settings)
    card = build_card(data, model, cv_predicted, domain)
    card["beats_vader"] = card["f1_model"] > card["f1_vader"]
    return model, card


def new_corrections_since_model(ws: Workspace, domain: str | None = None) -> int:
    """Corrections made after the active model was trained (all, without a model)."""
    stored = active_model(ws, domain)
    total = int(ws.scalar("SELECT count(*) FROM sentiment_corrections"))
    return total if stored is None else max(0, total - stored.corrections)
