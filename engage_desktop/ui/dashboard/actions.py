"""What a user does from the dashboard: drill into a chart, an alert or the
disagreements with an imported tool's sentiment, and export a card's numbers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QListWidget, QListWidgetItem, QVBoxLayout

from engage_desktop.dashboard.analytics import ChartElement, DashboardFilter, mention_query
from engage_desktop.dashboard.spikes import Episode, episode_query
from engage_desktop.ui.dashboard.chart_card import day_text
from engage_desktop.ui.dashboard.work import export_card_job


class DashboardActions:
    """Alerts, drill-downs and exports (a mixin of
    :class:`~engage_desktop.ui.dashboard.pane.DashboardPane`)."""

    def _alerts_card(self) -> QFrame:
        card = QFrame()
        card.setObjectName("card")
        title = QLabel("Alerts")
        title.setObjectName("cardTitle")
        self.alerts_note = QLabel(
            "Spikes in total volume and in negative volume per topic, from the workspace's "
            "alert rules, within the range. Click one to open its mentions."
        )
        self.alerts_note.setObjectName("cardUnit")
        self.alerts_note.setWordWrap(True)
        self.alerts_list = QListWidget()
        self.alerts_list.setMinimumHeight(90)
        self.alerts_list.setMaximumHeight(180)
        self.alerts_list.itemActivated.connect(self._on_alert_item)
        self.alerts_list.itemClicked.connect(self._on_alert_item)
        layout = QVBoxLayout(card)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.addWidget(title)
        layout.addWidget(self.alerts_note)
        layout.addWidget(self.alerts_list)
        return card

    def _fill_alerts(self, episodes: list[Episode]) -> None:
        self.alerts_list.clear()
        for ep in sorted(episodes, key=lambda e: e.start, reverse=True):
            item = QListWidgetItem(f"⚠  {ep.rule}: {ep.describe()}")
            item.setData(Qt.ItemDataRole.UserRole, ep)
            item.setForeground(Qt.GlobalColor.darkRed)
            self.alerts_list.addItem(item)
        if not episodes:
            self.alerts_list.addItem("No spikes in this range.")
        note = self.notifier.unavailable_note()
        if note and note not in self.alerts_note.text():
            self.alerts_note.setText(self.alerts_note.text() + " " + note)

    def _on_alert_item(self, item: QListWidgetItem) -> None:
        ep = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(ep, Episode):
            self.drill_requested.emit(episode_query(ep), spike_label(ep))

    # -- our scorer against the imported tool's, and each card's data ------------------

    def _show_agreement(self, request: int, result) -> None:
        if not self._current(request, result):
            return
        self.agreement_data = result
        if result.share is None:
            self.agreement.hide()
            return
        self.agreement.set(
            f"{result.share:.1f} %",
            f"agreement with the imported tool's sentiment on {result.compared:,} mentions "
            f"({result.compared - result.agree:,} differ: click to list them)",
        )
        self.agreement.show()

    def drill_disagreements(self) -> None:
        """The inbox on the mentions where our label and the imported tool's differ."""
        self.drill(ChartElement("scorer_agreement", key="disagree"))

    def export_card_data(self, name: str, fmt: str, path: str | None = None) -> None:
        """A card's numbers for the current range and topic to CSV or XLSX (background)."""
        from PySide6.QtWidgets import QFileDialog

        if path is None:
            suggested = f"{self.workspace_name}-{name}.{fmt}"
            path, _ = QFileDialog.getSaveFileName(
                self, "Export chart data", suggested,
                "Excel (*.xlsx)" if fmt == "xlsx" else "CSV (*.csv)",
            )  # fmt: skip
        if not path:
            return
        task = self.tasks.start(
            "dashboard.export", export_card_job, self.ws, name, path, self.filter
        )
        task.succeeded.connect(
            lambda rows, p=path: self.timing.setText(f"exported {rows:,} rows to {p}")
        )
        task.failed.connect(self._on_failed)
        self.export_task = task

    # -- drill-down ---------------------------------------------------------------------

    def drill(self, element: ChartElement) -> None:
        """Ask for the inbox on exactly the mentions behind ``element``."""
        if self.session is None:
            return
        query = mention_query(self.session.ctx, self.filter, element)
        self.drill_requested.emit(query, describe(element, self.filter))


def describe(element: ChartElement, flt: DashboardFilter) -> str:
    """A status-bar line saying which mentions a drill-down shows."""
    what = {
        "volume": f"{element.key} mentions" if element.key else "mentions",
        "sentiment": "scored mentions",
        "share_of_voice": f"mentions of {element.key}",
        "response_time": f"mentions answered in {element.key}"
        if element.key
        else "answered mentions",
        "sla": f"mentions answered {'within' if element.key == 'within' else 'outside'} the SLA",
        "backlog": "mentions awaiting a first reply",
        "author": "mentions by this author",
        "channel": f"mentions on {element.key}",
        "source": f"mentions from {element.key}",
        "term": f"mentions containing “{element.key}”",
        "scorer_agreement": "imported mentions where our sentiment and theirs differ",
    }.get(element.chart, "mentions")
    when = ""
    if element.chart == "backlog" and element.end is not None:
        when = f" at the end of {day_text(element.end - 86400)}"
    elif element.start is not None and element.end is not None:
        first = datetime.fromtimestamp(element.start, UTC)
        last = datetime.fromtimestamp(element.end, UTC)
        if element.end - element.start <= 86400 and first.hour == 0:
            when = f" on {first:%a %d %b %Y}"
        elif first.hour or first.minute:
            when = f" from {first:%d %b %H:%M} to {last:%H:%M} UTC"
        else:
            when = f" from {first:%d %b} to {last - timedelta(days=1):%d %b %Y}"
    topic = f" · topic {flt.topic}" if flt.topic else ""
    return f"Dashboard: {what}{when}{topic}"


def spike_label(ep: Episode) -> str:
    """The inbox chip of a spike's mentions: "Spike 30 Oct 14:00 · negative"."""
    parts = [f"Spike {ep.start:%d %b %H:%M}"]
    if ep.kind == "negative_spike":
        parts.append("negative")
    if ep.topic:
        parts.append(f"topic {ep.topic}")
    return " · ".join(parts)
