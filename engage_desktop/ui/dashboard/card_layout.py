"""Where the dashboard's cards go, and when: the page's grid and its paint-first order.

Every card is built with the pane and has its place in the grid from the start (only
what is in view is painted), and the cube's charts below the first screen get their
numbers with those in view: so the page's length and its columns' widths are settled
before the charts are painted. Added after that first paint, the lower cards
lengthened the page and widened a column, and the charts in view were laid out and
painted twice more.
The grid shows two cards a row, or one when two would not fit the window's width.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QTimer
from PySide6.QtWidgets import QWidget

from engage_desktop.ui.dashboard.chart_card import ChartCard
from engage_desktop.ui.dashboard.rank_charts import (
    AdvocatesChart,
    ChannelsChart,
    TermsChart,
    TopAuthorsChart,
)
from engage_desktop.ui.dashboard.time_charts import BacklogChart, ResponseChart

CARD_NAMES = {
    "VolumeChart": "volume", "SentimentChart": "sentiment", "ShareOfVoiceChart": "share_of_voice",
    "ResponseChart": "response_time", "BacklogChart": "backlog", "TopAuthorsChart": "top_authors",
    "AdvocatesChart": "advocates", "ChannelsChart": "channels", "TermsChart": "terms",
}  # fmt: skip
# The cards below the first screen (attribute, class), in page order.
LOWER_CARDS = (
    ("response", ResponseChart), ("backlog", BacklogChart), ("authors", TopAuthorsChart),
    ("advocates", AdvocatesChart), ("channels", ChannelsChart), ("terms", TermsChart),
)  # fmt: skip


class CardLayout:
    """The pane's card grid and the paint-first building of its lower cards (a mixin
    of :class:`~engage_desktop.ui.dashboard.pane.DashboardPane`)."""

    def _adopt(self, card: ChartCard) -> None:
        """Wire a chart card's drill-down and data export to the pane."""
        name = CARD_NAMES[card.__class__.__name__]
        card.element_clicked.connect(self.drill)
        card.data_export_requested.connect(lambda fmt, n=name: self.export_card_data(n, fmt))
        card.export_caption = self.cards[0].export_caption if self.cards else ""
        self.cards.append(card)

    def _lower_card(self, name: str, cls: type[ChartCard]) -> None:
        card = cls()
        setattr(self, name, card)
        self._adopt(card)

    def _extras(self) -> list[QWidget]:
        """The alerts and model cards."""
        return [self.alerts_card, self.model_card]

    def _place_lower(self) -> None:
        """Note that the cards below the first screen have their numbers (once).

        They are on the page from the start, where only what scrolls into view is
        painted, and they take no new room when their numbers arrive before the
        first paint: nothing in view is laid out or painted again for them.
        """
        self.placed = True

    def _add_pair(self, i: int) -> None:
        left, right = self.pairs[i]
        if self.columns == 2:
            self.grid.addWidget(left, 2 + i, 0)
            self.grid.addWidget(right, 2 + i, 1)
        else:
            self.grid.addWidget(left, 2 + 2 * i, 0, 1, 2)
            self.grid.addWidget(right, 3 + 2 * i, 0, 1, 2)

    def _add_extras(self) -> None:
        for k, widget in enumerate(self._extras()):
            self.grid.addWidget(widget, 2 + k + len(self.pairs) * (3 - self.columns), 0, 1, 2)

    def _place_cards(self, columns: int) -> None:
        """Two cards a row, or one (each pair stacked) when two would not fit."""
        if columns == self.columns:
            return
        self.columns = columns
        for pair in self.pairs:
            for card in pair:
                self.grid.removeWidget(card)
        for widget in self._extras():
            self.grid.removeWidget(widget)
        for i in range(len(self.pairs)):
            self._add_pair(i)
        self._add_extras()

    def settle_layout(self) -> None:
        """Lay the page out now, at the sizes the new numbers need.

        A legend's new entries widen its card, which widens a column of the grid:
        each step is a layout request of its own, handled one turn of the event loop
        after the other, and a paint between two of them painted the charts in view
        at a size they were about to leave.
        """
        for _ in range(4):  # legend -> card -> page -> scroll area
            QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)

    def reflow(self) -> None:
        """Pick one or two columns from the room there is and what the cards need."""
        room = self.scroll.viewport().width()
        margins = self.grid.contentsMargins()
        need = (
            max(left.minimumSizeHint().width() for left, _ in self.pairs)
            + max(right.minimumSizeHint().width() for _, right in self.pairs)
            + self.grid.spacing()
            + margins.left()
            + margins.right()
        )
        self._place_cards(2 if room >= need else 1)

    def eventFilter(self, watched, event) -> bool:
        """Reflow when the visible width changes; note when the top charts are painted."""
        if watched is self.scroll.viewport() and event.type() == QEvent.Type.Resize:
            self.reflow()
        elif (
            self._paint_request is not None
            and event.type() == QEvent.Type.Paint
            and watched is self.volume.graphics.viewport()
        ):
            # The rest of this paint pass follows: draw the lower cards after it.
            request, self._paint_request = self._paint_request, None
            QTimer.singleShot(0, self, lambda r=request: self._on_top_painted(r))
        return super().eventFilter(watched, event)
