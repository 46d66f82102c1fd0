"""Discourse forums (the community software many brands run) through their JSON API.

Two shapes of address:

- ``https://FORUM/search?q=WORDS``: ``GET /search.json?q=WORDS order:latest``, the
  posts that say the words, each with its topic as the thread (``thread_id``) and
  the topic's title; paged with ``page`` while the forum says there is more.
- ``https://FORUM/latest``: ``GET /posts.json``, the forum's latest posts (every
  topic), each with its topic as the thread and the topic's title, paged to older
  posts with ``before=ID``; a first run reads one page (the 50 newest posts).

The cursor is the newest post time seen; paging stops there, after
:data:`MAX_PAGES` pages at most. Discourse throttles anonymous readers with a
429 and a ``Retry-After`` (or ``extras.wait_seconds``); forums that need a login
answer 403.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlencode, urlsplit

from engage_desktop.sources.api import (
    Page,
    back_to_cursor,
    error_json,
    iso_date,
    read_json,
    text_int,
)
from engage_desktop.sources.base import FetchOutcome, SourceSpec
from engage_desktop.sources.http import FetchError, HttpClient, wait_words
from engage_desktop.sources.item import FeedItem
from engage_desktop.sources.sanitize import clean_html, html_to_text

MAX_PAGES = 3
SERVICE = "The forum"


def mode_of(url: str) -> tuple[str, str, str | None]:
    """The forum's base address, the mode (``search`` or ``latest``) and the words.

    Raises:
        ValueError: The address is neither a forum search nor its latest page.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{url} is not a forum address; use https://FORUM/search?q=WORDS")
    path = parts.path.rstrip("/")
    for suffix in (".json", ".rss"):
        path = path.removesuffix(suffix)
    # A forum may live under a folder (https://example.com/community/search).
    head, _, last = path.rpartition("/")
    base = f"{parts.scheme}://{parts.netloc}{head}"
    if last == "search":
        words = (parse_qs(parts.query).get("q") or [""])[0].strip()
        if not words:
            raise ValueError(f"{url} has no search words; use https://FORUM/search?q=WORDS")
        return base, "search", words
    if last == "latest":
        return base, "latest", None
    raise ValueError(
        f"{url} is not a Discourse search or latest page; use https://FORUM/search?q=WORDS "
        "or https://FORUM/latest"
    )


def search_url(base: str, words: str) -> str:
    """The source address of a forum search."""
    return f"{base.rstrip('/')}/search?{urlencode({'q': words})}"


def fetch(spec: SourceSpec, http: HttpClient) -> FetchOutcome:
    """Posts (search, or the latest of the whole forum) newer than the cursor."""
    try:
        base, mode, words = mode_of(spec.url)
    except ValueError as exc:
        raise FetchError(str(exc)) from None
    since = iso_date(spec.cursor)
    if mode == "search":
        items, newest = _search(http, base, words or "", since)
    else:
        items, newest = _latest(http, base, since)
    cursor = newest.isoformat() if newest is not None else spec.cursor
    return FetchOutcome(items=items, cursor=cursor)


def _get(http: HttpClient, url: str, params: dict[str, str]) -> object:
    try:
        response = http.get(url, params=params, accept="application/json")
    except FetchError as exc:
        raise _explained(exc) from None
    return read_json(response, SERVICE)


def _explained(exc: FetchError) -> FetchError:
    body = error_json(exc)
    if exc.status == 429:
        extras = body.get("extras") if isinstance(body.get("extras"), dict) else {}
        wait = exc.retry_after or text_int(extras.get("wait_seconds")) or 60
        return FetchError(
            f"the forum is throttling us (429: too many requests); it asked us to wait "
            f"{wait_words(float(wait))}, the source resumes then",
            retry_after=float(wait),
            status=429,
        )
    if exc.status == 403:
        return FetchError(
            "the forum wants a login to read (403); this source can only read public forums",
            status=403,
        )
    if exc.status == 404:
        return FetchError(
            "the forum has no such page (404); is this a Discourse forum? check the address",
            status=404,
        )
    return exc


def _search(
    http: HttpClient, base: str, words: str, since: datetime | None
) -> tuple[list[FeedItem], datetime | None]:
    items: list[FeedItem] = []
    newest = since
    for page in range(1, MAX_PAGES + 1):
        params = {"q": f"{words} order:latest"}
        if page > 1:
            params["page"] = str(page)
        data = _get(http, f"{base}/search.json", params)
        if not isinstance(data, dict):
            raise FetchError(
                "the forum's search answer is not an object; is this a Discourse forum?"
            )
        posts = data.get("posts") or []
        topics = {t.get("id"): t for t in data.get("topics") or [] if isinstance(t, dict)}
        if not isinstance(posts, list):
            raise FetchError("the forum's search answer has no list of posts")
        reached_old = False
        for post in posts:
            if not isinstance(post, dict):
                continue
            created = iso_date(post.get("created_at"))
            if since is not None and created is not None and created <= since:
                reached_old = True
                continue
            item = post_item(post, topics.get(post.get("topic_id")) or {}, base)
            if item is None:
                continue
            items.append(item)
            if created is not None and (newest is None or created > newest):
                newest = created
        grouped = data.get("grouped_search_result") or {}
        more = isinstance(grouped, dict) and bool(grouped.get("more_full_page_results"))
        if reached_old or not more or not posts:
            break
    return items, newest


def post_item(post: dict, topic: dict, base: str) -> FeedItem | None:
    """One post, with its topic as the thread.

    Args:
        post: A post as search and ``/posts.json`` give it (``topic_slug`` and
            ``topic_title`` fill in when ``topic`` is empty).
        topic: Its topic from the search answer's ``topics``, or ``{}``.
        base: The forum's address.
    """
    pid, tid = post.get("id"), post.get("topic_id")
    if pid is None or tid is None:
        return None
    number = text_int(post.get("post_number")) or 1
    slug = topic.get("slug") or post.get("topic_slug") or "topic"
    url = f"{base}/t/{slug}/{tid}/{number}"
    cooked = post.get("cooked")
    blurb = post.get("blurb")
    title = topic.get("title") or post.get("topic_title")
    user = post.get("username") if isinstance(post.get("username"), str) else None
    text = html_to_text(cooked) if isinstance(cooked, str) else str(blurb or "")
    return FeedItem(
        item_key=url,
        url=url,
        title=(f"Re: {title}" if number > 1 else str(title)) if title else None,
        text=text or str(title or ""),
        html=clean_html(cooked) if isinstance(cooked, str) else None,
        published=iso_date(post.get("created_at")) or datetime.now(UTC),
        author_name=post.get("name") or user,
        author_handle=user,
        author_url=f"{base}/u/{user}" if user else None,
        remote_id=str(pid),
        thread_id=str(tid),
        parent_id=str(tid) if number > 1 else None,
        likes=text_int(post.get("like_count")),
    )


#: Posts in one page of ``/posts.json`` (Discourse's PostsController#latest).
LATEST_PAGE = 50


def _latest(
    http: HttpClient, base: str, since: datetime | None
) -> tuple[list[FeedItem], datetime | None]:
    """The forum's latest posts (``/posts.json``), each with its topic as the thread.

    The list is newest first (by post id); ``before=ID`` pages to older posts.
    """

    def pages() -> Iterator[Page]:
        params: dict[str, str] = {}
        for _ in range(MAX_PAGES):
            data = _get(http, f"{base}/posts.json", params)
            posts = data.get("latest_posts") if isinstance(data, dict) else None
            if not isinstance(posts, list):
                raise FetchError(
                    "the forum's answer has no list of latest posts; is this a Discourse forum?"
                )
            posts = [p for p in posts if isinstance(p, dict)]
            entries = [
                (None if p.get("hidden") else post_item(p, {}, base), iso_date(p.get("created_at")))
                for p in posts
            ]
            ids = [p["id"] for p in posts if text_int(p.get("id")) is not None]
            yield Page(entries, len(posts) >= LATEST_PAGE and bool(ids))
            params = {"before": str(min(ids) - 1)}

    return back_to_cursor(pages(), since)
