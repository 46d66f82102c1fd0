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

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from engage_desktop.core.errors import Conflict, EngageError, InvalidInput, NotFound
from engage_desktop.core.progress import PlainState, TaskState
from engage_desktop.listen import place_sources
from engage_desktop.listen.place_sources import Suggestion
from engage_desktop.listen.places import (
    KIND_WORDS,
    PlaceRef,
    channel_sql,
    classify,
    place_of,
    shape_sql,
)
from engage_desktop.workspace.database import Workspace

DEFAULT_DAYS = 30
#: Places listed at most (the long tail of one-mention blogs is noise).
TOP = 50
#: Mentions whose links are read: the html of stored posts, one link pattern.
_LINKS = r"""href="(https?://[^"]+)\""""


class LocateError(EngageError):
    """A place cannot be listed or added: the base of the errors below."""


class PlaceNotFound(LocateError, NotFound):
    """No place with that number or name in the list (the CLI exits 2)."""


class PlaceNotAddable(LocateError, Conflict):
    """The place is already listened to, or its source needs what is missing (exit 2)."""


class BadWindow(LocateError, InvalidInput):
    """The window is not a positive number of days (exit 2)."""


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
    """The words an offered search looks for: the brand, else the first topic, else ""."""
    from engage_desktop.workspace import settings

    name = settings.get(ws, settings.BRAND_NAME)
    if isinstance(name, str) and name.strip():
        return name.strip()
    row = ws.rows("SELECT name FROM topics ORDER BY kind <> 'brand', name LIMIT 1")
    return str(row[0]["name"]) if row else ""


def _groups_sql() -> str:
    """The window's mentions grouped by (deciding channel, host, path shape), counted."""
    return f"""
        SELECT c, h, shape,
               count(*) FILTER (WHERE recent) AS volume,
               count(*) FILTER (WHERE NOT recent) AS earlier,
               count(*) FILTER (WHERE recent AND neg) AS negative,
               max(s) AS scheme  -- "https" wins over "http:" unless only plain was seen
        FROM (SELECT published >= ? AS recent, sentiment_label = 'negative' AS neg,
                     {channel_sql("channel")} AS c, lower(url[:5]) AS s,
                     {shape_sql("url", "channel")}
              FROM mentions
              WHERE published >= ? AND published <= ? AND url IS NOT NULL)
        GROUP BY c, h, shape
    """


#: The links inside the window's mentions (only those whose HTML has any), with the
#: mention's own (channel, host, shape).
_LINKS_SQL = f"""
    SELECT id, recent, neg, c, h, shape, link FROM (
        SELECT id, published >= ? AS recent, sentiment_label = 'negative' AS neg,
               {channel_sql("channel")} AS c, {shape_sql("url", "channel")},
               unnest(regexp_extract_all(html, '{_LINKS}', 1)) AS link
        FROM mentions
        WHERE published >= ? AND published <= ? AND html LIKE '%href="http%')
"""


class _Tally:
    """Figures per place key while groups and links are added up."""

    def __init__(self) -> None:
        self.rows: dict[str, list] = {}  # key -> [volume, earlier, negative, linked, scheme]

    def add(self, key: str, volume: int, earlier: int, negative: int, linked: int, scheme: str):
        row = self.rows.setdefault(key, [0, 0, 0, 0, ""])
        row[0] += volume
        row[1] += earlier
        row[2] += negative
        row[3] += linked
        row[4] = max(row[4], scheme or "")


def _count_places(cur, split: datetime, since: datetime, now: datetime) -> _Tally:
    """Each place's figures: where the mentions were posted, and where they link.

    A mention counts once per place: its own place, plus each other place its links
    point to (repeated links and links back to its own place count nothing more).
    """
    tally = _Tally()
    for c, h, shape, volume, earlier, negative, scheme in cur.execute(
        _groups_sql(), [split, since, now]
    ).fetchall():
        ref = classify(c, h, shape)
        if ref is not None:
            tally.add(ref.key, volume, earlier, negative, 0, scheme)
    seen: set[tuple[str, int]] = set()
    places: dict[str, PlaceRef | None] = {}  # the same link recurs (a tag, an article)
    for mid, recent, neg, c, h, shape, link in cur.execute(
        _LINKS_SQL, [split, since, now]
    ).fetchall():
        if link not in places:
            places[link] = place_of(link)
        ref = places[link]
        if ref is None or (ref.key, mid) in seen:
            continue
        own = classify(c, h or "", shape or "")
        if own is not None and own.key == ref.key:
            continue
        seen.add((ref.key, mid))
        scheme = link[:5].lower()
        tally.add(ref.key, int(recent), int(not recent), int(recent and neg), int(recent), scheme)
    return tally


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
        raise BadWindow(f"--days must be 1 or more (got {days})")
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
    watchers = place_sources.watchers(ws)
    state.progress(1, 3)
    cur = ws.cursor()
    try:
        since, split = now - timedelta(days=2 * days), now - timedelta(days=days)
        tally = _count_places(cur, split, since, now)
        seen = cur.execute(
            "SELECT count(*) FROM mentions WHERE published >= ? AND published <= ?", [split, now]
        ).fetchone()[0]
    finally:
        cur.close()
    state.progress(2, 3)
    places = []
    rows = [(k, *v) for k, v in tally.rows.items() if v[0] > 0]
    for key, volume, earlier, negative, linked, scheme, tag in _fold_tags(rows):
        kind, host, detail = key.split("|", 2)
        ref = PlaceRef(kind, host, detail or tag)
        watched_by = place_sources.watched_by(ref, watchers)
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
                suggestion=None if watched_by else _offer(ref, words, scheme),
            )
        )
    places.sort(key=lambda p: (p.watched, -p.score, p.name))
    ranked = [_with_rank(p, i) for i, p in enumerate(places[:top], start=1)]
    state.progress(3, 3)
    return Located(ranked, days, int(seen), words, time.perf_counter() - started, now)


def _offer(ref: PlaceRef, words: str, scheme: str | None) -> Suggestion | None:
    """The source to offer; without brand words only a site's own feed can be offered."""
    if not words and ref.kind not in ("site", "forum"):
        return None
    return place_sources.suggest(ref, words, place_sources.origin_of(ref, scheme))


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


# -- back-test and add ---------------------------------------------------------------


def backtest_place(ws: Workspace, place: Place, *, samples: int = 5) -> PlaceBacktest:
    """The stored mentions at a place that match a watch query: what its source
    would have brought in (every stored day, not only the window)."""
    host = place.key.split("|")[1]
    # Only rows that name the host can be at it (a cheap pre-filter for big histories).
    near = "(url ILIKE ? OR html ILIKE ?)" if host else "true"
    params: list[Any] = [f"%{host}%", f"%{host}%"] if host else []
    matched = f"""
        SELECT id, published, sentiment_label = 'negative' AS neg,
               coalesce(title, left(text, 140)) AS head,
               {channel_sql("channel")} AS c, {shape_sql("url", "channel")}
        FROM mentions WHERE len(matched_queries) > 0 AND {near}
    """
    cur = ws.cursor()
    try:
        groups = cur.execute(f"SELECT DISTINCT c, h, shape FROM ({matched})", params).fetchall()
        here = [g for g in groups if (classify(*g) or _NOWHERE).key == place.key]
        linking = cur.execute(
            f"SELECT id, url, channel, unnest(regexp_extract_all(html, '{_LINKS}', 1)) "
            f"FROM mentions WHERE len(matched_queries) > 0 AND {near} "
            "AND html LIKE '%href=\"http%'",
            params,
        ).fetchall()
        ids = sorted({mid for mid, _u, _c, link in linking
                      if (place_of(link) or _NOWHERE).key == place.key})  # fmt: skip
        at = " OR ".join(["(c = ? AND h = ? AND shape = ?)"] * len(here)) or "false"
        where = f"SELECT * FROM ({matched}) WHERE {at} OR list_contains(?, id)"
        args = [*params, *(v for g in here for v in g), ids]
        total, negative, first, last = cur.execute(
            "SELECT count(*), count(*) FILTER (WHERE neg), min(published), max(published) "
            f"FROM ({where})",
            args,
        ).fetchone()
        rows = cur.execute(
            f"SELECT published, head FROM ({where}) ORDER BY published DESC LIMIT ?",
            [*args, samples],
        ).fetchall()
    finally:
        cur.close()
    return PlaceBacktest(int(total), int(negative), first, last, [tuple(r) for r in rows])


_NOWHERE = PlaceRef("", "", "")


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
    raise PlaceNotFound(
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
        raise PlaceNotAddable(f"{place.name} is already listened to by {place.watched_by!r}")
    offer = place.suggestion
    if offer is None:
        raise PlaceNotAddable(
            f"there is no source to offer for {place.name}: a search needs the brand's name; "
            "set it with 'engage-desktop settings set brand.name NAME' or add a watch query"
        )
    if offer.kind == "bluesky":
        raise PlaceNotAddable(
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
