"""How a report names people: as the dashboard does, or as stable pseudonyms."""

from __future__ import annotations

from engage_desktop.dashboard.share.pseudonyms import Pseudonyms, watched_handles
from engage_desktop.workspace.database import Workspace


class ReportPeople:
    """Author labels and quoted texts, pseudonymised on request.

    With pseudonyms, one author is the same "Author 4821" in the rankings, in the
    sample posts and where a quoted text @mentions them, within this report.
    """

    def __init__(self, ws: Workspace, pseudonymize: bool) -> None:
        self.ws = ws
        self.on = pseudonymize
        self._pseudo: Pseudonyms | None = None
        self._handles: dict[int, tuple[str, str]] = {}
        if pseudonymize:
            cur = ws.cursor()
            try:
                queries = [q for (q,) in cur.execute("SELECT query FROM watch_queries").fetchall()]
            finally:
                cur.close()
            self._pseudo = Pseudonyms(watched_handles(ws.get_setting("brand.handle"), queries))

    def _author_id(self, author_id: int) -> str:
        assert self._pseudo is not None
        if author_id not in self._handles:
            cur = self.ws.cursor()
            try:
                rows = cur.execute(
                    "SELECT channel, handle FROM authors WHERE id = ?", [author_id]
                ).fetchall()
            finally:
                cur.close()
            row = rows[0] if rows else None
            self._handles[author_id] = row or ("id", str(author_id))
        channel, handle = self._handles[author_id]
        return f"Author {self._pseudo.author(channel, handle)}"

    def label(self, key: str, label: str) -> str:
        """A ranking row's label (``key`` as in :class:`RankedRow`)."""
        if self._pseudo is None:
            return label
        kind, _, rest = key.partition(":")
        channel = label.rsplit(" · ", 1)[-1] if " · " in label else ""
        if kind == "id" and rest.isdigit():
            name = self._author_id(int(rest))
        else:
            ch, _, handle = rest.partition("/")
            name = f"Author {self._pseudo.author(ch, handle)}"
        return f"{name} · {channel}" if channel else name

    def mention_author(
        self, author_id: int | None, channel: str, name: str | None, handle: str | None
    ) -> str:
        """Who wrote a quoted post."""
        if self._pseudo is None:
            who = name or (f"@{handle}" if handle else "someone")
            return f"{who} · {channel}"
        if author_id is not None:
            return f"{self._author_id(int(author_id))} · {channel}"
        if handle:
            return f"Author {self._pseudo.author(channel, handle)} · {channel}"
        return f"someone · {channel}"

    def text(self, text: str) -> str:
        """A quoted text, with @handles replaced when pseudonymising."""
        return text if self._pseudo is None else self._pseudo.rewrite(text) or ""
