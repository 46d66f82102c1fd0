"""The source that fits a place, and the places the sources already listen at.

:func:`suggest` offers, for a place nobody listens to, the source that would: a
Discourse forum's search, a subreddit search, a tag timeline on that Mastodon
instance, a Stack Exchange or Lemmy search, a news search kept to one site, or the
site's own feed (found by autodiscovery when it is added). :func:`watchers` and
:func:`watched_by` say which source already listens at a place.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus

from engage_desktop.core.text import fold
from engage_desktop.listen.places import PlaceRef, place_of, stack_site
from engage_desktop.workspace.database import Workspace


@dataclass(frozen=True)
class Suggestion:
    """The source that would listen at a place.

    Attributes:
        kind: The source kind (``discourse``, ``reddit``, ``mastodon``, ``rss``...).
        url: The source's address (for ``rss``, the page whose feed is discovered).
        label: What it is, in words.
        needs: What the user must have or expect (an account, a network check).
    """

    kind: str
    url: str
    label: str
    needs: str | None = None


def origin_of(ref: PlaceRef, scheme: str | None) -> str:
    """``scheme://host`` of a place: https unless its mentions only wrote plain http."""
    if not ref.host:
        return ""
    host = "www.reddit.com" if ref.host == "reddit.com" else ref.host  # its canonical name
    return f"{'http' if scheme == 'http:' else 'https'}://{host}"


def suggest(ref: PlaceRef, words: str, origin: str) -> Suggestion | None:
    """The source that fits a place, searching for ``words`` where the place can."""
    from engage_desktop.sources import discourse, lemmy, news, reddit, stackexchange

    tag = ref.detail or re.sub(r"\W", "", fold(words))  # hashtags are one word
    if ref.kind == "discourse":
        return Suggestion(
            "discourse",
            discourse.search_url(origin, words),
            f"Discourse forum search for “{words}”",
        )
    if ref.kind == "reddit":
        sub = ref.detail or None
        where = f"r/{sub}" if sub else "all of Reddit"
        return Suggestion(
            "reddit",
            reddit.search_url(origin, sub, words),
            f"Reddit search of {where} for “{words}”",
            "no account; Reddit allows few requests, fetched every 10 min at most",
        )
    if ref.kind == "mastodon":
        return Suggestion("mastodon", f"{origin}/tags/{tag}", f"#{tag} timeline on {ref.host}")
    if ref.kind == "bluesky":
        return Suggestion(
            "bluesky",
            f"https://bsky.app/search?q={quote_plus(words)}",
            f"Bluesky search for “{words}”",
            "a Bluesky account: your handle and an app password",
        )
    if ref.kind == "hn":
        return Suggestion(
            "hn",
            f"https://hn.algolia.com/?q={quote_plus(words)}",
            f"Hacker News search for “{words}”",
        )
    if ref.kind == "stackexchange":
        site = stack_site(ref.host)
        return Suggestion(
            "stackexchange",
            stackexchange.search_url(site, words),
            f"Stack Exchange search of {site} for “{words}”",
            "no key needed: 300 requests a day (10,000 with an app key)",
        )
    if ref.kind == "lemmy":
        return Suggestion(
            "lemmy", lemmy.search_url(origin, words), f"Lemmy search on {ref.host} for “{words}”"
        )
    if ref.kind == "news":
        return Suggestion(
            "news",
            news.search_url(f"{words} site:{ref.host}"),
            f"news search for “{words}” on {ref.host}",
        )
    return Suggestion(
        "rss",
        f"{origin}/",
        f"the site's own feed ({ref.host})",
        "the feed is found on the site's home page when added (needs the network)",
    )


# -- who already listens -----------------------------------------------------------


def watchers(ws: Workspace) -> list[tuple[PlaceRef, str]]:
    """The places the sources listen at, with the source's name."""
    found: list[tuple[PlaceRef, str]] = []
    for s in ws.rows("SELECT kind, url, name, config FROM sources"):
        config = _config(s["config"])
        urls = [s["url"]]
        if isinstance(config.get("site_url"), str):
            urls.append(config["site_url"])
        if s["kind"] == "mastodon" and "/tags/" in s["url"]:
            tag = s["url"].rstrip("/").rsplit("/", 1)[-1]
            urls += [
                f"{u if '://' in u else 'https://' + u}/tags/{tag}"
                for u in config.get("instances") or []
                if isinstance(u, str)
            ]
        for url in urls:
            ref = _source_place(s["kind"], url)
            if ref is not None:
                found.append((ref, s["name"]))
    return found


def _source_place(kind: str, url: str) -> PlaceRef | None:
    """The place a source's address listens at (a news search covers news sites)."""
    from engage_desktop.sources import news

    if kind == "bluesky" or url.startswith("bluesky:"):
        return PlaceRef("bluesky", "")
    from engage_desktop.sources.registry import guess_kind

    guessed = guess_kind(url) if kind == "rss" and "://" in url else kind
    if kind == "hn" or guessed == "hn":
        return PlaceRef("hn", "")
    if guessed == "bluesky":
        return PlaceRef("bluesky", "")
    if kind == "news" or news.is_news_search(url):
        words = news.words_of(url)
        site = words.split("site:", 1)[1].split()[0].lower() if "site:" in words else "*"
        return PlaceRef("news", site.removeprefix("www."))
    if kind == "stackexchange":
        from engage_desktop.sources.stackexchange import search_of

        try:
            site = search_of(url)[1]["site"]
        except ValueError:
            return None
        host = site if "." in site else f"{site}.stackexchange.com"
        return PlaceRef("stackexchange", _SE_HOSTS.get(site, host))
    return place_of(url, "mastodon" if kind == "mastodon" else None)


_SE_HOSTS = {
    "stackoverflow": "stackoverflow.com",
    "superuser": "superuser.com",
    "serverfault": "serverfault.com",
    "askubuntu": "askubuntu.com",
}


def watched_by(ref: PlaceRef, watchers: list[tuple[PlaceRef, str]]) -> str | None:
    """The source listening at a place: same kind and host, and for subreddits and
    Mastodon tags the same name (a whole-site search covers every subreddit; any
    tag timeline on an instance counts for the instance)."""
    for w, name in watchers:
        if ref.kind in ("bluesky", "hn"):
            if w.kind == ref.kind:
                return name
            continue
        if ref.kind == "news" and w.kind == "news" and w.host in ("*", ref.host):
            return name
        if w.host != ref.host:
            continue
        if ref.kind == "reddit":
            if w.kind == "reddit" and w.detail in ("", ref.detail):
                return name
        elif ref.kind == "mastodon":
            if w.kind == "mastodon" and (not ref.detail or w.detail == ref.detail):
                return name
        else:
            return name  # any source on that host: its feed, its search, its forum
    return None


def _config(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    try:
        data = json.loads(value) if value else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
