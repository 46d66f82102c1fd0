"""Choosing the adapter for a source, guessing kinds, and finding a page's feed."""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from engage_desktop.core.untrusted import safe_link, strip_controls
from engage_desktop.sources import (
    bluesky,
    discourse,
    files,
    hn,
    lemmy,
    mastodon,
    news,
    reddit,
    stackexchange,
)
from engage_desktop.sources.base import KINDS, FetchOutcome, SourceSpec
from engage_desktop.sources.http import FetchError, HttpClient

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/feed+json",
)
# Types that are never a feed: refuse before handing megabytes to the parser.
_NOT_FEED = re.compile(r"^(image|audio|video|font)/|^application/(pdf|zip|gzip|octet-stream)")


def fetch_rss(spec: SourceSpec, http: HttpClient) -> FetchOutcome:
    """GET a feed conditionally; the document is parsed later, off this thread."""
    if spec.url.startswith(("resource://", "file://")):
        return files.fetch(spec)
    response = http.get(
        spec.url, etag=spec.etag, last_modified=spec.last_modified, accept=FEED_ACCEPT
    )
    if response.not_modified:
        return FetchOutcome(
            not_modified=True,
            etag=spec.etag,
            last_modified=spec.last_modified,
            moved_to=response.moved_to,
        )
    ctype = response.content_type
    if _NOT_FEED.match(ctype):
        raise FetchError(f"the address returned {ctype}, not a feed")
    return FetchOutcome(
        document=response.content,
        content_type=response.headers.get("content-type"),
        feed_url=response.url,
        etag=response.etag,
        last_modified=response.last_modified,
        moved_to=response.moved_to,
    )


ADAPTERS: dict[str, Callable[[SourceSpec, HttpClient], FetchOutcome]] = {
    "rss": fetch_rss,
    "mastodon": mastodon.fetch,
    "bluesky": bluesky.fetch,
    "hn": hn.fetch,
    "file": files.fetch,
    "reddit": reddit.fetch,
    "discourse": discourse.fetch,
    "stackexchange": stackexchange.fetch,
    "lemmy": lemmy.fetch,
    "news": fetch_rss,  # a news search is an RSS feed once its address is built
}
#: The channel of each kind whose items always come from one kind of place.
KIND_CHANNELS = {
    "mastodon": "mastodon",
    "bluesky": "bluesky",
    "hn": "hn",
    "file": "file",
    "reddit": "reddit",
    "discourse": "forum",
    "stackexchange": "forum",
    "lemmy": "lemmy",
    "news": "news",
}
assert set(ADAPTERS) == set(KINDS)


def guess_kind(url: str) -> str:
    """The adapter an address most likely needs (the user can override it)."""
    if url.startswith(("resource://", "file://")) or Path(url).expanduser().exists():
        return "rss" if url.startswith("resource://") else "file"
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host.endswith("bsky.app") or url.startswith("bluesky:"):
        return "bluesky"
    if host == "hn.algolia.com":
        return "hn"
    if url.startswith("news:") or news.is_news_search(url):
        return "news"
    if host == "reddit.com" or host.endswith(".reddit.com"):
        return "reddit"
    if stackexchange.site_of_host(host) or host == "api.stackexchange.com":
        return "stackexchange"
    if re.match(r"^/tags/[^/.]+/?$", parts.path):
        return "mastodon"
    return "rss"


def guess_channel(kind: str, url: str) -> str:
    """The channel a source's items belong to, for icons and filters."""
    if kind in KIND_CHANNELS:
        return KIND_CHANNELS[kind]
    host = (urlsplit(url).hostname or "").lower()
    for needle, channel in (
        ("reddit.", "reddit"),
        ("youtube.", "youtube"),
        ("ycombinator", "hn"),
        ("hnrss", "hn"),
        ("google.", "news"),
        ("talkwalker", "news"),
        ("forum", "forum"),
        ("community", "forum"),
        ("review", "review"),
        ("trustpilot", "review"),
    ):
        if needle in host:
            return channel
    if "/tags/" in url and url.endswith(".rss"):
        return "mastodon"
    return "blog"


def default_name(kind: str, url: str) -> str:
    """A readable name until the feed tells its own title."""
    try:
        if kind == "mastodon":
            base, tag = mastodon.tag_of(url)
            return f"#{tag} on {urlsplit(base).hostname}"
        if kind == "bluesky":
            return f"Bluesky search: {bluesky.query_of(url)}"
        if kind == "hn":
            return f"Hacker News: {hn.api_of(url)[1]}"
        if kind == "reddit":
            return reddit.listing_of(url)[2]
        if kind == "discourse":
            base, mode, words = discourse.mode_of(url)
            where = urlsplit(base).hostname
            return f"{where} search: {words}" if mode == "search" else f"{where} latest"
        if kind == "stackexchange":
            params = stackexchange.search_of(url)[1]
            what = params.get("q") or f"[{params.get('tagged')}]"
            return f"{params['site']} search: {what}"
        if kind == "lemmy":
            base, words, _ = lemmy.search_of(url)
            return f"{urlsplit(base).hostname} search: {words}"
        if kind == "news":
            return f"News search: {news.words_of(url)}"
    except ValueError:
        pass
    if kind == "file" or url.startswith(("file://", "resource://")):
        return Path(files.local_path(url)).name
    parts = urlsplit(url)
    return (parts.hostname or url) + (parts.path.rstrip("/") or "")


def validate(kind: str, url: str) -> None:
    """Check an address fits its kind.

    Raises:
        ValueError: With a sentence saying what address the kind expects.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown source kind {kind!r}; use one of {', '.join(KINDS)}")
    if kind == "mastodon":
        mastodon.tag_of(url)
    elif kind == "bluesky":
        bluesky.query_of(url)
    elif kind == "hn":
        hn.api_of(url)
    elif kind == "reddit":
        reddit.listing_of(url)
    elif kind == "discourse":
        discourse.mode_of(url)
    elif kind == "stackexchange":
        stackexchange.search_of(url)
    elif kind == "lemmy":
        lemmy.search_of(url)
    elif kind == "news" and not news.is_news_search(url):
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"{url} is not a news search; use news:WORDS")
    elif kind == "file":
        if not files.local_path(url).exists():
            raise ValueError(f"{url} does not exist")
    elif not url.startswith(("http://", "https://", "resource://", "file://")):
        raise ValueError(f"{url} is not a web address; start it with https://")


class _LinkFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ("link", "a"):
            return
        a = {k.lower(): (v or "") for k, v in attrs}
        rel = a.get("rel", "").lower().split()
        kind = a.get("type", "").lower().split(";")[0].strip()
        if "alternate" in rel and kind in FEED_TYPES and a.get("href"):
            self.links.append((a["href"], a.get("title", ""), kind))


def discover_feeds(html: str, page_url: str) -> list[tuple[str, str]]:
    """Feeds a page announces with ``<link rel="alternate">``, as (url, title)."""
    finder = _LinkFinder()
    try:
        finder.feed(html)
    except Exception:  # a broken page just has no feeds we can see
        return []
    seen: dict[str, str] = {}
    for href, title, _kind in finder.links:
        # A page is outside content: it may announce only web feeds, never a
        # file:// path (that would import a private local file as a feed).
        url = safe_link(href, page_url)
        if url is not None:
            seen.setdefault(url, strip_controls(title))
    return list(seen.items())


def find_feed(url: str, http: HttpClient) -> tuple[str, list[tuple[str, str]]]:
    """Resolve what the user pasted: a feed stays, a page yields its announced feeds.

    Returns:
        The address to use (the first feed found on a page) and every candidate.

    Raises:
        FetchError: The address cannot be fetched, or is a page with no feed.
    """
    response = http.get(url, accept=FEED_ACCEPT)
    ctype = response.content_type
    head = response.content[:1024].lstrip().lower()
    is_html = "html" in ctype or head.startswith(b"<!doctype html") or head.startswith(b"<html")
    if not is_html:
        return response.url, [(response.url, "")]
    text = response.content.decode("utf-8", errors="replace")
    found = discover_feeds(text, response.url)
    if not found:
        raise FetchError(
            "this page does not announce a feed (no <link rel=alternate>); "
            "ask the site for its RSS or Atom address"
        )
    return found[0][0], found
