"""The inbox: the mention table and a detail pane with the selected mention."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from engage_desktop.sentiment import SentimentScore
from engage_desktop.services.enrich import sentence_breakdown
from engage_desktop.storage.enrichment import clear_correction, get_correction, set_correction
from engage_desktop.storage.mentions import get_mention
from engage_desktop.storage.workspace import Workspace
from engage_desktop.ui.models.mentions import InboxTableModel
from engage_desktop.ui.theme import SENTIMENT_COLORS, STATUS_COLORS


class InboxView(QWidget):
    """Mention table on the left, the selected mention on the right."""

    mention_selected = Signal(int)

    def __init__(self, ws: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self.ws = ws
        self.model = InboxTableModel(ws, parent=self)
        self.title = QLabel("Inbox")
        self.title.setObjectName("title")
        self.subtitle = QLabel()
        self.subtitle.setObjectName("subtitle")

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(26)
        header = self.table.horizontalHeader()
        for col, width in enumerate((92, 30, 150, 300, 110, 120, 72, 60)):
            self.table.setColumnWidth(col, width)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        header.setHighlightSections(False)
        self.table.selectionModel().currentRowChanged.connect(self._on_current)

        self.detail = QTextBrowser()
        self.detail.setOpenExternalLinks(True)
        self.detail.setMinimumWidth(320)
        self.detail.setHtml("<p style='color:#6b7280'>Select a mention to read it.</p>")
        self.correction_bar = self._build_correction_bar()
        detail_box = QWidget()
        detail_layout = QVBoxLayout(detail_box)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        detail_layout.setSpacing(4)
        detail_layout.addWidget(self.detail, 1)
        detail_layout.addWidget(self.correction_bar)
        self._current_id: int | None = None

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(detail_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([1000, 320])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addWidget(splitter, 1)
        self.update_subtitle()

    def _build_correction_bar(self) -> QWidget:
        """Buttons that correct the model's sentiment; the analyst's label wins."""
        bar = QWidget()
        layout = QHBoxLayout(bar)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        label = QLabel("Sentiment is:")
        label.setObjectName("subtitle")
        layout.addWidget(label)
        self.correct_buttons: dict[str, QPushButton] = {}
        for name in ("positive", "neutral", "negative"):
            button = QPushButton(name.title())
            button.setToolTip(f"Correct this mention's sentiment to {name} (kept on re-score)")
            button.setStyleSheet(
                f"QPushButton {{ color: {SENTIMENT_COLORS[name]}; font-weight: 600; "
                "padding: 3px 8px; }"
            )
            button.clicked.connect(lambda _=False, n=name: self.correct_sentiment(n))
            layout.addWidget(button)
            self.correct_buttons[name] = button
        self.use_model_button = QPushButton("Use model")
        self.use_model_button.setToolTip("Drop the correction; the model's score applies again")
        self.use_model_button.clicked.connect(lambda: self.correct_sentiment(None))
        layout.addWidget(self.use_model_button)
        layout.addStretch(1)
        bar.setEnabled(False)
        return bar

    def correct_sentiment(self, label: str | None) -> None:
        """Record the analyst's label for the current mention (None: back to the model)."""
        if self._current_id is None or self.ws.read_only:
            return
        if label is None:
            clear_correction(self.ws, self._current_id)
        else:
            set_correction(self.ws, self._current_id, label)
        row = self.table.currentIndex().row()
        self.model.refresh()
        self.select_row(row)
        self.show_mention(self._current_id)

    def update_subtitle(self) -> None:
        """Show the number of mentions in the list."""
        n = self.model.rowCount()
        self.subtitle.setText(f"{n:,} mentions · newest first")

    def refresh(self) -> None:
        """Re-read after new mentions or changes."""
        self.model.refresh()
        self.update_subtitle()

    def select_row(self, row: int) -> None:
        """Make ``row`` current (used by keyboard flows and screenshots)."""
        if 0 <= row < self.model.rowCount():
            self.table.selectRow(row)

    def current_mention_id(self) -> int | None:
        """The id of the current mention, if any."""
        index = self.table.currentIndex()
        return self.model.mention_id(index.row()) if index.isValid() else None

    def _on_current(self, current, _previous) -> None:
        if not current.isValid():
            return
        mention_id = self.model.mention_id(current.row())
        self.show_mention(mention_id)
        self.mention_selected.emit(mention_id)

    def show_mention(self, mention_id: int) -> None:
        """Fill the detail pane."""
        m = get_mention(self.ws, mention_id)
        if m is None:
            return
        self._current_id = mention_id
        correction = get_correction(self.ws, mention_id)
        self.detail.setHtml(mention_html(m, sentence_breakdown(self.ws, m), correction))
        self.correction_bar.setEnabled(not self.ws.read_only)
        self.use_model_button.setEnabled(correction is not None and not self.ws.read_only)


def _sentiment_html(m: dict, correction: dict | None) -> str:
    """The sentiment line: label and score, the model's breakdown, any correction."""
    e = html.escape
    label = m.get("sentiment_label")
    if not label:
        return "<p style='color:#6b7280'>Not scored yet.</p>"
    score = m.get("sentiment")
    chip = (
        f"<span style='background:{SENTIMENT_COLORS.get(label, '#999')};color:white;"
        f"padding:2px 6px;border-radius:3px'>&nbsp;{e(label)}"
        f"{'' if score is None else f' {score:+.2f}'}&nbsp;</span>"
    )
    if label == "unscored" and correction is None:
        detail = f"not English ({e(m.get('language') or '?')}): no sentiment score"
    elif m.get("model_label") in (None, "unscored"):
        detail = "model: not scored"
    else:
        detail = (
            f"model: {e(m['model_label'])} {m['model_sentiment']:+.2f} · "
            f"pos {m['sentiment_pos']:.2f} · neu {m['sentiment_neu']:.2f} · "
            f"neg {m['sentiment_neg']:.2f}"
        )
    if correction is not None:
        detail = (
            f"<b>corrected by {e(correction['corrected_by'] or 'analyst')}</b> on "
            f"{correction['corrected_at']:%d %b %Y} · {detail}"
        )
    return f"<p>{chip} <span style='color:#6b7280'>{detail}</span></p>"


def _sentences_html(sentences: list[tuple[str, SentimentScore]]) -> str:
    """Each sentence with a bar in its sentiment's colour, to find the angry one."""
    if not sentences:
        return ""
    rows = "".join(
        f"<tr><td style='background:{SENTIMENT_COLORS[s.label]}'>&nbsp;</td>"
        f"<td style='padding:2px 6px;color:#374151'>{html.escape(text)}</td>"
        f"<td style='color:{SENTIMENT_COLORS[s.label]};white-space:nowrap'>"
        f"{s.compound:+.2f}</td></tr>"
        for text, s in sentences
    )
    return (
        "<p style='color:#6b7280;margin-bottom:2px'>Sentence by sentence</p>"
        f"<table cellspacing='2' width='100%'>{rows}</table>"
    )


def mention_html(
    m: dict,
    sentences: list[tuple[str, SentimentScore]] | None = None,
    correction: dict | None = None,
) -> str:
    """The detail pane's HTML for one mention (all text escaped)."""
    e = html.escape
    status = m.get("status") or ""
    status_chip = (
        f"<span style='color:{STATUS_COLORS.get(status, '#374151')};"
        f"font-weight:600'>{e(status)}</span>"
    )
    title = f"<h3 style='margin:4px 0'>{e(m['title'])}</h3>" if m.get("title") else ""
    body = e(m.get("text") or "").replace("\n", "<br>")
    topics = ", ".join(m.get("topics") or []) or "none"
    intents = ", ".join(m.get("intents") or []) or "none"
    priority = m.get("priority")
    priority_text = "" if priority is None else f" · priority {priority:.0f}"
    reach = m.get("followers")
    link = f"<a href='{e(m['url'])}'>Open the original</a>" if m.get("url") else ""
    return (
        f"<div style='font-size:13px'>"
        f"<p style='color:#374151'><b>{e(m.get('author_name') or '')}</b> "
        f"<span style='color:#6b7280'>@{e(m.get('author_handle') or '')}"
        f"{f' · {reach:,} followers' if reach else ''}</span></p>"
        f"<p style='color:#6b7280'>{e(m['channel'])} · {e(m.get('source_name') or '')} · "
        f"{m['published']:%a %d %b %Y, %H:%M} UTC</p>"
        f"{title}<p style='font-size:14px;line-height:140%'>{body}</p>"
        f"{_sentiment_html(m, correction)}"
        f"{_sentences_html(sentences or [])}"
        f"<p>{status_chip}{priority_text} · intents: {e(intents)} · topics: {e(topics)}</p>"
        f"<p>{link}</p></div>"
    )
