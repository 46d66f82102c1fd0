"""What a "place" is: where a web address says a conversation happened.

A place is a site, a forum, a subreddit, a Mastodon instance, Bluesky, Hacker News,
a Stack Exchange site, a Lemmy instance or a news site. The same rules run in SQL
(over a million stored mentions, see :func:`place_sql`) and in Python (over the
handful of sources, see :func:`place_of`), and must agree: both are written from
:data:`_RULES`.

A place key is ``KIND|HOST|DETAIL``: ``reddit|reddit.com|homenetworking``,
``discourse|forum.example.com|``, ``site|blog.example.com|``, ``bluesky||``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from engage_desktop.sources.stackexchange import site_of_host

#: Place kinds, in the words the view and the CLI show.
KIND_WORDS = {
    "site": "site",
    "news": "news site",
    "forum": "forum",
    "discourse": "Discourse forum",
    "reddit": "subreddit",
    "mastodon": "Mastodon instance",
    "bluesky": "Bluesky",
    "hn": "Hacker News",
    "stackexchange": "Stack Exchange",
    "lemmy": "Lemmy instance",
}
_STACK_HOSTS = ("stackoverflow.com", "superuser.com", "serverfault.com", "askubuntu.com")
_NEWS_HOSTS = (
    "reuters.com", "apnews.com", "bbc.co.uk", "bbc.com", "nytimes.com", "theguardian.com",
    "washingtonpost.com", "wsj.com", "bloomberg.com", "cnn.com", "theverge.com",
    "techcrunch.com", "arstechnica.com", "wired.com", "zdnet.com", "engadget.com",
    "cnet.com", "forbes.com", "businessinsider.com", "ft.com",
)  # fmt: skip


@dataclass(frozen=True)
class PlaceRef:
    """A place as parsed from one address."""

    kind: str
    host: str
    detail: str = ""
    origin: str = ""  # scheme://netloc as seen, for the source offered

    @property
    def key(self) -> str:
        """The place key: ``KIND|HOST|DETAIL``."""
        return f"{self.kind}|{self.host}|{self.detail}"


def host_sql(url: str) -> str:
    """SQL for the lower-case host (and port) of ``url``, without ``www.``."""
    return (
        f"lower(regexp_replace(regexp_extract({url}, '^[a-zA-Z]+://([^/?#@]+@)?([^/?#]+)', 2), "
        r"'^www\.', ''))"
    )


def path_sql(url: str) -> str:
    """SQL for the path of ``url``."""
    return f"regexp_extract({url}, '^[a-zA-Z]+://[^/?#]+(/[^?#]*)', 1)"


def place_sql(h: str = "h", p: str = "p", c: str = "c") -> str:
    """A SQL expression giving the place key from host ``h``, path ``p``, channel ``c``.

    The three are columns computed first (:func:`host_sql`, :func:`path_sql`); the
    stored channel decides for social networks whose addresses look alike (a
    Mastodon ``/@user/ID`` and a demo Bluesky post); links found inside a post have
    a NULL channel.
    """
    stack = " OR ".join(f"{h} = '{x}'" for x in _STACK_HOSTS)
    news = " OR ".join(f"{h} = '{x}' OR {h} LIKE '%.{x}'" for x in _NEWS_HOSTS)
    return f"""CASE
            WHEN {h} = '' THEN NULL
            WHEN {c} = 'bluesky' OR {h} = 'bsky.app' THEN 'bluesky||'
            WHEN {c} = 'hn' OR {h} LIKE '%ycombinator.%' THEN 'hn||'
            WHEN {h} = 'reddit.com' OR {h} LIKE '%.reddit.com' OR {h} LIKE 'reddit.%'
                THEN 'reddit|' || {h} || '|' || lower(regexp_extract({p}, '^/r/([^/]+)', 1))
            WHEN {stack} OR ({h} LIKE '%.stackexchange.com' AND {h} NOT LIKE '%.%.%.%')
                THEN 'stackexchange|' || {h} || '|'
            WHEN {c} = 'mastodon' OR regexp_matches({p}, '^/@[^/]+/[0-9]+/?$')
                OR regexp_matches({p}, '^/tags/[^/]+/?$')
                THEN 'mastodon|' || {h} || '|' || lower(regexp_extract({p}, '^/tags/([^/.]+)', 1))
            WHEN {h} LIKE 'lemmy.%' OR regexp_matches({p}, '^/(post|comment)/[0-9]+/?$')
                THEN 'lemmy|' || {h} || '|'
            WHEN regexp_matches({p}, '^/t/[^/]+/[0-9]+') THEN 'discourse|' || {h} || '|'
            WHEN {c} = 'forum' OR {h} LIKE 'forum.%' OR {h} LIKE 'forums.%'
                OR {h} LIKE 'community.%'
                THEN 'forum|' || {h} || '|'
            WHEN {c} = 'news' OR {news} OR {h} LIKE 'news.%' OR {h} LIKE '%news.%'
                THEN 'news|' || {h} || '|'
            ELSE 'site|' || {h} || '|'
        END"""


_HOST = re.compile(r"^[a-zA-Z]+://([^/?#@]+@)?([^/?#]+)")


def place_of(url: str, channel: str | None = None) -> PlaceRef | None:
    """The place of one address, by the same rules as :func:`place_sql`."""
    m = _HOST.match(url or "")
    if not m:
        return None
    netloc = m.group(2)
    host = netloc.lower().removeprefix("www.")
    parts = urlsplit(url)
    path = parts.path
    origin = f"{parts.scheme.lower()}://{netloc}"
    c = channel or ""
    if c == "bluesky" or host == "bsky.app":
        return PlaceRef("bluesky", "", "", origin)
    if c == "hn" or "ycombinator." in host:
        return PlaceRef("hn", "", "", origin)
    if host == "reddit.com" or host.endswith(".reddit.com") or host.startswith("reddit."):
        sub = re.match(r"^/r/([^/]+)", path)
        return PlaceRef("reddit", host, sub.group(1).lower() if sub else "", origin)
    if host in _STACK_HOSTS or (host.endswith(".stackexchange.com") and host.count(".") <= 2):
        return PlaceRef("stackexchange", host, "", origin)
    tag = re.match(r"^/tags/([^/.]+)/?$", path)
    if c == "mastodon" or re.match(r"^/@[^/]+/[0-9]+/?$", path) or tag:
        tag = tag or re.match(r"^/tags/([^/.]+)", path)
        return PlaceRef("mastodon", host, tag.group(1).lower() if tag else "", origin)
    if host.startswith("lemmy.") or re.match(r"^/(post|comment)/[0-9]+/?$", path):
        return PlaceRef("lemmy", host, "", origin)
    if re.match(r"^/t/[^/]+/[0-9]+", path):
        return PlaceRef("discourse", host, "", origin)
    if c == "forum" or host.startswith(("forum.", "forums.", "community.")):
        return PlaceRef("forum", host, "", origin)
    if (
        c == "news"
        or any(host == h or host.endswith("." + h) for h in _NEWS_HOSTS)
        or host.startswith("news.")
        or "news." in host
    ):
        return PlaceRef("news", host, "", origin)
    return PlaceRef("site", host, "", origin)


def stack_site(host: str) -> str:
    """The Stack Exchange API site name of a place's host."""
    return site_of_host(host) or host.split(".")[0]
