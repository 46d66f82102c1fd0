"""The reply composer: context, saved replies, channel limits, tone, approval, sending.

The pane is bound to one mention at a time (``set_mention``), and only while it is
shown: the inbox's selection is remembered (:meth:`ComposerPane.follow`) and bound
when the page comes to the front. Binding reads the mention's context, draft, routes
and outbox state in one task (``binding.py``); typing only uses what it returned.
The draft autosaves through the window's writer (``ui/ops.py``), so a backfill
holding the write lock never blocks a keystroke. Sending queues the reply in the
outbox (a committed row with its idempotency key) and hands the network part to the
task runner: nothing here waits on the network or the database.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QDateTime, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from engage_desktop.composer import drafts as draft_store
from engage_desktop.composer import tone
from engage_desktop.composer.by_hand import MarkedSent, mark_sent_by_hand, undo_mark_sent
from engage_desktop.composer.compose import ReplyRoute, queue_reply, rule_for
from engage_desktop.composer.reply_rules import handle_prefix
from engage_desktop.composer.saved_replies import (
    SavedReplyChoices,
    load_choices,
    save_saved_reply,
)
from engage_desktop.core.heap import freeze_long_lived
from engage_desktop.core.templates import first_name
from engage_desktop.inbox import notes
from engage_desktop.outbox.send import send_due
from engage_desktop.outbox.store import due_rows
from engage_desktop.ui.composer.binding import Binding, load_binding
from engage_desktop.ui.composer.saved_replies import SaveAsSavedReplyDialog, SavedReplyPicker
from engage_desktop.ui.ops import OpChanges, Operations
from engage_desktop.ui.safe_text import SafeBrowser, open_link, plain_label
from engage_desktop.ui.tasks import Task, TaskRunner
from engage_desktop.ui.theme import SENTIMENT_COLORS
from engage_desktop.workspace import settings as S
from engage_desktop.workspace.database import Workspace

AUTOSAVE_MS = 800
TONE_DEBOUNCE_MS = 250
OUTBOX_TICK_MS = 20_000
VISIBILITIES = (
    ("public", "Public"),
    ("unlisted", "Unlisted (quiet public)"),
    ("private", "Followers only"),
    ("direct", "Mentioned people only"),
)
BANNER_STYLES = {
    "error": "background:#fee2e2;color:#991b1b;border:1px solid #fecaca",
    "warn": "background:#fef3c7;color:#92400e;border:1px solid #fde68a",
    "ok": "background:#dcfce7;color:#166534;border:1px solid #bbf7d0",
    "info": "background:#e0e7ff;color:#3730a3;border:1px solid #c7d2fe",
}


OUTBOX = OpChanges(outbox=True, drafts=True)


def _save_draft(ws: Workspace, mention_id: int, body: str, route: ReplyRoute | None,
                visibility: str | None) -> dict[str, Any] | None:  # fmt: skip
    """Write the draft (in the writer) and return it as stored."""
    draft_id = draft_store.save_draft(
        ws, mention_id, body, route.channel if route else None,
        account_id=route.account.id if route and route.account else None,
        visibility=visibility,
    )  # fmt: skip
    return draft_store.get_draft_by_id(ws, draft_id)


def _save_then(ws: Workspace, draft: tuple | None, fn: Any, *args: Any) -> Any:
    """Save the draft first when there is one to save, then ``fn(ws, draft_id, *args)``."""
    saved = _save_draft(ws, *draft) if draft is not None else None
    draft_id = saved["id"] if saved else None
    return fn(ws, draft_id, *args)


def _transition(ws: Workspace, draft_id: int | None, step: Any, *args: Any):
    if draft_id is None:
        return None
    return step(ws, draft_id, *args)


def _queue(ws: Workspace, draft_id: int | None, mention_id: int, body: str, route: ReplyRoute,
           visibility: str | None, scheduled_at: datetime | None) -> int:  # fmt: skip
    return queue_reply(
        ws, mention_id, body, channel=route.channel,
        account_id=route.account.id if route.account else None,
        visibility=visibility, draft_id=draft_id, scheduled_at=scheduled_at,
    )  # fmt: skip


def _mark_sent(ws: Workspace, draft_id: int | None, mention_id: int, body: str) -> MarkedSent:
    return mark_sent_by_hand(ws, mention_id, body, draft_id=draft_id)


def _undo_sent(ws: Workspace, marked: MarkedSent) -> dict[str, Any] | None:
    undo_mark_sent(ws, marked)
    return draft_store.get_draft(ws, marked.mention_id)


class ComposerPane(QWidget):
    """Answer the selected mention: context above, the draft and its checks below."""

    bound = Signal(int)  # a mention's binding arrived and is shown
    accounts_requested = Signal()  # Accounts…: the outbox stage's dialog, opened by the window

    def __init__(
        self,
        ws: Workspace,
        parent: QWidget | None = None,
        tasks: TaskRunner | None = None,
        ops: Operations | None = None,
        outbox: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self.ws = ws
        self.tasks = tasks or TaskRunner(self)
        self.ops = ops or Operations(self.tasks, self)
        self.outbox = outbox
        self.mention_id: int | None = None
        self.mention: dict[str, Any] | None = None
        self.draft: dict[str, Any] | None = None
        self.binding: Binding | None = None
        self.routes: list[ReplyRoute] = []
        self._following: int | None = None  # the inbox's mention, bound when shown
        self._binding_id: int | None = None  # asked for, on its way
        self.picker: SavedReplyPicker | None = None
        self.save_dialog: SaveAsSavedReplyDialog | None = None
        self._customer: str | None = None
        self._send_serial = 0
        self._shut_down = False
        self.tone_report: tone.ToneReport | None = None
        self._build()
        self._timers()
        self._set_enabled(False)
        self.ops.changed.connect(self.workspace_changed)
        self.warm_task: Task | None = None

    def warm_up(self) -> None:
        """Load VADER in a task once the window is idle, before the first keystroke.

        The window calls it when the inbox has painted its first rows: loading VADER
        is pure Python, and while it ran it held the GIL the GUI thread needed to build
        and paint the window (benchmarks/responsiveness.py). A zero timer waits for
        the events already queued (Qt's idle), then the task starts.
        """
        if self.warm_task is None:
            QTimer.singleShot(0, self, self._start_warm_up)

    def _start_warm_up(self) -> None:
        if self.warm_task is None and not self.tasks.closed:
            self.warm_task = self.tasks.start("tone-warmup", _warm_up_job)
            # VADER's lexicon is kept for the session: out of the GC's full passes.
            self.warm_task.succeeded.connect(lambda _r: freeze_long_lived("tone warm-up"))

    # -- building ------------------------------------------------------------------

    def _build(self) -> None:
        title = QLabel("Composer")
        title.setObjectName("title")
        # The subtitle names the author: outside text, shown literally.
        self.subtitle = plain_label(QLabel("Select a mention in the inbox to answer it."))
        self.subtitle.setObjectName("subtitle")

        self.context = SafeBrowser()
        self.note_edit = QLineEdit()
        self.note_edit.setPlaceholderText("Add an internal note for the team — never sent")
        self.note_edit.returnPressed.connect(self.add_note)
        self.note_button = QPushButton("Add note")
        self.note_button.clicked.connect(self.add_note)
        note_row = QHBoxLayout()
        note_row.addWidget(self.note_edit, 1)
        note_row.addWidget(self.note_button)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 6, 0)
        left_layout.addWidget(_heading("Replying to"))
        left_layout.addWidget(self.context, 1)
        left_layout.addLayout(note_row)

        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setTextFormat(Qt.TextFormat.RichText)  # our markup; outside text escaped
        self.banner.setOpenExternalLinks(False)
        self.banner.linkActivated.connect(open_link)
        self.banner.hide()
        self.route_combo = QComboBox()
        self.route_combo.setMinimumWidth(240)
        self.route_combo.currentIndexChanged.connect(self._route_changed)
        self.visibility_label = QLabel("Visibility")
        self.visibility_combo = QComboBox()
        for key, label in VISIBILITIES:
            self.visibility_combo.addItem(label, key)
        self.visibility_combo.currentIndexChanged.connect(lambda _i: self.save())
        self.accounts_button = QPushButton("Accounts…")
        self.accounts_button.clicked.connect(self.open_accounts)
        route_row = QHBoxLayout()
        route_row.addWidget(QLabel("Reply via"))
        route_row.addWidget(self.route_combo, 1)
        route_row.addWidget(self.visibility_label)
        route_row.addWidget(self.visibility_combo)
        route_row.addWidget(self.accounts_button)

        self.insert_button = QPushButton("Insert saved reply…")
        self.insert_button.setToolTip("Ctrl+Shift+R — several can go into one reply")
        self.insert_button.clicked.connect(self.choose_saved_reply)
        self.save_as_button = QPushButton("Save as saved reply…")
        self.save_as_button.clicked.connect(self.save_as_saved_reply)
        snippet_row = QHBoxLayout()
        snippet_row.addWidget(self.insert_button)
        snippet_row.addWidget(self.save_as_button)
        snippet_row.addStretch(1)
        QShortcut(QKeySequence("Ctrl+Shift+R"), self, activated=self.choose_saved_reply)

        self.editor = QPlainTextEdit()
        self.editor.setPlaceholderText("Write your reply… (saved as a draft as you type)")
        self.editor.textChanged.connect(self._text_changed)
        self.counter = QLabel("0 characters")
        self.counter_bar = QProgressBar()
        self.counter_bar.setTextVisible(False)
        self.counter_bar.setFixedHeight(6)
        self.counter_bar.setMaximumWidth(180)
        self.saved_label = QLabel("")
        self.saved_label.setObjectName("subtitle")
        counter_row = QHBoxLayout()
        counter_row.addWidget(self.counter)
        counter_row.addWidget(self.counter_bar)
        counter_row.addStretch(1)
        counter_row.addWidget(self.saved_label)

        self.tone_label = QLabel("Tone: —")
        self.tone_label.setTextFormat(Qt.TextFormat.RichText)
        # A long warning wraps instead of widening the pane (and moving the splitter).
        self.tone_label.setWordWrap(True)
        self.hints_label = QLabel("")
        self.hints_label.setWordWrap(True)
        self.hints_label.setObjectName("subtitle")

        self.request_button = QPushButton("Ask for approval")
        self.request_button.clicked.connect(self.request_approval)
        self.approve_button = QPushButton("Approve")
        self.approve_button.clicked.connect(self.approve)
        self.send_back_button = QPushButton("Send back…")
        self.send_back_button.clicked.connect(self._ask_send_back)
        self.withdraw_button = QPushButton("Withdraw to edit")
        self.withdraw_button.clicked.connect(self.withdraw)
        self.copy_button = QPushButton("Copy reply")
        self.copy_button.clicked.connect(self.copy_reply)
        self.open_button = QPushButton("Open original")
        self.open_button.clicked.connect(self.open_original)
        self.mark_sent_button = QPushButton("Mark as sent")
        self.mark_sent_button.setToolTip(
            "Once you have posted the reply under the original: records it as sent"
        )
        self.mark_sent_button.clicked.connect(self.mark_sent)
        self.undo_sent_button = QPushButton("Undo mark as sent")
        self.undo_sent_button.clicked.connect(self.undo_mark_sent)
        self.undo_sent_button.hide()
        self._marked: MarkedSent | None = None
        self._marked_body = ""
        self.schedule_button = QPushButton("Send later…")
        self.schedule_button.clicked.connect(self._ask_schedule)
        self.send_button = QPushButton("Send")
        self.send_button.setDefault(True)
        self.send_button.setStyleSheet("QPushButton:enabled{background:#2563eb;color:white;}")
        self.send_button.clicked.connect(lambda: self.send())
        QShortcut(QKeySequence("Ctrl+Return"), self, activated=self._send_shortcut)
        actions = QHBoxLayout()
        actions.addStretch(1)
        for button in (
            self.undo_sent_button,
            self.withdraw_button,
            self.send_back_button,
            self.approve_button,
            self.request_button,
            self.copy_button,
            self.open_button,
            self.mark_sent_button,
            self.schedule_button,
            self.send_button,
        ):
            actions.addWidget(button)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(6, 0, 0, 0)
        right_layout.addWidget(_heading("Your reply"))
        right_layout.addWidget(self.banner)
        right_layout.addLayout(route_row)
        right_layout.addLayout(snippet_row)
        right_layout.addWidget(self.editor, 1)
        right_layout.addLayout(counter_row)
        right_layout.addWidget(self.tone_label)
        right_layout.addWidget(self.hints_label)
        right_layout.addLayout(actions)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        left.setMinimumWidth(340)
        splitter.setSizes([520, 680])

        reply_page = QWidget()
        reply_layout = QVBoxLayout(reply_page)
        reply_layout.setContentsMargins(0, 8, 0, 0)
        reply_layout.addWidget(splitter, 1)
        self.tabs = QTabWidget()
        self.tabs.addTab(reply_page, "Reply")
        if self.outbox is not None:  # the window's outbox view, as the second tab
            self.outbox.send_requested.connect(self.send_due_now)
            self.outbox.edit_requested.connect(self._edit_from_outbox)
            self.outbox.open_mention.connect(self._open_from_outbox)
            self.outbox.counts_changed.connect(lambda text: self.tabs.setTabText(1, text))
            self.tabs.addTab(self.outbox, "Outbox")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(title)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.tabs, 1)

    def _timers(self) -> None:
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(AUTOSAVE_MS)
        self._save_timer.timeout.connect(self.save)
        self._tone_timer = QTimer(self)
        self._tone_timer.setSingleShot(True)
        self._tone_timer.setInterval(TONE_DEBOUNCE_MS)
        self._tone_timer.timeout.connect(self.update_tone)
        self._outbox_timer = QTimer(self)
        self._outbox_timer.setInterval(OUTBOX_TICK_MS)
        self._outbox_timer.timeout.connect(self._outbox_tick)
        if not self.ws.read_only:
            self._outbox_timer.start()

    # -- binding to a mention --------------------------------------------------------

    def follow(self, mention_id: int) -> None:
        """The inbox's current mention: bound now if the pane shows, else when it does."""
        self._following = mention_id
        if self.isVisible():
            self.set_mention(mention_id)

    def showEvent(self, event: QShowEvent) -> None:
        """Bind to the followed mention once the page is in front (not on every j/k)."""
        super().showEvent(event)
        if self._following is not None and self._following not in (
            self.mention_id,
            self._binding_id,
        ):
            self.set_mention(self._following)

    def set_mention(self, mention_id: int) -> Task:
        """Bind to a mention: save the previous draft, then read the new one's context,
        draft and routes in a task; :attr:`bound` says when it shows."""
        if self._save_timer.isActive():
            self.save()
        self._following = mention_id
        self._binding_id = mention_id
        task = self.tasks.start("composer-bind", load_binding, self.ws, mention_id)
        task.succeeded.connect(lambda found, i=mention_id: self._bind(i, found))
        return task

    def _bind(self, mention_id: int, binding: Binding | None) -> None:
        if binding is None or mention_id != self._binding_id:
            return
        if self._save_timer.isActive():
            self.save()
        if mention_id != self.mention_id:  # the undo belongs to the mention it marked
            self._marked = None
            self.undo_sent_button.hide()
        self.binding = binding
        mention = binding.mention
        self.mention_id, self.mention = mention_id, mention
        self._customer = first_name(mention.get("author_name"), mention.get("author_handle"))
        who = mention.get("author_name") or mention.get("author_handle") or "the author"
        self.subtitle.setText(f"Answering {who} on {mention['channel']} · case #{mention_id}")
        self.context.setHtml(binding.context_html)
        self.draft = binding.draft
        self.routes = binding.routes
        self._fill_routes()
        self.editor.blockSignals(True)
        self.editor.setPlainText(self.draft["body"] if self.draft else self._prefix())
        self.editor.blockSignals(False)
        self.editor.moveCursor(self.editor.textCursor().MoveOperation.End)
        self.saved_label.setText("draft loaded" if self.draft else "")
        self._set_enabled(True)
        self._refresh_state()
        self.update_tone()
        self.bound.emit(mention_id)

    def reread(self, keep_banner: bool = False) -> Task | None:
        """Read the bound mention again (after a write): state and context, not the text.

        Args:
            keep_banner: The action that wrote has put its own words in the banner
                (e.g. "Marked as sent… Undo it"); they stay.
        """
        if self.mention_id is None:
            return None
        mention_id = self.mention_id
        task = self.tasks.start("composer-reread", load_binding, self.ws, mention_id)
        task.succeeded.connect(lambda found, i=mention_id: self._reread(i, found, keep_banner))
        return task

    def _reread(self, mention_id: int, binding: Binding | None, keep_banner: bool) -> None:
        if binding is None or mention_id != self.mention_id:
            return
        self.binding = binding
        self.mention = binding.mention
        self.context.setHtml(binding.context_html)
        if binding.draft is not None or self.draft is not None:
            self.draft = binding.draft
        if [r.label for r in binding.routes] != [r.label for r in self.routes]:
            chosen = self.route()  # an account was added or removed: keep the choice
            self.routes = binding.routes
            self._fill_routes()
            for i, route in enumerate(self.routes):
                if chosen is not None and route.label == chosen.label:
                    self.route_combo.setCurrentIndex(i)
        self._refresh_state(banner=not keep_banner)

    def workspace_changed(self, changes: OpChanges, initiator: object) -> None:
        """A write elsewhere moved what the bound mention shows: read it again."""
        if initiator is self or self.mention_id is None:
            return
        if changes.outbox or changes.drafts or changes.notes or changes.settings:
            self.reread()

    def _fill_routes(self) -> None:
        assert self.mention is not None
        self.route_combo.blockSignals(True)
        self.route_combo.clear()
        for route in self.routes:
            self.route_combo.addItem(route.label)
        index = 0
        if self.draft and self.draft.get("channel"):
            for i, route in enumerate(self.routes):
                same_account = route.account is None or route.account.id == self.draft.get(
                    "account_id"
                )
                if route.channel == self.draft["channel"] and same_account:
                    index = i
                    break
        # Otherwise the mention's own network, even without an account yet: its rules
        # show, and the banner says how to connect one (or pick "By hand").
        self.route_combo.setCurrentIndex(index)
        self.route_combo.blockSignals(False)
        visibility = (self.draft or {}).get("visibility") or "public"
        self.visibility_combo.blockSignals(True)
        self.visibility_combo.setCurrentIndex(max(0, self.visibility_combo.findData(visibility)))
        self.visibility_combo.blockSignals(False)

    def route(self) -> ReplyRoute | None:
        """The chosen way to reply."""
        i = self.route_combo.currentIndex()
        return self.routes[i] if 0 <= i < len(self.routes) else None

    def _prefix(self, route: ReplyRoute | None = None) -> str:
        route = route or self.route()
        if route is None or self.mention is None:
            return ""
        return handle_prefix(
            route.channel, self.mention.get("author_handle"), self.mention.get("url")
        )

    def _route_changed(self, _index: int) -> None:
        body = self.editor.toPlainText()
        if not body.strip() or (body.strip().startswith("@") and len(body.split()) == 1):
            self.editor.blockSignals(True)
            self.editor.setPlainText(self._prefix())  # the handle the new channel needs
            self.editor.blockSignals(False)
        self.save()
        self._refresh_state()

    # -- typing ----------------------------------------------------------------------

    def _text_changed(self) -> None:
        self._update_counter()
        self._update_buttons()
        self._tone_timer.start()
        if self.mention_id is not None and not self.ws.read_only:
            self._save_timer.start()

    def insert_text(self, text: str) -> None:
        """Insert a snippet at the cursor (several snippets can go into one reply)."""
        cursor = self.editor.textCursor()
        before = self.editor.toPlainText()[: cursor.position()]
        if before and not before.endswith((" ", "\n")):
            text = " " + text
        cursor.insertText(text)
        self.editor.setTextCursor(cursor)
        self.editor.setFocus()

    def _rule(self):
        if self.binding is None:
            return rule_for("manual", None)
        return self.binding.rule(self.route())

    def _update_counter(self) -> None:
        rule = self._rule()
        text = self.editor.toPlainText()
        used = rule.count(text)
        if rule.limit is None:
            self.counter.setText(f"{used:,} {rule.unit} · no limit on this channel")
            self.counter.setStyleSheet("color:#6b7280")
            self.counter_bar.hide()
            return
        left = rule.limit - used
        over = left < 0
        self.counter.setText(
            f"{used:,} / {rule.limit:,} {rule.unit}"
            + (f" — {-left:,} over the limit" if over else f" · {left:,} left")
        )
        color = "#b91c1c" if over else ("#d97706" if left < rule.limit * 0.1 else "#374151")
        self.counter.setStyleSheet(f"color:{color};font-weight:{'600' if over else '400'}")
        self.counter_bar.show()
        self.counter_bar.setMaximum(rule.limit)
        self.counter_bar.setValue(min(used, rule.limit))
        chunk = "#dc2626" if over else ("#f59e0b" if left < rule.limit * 0.1 else "#2563eb")
        self.counter_bar.setStyleSheet(f"QProgressBar::chunk{{background:{chunk}}}")

    def update_tone(self) -> None:
        """Run the tone check on the draft (debounced while typing)."""
        report = tone.check_tone(self.editor.toPlainText(), self._customer)
        if tone.is_blank(self.editor.toPlainText()):
            self.tone_label.setText("<span style='color:#6b7280'>Tone: write something</span>")
            self.hints_label.setText("")
            return
        color = SENTIMENT_COLORS[report.label]
        chip = (
            f"<span style='background:{color};color:white;padding:2px 6px'>&nbsp;"
            f"{report.label} {report.compound:+.2f}&nbsp;</span>"
        )
        warn = "".join(
            f" <span style='color:#b91c1c;font-weight:600'>⚠ {html.escape(w)}</span>"
            for w in report.warnings
        )
        self.tone_label.setText(f"Tone: {chip}{warn}")
        self.tone_report = report
        self.hints_label.setText("   ".join(f"Hint: {h}" for h in report.hints))

    # -- saving ------------------------------------------------------------------------

    def _pending_draft(self) -> tuple | None:
        """What :func:`_save_draft` needs to store the text typed, or None (nothing to)."""
        if self.mention_id is None or self.ws.read_only or self._shut_down:
            return None
        body = self.editor.toPlainText()
        if self.draft is None and body.strip() in ("", self._prefix().strip()):
            return None  # nothing written yet: no empty drafts
        return (self.mention_id, body, self.route(), self.visibility_combo.currentData())

    def save(self) -> Task | None:
        """Write the draft through the writer (autosave, a route change, closing).

        The writer takes writes in order, so a send asked for after this save runs
        after it; typing never waits for it, even while a backfill holds the lock.
        """
        self._save_timer.stop()
        pending = self._pending_draft()
        if pending is None:
            return None
        mention_id = pending[0]
        task = self.ops.write(OpChanges(drafts=True), _save_draft, self.ws, *pending,
                              initiator=self)  # fmt: skip
        task.succeeded.connect(lambda draft, i=mention_id: self._saved(i, draft))
        task.failed.connect(lambda message: self._show_banner("warn", html.escape(message)))
        return task

    def _saved(self, mention_id: int, draft: dict[str, Any] | None) -> None:
        if mention_id != self.mention_id or self._shut_down:
            return
        self.draft = draft
        if self.binding is not None:
            self.binding.draft = draft
        self.saved_label.setText(f"draft saved {datetime.now():%H:%M:%S}")

    def add_note(self) -> Task | None:
        """Add the typed internal note to the mention."""
        if self.mention_id is None or self.ws.read_only:
            return None
        task = self.ops.write(
            OpChanges(notes=True), notes.add_note, self.ws, self.note_edit.text(),
            mention_id=self.mention_id, initiator=self,
        )  # fmt: skip
        task.failed.connect(self.note_edit.setPlaceholderText)
        task.succeeded.connect(lambda _r: (self.note_edit.clear(), self.reread()))
        return task

    # -- saved replies ---------------------------------------------------------------

    def choose_saved_reply(self) -> Task | None:
        """Read the saved replies in a task, then open the picker (non-blocking).

        The choice is inserted at the cursor; a changed ``{agent}`` name is written
        through the writer.
        """
        if self.mention is None or self.editor.isReadOnly():
            return None
        task = self.ops.read("composer.saved-replies", load_choices, self.ws, self.mention)
        task.succeeded.connect(self._open_picker)
        task.failed.connect(lambda message: self._show_banner("error", html.escape(message)))
        return task

    def _open_picker(self, choices: SavedReplyChoices) -> None:
        editable = not self.ws.read_only
        self.picker = SavedReplyPicker(choices, actor=self.ws.actor, editable=editable, parent=self)
        self.picker.accepted.connect(self._picked)
        self.picker.open()

    def _picked(self) -> None:
        picker = self.picker
        if picker is None:
            return
        if picker.chosen_text:
            self.insert_text(picker.chosen_text)
        agent = picker.new_agent_name()
        if agent is not None:
            self.ops.write(OpChanges(settings=True), S.put, self.ws, S.AGENT_NAME, agent)

    def save_as_saved_reply(self) -> Task | None:
        """Read the variables' values in a task, then offer to save the draft as a saved reply."""
        if self.mention is None or not self.editor.toPlainText().strip():
            return None
        body = self._body_without_prefix()
        task = self.ops.read("composer.saved-replies", load_choices, self.ws, self.mention)
        task.succeeded.connect(lambda choices: self._open_save_as(choices, body))
        task.failed.connect(lambda message: self._show_banner("error", html.escape(message)))
        return task

    def _open_save_as(self, choices: SavedReplyChoices, body: str) -> None:
        def save(name: str, text: str, replace: bool) -> Task:
            return self.ops.write(
                OpChanges(), save_saved_reply, self.ws, name, text, replace=replace
            )

        dialog = SaveAsSavedReplyDialog(choices, body, save, self)
        self.save_dialog = dialog
        dialog.accepted.connect(
            lambda: self._show_banner("ok", f"Saved as “{html.escape(dialog.saved.name)}”.")
        )
        dialog.open()

    def _body_without_prefix(self) -> str:
        body = self.editor.toPlainText()
        prefix = self._prefix()
        return body[len(prefix) :] if prefix and body.startswith(prefix) else body

    # -- approval -------------------------------------------------------------------------

    def _after_save(self, changes: OpChanges, fn: Any, *args: Any) -> Task:
        """Save the draft, then ``fn(ws, draft_id, *args)``, in one writer step."""
        self._save_timer.stop()
        return self.ops.write(changes, _save_then, self.ws, self._pending_draft(), fn, *args,
                              initiator=self)  # fmt: skip

    def _transition(self, fn, *args) -> Task | None:
        if self.draft is None and self._pending_draft() is None:
            self._show_banner("warn", "Write the reply first.")
            return None
        task = self._after_save(OpChanges(drafts=True), _transition, fn, *args)
        task.succeeded.connect(self._transitioned)
        task.failed.connect(lambda message: self._show_banner("error", html.escape(message)))
        return task

    def _transitioned(self, draft: dict[str, Any] | None) -> None:
        if draft is not None and draft.get("mention_id", self.mention_id) == self.mention_id:
            self.draft = draft
        self.reread()

    def request_approval(self) -> None:
        """Send the draft to an approver."""
        self._transition(draft_store.request_approval)

    def approve(self) -> None:
        """Approve the draft (it can then be sent)."""
        self._transition(draft_store.approve)

    def send_back(self, comment: str) -> None:
        """Return the draft to its writer with a comment."""
        self._transition(draft_store.send_back, comment)

    def withdraw(self) -> None:
        """Take a draft out of approval to edit it."""
        self._transition(draft_store.withdraw)

    def _ask_send_back(self) -> None:
        comment, ok = QInputDialog.getText(self, "Send back", "What should change?")
        if ok:
            self.send_back(comment)

    # -- sending -----------------------------------------------------------------------

    def send(self, scheduled_at: datetime | None = None) -> Task | None:
        """Queue the reply (committed before any network call) and send it in the background.

        Returns:
            The writer's task (its result is the outbox id), or None when there is
            nothing to send; a reply that cannot be queued is explained in the banner.
        """
        route = self.route()
        if self.mention_id is None or route is None:
            return None
        if route.problem:
            self._show_banner("warn", html.escape(route.problem))
            return None
        task = self._after_save(
            OUTBOX, _queue, self.mention_id, self.editor.toPlainText(), route,
            self.visibility_combo.currentData(), scheduled_at,
        )  # fmt: skip
        task.succeeded.connect(lambda outbox_id, s=scheduled_at: self._queued(outbox_id, s))
        task.failed.connect(lambda message: self._show_banner("error", html.escape(message)))
        return task

    def _queued(self, outbox_id: int, scheduled_at: datetime | None) -> None:
        self.draft = None
        self.editor.blockSignals(True)
        self.editor.setPlainText(self._prefix())
        self.editor.blockSignals(False)
        self._text_changed_without_save()
        if scheduled_at is None:
            self._start_send([outbox_id])
        self._outbox_changed()

    def _text_changed_without_save(self) -> None:
        self._update_counter()
        self.update_tone()

    def _start_send(self, ids: list[int] | None) -> None:
        self._send_serial += 1
        key = "outbox" if ids is None else f"outbox-send-{self._send_serial}"
        task = self.tasks.start(
            key,
            lambda state, wanted: send_due(self.ws, state, ids=wanted, ignore_backoff=bool(wanted)),
            ids,
        )
        task.done.connect(lambda: self.ops.publish(OUTBOX))
        self._refresh_state()

    def send_due_now(self) -> None:
        """Send every pending reply now (the Outbox's button)."""
        self._send_serial += 1
        task = self.tasks.start(
            f"outbox-send-{self._send_serial}",
            lambda state: send_due(self.ws, state, ignore_backoff=True),
        )
        task.done.connect(lambda: self.ops.publish(OUTBOX))

    def _outbox_tick(self) -> None:
        task = self.ops.read("outbox-due", due_rows, self.ws, datetime.now(UTC))
        task.succeeded.connect(lambda due: due and self._start_send(None))

    def _send_shortcut(self) -> None:
        """Ctrl+Enter sends through a channel; by hand it only copies, never records."""
        route = self.route()
        if route is not None and route.channel == "manual":
            if self.copy_button.isEnabled():
                self.copy_reply()
            return
        if self.send_button.isVisible() and self.send_button.isEnabled():
            self.send()

    # -- by hand: copy, open the original, then mark as sent (undoable) -----------------

    def mark_sent(self) -> None:
        """Record the reply the user posted by hand (the explicit step; it can be undone)."""
        if self.mention_id is None or self.ws.read_only:
            return None
        mention_id, body = self.mention_id, self.editor.toPlainText()
        self.mark_sent_button.setEnabled(False)
        task = self._after_save(OUTBOX, _mark_sent, mention_id, body)
        task.succeeded.connect(lambda marked, b=body: self._marked_sent(marked, b))
        task.failed.connect(lambda message: self._show_banner("error", html.escape(message)))
        task.failed.connect(lambda _m: self._update_buttons())
        return task

    def _marked_sent(self, marked: MarkedSent, body: str) -> None:
        self._marked = marked
        self._marked_body = body
        if self.mention_id == marked.mention_id:
            self.draft = None
            self.editor.blockSignals(True)
            self.editor.setPlainText(self._prefix())
            self.editor.blockSignals(False)
            self._text_changed_without_save()
        self.reread(keep_banner=True)
        self._show_banner(
            "ok", f"Marked as sent at {datetime.now():%H:%M}. Wrong reply or not posted? Undo it."
        )
        self.undo_sent_button.show()

    def undo_mark_sent(self) -> None:
        """Take back the last "Mark as sent": the reply becomes a draft again."""
        marked = self._marked
        if marked is None:
            return
        self._marked = None
        self.undo_sent_button.hide()
        task = self.ops.write(OUTBOX, _undo_sent, self.ws, marked, initiator=self)
        task.succeeded.connect(lambda draft: self._sent_undone(marked, draft))
        task.failed.connect(lambda message: self._show_banner("error", html.escape(message)))
        return task

    def _sent_undone(self, marked: MarkedSent, draft: dict[str, Any] | None) -> None:
        if self.mention_id == marked.mention_id:
            self.draft = draft
            self.editor.blockSignals(True)
            self.editor.setPlainText(self.draft["body"] if self.draft else self._marked_body)
            self.editor.blockSignals(False)
            self._text_changed_without_save()
            if self.draft is None:
                self.save()
        self.reread(keep_banner=True)
        self._show_banner("info", "Not recorded as sent any more; the reply is a draft again.")

    def _ask_schedule(self) -> None:
        dialog = QDialog(self)
        dialog.setWindowTitle("Send later")
        when = QDateTimeEdit(QDateTime.currentDateTime().addSecs(3600))
        when.setCalendarPopup(True)
        when.setDisplayFormat("ddd d MMM yyyy, HH:mm")
        note = QLabel(
            "engage-desktop must be open at that time for the reply to go out "
            "(or run 'engage-desktop outbox send' from a scheduler)."
        )
        note.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        layout = QVBoxLayout(dialog)
        layout.addWidget(when)
        layout.addWidget(note)
        layout.addWidget(buttons)
        dialog.accepted.connect(
            lambda: self.send(when.dateTime().toUTC().toPython().replace(tzinfo=UTC))
        )
        dialog.open()

    def copy_reply(self) -> None:
        """Copy the reply for posting by hand."""
        QGuiApplication.clipboard().setText(self.editor.toPlainText())
        self._show_banner(
            "info",
            "Copied — nothing is recorded yet. Open the original, paste the reply under it, "
            "then click Mark as sent.",
        )

    def open_original(self) -> None:
        """Open the original post in the browser."""
        if self.mention and self.mention.get("url") and not open_link(self.mention["url"]):
            self._show_banner(
                "warn",
                "The original's address is not a web address; it was not opened: "
                + html.escape(str(self.mention["url"])[:200]),
            )

    def _edit_from_outbox(self, mention_id: int) -> None:
        self.tabs.setCurrentIndex(0)
        self.set_mention(mention_id)

    def _open_from_outbox(self, mention_id: int) -> None:
        self.tabs.setCurrentIndex(0)
        self.set_mention(mention_id)

    def _outbox_changed(self) -> None:
        """Our own write changed the outbox: read the bound mention again (the writer's
        record tells the other views)."""
        self.reread()

    # -- state -------------------------------------------------------------------------

    def _set_enabled(self, on: bool) -> None:
        writable = on and not self.ws.read_only
        for widget in (
            self.editor,
            self.route_combo,
            self.visibility_combo,
            self.insert_button,
            self.save_as_button,
            self.note_edit,
            self.note_button,
        ):
            widget.setEnabled(writable)
        self._update_buttons()

    def _state(self) -> str:
        return (self.draft or {}).get("state") or "draft"

    def _refresh_state(self, banner: bool = True) -> None:
        """Banner, read-only editor and buttons from the draft, approval and outbox."""
        if self.mention_id is None:
            return
        state = self._state()
        self.editor.setReadOnly(state in draft_store.LOCKED_STATES or self.ws.read_only)
        route = self.route()
        is_mastodon = route is not None and route.channel == "mastodon"
        self.visibility_label.setVisible(is_mastodon)
        self.visibility_combo.setVisible(is_mastodon)
        self._update_counter()
        self._update_buttons()
        if banner:
            self._update_banner()

    def _update_buttons(self) -> None:
        bound = self.mention_id is not None and not self.ws.read_only
        route = self.route()
        manual = route is not None and route.channel == "manual"
        approval = bool(self.binding and self.binding.approval) if bound else False
        state = self._state()
        text = self.editor.toPlainText()
        has_text = bool(text.strip()) and text.strip() != self._prefix().strip()
        fits = self._rule().fits(text)
        may_send = bound and has_text and fits and (not approval or state == "approved")
        self.request_button.setVisible(approval and state in ("draft", "rejected"))
        self.request_button.setEnabled(bound and has_text)
        self.approve_button.setVisible(approval and state == "needs_approval")
        self.send_back_button.setVisible(approval and state == "needs_approval")
        self.withdraw_button.setVisible(state in draft_store.LOCKED_STATES)
        for button in (self.send_button, self.schedule_button):
            button.setVisible(not manual)
            button.setEnabled(may_send and route is not None and route.problem is None)
        for button in (self.copy_button, self.open_button, self.mark_sent_button):
            button.setVisible(manual)
        self.copy_button.setEnabled(bound and has_text)
        self.open_button.setEnabled(bool(self.mention and self.mention.get("url")))
        self.mark_sent_button.setEnabled(may_send)
        if approval and state != "approved":
            self.send_button.setToolTip("This workspace requires approval before sending")
        else:
            self.send_button.setToolTip("Ctrl+Enter")

    def _update_banner(self) -> None:
        assert self.mention_id is not None
        binding = self.binding
        failures = binding.failures if binding is not None else []
        if failures:
            row = failures[-1]
            what = "could not be sent" if row.state == "failed" else "is waiting to retry"
            self._show_banner(
                "error" if row.state == "failed" else "warn",
                f"<b>Your reply {what}:</b> {html.escape(row.last_error or '')}<br>"
                "Retry, edit or discard it in the Outbox tab.",
            )
            return
        pending = binding.pending if binding is not None else []
        if pending:
            row = pending[-1]
            when = (
                f"scheduled for {row.scheduled_at:%d %b %H:%M} UTC (engage-desktop must be open)"
                if row.scheduled_at
                else "sending…"
            )
            self._show_banner("info", f"A reply to this mention is in the outbox, {when}.")
            return
        state = self._state()
        if self.draft and state != "draft":
            steps = binding.draft_events if binding is not None else []
            last = steps[-1] if steps else {"actor": "?", "at": None, "detail": {}}
            who, at = html.escape(last["actor"]), last["at"]
            stamp = f" at {at:%d %b %H:%M}" if at else ""
            if state == "needs_approval":
                self._show_banner(
                    "warn",
                    f"Waiting for approval — asked by {who}{stamp}. Approve it or send it back.",
                )
            elif state == "approved":
                self._show_banner("ok", f"Approved by {who}{stamp}. Ready to send.")
            elif state == "rejected":
                comment = html.escape(self.draft.get("review_comment") or "")
                self._show_banner(
                    "error", f"Sent back by {who}{stamp}: “{comment}”. Edit, then ask again."
                )
            return
        route = self.route()
        if route is not None and route.problem:
            self._show_banner("warn", html.escape(route.problem))
            return
        replied = self.mention.get("first_reply_at") if self.mention else None
        if replied:
            self._show_banner("ok", f"Answered {replied:%d %b %Y, %H:%M} UTC.")
            return
        self.banner.hide()

    def _show_banner(self, kind: str, text: str) -> None:
        self.banner.setStyleSheet(f"{BANNER_STYLES[kind]};padding:6px;border-radius:4px")
        self.banner.setText(text)
        self.banner.show()

    def open_accounts(self) -> None:
        """Ask the window for the outbox's accounts dialog (routes are re-read after it)."""
        self.accounts_requested.emit()

    def shutdown(self) -> None:
        """Stop the timers (the window is closing); the draft is saved."""
        if self._shut_down:
            return  # a second close (the workspace may be closed by now)
        self._outbox_timer.stop()
        self._tone_timer.stop()
        self.save()
        self._shut_down = True


def _heading(text: str) -> QLabel:
    label = QLabel(f"<b>{html.escape(text)}</b>")
    return label


def _warm_up_job(_state: object) -> None:
    """VADER's scorer and lexicon, loaded on a worker thread."""
    tone.warm_up()
