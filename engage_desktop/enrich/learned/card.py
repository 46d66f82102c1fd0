"""The model card as text: for ``learn --report``, the dashboard and reports.

The card itself is computed when the model is trained
(:func:`engage_desktop.enrich.learned.train.build_card`) and stored with it; this
module only words it, so the CLI, the window and a report say the same thing.
"""

from __future__ import annotations

from typing import Any


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.0f}%"


def summary_line(card: dict[str, Any]) -> str:
    """One sentence: how good the model is against VADER, on what."""
    scope = f" (topic '{card['domain']}')" if card.get("domain") else ""
    return (
        f"Learned model{scope} from {card['corrections']:,} corrections: cross-validated F1 "
        f"{card['f1_model']:.2f} against VADER's {card['f1_vader']:.2f} on the same corrections "
        f"(agreement {_pct(card.get('agreement_model'))} vs {_pct(card.get('agreement_vader'))})."
    )


def card_lines(card: dict[str, Any], version: str | None = None) -> list[str]:
    """The whole card as lines of plain text."""
    labels = card.get("labels", {})
    lines = [
        f"model: {version or 'learned'}"
        + (f" for topic '{card['domain']}'" if card.get("domain") else " for the whole workspace"),
        "corrections: "
        + f"{card['corrections']:,} ("
        + ", ".join(f"{labels.get(k, 0):,} {k}" for k in ("negative", "neutral", "positive"))
        + ")",
        f"F1 ({card.get('folds', 5)}-fold cross-validated, macro over the labels): "
        f"learned {card['f1_model']:.3f}, VADER {card['f1_vader']:.3f}",
        f"agreement with the analyst: learned {_pct(card.get('agreement_model'))}, "
        f"VADER {_pct(card.get('agreement_vader'))}",
        "agreement over time (week: corrections, VADER agreed, learned agreed):",
    ]
    for week in card.get("over_time", []):
        n = week["corrections"]
        lines.append(
            f"  {week['week']}: {n:,}, {_pct(week['vader_agreed'] / n if n else None)}, "
            f"{_pct(week['model_agreed'] / n if n else None)}"
        )
    for key, title in (("top_negative", "towards negative"), ("top_positive", "towards positive")):
        terms = ", ".join(f"{t['term']} ({t['weight']:+.2f})" for t in card.get(key, []))
        lines.append(f"words and phrases that pulled {title}: {terms or 'none yet'}")
    lines.append(
        "note: corrections are mostly mentions VADER got wrong, so VADER scores lower on them "
        "than on all mentions"
    )
    return lines


def model_status(ws: Any, domain: str | None = None) -> dict[str, Any]:
    """What the dashboard's model card shows, read in one go (run it off the GUI thread).

    Returns:
        ``in_use`` (a learned model labels the mentions), ``version`` and ``card`` of
        the newest trained model (or None), ``corrections`` usable now, ``needed``
        (more corrections before a first model) and ``new_since`` (corrections made
        since the model in use was trained).
    """
    from engage_desktop.enrich.learned.store import active_model, latest_card
    from engage_desktop.enrich.learned.train import corrections_needed, training_set

    data = training_set(ws, domain)
    stored = active_model(ws, domain)
    latest = latest_card(ws, domain)
    return {
        "in_use": stored is not None,
        "version": latest[0] if latest else None,
        "card": latest[1] if latest else None,
        "corrections": len(data),
        "needed": corrections_needed(data),
        "new_since": len(data) - (stored.corrections if stored else 0),
    }
