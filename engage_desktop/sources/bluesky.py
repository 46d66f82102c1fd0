"""Bluesky post search: ``app.bsky.feed.searchPosts`` with an app-password session.

The session comes from ``com.atproto.server.createSession`` with the handle and the
app password kept in the OS keyring (``bluesky:HANDLE``). Each post keeps its at://
uri (``remote_id``) and record cid (``remote_cid``): a reply needs both.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

from engage_desktop.sources.base import FetchOutcome, SourceSpec
from engage_desktop.sources.http import (
    FetchError,
    HttpClient,
    insecure_secret_words,
    sends_secret_in_clear,
)
from engage_desktop.sources.item import FeedItem, utc
from engage_desktop.workspace.secrets import get_secret, set_secret

DEFAULT_SERVICE = "https://bsky.social"
PAGE = 100
MAX_PAGES = 3
_sessions: dict[tuple[str, str], str] = {}
_sessions_lock = threading.Lock()


def secret_name(handle: str) -> str:
    """The keyring user name of a Bluesky handle's app password."""
    return f"bluesky:{handle.lstrip('@')}"


def has_app_password(handle: str) -> bool:
    """True when an app password for ``handle`` is in the secret store."""
    return get_secret(secret_name(handle)) is not None


def store_app_password(handle: str, password: str) -> None:
    """Keep ``handle``'s app password in the secret store; the next fetch signs in anew."""
    set_secret(secret_name(handle), password)
    forget_session(handle)


def query_of(url: str) -> str:
    """The search words of ``https://bsky.app/search?q=WORDS`` (or ``bluesky:WORDS``)."""
    if url.startswith("bluesky:"):
        return url.split(":", 1)[1]
    q = parse_qs(urlsplit(url).query).get("q")
    if not q or not q[0].strip():
        raise ValueError(f"{url} has no search words; use https://bsky.app/search?q=WORDS")
    return q[0]


def forget_session(handle: str) -> None:
    """Drop the cached sessions of ``handle`` (its app password changed)."""
    with _sessions_lock:
        for key in [k for k in _sessions if k[1] == handle.lstrip("@")]:
            del _sessions[key]


def _session(http: HttpClient, service: str, handle: str, renew: bool = False) -> str:
    key = (service, handle)
    with _sessions_lock:
        if not renew and key in _sessions:
            return _sessions[key]
    password = get_secret(secret_name(handle))
    if not password:
        raise FetchError(
            f"no app password stored for {handle}; edit the source in the Feeds pane "
            "(or run 'sources add' with --handle) to enter one"
        )
    try:
        response = http.post_json(
            f"{service}/xrpc/com.atproto.server.createSession",
            {"identifier": handle, "password": password},
        )
    except FetchError as exc:
        if exc.status in (400, 401):
            raise FetchError(
                f"Bluesky refused the app password for {handle}; edit the source in the "
                "Feeds pane to enter a new one"
            ) from None
        raise
    token = json.loads(response.content).get("accessJwt")
    if not token:
        raise FetchError("Bluesky did not return a session token")
    with _sessions_lock:
        _sessions[key] = token
    return token


def fetch(spec: SourceSpec, http: HttpClient) -> FetchOutcome:
    """Posts newer than the cursor (the newest indexedAt seen), a few pages at most."""
    handle = spec.config.get("handle")
    if not handle:
        raise FetchError("this Bluesky source has no handle; add it again with --handle")
    service = (spec.config.get("service") or DEFAULT_SERVICE).rstrip("/")
    words = query_of(spec.url)
    since = spec.cursor
    items: list[FeedItem] = []
    newest = since
    page_cursor: str | None = None
    if sends_secret_in_clear(service):
        raise FetchError(insecure_secret_words(service, "the Bluesky app password"))
    token = _session(http, service, handle)
    for _ in range(MAX_PAGES):
        params = {"q": words, "limit": PAGE, "sort": "latest"}
        if page_cursor:
            params["cursor"] = page_cursor
        url = f"{service}/xrpc/app.bsky.feed.searchPosts"
        try:
            response = http.get(url, params=params, headers={"Authorization": f"Bearer {token}"})
        except FetchError as exc:
            if exc.status != 401:
                raise
            token = _session(http, service, handle, renew=True)  # expired token
            response = http.get(url, params=params, headers={"Authorization": f"Bearer {token}"})
        try:
            data = json.loads(response.content)
        except ValueError:
            raise FetchError("Bluesky did not answer with JSON") from None
        posts = data.get("posts") or []
        reached_old = False
        for post in posts:
            indexed = post.get("indexedAt") or ""
            if since and indexed and indexed <= since:
                reached_old = True
                continue
            item = post_item(post)
            if item is not None:
                items.append(item)
            if indexed and (newest is None or indexed > newest):
                newest = indexed
        page_cursor = data.get("cursor")
        if reached_old or not page_cursor or not since or len(posts) < PAGE:
            break
    return FetchOutcome(items=items, cursor=newest)


def post_item(post: dict) -> FeedItem | None:
    """One searchPosts result as a FeedItem."""
    uri = post.get("uri")
    if not uri:
        return None
    record = post.get("record") or {}
    author = post.get("author") or {}
    handle = author.get("handle")
    rkey = uri.rsplit("/", 1)[-1]
    web = f"https://bsky.app/profile/{handle or author.get('did')}/post/{rkey}"
    reply = record.get("reply") or {}
    langs = record.get("langs") or []
    created = record.get("createdAt") or post.get("indexedAt")
    published = None
    if isinstance(created, str):
        try:
            published = utc(datetime.fromisoformat(created.replace("Z", "+00:00")))
        except ValueError:
            published = None
    return FeedItem(
        item_key=uri,
        url=web,
        title=None,
        text=record.get("text") or "",
        html=None,
        published=published or datetime.now(UTC),
        author_name=author.get("displayName") or handle,
        author_handle=handle,
        author_url=f"https://bsky.app/profile/{handle}" if handle else None,
        language=langs[0].split("-")[0] if langs else None,
        remote_id=uri,
        remote_cid=post.get("cid"),
        thread_id=(reply.get("root") or {}).get("uri"),
        parent_id=(reply.get("parent") or {}).get("uri"),
        likes=post.get("likeCount"),
        reposts=post.get("repostCount"),
        replies=post.get("replyCount"),
    )
