"""Feeds and a loopback HTTP server for the listening tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape

BASE_TIME = datetime(2026, 10, 1, 12, tzinfo=UTC)


def rss(
    items: list[tuple[str, str]],
    *,
    title: str = "Test feed",
    encoding: str = "utf-8",
    extra: str = "",
) -> bytes:
    """An RSS 2.0 document of (guid, text) items."""
    parts = [
        f'<?xml version="1.0" encoding="{encoding}"?>',
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>',
        f"<title>{escape(title)}</title><link>https://example.org/</link>"
        "<description>d</description><language>en-us</language>",
    ]
    for i, (guid, text) in enumerate(items):
        when = format_datetime(BASE_TIME - timedelta(minutes=i))
        parts.append(
            f"<item><title>{escape(text[:40])}</title><link>https://example.org/p/{i}</link>"
            f"<guid>{escape(guid)}</guid><dc:creator>Writer {i}</dc:creator>"
            f"<pubDate>{when}</pubDate><description>{escape(text + extra)}</description></item>"
        )
    parts.append("</channel></rss>")
    return "\n".join(parts).encode(encoding, errors="xmlcharrefreplace")


def atom(items: list[tuple[str, str]], title: str = "Atom feed") -> bytes:
    """An Atom 1.0 document of (id, html) entries."""
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"<title>{escape(title)}</title><id>urn:feed:1</id>"
        f"<updated>{BASE_TIME.isoformat()}</updated>",
    ]
    for i, (ident, html) in enumerate(items):
        when = (BASE_TIME - timedelta(hours=i)).isoformat()
        parts.append(
            f"<entry><id>{escape(ident)}</id><title>Entry {i}</title>"
            f'<link href="https://atom.example/e/{i}"/>'
            f"<author><name>Author {i}</name><uri>https://social.example/@a{i}</uri></author>"
            f"<published>{when}</published><updated>{when}</updated>"
            f'<content type="html">{escape(html)}</content></entry>'
        )
    parts.append("</feed>")
    return "\n".join(parts).encode()
