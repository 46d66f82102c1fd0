"""RSS 0.9x/1.0/2.0 and Atom through feedparser, into :class:`FeedItem` s.

This function runs in a worker (thread or process; see services/listen.py), so it
takes and returns only plain, picklable values. feedparser's own sanitizer and
relative-URI resolver are off: nh3 sanitizes afterwards, several times faster.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

from engage_desktop.sources.item import FeedItem, absolute_url, author_handle_from, item_key
from engage_desktop.sources.sanitize import html_to_text, sanitize_body


@dataclass(frozen=True)
class ParsedFeed:
    """What one feed document yielded.

    Attributes:
        items: The entries, normalized.
        title: The feed's own title.
        error: Why the document yielded nothing, in words (None when it is fine).
        warning: What feedparser had to recover from, when items were still found.
        html_page: The document was an HTML page rather than a feed.
    """

    items: list[FeedItem] = field(default_factory=list)
    title: str | None = None
    error: str | None = None
    warning: str | None = None
    html_page: bool = False


def _struct_to_dt(value: object) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), UTC)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return None


def _unwrap_google(link: str | None) -> str | None:
    """Google Alerts wrap every link in a redirect; keep the real address."""
    if link and "google." in link and "/url?" in link:
        query = parse_qs(urlsplit(link).query)
        for key in ("url", "q"):
            if query.get(key):
                return query[key][0]
    return link


def parse_feed(
    content: bytes,
    feed_url: str,
    content_type: str | None = None,
    fetched_at: datetime | None = None,
    *,
    force_feedparser: bool = False,
) -> ParsedFeed:
    """Parse one feed document into normalized items.

    Args:
        content: The document's bytes as served (any encoding feedparser detects).
        feed_url: The feed's address (scopes bare guids, resolves nothing else).
        content_type: The HTTP Content-Type header, which may name the charset.
        fetched_at: Stand-in date for undated entries.
        force_feedparser: Skip the strict fast path (tests compare both).

    Returns:
        The items, or an error in words when the document yields nothing.
    """
    now = fetched_at or datetime.now(UTC)
    from engage_desktop.sources.charset import as_utf8

    # "Latin-1" feeds written in Windows-1252: read their smart quotes as browsers do.
    content, content_type = as_utf8(content, content_type)
    if not force_feedparser:
        from engage_desktop.sources.fastfeed import parse_fast

        fast = parse_fast(content, feed_url, content_type, now)
        if fast is not None:
            return ParsedFeed(fast[0], fast[1])
    import feedparser

    # No content-location: feedparser would turn a bare guid "7" into a URL on the
    # feed's host, which collides across feeds; item_key scopes it instead.
    headers = {}
    if content_type:
        headers["content-type"] = content_type
    try:
        parsed = feedparser.parse(
            content,
            sanitize_html=False,
            resolve_relative_uris=False,
            response_headers=headers,
        )
    except (UnicodeError, ValueError, LookupError):
        # feedparser itself fails on some broken encoding declarations
        # (encoding="\x00tf-8", a stray byte in it): found by tests/security/test_fuzz.py.
        return ParsedFeed([], error="the feed declares a character encoding that cannot be read")
    feed_lang = (parsed.feed.get("language") or "").split("-")[0].lower() or None
    items: list[FeedItem] = []
    for entry in parsed.entries:
        item = _entry(entry, feed_url, feed_lang, now)
        if item.text or item.url:  # a truncated document can end in an empty shell
            items.append(item)
    title = parsed.feed.get("title") or None
    problem = parsed.get("bozo_exception")
    problem_text = _bozo_words(problem) if problem is not None else None
    head = content[:512].lstrip().lower()
    looks_html = (
        not parsed.get("version") and (head.startswith(b"<!doctype html") or b"<html" in head)
    ) or (not items and "html" in (content_type or "") and "xml" not in (content_type or ""))
    if items:
        return ParsedFeed(items, title, warning=problem_text)
    if looks_html:
        return ParsedFeed(
            [],
            title,
            error="the address is a web page, not a feed; add it again to find its feed",
            html_page=True,
        )
    if not parsed.get("version") and problem_text:
        return ParsedFeed([], title, error=f"not a readable feed: {problem_text}")
    if not parsed.get("version"):
        return ParsedFeed([], title, error="the document is not an RSS or Atom feed")
    return ParsedFeed([], title, warning=problem_text)


def _bozo_words(exc: BaseException) -> str:
    text = str(getattr(exc, "getMessage", lambda: exc)()) or type(exc).__name__
    name = type(exc).__name__
    if "CharacterEncoding" in name:
        return "the feed declares the wrong character encoding"
    return text.splitlines()[0][:160]


def _entry(entry: dict, feed_url: str, feed_lang: str | None, now: datetime) -> FeedItem:
    content_list = entry.get("content") or []
    body = content_list[0].get("value") if content_list else None
    if not body:
        body = entry.get("summary") or entry.get("description") or ""
    title_raw = entry.get("title") or ""
    title = html_to_text(title_raw) if title_raw else None
    link = _unwrap_google(entry.get("link"))
    if link:
        link = absolute_url(feed_url, link)
    html, text = sanitize_body(body, link or feed_url)
    published = _struct_to_dt(entry.get("published_parsed")) or _struct_to_dt(
        entry.get("updated_parsed")
    )
    detail = entry.get("author_detail") or {}
    author = entry.get("author") or detail.get("name") or None
    href = detail.get("href") or None
    lang = None
    if content_list:
        lang = (content_list[0].get("language") or "").split("-")[0].lower() or None
    guid = entry.get("id") or None
    return FeedItem(
        item_key=item_key(guid, link, feed_url, title, text, author),
        url=link,
        title=title or None,
        text=text or (title or ""),
        html=html,
        published=published or now,
        author_name=author,
        author_handle=author_handle_from(author, href),
        author_url=href,
        language=lang or feed_lang,
        remote_id=guid,
        replies=_int(entry.get("slash_comments")),
    )


def _int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
