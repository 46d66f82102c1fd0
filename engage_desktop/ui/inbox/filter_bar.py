"""The inbox filter bar: search box, one drop-down per criterion, sort and count.

Every control edits one :class:`InboxFilter`; the bar emits ``filter_changed`` with
the new value. Menus fill themselves when opened, so the bar costs nothing at start
even on a million mentions. The search box is debounced: results are shown once
typing pauses, never mid-word; ``search_typed`` lets the rows be read meanwhile.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QDate, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from engage_desktop.crm.profile import segment_choices
from engage_desktop.inbox.filters import (
    ME,
    SENTIMENT_LABELS,
    STATUSES,
    TOP_TIER,
    UNASSIGNED,
    InboxFilter,
)
from engage_desktop.inbox.lookups import FilterChoices, filter_choices
from engage_desktop.ui.ops import Operations
from engage_desktop.ui.tasks import Task
from engage_desktop.workspace.database import Workspace

SEARCH_DEBOUNCE_MS = 180
SORT_LABELS = {
    "time": "Newest first",
    "oldest": "Oldest first",
    "priority": "Priority",
    "reach": "Reach",
    "sentiment": "Most negative",
    "teach": "Most worth teaching",
}
DATE_CHOICES = (
    ("Any time", None),
    ("Last 24 hours", 1),
    ("Last 7 days", 7),
    ("Last 30 days", 30),
    ("Last 90 days", 90),
)
REACH_CHOICES = (
    ("Any reach", None),
    ("1k+ followers", 1_000),
    ("10k+ followers", 10_000),
    ("100k+ followers", 100_000),
)
#: On the same 0–100 scale as the Priority column (enrich/store.py PRIORITY_SQL).
PRIORITY_CHOICES = (
    ("Any priority", None),
    ("Medium and up (50+)", 50.0),
    ("High (75+)", 75.0),
)


def _choices_job(ws: Workspace) -> FilterChoices:
    """The menus' choices and the customer segments, in one read off the GUI thread."""
    tiers, cuts = segment_choices(ws)
    return replace(filter_choices(ws), tiers=tiers, value_cuts=cuts)


class FilterBar(QWidget):
    """Search and filters over the inbox table."""

    filter_changed = Signal(object)  # InboxFilter
    #: At every key in the search box: the filter the text typed so far would make
    #: (for reading its rows ahead; ``filter_changed`` follows once typing pauses).
    search_typed = Signal(object)

    def __init__(self, ws: Workspace, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.ops = ops
        # The menus offer what was read last (a task); opening one reads again for
        # next time, so the GUI thread never waits on the workspace for a menu.
        self.choices = FilterChoices()
        self._filter = InboxFilter()
        self.search = QLineEdit()
        self.search.setPlaceholderText('Search: words, "phrases", -exclude, or a watch query  (/)')
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(280)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self.apply_search)
        self.search.textEdited.connect(self._typed)
        self.search.returnPressed.connect(self.apply_search)
        self.count_label = QLabel()
        self.count_label.setObjectName("subtitle")
        self.error_label = QLabel()
        self.error_label.setStyleSheet("color: #b91c1c;")
        self.error_label.hide()

        self.buttons: dict[str, QToolButton] = {}
        self._menus: dict[str, QMenu] = {}
        for key, title in (
            ("status", "Status"),
            ("topic", "Topic"),
            ("channel", "Channel"),
            ("sentiment", "Sentiment"),
            ("intent", "Intent"),
            ("language", "Language"),
            ("date", "Date"),
            ("owner", "Owner"),
            ("customer", "Customer"),
            ("more", "More"),
        ):
            button = QToolButton()
            button.setText(title)
            button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
            menu = QMenu(button)
            menu.aboutToShow.connect(lambda k=key: self._fill_menu(k))
            menu.aboutToHide.connect(self.reload_choices)
            button.setMenu(menu)
            self.buttons[key] = button
            self._menus[key] = menu
        self.author_chip = QPushButton()
        self.author_chip.setToolTip("Showing one author's mentions; click to show everyone")
        self.author_chip.clicked.connect(
            lambda: self.update_filter(author_id=None, author_label=None)
        )
        self.author_chip.hide()
        self.drill_chip = QPushButton()
        self.drill_chip.setObjectName("drillChip")
        self.drill_chip.setToolTip("Showing the mentions behind a dashboard chart; click to remove")
        self.drill_chip.clicked.connect(
            lambda: self.update_filter(drill_sql=None, drill_params=(), drill_label=None)
        )
        self.drill_chip.hide()
        self.sort = QComboBox()
        for key, label in SORT_LABELS.items():
            self.sort.addItem(label, key)
        self.sort.setToolTip("Sort the inbox")
        self.sort.currentIndexChanged.connect(
            lambda _i: self.update_filter(sort=self.sort.currentData())
        )
        self.clear_button = QPushButton("Clear filters")
        self.clear_button.clicked.connect(self.clear)

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.search, 1)
        top.addWidget(self.count_label)
        top.addWidget(QLabel("Sort:"))
        top.addWidget(self.sort)
        chips = QHBoxLayout()
        chips.setContentsMargins(0, 0, 0, 0)
        chips.setSpacing(4)
        for button in self.buttons.values():
            chips.addWidget(button)
        chips.addWidget(self.drill_chip)
        chips.addWidget(self.author_chip)
        chips.addStretch(1)
        chips.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addLayout(chips)
        layout.addWidget(self.error_label)
        self._update_labels()
        self.reload_choices()

    def reload_choices(self) -> Task:
        """Read the menus' choices (topics, sources, owners…) off the GUI thread."""
        task = self.ops.read("filter-choices", _choices_job, self.ws)
        task.succeeded.connect(self._choices_read)
        return task

    def _choices_read(self, choices: FilterChoices) -> None:
        self.choices = choices

    # -- the filter ----------------------------------------------------------------

    @property
    def filter(self) -> InboxFilter:
        """The filter the controls show."""
        return self._filter

    def set_filter(self, flt: InboxFilter, *, emit: bool = True) -> None:
        """Show ``flt`` in the controls (e.g. a saved view was chosen)."""
        self._filter = flt
        self._debounce.stop()
        if self.search.text() != flt.search:
            self.search.setText(flt.search)
        self.sort.blockSignals(True)
        self.sort.setCurrentIndex(max(0, self.sort.findData(flt.sort)))
        self.sort.blockSignals(False)
        self._update_labels()
        if emit:
            self.filter_changed.emit(flt)

    def update_filter(self, **changes) -> None:
        """Change some criteria and emit the new filter."""
        self.set_filter(self._filter.with_(**changes))

    def clear(self) -> None:
        """Back to everything (keeping the sort)."""
        self.set_filter(InboxFilter(sort=self._filter.sort))

    def _typed(self, text: str) -> None:
        self._debounce.start()
        self.search_typed.emit(self._filter.with_(search=text.strip()))

    def apply_search(self) -> None:
        """Run the search now (the debounce timer calls this)."""
        self._debounce.stop()
        text = self.search.text().strip()
        if text != self._filter.search:
            self.update_filter(search=text)

    def show_count(self, count: int) -> None:
        """The match count next to the search box."""
        noun = "match" if self._filter.search else "mention"
        plural = "es" if noun == "match" else "s"
        self.count_label.setText(f"{count:,} {noun}{'' if count == 1 else plural}")

    def show_error(self, message: str | None) -> None:
        """One line under the bar for a search that cannot be read."""
        self.error_label.setText(message or "")
        self.error_label.setVisible(bool(message))

    # -- menus ---------------------------------------------------------------------

    def _toggle(self, field: str, value) -> None:
        current = tuple(getattr(self._filter, field))
        new = tuple(v for v in current if v != value) if value in current else (*current, value)
        self.update_filter(**{field: new})

    def _check_action(self, menu: QMenu, text: str, field: str, value) -> QAction:
        action = menu.addAction(text)
        action.setCheckable(True)
        action.setChecked(value in getattr(self._filter, field))
        action.triggered.connect(lambda _c=False, f=field, v=value: self._toggle(f, v))
        return action

    def _choice_action(self, menu: QMenu, text: str, checked: bool, **changes) -> QAction:
        action = menu.addAction(text)
        action.setCheckable(True)
        action.setChecked(checked)
        action.triggered.connect(lambda _c=False, ch=changes: self.update_filter(**ch))
        return action

    def _fill_menu(self, key: str) -> None:
        menu = self._menus[key]
        menu.clear()
        f = self._filter
        if key == "status":
            for status in STATUSES:
                self._check_action(menu, status.title(), "statuses", status)
        elif key == "topic":
            menu.addSection("Topics")
            for topic in self.choices.topics:
                self._check_action(menu, topic, "topics", topic)
            menu.addSection("Watch queries")
            for qid, name in self.choices.queries:
                self._check_action(menu, name, "query_ids", int(qid))
        elif key == "channel":
            menu.addSection("Channels")
            for channel in self.choices.channels:
                self._check_action(menu, channel, "channels", channel)
            menu.addSection("Sources")
            for sid, name in self.choices.sources:
                self._check_action(menu, name, "source_ids", int(sid))
        elif key == "sentiment":
            for label in SENTIMENT_LABELS:
                self._check_action(menu, label.title(), "sentiments", label)
        elif key == "intent":
            intents = self.choices.intents
            if not intents:
                menu.addAction("No intent tags yet").setEnabled(False)
            for intent in intents:
                self._check_action(menu, intent, "intents", intent)
        elif key == "language":
            for lang in self.choices.languages:
                self._check_action(menu, lang, "languages", lang)
        elif key == "date":
            custom = bool(f.since or f.until)
            for text, days in DATE_CHOICES:
                self._choice_action(
                    menu,
                    text,
                    f.within_days == days and not custom,
                    within_days=days,
                    since=None,
                    until=None,
                )
            menu.addSeparator()
            action = menu.addAction("Custom range…")
            action.setCheckable(True)
            action.setChecked(custom)
            action.triggered.connect(self._ask_date_range)
        elif key == "owner":
            self._check_action(menu, f"Me ({self.ws.actor})", "owners", ME)
            self._check_action(menu, "Unassigned", "owners", UNASSIGNED)
            menu.addSeparator()
            for owner in self.choices.owners:
                self._check_action(menu, owner, "owners", owner)
        elif key == "customer":
            self._fill_customer_menu(menu)
        elif key == "more":
            menu.addSection("Replies")
            for text, value in (("Any", None), ("Answered", True), ("Not answered", False)):
                self._choice_action(menu, text, f.has_reply is value, has_reply=value)
            menu.addSection("Reach")
            for text, value in REACH_CHOICES:
                self._choice_action(menu, text, f.min_reach == value, min_reach=value)
            menu.addSection("Priority")
            for text, value in PRIORITY_CHOICES:
                self._choice_action(menu, text, f.min_priority == value, min_priority=value)
            menu.addSection("Flags")
            self._choice_action(
                menu, "Starred only", f.starred is True, starred=None if f.starred else True
            )
            self._choice_action(
                menu, "Unread only", f.unread is True, unread=None if f.unread else True
            )

    def _fill_customer_menu(self, menu: QMenu) -> None:
        """Segments: customers or not, tier, value band (from the customer records)."""
        f = self._filter
        segment = (f.customers, bool(f.customer_tiers), f.min_value, f.max_value, f.customer)
        anyone = segment == (None, False, None, None, None)
        clear = {"customers": None, "customer_tiers": (), "min_value": None,
                 "max_value": None, "customer": None}  # fmt: skip
        self._choice_action(menu, "Anyone", anyone, **clear)
        self._choice_action(
            menu, "Customers only", f.customers is True, **{**clear, "customers": True}
        )
        self._choice_action(
            menu, "Not customers", f.customers is False, **{**clear, "customers": False}
        )
        tiers, cuts = self.choices.tiers, self.choices.value_cuts
        if not tiers and not cuts:
            menu.addAction("No customer records yet (customers import)").setEnabled(False)
            return
        menu.addSection("Tier")
        if tiers:
            self._check_action(menu, f"Top tier ({tiers[0]})", "customer_tiers", TOP_TIER)
        for tier in tiers:
            self._check_action(menu, tier, "customer_tiers", tier)
        if cuts:
            median, upper, top = cuts
            menu.addSection("Value")
            for text, low, high in (
                (f"Top 10 % (≥ {top:,.0f})", top, None),
                (f"Top 25 % (≥ {upper:,.0f})", upper, None),
                (f"Upper half ({median:,.0f} – {upper:,.0f})", median, upper),
                (f"Lower half (< {median:,.0f})", None, median),
            ):
                checked = (f.min_value, f.max_value) == (low, high)
                self._choice_action(menu, text, checked, min_value=low, max_value=high)

    def _ask_date_range(self) -> None:
        dialog = QDialog(self)
        dialog.setWindowTitle("Date range")
        since, until = QDateEdit(), QDateEdit()
        today = QDate.currentDate()
        for edit, value, fallback in (
            (since, self._filter.since, today.addDays(-30)),
            (until, self._filter.until, today),
        ):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setDate(QDate.fromString(value[:10], "yyyy-MM-dd") if value else fallback)
        form = QFormLayout(dialog)
        form.addRow("From", since)
        form.addRow("To (inclusive)", until)
        box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        box.accepted.connect(dialog.accept)
        box.rejected.connect(dialog.reject)
        form.addRow(box)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            a, b = since.date().toString("yyyy-MM-dd"), until.date().toString("yyyy-MM-dd")
            self.update_filter(since=min(a, b), until=max(a, b), within_days=None)

    def _update_labels(self) -> None:
        """Button captions say what is chosen ("Status: new, open")."""
        f = self._filter

        def caption(key: str, title: str, values) -> None:
            values = [str(v) for v in values]
            button = self.buttons[key]
            if values:
                shown = ", ".join(values[:2]) + (f" +{len(values) - 2}" if len(values) > 2 else "")
                button.setText(f"{title}: {shown}")
                button.setStyleSheet("QToolButton { color: #1d4ed8; font-weight: 600; }")
            else:
                button.setText(title)
                button.setStyleSheet("")

        caption("status", "Status", f.statuses)
        caption("topic", "Topic", [*f.topics, *(f"query {q}" for q in f.query_ids)])
        caption("channel", "Channel", [*f.channels, *(f"source {s}" for s in f.source_ids)])
        caption("sentiment", "Sentiment", f.sentiments)
        caption("intent", "Intent", f.intents)
        caption("language", "Language", f.languages)
        date = []
        if f.within_days:
            date = [f"last {f.within_days} days" if f.within_days > 1 else "last 24 hours"]
        elif f.since or f.until:
            date = [f"{f.since or '…'} – {f.until or '…'}"]
        caption("date", "Date", date)
        owners = ["me" if o == ME else ("unassigned" if o == UNASSIGNED else o) for o in f.owners]
        caption("owner", "Owner", owners)
        segment = []
        if f.customer:
            segment.append(f"id {f.customer}")
        if f.customers is not None:
            segment.append("customers" if f.customers else "not customers")
        segment += ["top tier" if t == TOP_TIER else t for t in f.customer_tiers]
        if f.min_value is not None or f.max_value is not None:
            low = "" if f.min_value is None else f"{f.min_value:,.0f}"
            high = "" if f.max_value is None else f"{f.max_value:,.0f}"
            segment.append(f"value {low}–{high}")
        caption("customer", "Customer", segment)
        more = []
        if f.has_reply is not None:
            more.append("answered" if f.has_reply else "not answered")
        if f.min_reach:
            more.append(f"reach ≥ {f.min_reach:,}")
        if f.min_priority is not None:
            more.append(f"priority ≥ {f.min_priority:g}")
        if f.starred:
            more.append("starred")
        if f.unread:
            more.append("unread")
        caption("more", "More", more)
        if f.drill_sql is not None:
            self.drill_chip.setText(f"{f.drill_label or 'From the dashboard'}  ✕")
            self.drill_chip.show()
        else:
            self.drill_chip.hide()
        if f.author_id is not None:
            self.author_chip.setText(f"Author: {f.author_label or f.author_id}  ✕")
            self.author_chip.show()
        else:
            self.author_chip.hide()
        self.clear_button.setEnabled(not f.is_empty())
