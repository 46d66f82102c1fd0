"""What a "place" is: where a web address says a conversation happened.

A place is a site, a forum, a subreddit, a Mastodon instance, Bluesky, Hacker News,
a Stack Exchange site, a Lemmy instance or a news site. SQL reduces a million
stored addresses to a few groups of (deciding channel, host, path shape) with cheap
string splits (:func:`shape_sql`); Python classifies each group (:func:`classify`),
and each of the few addresses it sees itself (:func:`place_of`): one set of rules.

A place key is ``KIND|HOST|DETAIL``: ``reddit|reddit.com|homenetworking``,
``discourse|forum.example.com|``, ``site|blog.example.com|``, ``bluesky||``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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


#: Stored channels that decide a place by themselves (others: the address decides).
DECIDING_CHANNELS = ("bluesky", "hn", "mastodon", "forum", "news")


def shape_sql(url: str, channel: str = "NULL") -> str:
    """SQL columns ``h`` (host, lower case, no ``www.``) and ``shape`` of ``url``.

    The shape is the part of the path that tells a place: ``r/NAME`` (a subreddit),
    ``tags/NAME`` (a Mastodon tag), ``@`` (a Mastodon status ``/@user/ID``), ``post``
    (a Lemmy post or comment ``/post/ID``), ``t`` (a Discourse topic ``/t/slug/ID``),
    or ``''``. Plain string splits, one short regular expression only where a path
    already looks like one of those: a regex host extraction cost most of the time
    on a million mentions. The columns refer to each other (DuckDB's lateral
    aliases), so they go in a SELECT list where ``url`` is available. Rows of a
    social ``channel`` that decides the place alone skip the path work.
    """
    digits = "regexp_full_match({0}, '[0-9]+')"
    return f"""split_part(split_part({url}, '#', 1), '?', 1) AS u_,
        CASE WHEN contains(u_, '://') THEN lower(split_part(u_, '/', 3)) ELSE '' END AS n_,
        CASE WHEN contains(n_, '@') THEN regexp_extract(n_, '@([^@]*)$', 1) ELSE n_ END AS m_,
        CASE WHEN starts_with(m_, 'www.') THEN m_[5:] ELSE m_ END AS h,
        split_part(u_, '/', 4) AS s1_, split_part(u_, '/', 5) AS s2_,
        split_part(u_, '/', 6) AS s3_,
        CASE
            WHEN {channel} IN ('bluesky', 'hn', 'mastodon') THEN ''  -- the channel decides
            WHEN s1_ = 'r' THEN 'r/' || lower(s2_)
            WHEN s1_ = 'tags' AND s2_ <> '' AND s3_ = ''
                THEN 'tags/' || lower(split_part(s2_, '.', 1))
            WHEN s1_ LIKE '@_%' AND s3_ = '' AND {digits.format("s2_")} THEN '@'
            WHEN s1_ IN ('post', 'comment') AND s3_ = '' AND {digits.format("s2_")} THEN 'post'
            WHEN s1_ = 't' AND s2_ <> '' AND {digits.format("s3_")} THEN 't'
            ELSE ''
        END AS shape"""


def channel_sql(channel: str) -> str:
    """SQL for the stored channel when it decides a place, else ''."""
    names = ", ".join(f"'{c}'" for c in DECIDING_CHANNELS)
    return f"CASE WHEN {channel} IN ({names}) THEN {channel} ELSE '' END"


def shape_of(url: str) -> tuple[str, str, str] | None:
    """The host, shape and origin (``scheme://host``) of an address, as :func:`shape_sql`."""
    bare = (url or "").split("#", 1)[0].split("?", 1)[0]
    if "://" not in bare:
        return None
    parts = bare.split("/")
    netloc = (parts[2] if len(parts) > 2 else "").rsplit("@", 1)[-1]
    host = netloc.lower()
    host = host[4:] if host.startswith("www.") else host
    s1, s2, s3 = (parts[i] if len(parts) > i else "" for i in (3, 4, 5))
    if s1 == "r":
        shape = f"r/{s2.lower()}"
    elif s1 == "tags" and s2 and not s3:
        shape = f"tags/{s2.split('.')[0].lower()}"
    elif len(s1) > 1 and s1[0] == "@" and not s3 and _digits(s2):
        shape = "@"
    elif s1 in ("post", "comment") and not s3 and _digits(s2):
        shape = "post"
    elif s1 == "t" and s2 and _digits(s3):
        shape = "t"
    else:
        shape = ""
    return host, shape, f"{parts[0].lower()}//{netloc}"


def place_of(url: str, channel: str | None = None) -> PlaceRef | None:
    """The place of one address (``channel``: the stored channel, when known)."""
    found = shape_of(url)
    if found is None:
        return None
    host, shape, origin = found
    c = channel if channel in DECIDING_CHANNELS else ""
    return classify(c or "", host, shape, origin)


def classify(c: str, host: str, shape: str, origin: str = "") -> PlaceRef | None:
    """The place of a deciding channel (or ''), a host and a path shape."""
    if c == "bluesky" or host == "bsky.app":
        return PlaceRef("bluesky", "", "", origin)
    if c == "hn" or "ycombinator." in host:
        return PlaceRef("hn", "", "", origin)
    if not host:
        return None
    if host == "reddit.com" or host.endswith(".reddit.com") or host.startswith("reddit."):
        return PlaceRef("reddit", host, shape[2:] if shape.startswith("r/") else "", origin)
    if host in _STACK_HOSTS or (host.endswith(".stackexchange.com") and host.count(".") <= 2):
        return PlaceRef("stackexchange", host, "", origin)
    if c == "mastodon" or shape == "@" or shape.startswith("tags/"):
        return PlaceRef("mastodon", host, shape[5:] if shape.startswith("tags/") else "", origin)
    if host.startswith("lemmy.") or shape == "post":
        return PlaceRef("lemmy", host, "", origin)
    if shape == "t":
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


def _digits(text: str) -> bool:
    return bool(re.fullmatch(r"[0-9]+", text))


def stack_site(host: str) -> str:
    """The Stack Exchange API site name of a place's host."""
    # Imported here: the reader brings the HTTP stack, which the window's start (it
    # builds the "Where they talk" tab) does not need.
    from engage_desktop.sources.stackexchange import site_of_host

    return site_of_host(host) or host.split(".")[0]
