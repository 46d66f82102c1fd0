"""Where the dashboard's cards go, and when: the page's grid and its paint-first order.

The headline figures and the charts of the first screen are built with the pane;
the cards below them are built one per idle turn of the event loop while the
numbers are read, and join the grid only after the first screen is painted (a card
added to the page re-lays out, and repaints, the cards in view). The grid shows two
cards a row, or one when two would not fit the window's width.
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

    def _build_step(self) -> None:
        """Build one lower card while the numbers are being read (the window is idle).

        One card a turn of the event loop: the charts' numbers arriving meanwhile wait
        at most one card's building. Once they are in, the rest waits for the paint.
        """
        if self._charts is not None or not self._lower_steps:
            self._idle_build.stop()
            return
        self._lower_steps.pop(0)()
        self.lower_built = not self._lower_steps

    def _build_lower(self) -> None:
        """Finish building the cards below the first screen (after its first paint).

        They join the page in :meth:`_place_lower`, once they have their numbers: a
        card drawn on the page re-lays out (and repaints) the cards in view.
        """
        self._idle_build.stop()
        while self._lower_steps:
            self._lower_steps.pop(0)()
        self.lower_built = True

    def _lower_card(self, name: str, cls: type[ChartCard]) -> None:
        card = cls()
        setattr(self, name, card)
        self._adopt(card)

    def _lower_alerts(self) -> None:
        self.alerts_card = self._alerts_card()

    def _extras(self) -> list[QWidget]:
        """The alerts and model cards, once the lower cards are on the page."""
        return [self.alerts_card, self.model_card] if self.placed else []

    def _place_lower(self) -> None:
        """Put the lower cards on the page (once, after they are drawn).

        Only they are added: taking the cards in view out of the grid and back would
        lay them out again.
        """
        if self.placed:
            return
        self.placed = True
        self.pairs += [
            (self.response, self.backlog),
            (self.authors, self.advocates),
            (self.channels, self.terms),
        ]
        joining = [card for pair in self.pairs[1:] for card in pair] + self._extras()
        for widget in joining:
            # Counted by the grid while still hidden, so the page can take its new
            # length before anything is shown (showing a card lays the grid out).
            policy = widget.sizePolicy()
            policy.setRetainSizeWhenHidden(True)
            widget.setSizePolicy(policy)
        for i in range(1, len(self.pairs)):
            self._add_pair(i)
        self._add_extras()
        # Settle the page's layout now, in one pass at the page's new length. Left to
        # Qt, each card is shown by a queued call and the grid is laid out in the
        # page's old length first (squeezing every card, those in view too) and again
        # once the scroll area lengthened the page: the cards in view were resized
        # twice and painted several times more.
        width = self.content.width()
        height = max(self.content.heightForWidth(width), self.scroll.viewport().height())
        self.content.resize(width, height)
        for widget in joining:
            widget.show()
        for _ in range(2):
            QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)

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
