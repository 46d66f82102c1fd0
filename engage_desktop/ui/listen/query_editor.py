"""The watch-query editor: syntax colours, the error at its character, a back-test count."""

from __future__ import annotations

import html
import re

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from engage_desktop.ui.tasks import Task, TaskRunner
from engage_desktop.workspace.database import Workspace

TOPIC_KINDS = ("brand", "product", "competitor", "other")
_RULES = (
    (re.compile(r"\b(AND|OR|NOT)\b|(?<![\w])-(?=[\w\"(])"), "#1d4ed8", True),
    (re.compile(r"\bNEAR/\d*"), "#7c3aed", True),
    (re.compile(r"\b(author|source|lang|site):"), "#0f766e", True),
    (re.compile(r"\"[^\"]*\"?"), "#15803d", False),
    (re.compile(r"[\w]*\*[\w*]*"), "#c2410c", False),
    (re.compile(r"[()]"), "#6b7280", True),
)


class QueryHighlighter(QSyntaxHighlighter):
    """Colours operators, NEAR/n, field filters, phrases, wildcards and parentheses."""

    def highlightBlock(self, text: str) -> None:
        """Apply the rules to one line."""
        for pattern, color, bold in _RULES:
            fmt = QTextCharFormat()
            fmt.setForeground(QColor(color))
            if bold:
                fmt.setFontWeight(QFont.Weight.Bold)
            for m in pattern.finditer(text):
                self.setFormat(m.start(), m.end() - m.start(), fmt)


class QueryEditor(QWidget):
    """Edit one watch query: name, topic, text; live parse error and back-test count."""

    saved = Signal()

    def __init__(self, ws: Workspace, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.tasks = tasks
        self.query_id: int | None = None
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. Nimbus refunds")
        self.topic = QComboBox()
        self.topic.setEditable(True)
        self.topic_kind = QComboBox()
        self.topic_kind.addItems(TOPIC_KINDS)
        self.enabled = QCheckBox("Enabled (match new items against it)")
        self.enabled.setChecked(True)
        self.text = QPlainTextEdit()
        self.text.setPlaceholderText('nimbus (refund* OR "money back") -author:nimbushq')
        self.text.setFixedHeight(70)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        mono.setPointSize(11)
        self.text.setFont(mono)
        self.highlighter = QueryHighlighter(self.text.document())
        self.status = QLabel(" ")
        self.status.setWordWrap(True)
        self.backtest_label = QLabel(" ")
        self.backtest_label.setWordWrap(True)
        self.backtest_label.setObjectName("subtitle")
        self.save_button = QPushButton("Save query")
        self.new_button = QPushButton("New")
        self.delete_button = QPushButton("Delete")
        self.save_button.clicked.connect(self.save)
        self.new_button.clicked.connect(self.new)
        self.delete_button.clicked.connect(self.delete)

        form = QFormLayout()
        form.addRow("Name", self.name)
        topic_row = QHBoxLayout()
        topic_row.addWidget(self.topic, 1)
        topic_row.addWidget(QLabel("kind"))
        topic_row.addWidget(self.topic_kind)
        form.addRow("Topic", topic_row)
        form.addRow("Query", self.text)
        buttons = QHBoxLayout()
        buttons.addWidget(self.enabled)
        buttons.addStretch(1)
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.delete_button)
        buttons.addWidget(self.save_button)
        help_text = QLabel(
            'Words, "phrases", AND / OR / NOT (or -word), ( ), wildcards refund*, '
            "NEAR/3, author: source: lang: site:"
        )
        help_text.setObjectName("subtitle")
        help_text.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        header = QLabel("<b>Query editor</b> — back-tested on the stored history as you type")
        layout.addWidget(header)
        layout.addLayout(form)
        layout.addWidget(help_text)
        layout.addWidget(self.status)
        layout.addWidget(self.backtest_label)
        layout.addLayout(buttons)
        layout.addStretch(1)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(350)
        self._debounce.timeout.connect(self._run_backtest)
        self.text.textChanged.connect(self._changed)
        self.set_read_only(ws.read_only)
        self.reload_topics()

    def set_read_only(self, read_only: bool) -> None:
        """Disable saving and deleting on a read-only workspace."""
        for w in (self.save_button, self.delete_button, self.new_button):
            w.setEnabled(not read_only)

    def reload_topics(self):
        """Offer the workspace's topics (read in a task)."""
        from engage_desktop.listen.source_store import list_topics

        task = self.tasks.start("query-editor-topics", lambda _s, ws: list_topics(ws), self.ws)
        task.succeeded.connect(self._show_topics)
        return task

    def _show_topics(self, topics: list[dict]) -> None:
        current = self.topic.currentText()
        self.topic.clear()
        self.topic.addItems([t["name"] for t in topics])
        self.topic.setCurrentText(current)

    def load(self, row: dict | None) -> None:
        """Show a stored query (or an empty one for ``None``)."""
        self.query_id = row["id"] if row else None
        self.name.setText(row["name"] if row else "")
        self.topic.setCurrentText(row["topic"] if row else "")
        self.topic_kind.setCurrentText((row or {}).get("topic_kind") or "other")
        self.enabled.setChecked(bool(row["enabled"]) if row else True)
        self.text.setPlainText(row["query"] if row else "")
        self.delete_button.setEnabled(row is not None and not self.ws.read_only)

    def new(self) -> None:
        """Start a new query."""
        self.load(None)
        self.name.setFocus()

    def query_text(self) -> str:
        """The query as typed, on one line."""
        return " ".join(self.text.toPlainText().split())

    def _changed(self) -> None:
        error = self._check()
        if error is None:
            self.backtest_label.setText("Counting matches in the stored history…")
            self._debounce.start()
        else:
            self._debounce.stop()
            self.backtest_label.setText(" ")

    def _check(self) -> str | None:
        """Parse the query; show the error at its character. Returns the error or None."""
        from engage_desktop.core.query import QuerySyntaxError, parse

        raw = self.text.toPlainText()
        self.text.setExtraSelections([])
        if not raw.strip():
            self.status.setText(" ")
            return "empty"
        try:
            parse(raw)
        except QuerySyntaxError as exc:
            self.status.setText(
                f'<span style="color:#b91c1c">✗ {exc.message} at character '
                f"{exc.position + 1}{': ' + exc.hint if exc.hint else ''}</span>"
            )
            sel = QTextEdit.ExtraSelection()
            sel.format.setBackground(QColor("#fecaca"))
            sel.format.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
            sel.format.setUnderlineColor(QColor("#b91c1c"))
            cursor = QTextCursor(self.text.document())
            pos = min(exc.position, max(len(raw) - 1, 0))
            cursor.setPosition(pos)
            cursor.movePosition(QTextCursor.MoveOperation.Right, QTextCursor.MoveMode.KeepAnchor)
            sel.cursor = cursor
            self.text.setExtraSelections([sel])
            return str(exc)
        self.status.setText('<span style="color:#15803d">✓ The query is valid</span>')
        return None

    def _run_backtest(self) -> Task:
        from engage_desktop.listen.watch import backtest

        text = self.text.toPlainText()

        def work(state, ws, query):
            return query, backtest(ws, query, samples=0)

        task = self.tasks.start("backtest", work, self.ws, text)
        task.succeeded.connect(self._show_backtest)
        task.failed.connect(lambda msg: self.backtest_label.setText(msg))
        return task

    def backtest_now(self) -> None:
        """Count matches and wait for the count (for screenshots; the editor does not wait)."""
        from PySide6.QtCore import QEventLoop

        self._debounce.stop()
        if self._check() is None:
            loop = QEventLoop()
            self._run_backtest().done.connect(loop.quit)
            loop.exec()

    def _show_backtest(self, result: tuple) -> None:
        query, bt = result
        if query != self.text.toPlainText():
            return  # the user typed on; a newer count is coming
        self.backtest_label.setText(
            f"Back-test: matches <b>{bt.matched:,}</b> of {bt.total:,} stored mentions "
            f"({100 * bt.share:.1f}%)"
        )

    def save(self):
        """Store the query (new or edited) if it parses and has a name (in a task)."""
        if self._check() is not None:
            self.status.setText('<span style="color:#b91c1c">✗ Fix the query first</span>')
            return None
        name = self.name.text().strip()
        topic = self.topic.currentText().strip() or name
        if not name:
            self.status.setText('<span style="color:#b91c1c">✗ Give the query a name</span>')
            return None
        fields = {
            "name": name, "topic": topic, "query": self.query_text(),
            "kind": self.topic_kind.currentText(), "enabled": self.enabled.isChecked(),
        }  # fmt: skip
        task = self.tasks.start("watch.save", _save_query, self.ws, self.query_id, fields)
        task.succeeded.connect(self._stored)
        task.failed.connect(
            lambda message: self.status.setText(
                f"<span style='color:#b91c1c'>✗ {html.escape(message)}</span>"
            )
        )
        return task

    def _stored(self, result: tuple[int, str | None]) -> None:
        self.query_id, old_topic = result
        self.reload_topics()
        self.saved.emit()
        self.apply_to_history(self.query_id, old_topic)

    def apply_to_history(self, query_id: int, old_topic: str | None = None) -> None:
        """Re-apply a saved query to the stored mentions in the background, with progress."""
        from engage_desktop.listen.watch import apply_watch_query

        def work(state, ws, qid, old):
            from engage_desktop.inbox.saved_views import sync_topic_views

            result = apply_watch_query(
                ws, qid, old_topic=old, progress=state.progress, is_cancelled=state.is_cancelled
            )
            sync_topic_views(ws)  # a new competitor topic gets its saved view
            return result

        self.status.setText("Saved; applying it to the stored mentions…")
        self.apply_task = self.tasks.start("watch.apply", work, self.ws, query_id, old_topic)
        self.apply_task.progressed.connect(
            lambda done, total: self.status.setText(
                f"Saved; applying it to the stored mentions ({done} of {total} steps)…"
            )
        )
        self.apply_task.succeeded.connect(self._applied)
        self.apply_task.failed.connect(
            lambda message: self.status.setText(
                f'<span style="color:#b91c1c">✗ Saved, but not applied: {message}</span>'
            )
        )

    def _applied(self, result) -> None:
        self.status.setText(
            f'<span style="color:#15803d">✓ Saved; it matches {result.matched:,} stored '
            f"mentions ({result.added:,} newly tagged, {result.removed:,} no longer); new "
            "items are matched from the next fetch</span>"
        )
        self.saved.emit()

    def delete(self) -> None:
        """Delete the shown query after asking."""
        from PySide6.QtWidgets import QMessageBox

        if self.query_id is None:
            return
        answer = QMessageBox.question(
            self, "Delete watch query",
            f"Delete the watch query “{self.name.text()}”?\n\nMentions it already matched stay "
            "in the inbox; new items are no longer matched against it.",
        )  # fmt: skip
        if answer == QMessageBox.StandardButton.Yes:
            self.delete_now()

    def delete_now(self) -> Task | None:
        """Delete the shown query in a task (no question asked); the editor empties after."""
        from engage_desktop.listen.source_store import delete_watch_query

        if self.query_id is None:
            return None
        task = self.tasks.start(
            "watch.delete", lambda _state, ws, qid: delete_watch_query(ws, qid), self.ws,
            self.query_id,
        )  # fmt: skip
        task.succeeded.connect(lambda _result: (self.load(None), self.saved.emit()))
        task.failed.connect(
            lambda message: self.status.setText(
                f"<span style='color:#b91c1c'>✗ {html.escape(message)}</span>"
            )
        )
        return task


__all__ = ["Qt", "QueryEditor", "QueryHighlighter"]


def _save_query(_state, ws, query_id: int | None, fields: dict) -> tuple[int, str | None]:
    """Add or update a watch query; returns its id and the topic it had before."""
    from engage_desktop.listen.source_store import (
        add_watch_query,
        update_watch_query,
        watch_query_topic,
    )

    if query_id is None:
        new_id = add_watch_query(
            ws, fields["name"], fields["query"], fields["topic"], fields["kind"]
        )
        return new_id, None
    old_topic = watch_query_topic(ws, query_id)
    update_watch_query(
        ws, query_id, name=fields["name"], topic=fields["topic"], query=fields["query"],
        enabled=fields["enabled"],
    )  # fmt: skip
    return query_id, old_topic
