"""Lemmy (federated link aggregator) search through ``/api/v3/search``.

The source address is an instance's search page, ``https://INSTANCE/search?q=WORDS``
(``type`` Posts, Comments or All; default All). Results come newest first
(``sort=New``), paged with ``page`` back to the cursor (the newest ``published``
seen), :data:`MAX_PAGES` pages at most. Lemmy limits searches per address; a
refusal (429, or ``{"error": "rate_limit_error"}``) becomes a wait.
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
from engage_desktop.sources.http import FetchError, HttpClient
from engage_desktop.sources.item import FeedItem
from engage_desktop.sources.sanitize import html_to_text

PAGE = 50
MAX_PAGES = 3
SERVICE = "The Lemmy instance"
_TYPES = {"all": "All", "posts": "Posts", "comments": "Comments"}


def search_of(url: str) -> tuple[str, str, str]:
    """The instance base address, the search words and the result type.

    Raises:
        ValueError: The address is not a Lemmy search page, in words.
    """
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    words = (query.get("q") or [""])[0].strip()
    if parts.scheme not in ("http", "https") or parts.path.rstrip("/") != "/search" or not words:
        raise ValueError(f"{url} is not a Lemmy search; use https://INSTANCE/search?q=WORDS")
    kind = _TYPES.get((query.get("type") or ["all"])[0].lower(), "All")
    return f"{parts.scheme}://{parts.netloc}", words, kind


def search_url(base: str, words: str) -> str:
    """The source address of a search on an instance."""
    return f"{base.rstrip('/')}/search?{urlencode({'q': words, 'type': 'All'})}"


def fetch(spec: SourceSpec, http: HttpClient) -> FetchOutcome:
    """Posts and comments newer than the cursor."""
    try:
        base, words, kind = search_of(spec.url)
    except ValueError as exc:
        raise FetchError(str(exc)) from None

    def pages() -> Iterator[Page]:
        for page in range(1, MAX_PAGES + 1):
            params = {
                "q": words, "type_": kind, "sort": "New", "listing_type": "All",
                "page": str(page), "limit": str(PAGE),
            }  # fmt: skip
            try:
                response = http.get(
                    f"{base}/api/v3/search", params=params, accept="application/json"
                )
            except FetchError as exc:
                raise _explained(exc) from None
            data = read_json(response, SERVICE)
            if not isinstance(data, dict) or not isinstance(data.get("posts"), list):
                raise FetchError("the Lemmy instance's answer has no list of posts; is it Lemmy?")
            found = [post_item(v, base) for v in data["posts"]]
            found += [comment_item(v, base) for v in data.get("comments") or []]
            yield Page([(it, it.published if it else None) for it in found], len(found) >= PAGE)

    items, newest = back_to_cursor(pages(), iso_date(spec.cursor))
    return FetchOutcome(items=items, cursor=newest.isoformat() if newest else spec.cursor)


def _explained(exc: FetchError) -> FetchError:
    error = str(error_json(exc).get("error") or "")
    if exc.status == 429 or error == "rate_limit_error":
        wait = exc.retry_after or 60.0
        return FetchError(
            f"the Lemmy instance is limiting searches (rate limit); the source waits {wait:.0f} s",
            retry_after=wait,
            status=exc.status,
        )
    if error:
        return FetchError(
            f"the Lemmy instance refused the search ({error[:80]})", status=exc.status
        )
    return exc


def _creator(view: dict) -> tuple[str | None, str | None, str | None]:
    creator = view.get("creator") if isinstance(view.get("creator"), dict) else {}
    name = creator.get("name") if isinstance(creator.get("name"), str) else None
    actor = creator.get("actor_id") if isinstance(creator.get("actor_id"), str) else None
    host = urlsplit(actor).hostname if actor else None
    handle = f"{name}@{host}" if name and host else name
    return creator.get("display_name") or name, handle, actor


def post_item(view: object, base: str) -> FeedItem | None:
    """One PostView as a FeedItem (the post is its own thread)."""
    post = view.get("post") if isinstance(view, dict) else None
    if not isinstance(post, dict) or post.get("id") is None or post.get("deleted"):
        return None
    assert isinstance(view, dict)
    counts = view.get("counts") if isinstance(view.get("counts"), dict) else {}
    name, handle, actor = _creator(view)
    url = f"{base}/post/{post['id']}"
    body = post.get("body")
    return FeedItem(
        item_key=str(post.get("ap_id") or url),
        url=url,
        title=str(post.get("name") or "") or None,
        text=html_to_text(body) if isinstance(body, str) and body else str(post.get("name") or ""),
        html=None,
        published=iso_date(post.get("published")) or datetime.now(UTC),
        author_name=name,
        author_handle=handle,
        author_url=actor,
        remote_id=str(post["id"]),
        thread_id=str(post["id"]),
        replies=text_int(counts.get("comments")),
        score=text_int(counts.get("score")),
    )


def comment_item(view: object, base: str) -> FeedItem | None:
    """One CommentView as a FeedItem, threaded under its post."""
    comment = view.get("comment") if isinstance(view, dict) else None
    if not isinstance(comment, dict) or comment.get("id") is None or comment.get("deleted"):
        return None
    assert isinstance(view, dict)
    post = view.get("post") if isinstance(view.get("post"), dict) else {}
    counts = view.get("counts") if isinstance(view.get("counts"), dict) else {}
    name, handle, actor = _creator(view)
    url = f"{base}/comment/{comment['id']}"
    path = str(comment.get("path") or "").split(".")
    parent = path[-2] if len(path) > 2 else None  # "0.12.34": 34 answers 12
    content = comment.get("content")
    title = post.get("name")
    return FeedItem(
        item_key=str(comment.get("ap_id") or url),
        url=url,
        title=f"Re: {title}" if title else None,
        text=html_to_text(content) if isinstance(content, str) else "",
        html=None,
        published=iso_date(comment.get("published")) or datetime.now(UTC),
        author_name=name,
        author_handle=handle,
        author_url=actor,
        remote_id=str(comment["id"]),
        thread_id=str(post.get("id") or comment.get("post_id") or "") or None,
        parent_id=parent or (str(post["id"]) if post.get("id") is not None else None),
        replies=text_int(counts.get("child_count")),
        score=text_int(counts.get("score")),
    )
