"""Locate: where customers talk, ranked, with the source that would listen there.

:func:`locate` reads the stored mentions of the last ``days`` (and the ``days``
before, for growth), finds each one's place (where it was posted, and the places
its links point to: see :mod:`engage_desktop.listen.places`), and ranks the
places: those nobody listens to yet first, by volume with negative mentions
counting triple and growth lifting a place; then those already listened to, for
context. For each place not watched it offers the source that fits (a Discourse
search, a subreddit search, a tag timeline on that instance, a news search, the
site's own feed found by autodiscovery...).

:func:`backtest_place` says what that source would have matched in the stored
history, and :func:`add_place` adds it. Qt-free; long reads take a task state.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from engage_desktop.core.errors import EngageError
from engage_desktop.core.progress import PlainState, TaskState
from engage_desktop.core.text import fold
from engage_desktop.listen.places import (
    KIND_WORDS,
    PlaceRef,
    host_sql,
    path_sql,
    place_of,
    place_sql,
    stack_site,
)
from engage_desktop.workspace.database import Workspace

DEFAULT_DAYS = 30
#: Places listed at most (the long tail of one-mention blogs is noise).
TOP = 50
#: Mentions whose links are read: the html of stored posts, one link pattern.
_LINKS = r"""href="(https?://[^"]+)\""""


class LocateError(EngageError):
    """A place cannot be listed or added (a rank that does not exist, no brand words)."""


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


@dataclass(frozen=True)
class Place:
    """One place where mentions were seen, with its figures.

    Attributes:
        key: ``KIND|HOST|DETAIL`` (see :mod:`~engage_desktop.listen.places`).
        kind: The place kind.
        name: How the place is shown (``r/techsupport``, ``#homelab on fosstodon.social``).
        volume: Mentions there (posted there or linking there) in the window.
        earlier: Mentions there in the window before.
        negative: Negative mentions in the window.
        linked: Of ``volume``, mentions that only link there.
        watched_by: The name of a source that already listens there, or None.
        suggestion: The source to add, for a place nobody listens to.
        rank: 1-based position in the list.
    """

    key: str
    kind: str
    name: str
    volume: int
    earlier: int
    negative: int
    linked: int
    watched_by: str | None
    suggestion: Suggestion | None
    rank: int = 0

    @property
    def watched(self) -> bool:
        """Whether a source already listens here."""
        return self.watched_by is not None

    @property
    def share_negative(self) -> float:
        """Negative share of the window's mentions (0..1)."""
        return self.negative / self.volume if self.volume else 0.0

    @property
    def growth(self) -> float | None:
        """Change against the window before (0.5 = +50%); None when it is new."""
        return (self.volume - self.earlier) / self.earlier if self.earlier else None

    @property
    def score(self) -> float:
        """The ranking figure: volume, negatives counting triple, lifted by growth."""
        growth = self.growth
        lift = 2.0 if growth is None else min(max(1.0 + growth, 0.5), 3.0)
        return (self.volume + 2 * self.negative) * lift

    def growth_words(self) -> str:
        """Growth as the list shows it: ``+45%``, ``-10%``, ``new``."""
        growth = self.growth
        return "new" if growth is None else f"{growth * 100:+.0f}%"


@dataclass(frozen=True)
class Located:
    """The ranked places of one run."""

    places: list[Place]
    days: int
    mentions: int  # mentions read in the window
    words: str  # the brand words offered sources search for
    seconds: float = 0.0
    until: datetime | None = None  # the end of the window


@dataclass(frozen=True)
class PlaceBacktest:
    """What a place's source would have matched in the stored history.

    Attributes:
        matched: Stored mentions at the place that match a watch query.
        negative: Of those, negative.
        first: Oldest of them.
        last: Newest of them.
        samples: The newest few as (published, title or text).
    """

    matched: int
    negative: int
    first: datetime | None
    last: datetime | None
    samples: list[tuple[datetime, str]] = field(default_factory=list)


def brand_words(ws: Workspace) -> str:
    """The words an offered search looks for: the brand, else the first topic."""
    from engage_desktop.workspace import settings

    name = settings.get(ws, settings.BRAND_NAME)
    if isinstance(name, str) and name.strip():
        return name.strip()
    row = ws.rows("SELECT name FROM topics ORDER BY kind <> 'brand', name LIMIT 1")
    if row:
        return str(row[0]["name"])
    raise LocateError(
        "locate needs a brand to search for: set one with "
        "'engage-desktop settings set brand.name NAME' or add a watch query"
    )


def _window_sql() -> str:
    """Each mention's own place and the places of its links, with its figures."""
    return f"""
        WITH m AS (
            SELECT id, url, html, channel, published >= ? AS recent,
                   sentiment_label = 'negative' AS neg
            FROM mentions WHERE published >= ? AND published <= ?
        ), own AS (
            SELECT id, recent, neg, false AS link, channel AS c, lower(url[:5]) AS s,
                   {host_sql("url")} AS h, {path_sql("url")} AS p
            FROM m WHERE url IS NOT NULL
        ), links AS (
            SELECT id, recent, neg, true AS link, NULL::VARCHAR AS c, lower(l[:5]) AS s,
                   {host_sql("l")} AS h, {path_sql("l")} AS p
            FROM (SELECT id, recent, neg,
                         unnest(regexp_extract_all(html, '{_LINKS}', 1)) AS l
                  FROM m WHERE html LIKE '%href="http%')
        ), placed AS (
            SELECT id, recent, neg, link, s, {place_sql()} AS place FROM own
            UNION ALL
            SELECT id, recent, neg, link, s, {place_sql()} AS place FROM links
        ), one AS (  -- a mention counts once per place, posted there before linking
            SELECT place, id, any_value(recent) AS recent, any_value(neg) AS neg,
                   bool_and(link) AS link, max(s) AS s
            FROM placed WHERE place IS NOT NULL GROUP BY place, id
        )
        SELECT place,
               count(*) FILTER (WHERE recent) AS volume,
               count(*) FILTER (WHERE NOT recent) AS earlier,
               count(*) FILTER (WHERE recent AND neg) AS negative,
               count(*) FILTER (WHERE recent AND link) AS linked,
               max(s) AS scheme  -- "https" wins over "http:" unless only plain was seen
        FROM one GROUP BY place
        HAVING count(*) FILTER (WHERE recent) > 0
    """


def locate(
    ws: Workspace,
    days: int = DEFAULT_DAYS,
    *,
    state: TaskState | None = None,
    now: datetime | None = None,
    top: int = TOP,
) -> Located:
    """Rank the places seen in the last ``days`` days of stored mentions.

    The window ends now, or at the newest stored mention when that is older.

    Raises:
        LocateError: ``days`` is not positive.
    """
    import time

    if days < 1:
        raise LocateError(f"--days must be 1 or more (got {days})")
    state = state or PlainState()
    started = time.perf_counter()
    if now is None:
        # The window ends at the newest stored mention when that is older than today:
        # an agency's analysis of last spring's export still reads its last 30 days.
        newest = ws.scalar("SELECT max(published) FROM mentions")
        now = min(datetime.now(UTC), newest) if newest is not None else datetime.now(UTC)
    now = now.astimezone(UTC)
    state.progress(0, 3)
    words = brand_words(ws)
    watchers = _watchers(ws)
    state.progress(1, 3)
    cur = ws.cursor()
    try:
        since, split = now - timedelta(days=2 * days), now - timedelta(days=days)
        rows = cur.execute(_window_sql(), [split, since, now]).fetchall()
        seen = cur.execute(
            "SELECT count(*) FROM mentions WHERE published >= ? AND published <= ?", [split, now]
        ).fetchone()[0]
    finally:
        cur.close()
    state.progress(2, 3)
    places = []
    for key, volume, earlier, negative, linked, scheme, tag in _fold_tags(rows):
        kind, host, detail = key.split("|", 2)
        ref = PlaceRef(kind, host, detail or tag)
        watched_by = _watched_by(ref, watchers)
        places.append(
            Place(
                key=key,
                kind=kind,
                name=place_name(ref, tag_only=not detail),
                volume=int(volume),
                earlier=int(earlier),
                negative=int(negative),
                linked=int(linked),
                watched_by=watched_by,
                suggestion=None if watched_by else suggest(ref, words, _origin(ref, scheme)),
            )
        )
    places.sort(key=lambda p: (p.watched, -p.score, p.name))
    ranked = [_with_rank(p, i) for i, p in enumerate(places[:top], start=1)]
    state.progress(3, 3)
    return Located(ranked, days, int(seen), words, time.perf_counter() - started, now)


def _fold_tags(rows: list[tuple]) -> list[tuple]:
    """Fold a Mastodon tag seen in links into its instance's row, when the instance
    has posts of its own: one place per instance, offering its busiest tag's timeline.

    Returns:
        Rows of (key, volume, earlier, negative, linked, scheme, tag).
    """
    instances = {r[0] for r in rows if r[0].startswith("mastodon|") and r[0].endswith("|")}
    best: dict[str, tuple[int, str]] = {}
    kept = []
    for row in rows:
        kind, host, detail = row[0].split("|", 2)
        if kind == "mastodon" and detail and f"mastodon|{host}|" in instances:
            if row[1] > best.get(host, (-1, ""))[0]:
                best[host] = (row[1], detail)
            continue
        kept.append(row)
    return [
        (*r, best.get(r[0].split("|")[1], (0, ""))[1] if r[0] in instances else "") for r in kept
    ]


def _with_rank(place: Place, rank: int) -> Place:
    from dataclasses import replace

    return replace(place, rank=rank)


def place_name(ref: PlaceRef, *, tag_only: bool = False) -> str:
    """How a place is shown (``tag_only``: a Mastodon tag is a detail of its instance)."""
    if ref.kind == "reddit":
        return f"r/{ref.detail}" if ref.detail else f"Reddit ({ref.host})"
    if ref.kind == "mastodon":
        if ref.detail and tag_only:
            return f"{ref.host} (#{ref.detail})"
        return f"#{ref.detail} on {ref.host}" if ref.detail else ref.host
    if ref.kind == "bluesky":
        return "Bluesky"
    if ref.kind == "hn":
        return "Hacker News"
    return ref.host


def _origin(ref: PlaceRef, scheme: str | None) -> str:
    """``scheme://host`` of a place: https unless its mentions only wrote plain http."""
    if not ref.host:
        return ""
    host = "www.reddit.com" if ref.host == "reddit.com" else ref.host  # its canonical name
    return f"{'http' if scheme == 'http:' else 'https'}://{host}"


def suggest(ref: PlaceRef, words: str, origin: str) -> Suggestion | None:
    """The source that fits a place, searching for ``words`` where the place can."""
    from engage_desktop.sources import discourse, lemmy, news, reddit, stackexchange

    tag = ref.detail or fold(words).replace(" ", "")
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
            f"https://bsky.app/search?q={words}",
            f"Bluesky search for “{words}”",
            "a Bluesky account: your handle and an app password",
        )
    if ref.kind == "hn":
        return Suggestion(
            "hn", f"https://hn.algolia.com/?q={words}", f"Hacker News search for “{words}”"
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


def _watchers(ws: Workspace) -> list[tuple[PlaceRef, str]]:
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


def _watched_by(ref: PlaceRef, watchers: list[tuple[PlaceRef, str]]) -> str | None:
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


# -- back-test and add ---------------------------------------------------------------


def backtest_place(ws: Workspace, place: Place, *, samples: int = 5) -> PlaceBacktest:
    """The stored mentions at a place that match a watch query: what its source
    would have brought in (every stored day, not only the window)."""
    host = place.key.split("|")[1]
    # Only rows that name the host can be at it (a cheap pre-filter for big histories).
    near = "(url ILIKE ? OR html ILIKE ?)" if host else "true"
    params = [f"%{host}%", f"%{host}%"] if host else []
    where = f"""
        WITH m AS (
            SELECT id, url, html, channel, title, text, published,
                   sentiment_label = 'negative' AS neg
            FROM mentions WHERE len(matched_queries) > 0 AND {near}
        ), own AS (
            SELECT id, {host_sql("url")} AS h, {path_sql("url")} AS p, channel AS c FROM m
        ), links AS (
            SELECT id, {host_sql("l")} AS h, {path_sql("l")} AS p, NULL::VARCHAR AS c
            FROM (SELECT id, unnest(regexp_extract_all(html, '{_LINKS}', 1)) AS l
                  FROM m WHERE html LIKE '%href="http%')
        ), here AS (
            SELECT DISTINCT id FROM (SELECT id, {place_sql()} AS place FROM own
                                     UNION ALL SELECT id, {place_sql()} FROM links)
            WHERE place = ?
        )
        SELECT m.* FROM m JOIN here USING (id)
    """
    cur = ws.cursor()
    try:
        total, negative, first, last = cur.execute(
            f"SELECT count(*), count(*) FILTER (WHERE neg), min(published), max(published) "
            f"FROM ({where})",
            [*params, place.key],
        ).fetchone()
        rows = cur.execute(
            f"SELECT published, coalesce(title, left(text, 140)) FROM ({where}) "
            "ORDER BY published DESC LIMIT ?",
            [*params, place.key, samples],
        ).fetchall()
    finally:
        cur.close()
    return PlaceBacktest(int(total), int(negative), first, last, [tuple(r) for r in rows])


def find_place(located: Located, which: str) -> Place:
    """A place of the list by rank (``3``) or key or name.

    Raises:
        LocateError: No such place, in words.
    """
    text = which.strip()
    for place in located.places:
        if text.isdigit() and place.rank == int(text):
            return place
        if text in (place.key, place.name):
            return place
    raise LocateError(
        f"no place {text!r} in the list of the last {located.days} days; run "
        "'engage-desktop locate' and give a number from it"
    )


def add_place(ws: Workspace, place: Place, *, check: bool = True, interval_s: int = 900) -> Any:
    """Add the source offered for a place (after the caller showed the back-test).

    Returns:
        The :class:`~engage_desktop.listen.subscriptions.AddResult`.

    Raises:
        LocateError: The place is already listened to, or its source needs an account.
        EngageError: The source cannot be added (its feed not found, already a source).
    """
    from engage_desktop.listen.subscriptions import add_source_checked

    if place.watched:
        raise LocateError(f"{place.name} is already listened to by {place.watched_by!r}")
    offer = place.suggestion
    if offer is None:
        raise LocateError(f"there is no source to offer for {place.name}")
    if offer.kind == "bluesky":
        raise LocateError(
            "a Bluesky search needs your account: run 'engage-desktop sources add "
            f'"{offer.url}" --handle YOUR.HANDLE\' (the app password is asked once)'
        )
    return add_source_checked(
        ws,
        offer.url,
        kind=offer.kind,
        check=check,
        interval_s=interval_s,
        config={"located": place.key},
    )


def kind_words(kind: str) -> str:
    """A place kind in words."""
    return KIND_WORDS.get(kind, kind)
