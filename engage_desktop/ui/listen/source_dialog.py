"""Add Source and Edit Source: paste a URL; a web page's feed is found for you."""

from __future__ import annotations

import html
import json

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from engage_desktop.ui.tasks import TaskRunner
from engage_desktop.workspace.database import Workspace

KIND_LABELS = (
    ("auto", "Guess from the address"),
    ("rss", "RSS / Atom feed (blogs, alerts, YouTube)"),
    ("mastodon", "Mastodon hashtag (https://INSTANCE/tags/NAME)"),
    ("bluesky", "Bluesky search (https://bsky.app/search?q=WORDS)"),
    ("hn", "Hacker News search (https://hn.algolia.com/?q=WORDS)"),
    ("reddit", "Reddit search or subreddit (https://www.reddit.com/r/NAME/search?q=WORDS)"),
    ("discourse", "Discourse forum search (https://FORUM/search?q=WORDS)"),
    ("stackexchange", "Stack Exchange search (https://superuser.com/search?q=WORDS)"),
    ("lemmy", "Lemmy search (https://INSTANCE/search?q=WORDS)"),
    ("news", "News search (news:WORDS)"),
    ("file", "Local file or folder (feed, .jsonl, .csv)"),
)


class SourceDialog(QDialog):
    """Collects a source's address and options; adding runs off the GUI thread."""

    def __init__(
        self, ws: Workspace, tasks: TaskRunner, source: dict | None = None,
        parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.ws = ws
        self.tasks = tasks
        self.source = source
        self.added_id: int | None = None
        self.setWindowTitle("Edit Source" if source else "Add Source")
        self.setMinimumWidth(560)
        self.url = QLineEdit(source["url"] if source else "")
        self.url.setPlaceholderText("Paste a feed, a web page, a Mastodon tag page, a search…")
        self.kind = QComboBox()
        for key, label in KIND_LABELS:
            self.kind.addItem(label, key)
        if source:
            self.kind.setCurrentIndex([k for k, _ in KIND_LABELS].index(source["kind"]))
            self.kind.setEnabled(False)
        self.name = QLineEdit(source["name"] if source else "")
        self.name.setPlaceholderText("Default: the feed's own title")
        self.tags = QLineEdit(", ".join(source["tags"]) if source else "")
        self.tags.setPlaceholderText("comma-separated, e.g. industry, competitors")
        self.every = QSpinBox()
        self.every.setRange(1, 24 * 60)
        self.every.setSuffix(" min")
        self.every.setValue(source["interval_s"] // 60 if source else 15)
        self.keep_all = QCheckBox("Keep every item, not only those matching a watch query")
        self.keep_all.setChecked(bool(source and source["keep_all"]))
        self.paused = QCheckBox("Paused")
        self.paused.setChecked(bool(source and source["paused"]))
        self.handle = QLineEdit()
        self.handle.setPlaceholderText("you.bsky.social")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("an app password; stored in the system keyring")
        config = _config_of(source)
        self.instances = QLineEdit(", ".join(config.get("instances") or []))
        self.instances.setPlaceholderText("optional: mastodon.social, fosstodon.org")
        self.instances.setToolTip(
            "Read the same hashtag on these instances too (each keeps its own place)"
        )
        self.se_key = QLineEdit(str(config.get("key") or ""))
        self.se_key.setPlaceholderText("optional: a stackapps.com app key (not secret)")
        self.se_key.setToolTip(
            "Without a key Stack Exchange allows 300 requests a day; with one, 10,000"
        )
        self.message = QLabel(" ")
        self.message.setWordWrap(True)

        form = QFormLayout()
        form.addRow("Address", self.url)
        form.addRow("Kind", self.kind)
        form.addRow("Name", self.name)
        form.addRow("Tags", self.tags)
        form.addRow("Fetch every", self.every)
        form.addRow("", self.keep_all)
        if source:
            form.addRow("", self.paused)
        self.bsky_rows = (QLabel("Bluesky handle"), QLabel("App password"))
        form.addRow(self.bsky_rows[0], self.handle)
        form.addRow(self.bsky_rows[1], self.password)
        self.instance_label = QLabel("Also on instances")
        form.addRow(self.instance_label, self.instances)
        self.key_label = QLabel("Stack Exchange key")
        form.addRow(self.key_label, self.se_key)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Save" if source else "Add")
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.url.textChanged.connect(self._kind_changed)
        self._kind_changed()

    def _chosen_kind(self) -> str:
        from engage_desktop.sources.registry import guess_kind

        key = self.kind.currentData()
        return guess_kind(self.url.text().strip()) if key == "auto" else key

    def _kind_changed(self) -> None:
        kind = self._chosen_kind()
        show = kind == "bluesky"
        for w in (*self.bsky_rows, self.handle, self.password):
            w.setVisible(show)
        for w in (self.instance_label, self.instances):
            w.setVisible(kind == "mastodon")
        for w in (self.key_label, self.se_key):
            w.setVisible(kind == "stackexchange")
        if show and self.source is not None:
            self._show_stored_password()

    def _source_handle(self) -> str:
        """The handle an existing Bluesky source signs in with."""
        return str(_config_of(self.source).get("handle") or "")

    def _show_stored_password(self) -> None:
        """On an existing Bluesky source: whose password, and whether one is stored."""
        from engage_desktop.sources.bluesky import has_app_password

        handle = self._source_handle()
        self.handle.setText(handle)
        self.handle.setReadOnly(True)
        self.handle.setToolTip("The account this search signs in with")
        stored = bool(handle) and has_app_password(handle)
        refused = "app password" in str(self.source.get("last_error") or "")
        if stored and not refused:
            self.password.setPlaceholderText("stored; type a new one to replace it")
        else:
            why = "Bluesky refused the stored app password" if stored else "No app password"
            self.password.setPlaceholderText("enter an app password (Settings › App passwords)")
            self.message.setText(
                f'<span style="color:#b91c1c">{why} for {handle or "this search"}: '
                "enter one to sign in again. It is kept in the system keyring.</span>"
            )
            self.password.setFocus()

    def _tags(self) -> list[str]:
        return [t.strip() for t in self.tags.text().split(",") if t.strip()]

    def _kind_config(self, kind: str, config: dict) -> dict:
        """``config`` with this kind's own fields (other instances, an app key) as typed.

        Raises:
            ValueError: An instance is not an instance's name or address, in words.
        """
        config = dict(config)
        if kind == "mastodon":
            from engage_desktop.sources.mastodon import instance_list

            config.pop("instances", None)
            if instances := instance_list(self.instances.text()):
                config["instances"] = instances
        elif kind == "stackexchange":
            config.pop("key", None)
            if key := self.se_key.text().strip():
                config["key"] = key
        return config

    def _accept(self) -> None:
        url = self.url.text().strip()
        if not url:
            self.message.setText('<span style="color:#b91c1c">Paste an address first.</span>')
            return
        if self.source is not None:
            self._save_edit(url)
            return
        from engage_desktop.listen.subscriptions import add_source_checked

        kind = self.kind.currentData()
        config = {"handle": self.handle.text().strip().lstrip("@")} if self.handle.text() else {}
        try:
            config = self._kind_config(self._chosen_kind(), config)
        except ValueError as exc:
            self._failed(str(exc))
            return

        def work(state, ws, **kw):
            return add_source_checked(ws, url, **kw)

        self.buttons.setEnabled(False)
        self.message.setText("Checking the address and looking for its feed…")
        task = self.tasks.start(
            "add-source", work, self.ws, kind=None if kind == "auto" else kind,
            keep_all=self.keep_all.isChecked(), name=self.name.text().strip() or None,
            tags=self._tags(), interval_s=self.every.value() * 60, config=config,
            bluesky_password=self.password.text() or None,
        )  # fmt: skip
        task.succeeded.connect(self._added)
        task.failed.connect(self._failed)

    def _added(self, result) -> None:
        self.added_id = result.id
        self.accept()

    def _failed(self, message: str) -> None:
        self.buttons.setEnabled(True)
        self.message.setText(f'<span style="color:#b91c1c">{html.escape(message)}</span>')

    def _save_edit(self, url: str) -> None:
        from engage_desktop.core.errors import EngageError
        from engage_desktop.listen.source_store import clear_failures, update_source

        assert self.source is not None
        changes = {
            "name": self.name.text().strip() or self.source["name"],
            "tags": self._tags(),
            "interval_s": self.every.value() * 60,
            "keep_all": self.keep_all.isChecked(),
            "paused": self.paused.isChecked(),
        }
        if url != self.source["url"]:
            changes["url"] = url
        try:
            if self.source["kind"] in ("mastodon", "stackexchange"):
                stored = _config_of(self.source)
                config = self._kind_config(self.source["kind"], stored)
                if config != stored:
                    changes["config"] = config or None
            update_source(self.ws, self.source["id"], **changes)
            if self.source["kind"] == "bluesky" and self.password.text():
                from engage_desktop.sources.bluesky import store_app_password

                handle = self._source_handle()
                if not handle:
                    raise ValueError("this Bluesky search has no handle; add it again")
                store_app_password(handle, self.password.text())  # used from the next fetch
                clear_failures(self.ws, self.source["id"])
        except (EngageError, ValueError) as exc:
            self.message.setText(f'<span style="color:#b91c1c">{html.escape(str(exc))}</span>')
            return
        except Exception as exc:  # e.g. the new address is another source's
            self.message.setText(
                f'<span style="color:#b91c1c">Cannot save: {html.escape(str(exc))}</span>'
            )
            return
        self.accept()


def _config_of(source: dict | None) -> dict:
    """A stored source's config as a dict (stored as JSON text or already decoded)."""
    config = source.get("config") if source else None
    if isinstance(config, str):
        config = json.loads(config or "{}")
    return dict(config or {})
