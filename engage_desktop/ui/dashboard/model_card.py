"""The dashboard's model card: how the learned sentiment model does against VADER.

Numbers come from :func:`engage_desktop.enrich.learned.card.model_status` (a task);
this widget only draws them: the cross-validated F1 of the model and of VADER on the
same corrections, agreement with the analyst week by week, and the words and phrases
that moved decisions most. Terms come from customers' text: shown as plain text.
"""

from __future__ import annotations

import html
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from engage_desktop.ui.theme import SENTIMENT_COLORS

VADER_COLOR = "#6b7280"
PLOT_MIN_HEIGHT = 170
CARD_MIN_HEIGHT = 260
MODEL_COLOR = "#2563eb"


class ModelCard(QFrame):
    """ "Learned sentiment model" card."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.setMinimumHeight(CARD_MIN_HEIGHT)
        self.setMaximumHeight(340)
        title = QLabel("Learned sentiment model")
        title.setObjectName("cardTitle")
        self.summary = QLabel("Reading the model…")
        self.summary.setObjectName("cardUnit")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.figures = QLabel()
        self.figures.setTextFormat(Qt.TextFormat.RichText)
        self.figures.setWordWrap(True)
        self.figures.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.terms = QLabel()
        self.terms.setTextFormat(Qt.TextFormat.RichText)
        self.terms.setWordWrap(True)
        self.terms.setAlignment(Qt.AlignmentFlag.AlignTop)
        # The chart (a whole pyqtgraph PlotWidget, a fifth of the dashboard's building
        # of its cards) is built with the first status, which is read after the charts
        # are drawn; an empty widget of its size holds its place until then.
        self._plot: pg.PlotWidget | None = None
        self._plot_place = QWidget()
        self._plot_place.setMinimumHeight(PLOT_MIN_HEIGHT)
        left = QVBoxLayout()
        left.addWidget(self.figures)
        left.addWidget(self.terms, 1)
        body = QHBoxLayout()
        body.addLayout(left, 1)
        body.addWidget(self._plot_place, 1)
        self._body = body
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.addWidget(title)
        layout.addWidget(self.summary)
        layout.addLayout(body, 1)
        layout.addStretch(0)  # takes the room instead of the body while there is no chart
        self._layout = layout

    @property
    def plot(self) -> pg.PlotWidget:
        """Agreement with the analyst week by week (built on first use)."""
        if self._plot is None:
            plot = pg.PlotWidget(background="w")
            plot.setMinimumHeight(PLOT_MIN_HEIGHT)
            plot.setMouseEnabled(x=False, y=False)
            plot.hideButtons()
            plot.setYRange(0, 100)
            plot.setLabel("left", "agreed with analyst, %")
            plot.addLegend(offset=(8, -8))  # bottom left: the lines live near the top
            self._body.replaceWidget(self._plot_place, plot)
            self._plot_place.deleteLater()
            self._plot = plot
        return self._plot

    def set_status(self, status: dict[str, Any]) -> None:
        """Draw what :func:`model_status` returned."""
        card = status.get("card")
        weeks = card.get("over_time", []) if card is not None else []
        if not weeks:
            # Nothing to draw yet (no model, or no week with corrections): the card's
            # words take its width, rather than a chart of empty axes beside them.
            # The placeholder is gone once the chart replaced it.
            (self._plot if self._plot is not None else self._plot_place).hide()
            self.setMinimumHeight(0)  # as tall as its words, packed at the top
            self._layout.setStretch(2, 0)
            self._layout.setStretch(3, 1)
        if card is None:
            self.summary.setText(
                f"VADER labels every mention. {status['corrections']:,} corrections so far; "
                f"the model needs {status['needed']:,} more. Correct mentions in the inbox's "
                "<b>Teach the model</b> view (keys 1 / 2 / 3)."
                if status["needed"]
                else f"{status['corrections']:,} corrections: enough to train. The model "
                "trains in the background, or run <code>engage-desktop learn</code>."
            )
            self.figures.setText("")
            self.terms.setText("")
            self.figures.hide()
            self.terms.hide()
            return
        self.figures.show()
        self.terms.show()
        version = html.escape(str(status.get("version") or "learned"))
        if status["in_use"]:
            state = f"Model <b>{version}</b> labels mentions without a correction."
        else:
            state = (
                f"VADER labels the mentions: model <b>{version}</b> did not beat it on the "
                "corrections."
            )
        new = status.get("new_since", 0)
        self.summary.setText(
            f"{state} Trained on {card['corrections']:,} corrections"
            + (f"; {new:,} new since." if new > 0 else ".")
            + " F1 is cross-validated: each correction judged by a model that never saw it."
        )
        labels = card.get("labels", {})
        self.figures.setText(
            "<table cellspacing=6>"
            f"<tr><td>F1, learned model</td><td><b style='color:{MODEL_COLOR}'>"
            f"{card['f1_model']:.2f}</b></td></tr>"
            f"<tr><td>F1, VADER (same corrections)</td><td><b style='color:{VADER_COLOR}'>"
            f"{card['f1_vader']:.2f}</b></td></tr>"
            f"<tr><td>Corrections</td><td>{labels.get('negative', 0):,} negative · "
            f"{labels.get('neutral', 0):,} neutral · {labels.get('positive', 0):,} positive"
            "</td></tr></table>"
        )
        self.terms.setText(
            _terms_html("Pulled towards negative", card.get("top_negative", []), "negative")
            + _terms_html("Pulled towards positive", card.get("top_positive", []), "positive")
        )
        if weeks:
            self.setMinimumHeight(CARD_MIN_HEIGHT)
            self._layout.setStretch(2, 1)
            self._layout.setStretch(3, 0)
            self.plot.clear()
            self.plot.show()
            xs = list(range(len(weeks)))
            for key, name, color in (
                ("vader_agreed", "VADER", VADER_COLOR),
                ("model_agreed", "learned (cross-validated)", MODEL_COLOR),
            ):
                ys = [100.0 * w[key] / max(w["corrections"], 1) for w in weeks]
                self.plot.plot(
                    xs, ys, pen=pg.mkPen(color, width=2), symbol="o", symbolSize=6,
                    symbolBrush=color, name=name,
                )  # fmt: skip
            axis = self.plot.getAxis("bottom")
            axis.setTicks([[(i, w["week"]) for i, w in enumerate(weeks)]])
            self.plot.setXRange(-0.5, len(weeks) - 0.5)

    def chart_shown(self) -> bool:
        """Whether the week-by-week chart is on the card (tests)."""
        return self._plot is not None and not self._plot.isHidden()

    def summary_text(self) -> str:
        """The card's sentence, as plain text (tests, accessibility)."""
        return self.summary.text()


def _terms_html(title: str, terms: list[dict[str, Any]], label: str) -> str:
    if not terms:
        return ""
    color = SENTIMENT_COLORS.get(label, "#374151")
    words = ", ".join(
        f"<span style='color:{color}'>{html.escape(t['term'])}</span> ({t['seen']})" for t in terms
    )
    return f"<p><b>{title}</b> (times seen): {words}</p>"
