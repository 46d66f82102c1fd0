"""Showing outside text and links safely: the window's one way to do either.

Feed content, author and source names, server messages and files from clients are
untrusted. Qt guesses: a QLabel or tooltip whose text *looks* like HTML is
rendered as HTML (``<img src="/dev/zero">`` in an author name once hung the app
on hover), and a QTextBrowser follows links and loads ``file:`` resources by
itself. So:

* :func:`plain_tooltip` turns any text into a tooltip shown literally;
  :func:`plain_label` makes a label plain text.
* :class:`SafeBrowser` never follows a link, never opens one without a click,
  and loads no resource but the images the app itself put in the document.
* :func:`open_link` is the only place the window hands a URL to the system, and
  only an http(s) or mailto one.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QLabel, QTextBrowser

EXTERNAL_SCHEMES = ("http", "https", "mailto")
#: The app's own links inside its documents (open a mention, load an image...).
INTERNAL_SCHEME = "engage"


def plain_tooltip(text: object) -> str:
    """A tooltip that shows ``text`` literally, whatever markup it holds.

    Qt renders a tooltip as rich text when it looks like HTML; escaping it inside
    an explicit rich-text block shows every ``<`` as typed, and keeps line breaks.
    """
    if text is None:
        return ""
    value = str(text)
    if not value:
        return ""
    body = html.escape(value).replace("\n", "<br>")
    return f"<qt><span style='white-space:pre-wrap'>{body}</span></qt>"


def plain_label(label: QLabel) -> QLabel:
    """Make ``label`` show its text literally (no HTML, no links); returns it."""
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setOpenExternalLinks(False)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
    return label


def link_allowed(url: QUrl) -> bool:
    """Whether a link may be handed to the system: http(s) with a host, or mailto."""
    scheme = url.scheme().lower()
    if scheme == "mailto":
        return bool(url.path())
    return scheme in ("http", "https") and bool(url.host())


def open_link(url: QUrl | str) -> bool:
    """Open a web or mail link in the user's browser or mail program.

    Call it only from a user's click. Anything else (``javascript:``, ``file:``,
    ``smb:``, a relative path) is refused.

    Returns:
        True when the link was handed to the system.
    """
    link = QUrl(url) if isinstance(url, str) else url
    if not link.isValid() or not link_allowed(link):
        return False
    return bool(QDesktopServices.openUrl(link))


class SafeBrowser(QTextBrowser):
    """A QTextBrowser for outside content: no link followed, no resource loaded.

    A click on an http(s) or mailto link opens it in the system (via
    :func:`open_link`); a click on an ``engage:`` link is emitted as
    :attr:`internal_link` for the owner to act on; every other link does nothing.
    Images appear only when the app registered them with :meth:`put_resource`.

    Signals:
        internal_link: An ``engage:`` link was clicked (its URL).
    """

    internal_link = Signal(QUrl)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.anchorClicked.connect(self._clicked)
        self._resources: dict[str, Any] = {}

    def put_resource(self, url: QUrl, value: Any) -> None:
        """Register data the app made (an image the user asked to load)."""
        self._resources[url.toString()] = value
        from PySide6.QtGui import QTextDocument

        self.document().addResource(QTextDocument.ResourceType.ImageResource, url, value)

    def loadResource(self, kind: int, url: QUrl) -> Any:
        """Only resources the app registered; never a file, never the network."""
        return self._resources.get(url.toString())

    def _clicked(self, url: QUrl) -> None:
        if url.scheme() == INTERNAL_SCHEME:
            self.internal_link.emit(url)
            return
        open_link(url)
