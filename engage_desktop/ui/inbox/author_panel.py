"""The author panel: the social CRM view of the person behind a mention.

Everything they said across their accounts, their sentiment month by month, reach,
the advocate/detractor flag, private notes and tags, and a button that filters the
inbox to them.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QScrollArea,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engage_desktop.inbox import notes, people
from engage_desktop.ui.inbox.model import reach_text
from engage_desktop.ui.ops import OpChanges, Operations
from engage_desktop.ui.safe_text import plain_tooltip
from engage_desktop.ui.tasks import TaskRunner
from engage_desktop.ui.theme import SENTIMENT_COLORS, channel_icon
from engage_desktop.ui.widgets.customer_card import CustomerCard
from engage_desktop.workspace.database import Workspace

MentionIdRole = Qt.ItemDataRole.UserRole + 1
SentimentRole = Qt.ItemDataRole.UserRole + 2
MENTIONS_SHOWN = 200  # the inbox filter button shows all of them
FLAG_COLORS = {"advocate": "#15803d", "detractor": "#b91c1c"}


def sentiment_dot(color: str, size: int = 10) -> QIcon:
    """A round sentiment marker for a row of "What they said"."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(color))
    painter.drawEllipse(0, 0, size, size)
    painter.end()
    return QIcon(pixmap)


class SentimentTimeline(QWidget):
    """Mentions per month as stacked bars: negative, neutral, positive, unscored."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.months: list[dict] = []
        self.setFixedHeight(76)

    def set_months(self, months: list[dict]) -> None:
        """Rows of :func:`people.author_timeline`."""
        self.months = months
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(300, 110)

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = self.rect().adjusted(4, 4, -4, -18)
        painter.fillRect(self.rect(), QColor("white"))
        if not self.months:
            painter.setPen(QColor("#6b7280"))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No mentions")
            return
        top = max(int(m["total"]) for m in self.months) or 1
        width = rect.width() / len(self.months)
        for i, m in enumerate(self.months):
            x = rect.left() + i * width + width * 0.15
            bar = width * 0.7
            y = float(rect.bottom())
            scored = int(m["positive"]) + int(m["neutral"]) + int(m["negative"])
            parts = (
                ("negative", int(m["negative"])),
                ("neutral", int(m["neutral"])),
                ("positive", int(m["positive"])),
                ("unscored", int(m["total"]) - scored),
            )
            for label, n in parts:
                if n <= 0:
                    continue
                h = rect.height() * n / top
                painter.fillRect(QRectF(x, y - h, bar, h), QColor(SENTIMENT_COLORS[label]))
                y -= h
            painter.setPen(QColor("#6b7280"))
            painter.drawText(
                QRectF(x - 6, rect.bottom() + 2, bar + 12, 16),
                Qt.AlignmentFlag.AlignCenter,
                m["month"].strftime("%b"),
            )
        painter.end()


class AuthorPanel(QScrollArea):
    """Shows one author; edits their flag, tags and notes."""

    filter_requested = Signal(int, str)  # author id, label
    mention_requested = Signal(int)

    def __init__(
        self,
        ws: Workspace,
        parent: QWidget | None = None,
        tasks: TaskRunner | None = None,
        ops: Operations | None = None,
    ) -> None:
        super().__init__(parent)
        self.ws = ws
        self.tasks = tasks or TaskRunner(self)
        self.ops = ops or Operations(self.tasks, self)
        # The customer record (social CRM) sits in its own widget, loaded as a task.
        self.customer_card = CustomerCard(ws, self.tasks)
        self.customer_card.links_changed.connect(self.show_author)
        self.author_id: int | None = None
        self._label = ""
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget()
        body.setObjectName("authorBody")
        body.setStyleSheet("QWidget#authorBody { background: white; }")
        self.header = QLabel()
        self.header.setWordWrap(True)
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.flag_buttons = QButtonGroup(self)
        flags = QHBoxLayout()
        flags.addWidget(QLabel("Flag:"))
        for i, (text, value) in enumerate(
            (("Advocate", "advocate"), ("Detractor", "detractor"), ("None", None))
        ):
            button = QPushButton(text)
            button.setCheckable(True)
            button.setProperty("flag", value)
            self.flag_buttons.addButton(button, i)
            flags.addWidget(button)
        flags.addStretch(1)
        self.flag_buttons.buttonClicked.connect(self._flag_clicked)
        self.tags = QLineEdit()
        self.tags.setPlaceholderText("Tags on this person, comma-separated (Enter saves)")
        self.tags.returnPressed.connect(self._save_tags)
        self.timeline = SentimentTimeline()
        self.mentions = QTreeWidget()
        # Two columns, the text taking the rest and wrapping: with a separate
        # sentiment column the text got about eight characters of a narrow pane.
        self.mentions.setHeaderLabels(["When", "What they said (● sentiment)"])
        self.mentions.setRootIsDecorated(False)
        self.mentions.setMinimumHeight(120)
        self.mentions.setWordWrap(True)
        self.mentions.setUniformRowHeights(False)
        self.mentions.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.mentions.setColumnWidth(0, 96)
        self.mentions.header().setStretchLastSection(True)
        self.mentions.itemActivated.connect(
            lambda item, _c: self.mention_requested.emit(item.data(0, MentionIdRole))
        )
        self.notes = QListWidget()
        self.notes.setMinimumHeight(44)
        self.notes.setWordWrap(True)
        self.note_input = QLineEdit()
        self.note_input.setPlaceholderText("Add a private note about this person (Enter)")
        self.note_input.returnPressed.connect(self._add_note)
        self.filter_button = QPushButton("Show all their mentions in the inbox")
        self.filter_button.clicked.connect(
            lambda: (
                self.author_id is not None
                and self.filter_requested.emit(self.author_id, self._label)
            )
        )
        self.message = QLabel()
        self.message.setStyleSheet("color: #b91c1c;")

        # One column: beside the profile, "What they said" was cut off in a pane
        # this narrow; below it, the text gets the pane's whole width.
        layout = QVBoxLayout(body)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addWidget(self.header)
        layout.addLayout(flags)
        layout.addWidget(self.tags)
        layout.addWidget(self.customer_card)
        layout.addWidget(self._heading("Sentiment over time (mentions a month)"))
        layout.addWidget(self.timeline)
        self.said_heading = self._heading("What they said, on every channel")
        self.said_heading.setWordWrap(True)
        layout.addWidget(self.said_heading)
        self.mentions.setMinimumHeight(220)
        layout.addWidget(self.mentions, 1)
        layout.addWidget(self.filter_button)
        layout.addWidget(self._heading("Private notes"))
        layout.addWidget(self.notes)
        layout.addWidget(self.note_input)
        layout.addWidget(self.message)
        self.setWidget(body)
        self._editable(False)

    @staticmethod
    def _heading(text: str) -> QLabel:
        label = QLabel(text)
        label.setStyleSheet("font-weight: 600; color: #374151; margin-top: 6px;")
        return label

    def _editable(self, on: bool) -> None:
        writable = on and not self.ws.read_only
        for button in self.flag_buttons.buttons():
            button.setEnabled(writable)
        self.tags.setEnabled(writable)
        self.note_input.setEnabled(writable)
        self.filter_button.setEnabled(on)

    def show_author(self, author_id: int | None):
        """Fill the panel for ``author_id`` (None shows a hint); read in a task."""
        self.author_id = author_id
        self.message.clear()
        self.customer_card.show_author(author_id)
        task = self.tasks.start("author-panel", _author_job, self.ws, author_id)
        task.succeeded.connect(lambda found, i=author_id: self._show(i, found))
        return task

    def _show(self, author_id: int | None, found: dict[str, Any] | None) -> None:
        if author_id != self.author_id:
            return  # another author was asked for meanwhile
        profile = found["profile"] if found else None
        if profile is None:
            self.header.setText("<p style='color:#6b7280'>No author known for this mention.</p>")
            self.mentions.clear()
            self.notes.clear()
            self.timeline.set_months([])
            self._editable(False)
            return
        a = profile.author
        self._label = a.get("name") or a.get("handle") or str(author_id)
        flag = a.get("flag")
        flag_chip = (
            f"<span style='background:{FLAG_COLORS[flag]};color:white'>&nbsp;{flag}&nbsp;</span>"
            if flag in FLAG_COLORS
            else ""
        )
        m = profile.mentions
        avg = profile.avg_sentiment
        accounts = " · ".join(
            f"{html.escape(acc['channel'])} @{html.escape(acc['handle'])}"
            for acc in profile.accounts
        )
        since = f"{profile.first_seen:%d %b %Y}" if profile.first_seen else "—"
        self.header.setText(
            f"<h3 style='margin:0'>{html.escape(self._label)} {flag_chip}</h3>"
            f"<p style='color:#6b7280;margin:2px 0'>{accounts}</p>"
            f"<p style='margin:2px 0'><b>Reach</b> {reach_text(profile.reach) or '0'} followers"
            f" · <b>{m['total']:,}</b> mentions since {since}"
            f" · {m['answered']:,} answered</p>"
            f"<p style='margin:2px 0'>"
            f"<span style='color:{SENTIMENT_COLORS['negative']}'>{m['negative']} negative</span>"
            f" · <span style='color:{SENTIMENT_COLORS['neutral']}'>{m['neutral']} neutral</span>"
            f" · <span style='color:{SENTIMENT_COLORS['positive']}'>{m['positive']} positive</span>"
            + (f" · average {avg:+.2f}" if avg is not None else " · not scored yet")
            + "</p>"
        )
        for button in self.flag_buttons.buttons():
            button.setChecked(button.property("flag") == flag)
        self.tags.setText(", ".join(a.get("tags") or []))
        self.timeline.set_months(found["timeline"])
        self.mentions.clear()
        rows = found["mentions"]
        shown = f" (latest {len(rows)} of {m['total']:,})" if m["total"] > len(rows) else ""
        self.said_heading.setText(f"What they said, on every channel{shown}")
        for row in rows:
            label = row["sentiment_label"] or "not scored"
            text = (row["title"] + " — " if row["title"] else "") + (row["snippet"] or "")
            item = QTreeWidgetItem([f"{row['published']:%d %b %y}", text.replace("\n", " ")])
            item.setIcon(0, channel_icon(row["channel"]))
            item.setIcon(1, sentiment_dot(SENTIMENT_COLORS.get(label, "#8c96a8")))
            item.setToolTip(1, plain_tooltip(f"{label}: {row['snippet'] or ''}"))
            item.setData(0, MentionIdRole, int(row["id"]))
            item.setData(1, SentimentRole, label)
            self.mentions.addTopLevelItem(item)
        self._fill_notes(profile.notes)
        self._editable(True)

    def _fill_notes(self, notes: list[dict]) -> None:
        self.notes.clear()
        for n in notes:
            self.notes.addItem(f"{n['created_at']:%d %b} · {n['created_by']}: {n['body']}")
        if not notes:
            self.notes.addItem("No notes yet.")

    def _flag_clicked(self, button: QPushButton) -> None:
        if self.author_id is None:
            return
        self._write(people.set_author_flag, self.ws, self.author_id, button.property("flag"))

    def _save_tags(self) -> None:
        if self.author_id is None:
            return
        tags = [t for t in self.tags.text().split(",")]
        self._write(people.set_author_tags, self.ws, self.author_id, tags)

    def _add_note(self) -> None:
        if self.author_id is None:
            return
        body = self.note_input.text()
        task = self._write(notes.add_note, self.ws, body, author_id=self.author_id)
        task.succeeded.connect(lambda _r: self.note_input.clear())

    def _write(self, fn, *args, **kwargs):
        """Run a change in the window's writer; then re-read the panel (or say why not)."""
        author_id = self.author_id
        task = self.ops.write(OpChanges(notes=True), fn, *args, initiator=self, **kwargs)
        task.failed.connect(self.message.setText)
        task.succeeded.connect(lambda _r: (self.message.clear(), self.show_author(author_id)))
        return task


def _author_job(_state: Any, ws: Workspace, author_id: int | None) -> dict[str, Any] | None:
    """The profile, monthly timeline and latest mentions of one author."""
    if author_id is None:
        return None
    profile = people.author_profile(ws, author_id)
    if profile is None:
        return None
    ids = [int(a["id"]) for a in profile.accounts]  # the linked accounts, found once
    return {
        "profile": profile,
        "timeline": people.author_timeline(ws, author_id, ids),
        "mentions": people.author_mentions(ws, author_id, limit=MENTIONS_SHOWN, ids=ids),
    }
