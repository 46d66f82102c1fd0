"""The detail pane: one mention, safely rendered, with its conversation and notes.

The HTML itself is made by :mod:`engage_desktop.ui.widgets.mention_html`.

Feed HTML is untrusted. It is sanitised with nh3 (ammonia) to a small set of tags,
and every remote image becomes a "click to load" link: nothing is fetched from the
network until the user asks (tracking pixels stay dark). Links open in the system
browser, never inside the app. ``engage:`` links drive the app itself (open the
parent post, load an image, show the author).
"""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import QUrl, Signal

from engage_desktop.ui.safe_text import SafeBrowser
from engage_desktop.ui.widgets.mention_html import sanitize

__all__ = ["MentionBrowser", "sanitize", "sentence_sentiment"]

SENTENCE = re.compile(r"(?<=[.!?])\s+")


def sentence_sentiment(text: str) -> list[tuple[str, float]] | None:
    """Per-sentence compound scores (VADER, the shipped lexicon), for posts of 2+.

    A one-sentence post would only repeat the mention's own score, so it gets None
    and the pane leaves the section out.
    """
    from engage_desktop.enrich.sentiment import score_sentences

    try:
        scored = score_sentences(text)
    except ValueError:  # the pane must render even if the engine rejects a text
        return None
    if len(scored) < 2:
        return None
    return [(sentence, float(s.compound)) for sentence, s in scored]


class MentionBrowser(SafeBrowser):
    """The detail pane's browser: safe (see :class:`SafeBrowser`), plus app links."""

    mention_link = Signal(int)
    author_link = Signal(int)
    image_requested = Signal(int)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.internal_link.connect(self._internal)
        self.images: dict[int, Any] = {}  # index -> QImage the user loaded

    def put_image(self, index: int, image) -> None:
        """Register an image the user asked for, under ``engage:image/N``."""
        self.images[index] = image
        self.put_resource(QUrl(f"engage:image/{index}"), image)

    def _internal(self, url: QUrl) -> None:
        kind, _, value = url.path().partition("/")
        if not value.isdigit():
            return
        if kind == "mention":
            self.mention_link.emit(int(value))
        elif kind == "author":
            self.author_link.emit(int(value))
        elif kind == "load-image":
            self.image_requested.emit(int(value))
