"""The dashboard's headline figures: a tile per figure, and what each one shows."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout

from engage_desktop.dashboard.session import ChartNumbers
from engage_desktop.ui.theme import SENTIMENT_COLORS


class KpiTile(QFrame):
    """A headline figure with a caption."""

    def __init__(self, caption: str) -> None:
        super().__init__()
        self.setObjectName("card")
        self._text = "–"
        self.value = QLabel("–")
        self.value.setObjectName("kpiValue")
        self.caption = QLabel(caption)
        self.caption.setObjectName("cardUnit")
        self.caption.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 8, 14, 8)
        layout.setSpacing(0)
        layout.addWidget(self.value)
        layout.addWidget(self.caption)

    def set(self, value: str, caption: str | None = None, color: str = "#111827") -> None:
        """Show a value (and optionally a new caption)."""
        self._text = value
        # Colour by rich text: a style sheet per update would re-polish the label.
        self.value.setText(f'<span style="color:{color}">{value}</span>')
        if caption is not None:
            self.caption.setText(caption)

    def text(self) -> str:
        """The figure shown, as plain text."""
        return self._text


class AgreementTile(KpiTile):
    """Our scorer against the imported tool's labels; a click lists where they disagree."""

    clicked = Signal()

    def __init__(self) -> None:
        super().__init__("agreement with the imported tool's sentiment")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Click to list the mentions where our label and theirs differ")
        self.hide()  # only workspaces with imported sentiment show it

    def mousePressEvent(self, event) -> None:  # Qt's name
        """A click drills into the disagreements."""
        self.clicked.emit()
        super().mousePressEvent(event)


def draw_kpis(k: dict[str, KpiTile], data: ChartNumbers) -> None:
    """Show the headline figures of ``data`` on the tiles ``k`` (by key)."""
    total = float(data.volume.total.sum())
    k["mentions"].set(f"{total:,.0f}")
    scored = float(data.sentiment.scored.sum())
    if scored:
        net = (data.sentiment.positive.sum() - data.sentiment.negative.sum()) / scored * 100
        color = SENTIMENT_COLORS["positive" if net >= 0 else "negative"]
        k["net"].set(f"{net:+.1f} %", f"net sentiment of {scored:,.0f} scored mentions", color)
    else:
        k["net"].set("not scored", "net sentiment (run 'engage-desktop score')", "#6b7280")
    sov = data.share_of_voice
    if len(sov.entities) > 1 and sov.totals.sum():
        k["sov"].set(f"{sov.shares[0]:.1f} %", f"share of voice: {sov.entities[0]} vs competitors")
    elif len(sov.entities) > 1:
        # The topics are there; this range has none of their mentions yet.
        k["sov"].set("–", "share of voice: no brand or competitor mentions in this range")
    else:
        k["sov"].set("–", "share of voice (add competitor topics)")
    share = data.response.sla_share
    hours = data.response.sla_s / 3600
    k["sla"].set(
        "–" if share is None else f"{share:.1f} %",
        f"answered within the {hours:g} h SLA ({data.response.hours})",
    )
    backlog = data.response.backlog
    k["backlog"].set(f"{backlog[-1]:,.0f}" if len(backlog) else "–")
