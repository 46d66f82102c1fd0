"""The dashboard's reads and draws: requests to the TaskRunner, results onto the cards.

Every read runs on the TaskRunner's threads (``ui/dashboard/work.py``); each
result carries the request it answers, and a result of an older request (the range
or topic changed meanwhile) is dropped. The cube's charts and the rankings are read
side by side and drawn as each arrives; rising terms, spike marks and the model
card follow once the charts are painted.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer

from engage_desktop.dashboard.session import ChartNumbers, DashboardData, Rankings
from engage_desktop.ui.dashboard.chart_card import day_text
from engage_desktop.ui.dashboard.selectors import ALL_TOPICS
from engage_desktop.ui.dashboard.tiles import draw_kpis
from engage_desktop.ui.dashboard.work import (
    agreement_job,
    compute_charts,
    compute_extras,
    compute_rankings,
    load_rankings,
    load_session,
    model_status_job,
    workspace_name_job,
)

EXTRAS_DELAY_MS = 150
# If the charts in view are not painted by then (a window that gets no paint events),
# the cards below them are drawn anyway.
LOWER_FALLBACK_MS = 250


class DashboardLoading:
    """Reading the numbers and drawing them (a mixin of
    :class:`~engage_desktop.ui.dashboard.pane.DashboardPane`)."""

    def refresh(self) -> None:
        """Re-read the workspace (new cube) and redraw every chart."""
        request = self._new_request()
        spec, topic = self._range_spec(), self._topic()
        named = self.tasks.start("dashboard.name", workspace_name_job, self.ws)
        named.succeeded.connect(lambda name: setattr(self, "workspace_name", name))
        task = self.tasks.start("dashboard.main", load_session, self.ws, spec, topic)
        task.succeeded.connect(lambda result, r=request: self._on_session(r, result))
        task.failed.connect(self._on_failed)
        self._start_rankings(request, load_rankings, spec, topic)

    def apply_filter(self) -> None:
        """Recompute the charts for the selectors' current range and topic."""
        if self.session is None:
            self.refresh()
            return
        request = self._new_request()
        flt = self._build_filter(self.session)
        task = self.tasks.start("dashboard.main", compute_charts, self.session, flt)
        task.succeeded.connect(lambda charts, r=request: self._on_charts(r, charts))
        task.failed.connect(self._on_failed)
        self._start_rankings(request, compute_rankings, flt)

    def _new_request(self) -> int:
        self._started = time.perf_counter()
        self._request += 1
        self._charts = self._ranks = None
        self._paint_request = None
        self._top_painted = False
        self._awaiting_draw = self._request
        self._lower_timer.stop()
        # The extras of an older request would be thrown away: stop them now, so they
        # do not take the processors from this one.
        self.tasks.cancel("dashboard.extras")
        self._extras_timer.stop()
        self._extras_pending = None
        return self._request

    def _start_rankings(self, request: int, fn, *args) -> None:
        # The rankings scan the mentions themselves: they run beside the cube's half.
        task = self.tasks.start("dashboard.ranks", fn, self.ws, *args)
        task.succeeded.connect(lambda ranks, r=request: self._on_ranks(r, ranks))
        task.failed.connect(self._on_failed)

    def _current(self, request: int, result) -> bool:
        return request == self._request and result is not None and not self.tasks.closed

    def _on_session(self, request: int, result) -> None:
        if not self._current(request, result):
            return
        session, charts = result
        self.session = session
        self._fill_topics(session.ctx.topics)
        self._sync_dates(session)
        self._on_charts(request, charts)

    def _on_charts(self, request: int, charts: ChartNumbers | None) -> None:
        if not self._current(request, charts):
            return
        self._charts = charts
        self.draw_charts(charts)
        # The hidden cards below too: their widths decide the columns', so the cards
        # in view are laid out once, at their final sizes, before they are painted.
        self.draw_lower_charts(charts)
        self.reflow()
        self.settle_layout()
        # On opening, paint what is in view before showing the cards below it (or,
        # when the volume chart is not in view -- the pane hidden, scrolled down, the
        # empty state shown -- right after this event). Once they are shown, a new
        # range or topic redraws every card in one go.
        if self.placed:
            self._on_top_painted(request)
        elif not self.volume.graphics.visibleRegion().isEmpty():
            self._paint_request = request
            self._lower_timer.start(LOWER_FALLBACK_MS)
        else:
            QTimer.singleShot(0, self, lambda r=request: self._on_top_painted(r))

    def _paint_missed(self) -> None:
        if self._paint_request is not None:
            request, self._paint_request = self._paint_request, None
            self._on_top_painted(request)

    def _on_top_painted(self, request: int) -> None:
        """The charts in view are painted: the cards below them may be shown."""
        if request != self._request or self._top_painted or self._charts is None:
            return
        self._lower_timer.stop()
        self._top_painted = True
        self.first_painted.emit()
        self._finish(request)

    def _on_ranks(self, request: int, ranks: Rankings | None) -> None:
        if not self._current(request, ranks):
            return
        self._ranks = ranks
        # Their cards are built (hidden on opening): draw them while the charts compute.
        self.draw_rankings(ranks)
        self.reflow()
        self.settle_layout()
        self._finish(request)

    def _finish(self, request: int) -> None:
        """Once both halves of ``request`` are in (the rankings are drawn as they come)
        and the top is painted: say so, then start the extras."""
        charts, ranks = self._charts, self._ranks
        if charts is None or ranks is None:
            return
        if ranks.filter != charts.filter:
            # The newest day moved between the two halves' reads (a fetch landed):
            # rank again for the filter the charts show.
            self._ranks = None
            self._start_rankings(request, compute_rankings, charts.filter)
            return
        if not self._top_painted:
            return
        self._place_lower()  # on opening: the cards below are shown now
        self._awaiting_draw = None
        self.data = DashboardData.join(charts, ranks)
        self.filter = charts.filter
        self._show_empty_state(int(self.data.volume.total.sum()))
        self.last_seconds = time.perf_counter() - self._started
        self.timing.setText(f"updated in {self.last_seconds:.2f} s")
        self.updated.emit()
        task = self.tasks.start("dashboard.agreement", agreement_job, self.ws, self.filter)
        task.succeeded.connect(lambda result, r=request: self._show_agreement(r, result))
        self.terms.set_loading()
        # Rising terms tokenize text in Python: start them once the charts are painted,
        # so they do not take the interpreter from the first paint.
        self._extras_pending = request
        self._extras_timer.start(EXTRAS_DELAY_MS)

    def _start_extras(self) -> None:
        request = self._extras_pending
        self._extras_pending = None
        if request != self._request or self.data is None or self.session is None:
            return
        if self.tasks.closed:  # the window is closing
            return
        task = self.tasks.start("dashboard.extras", compute_extras, self.session, self.data.filter)
        task.succeeded.connect(lambda extras, r=request: self._on_extras(r, extras))
        task.failed.connect(self._on_failed)
        # The model card sits at the bottom: read it with the other extras, after the charts.
        model = self.tasks.start("dashboard.model", model_status_job, self.ws)
        model.succeeded.connect(self.model_card.set_status)
        model.failed.connect(self._on_failed)

    def _on_extras(self, request: int, extras) -> None:
        if request != self._request or extras is None:
            return
        terms, marks, episodes = extras
        self.terms.set_data(terms)
        self.volume.set_episodes(marks)
        self._fill_alerts(episodes)
        self.extras_updated.emit()

    def _on_failed(self, message: str) -> None:
        self._awaiting_draw = None
        self.subtitle.setText(f"Could not compute the dashboard: {message}")

    # -- drawing ------------------------------------------------------------------------

    def draw_charts(self, charts: ChartNumbers) -> None:
        """Hand the headline figures and the cube's charts in view their numbers."""
        self.filter = charts.filter
        vol = charts.volume
        self.volume.set_data(vol)
        self.sentiment.set_data(charts.sentiment)
        self.share.set_data(charts.share_of_voice)
        draw_kpis(self.kpis, charts)
        days = vol.days
        span = f"{day_text(days[0])} – {day_text(days[-1])} (UTC)" if len(days) else "no mentions"
        topic = charts.filter.topic or ALL_TOPICS.lower()
        for card in self.cards:  # exported images say whose data, which days, which topic
            card.export_caption = f"{self.workspace_name} · {span} · {topic}"
        self.subtitle.setText(
            f"{int(vol.total.sum()):,} mentions · {span} · {topic} · click any bar, point, "
            "legend count or term to open those mentions in the inbox"
        )

    def draw_lower_charts(self, charts: ChartNumbers) -> None:
        """Hand the cube's charts below the first screen their numbers."""
        self.response.set_data(charts.response)
        self.backlog.set_data(charts.response.days, charts.response.backlog)

    def draw_rankings(self, ranks: Rankings) -> None:
        """Hand the ranking charts their rows."""
        self.authors.set_data(ranks.authors.top)
        self.advocates.set_data(ranks.authors)
        self.channels.set_data(ranks.channels, ranks.sources)

    def wait_until_ready(self, timeout_s: float = 60.0) -> bool:
        """Process events until the charts and the extras are drawn (screenshots, tests)."""
        from PySide6.QtCore import QCoreApplication, QThread

        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            busy = [t for t in self.tasks.running() if t.key.startswith("dashboard.")]
            drawn = self._awaiting_draw is None
            if self.data is not None and drawn and not busy and self._extras_pending is None:
                QCoreApplication.processEvents()
                return True
            QCoreApplication.processEvents()
            QThread.msleep(10)
        return False
