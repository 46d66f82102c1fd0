"""Mastodon hashtag timelines through the public API (any instance).

``https://INSTANCE/tags/NAME`` becomes ``GET /api/v1/timelines/tag/NAME``, paged
backwards with ``max_id`` and forwards from the newest status seen (``since_id``, kept
in the source's cursor); see :func:`fetch`. The status id is kept as ``remote_id``:
replies need it.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit

from engage_desktop.sources.base import FetchOutcome, SourceSpec
from engage_desktop.sources.http import FetchError, HttpClient
from engage_desktop.sources.item import FeedItem, utc
from engage_desktop.sources.sanitize import clean_html, html_to_text

PAGE = 40
#: Pages read on a source's first fetch: its recent history (200 statuses).
HISTORY_PAGES = 5
#: Pages read on later fetches to catch up with a busy tag (400 new statuses a run).
CATCH_UP_PAGES = 10
_TAG_PATH = re.compile(r"^/tags/([^/.?#]+)/?$")


def tag_of(url: str) -> tuple[str, str]:
    """The instance base URL and hashtag of ``https://INSTANCE/tags/NAME``.

    Raises:
        ValueError: The address is not a tag page.
    """
    parts = urlsplit(url)
    m = _TAG_PATH.match(parts.path)
    if not parts.scheme or not parts.netloc or not m:
        raise ValueError(f"{url} is not a Mastodon tag address; use https://INSTANCE/tags/NAME")
    return f"{parts.scheme}://{parts.netloc}", m.group(1)


def fetch(spec: SourceSpec, http: HttpClient) -> FetchOutcome:
    """New statuses of the tag since the cursor, newest first, page by page.

    The first fetch reads :data:`HISTORY_PAGES` pages back in time with ``max_id``;
    later fetches ask for statuses after the cursor (``since_id``) and page back
    with ``max_id`` until they reach it, at most :data:`CATCH_UP_PAGES` pages, so a
    busy tag loses nothing between two runs unless more than 400 statuses arrived.
    """
    base, tag = tag_of(spec.url)
    api = f"{base}/api/v1/timelines/tag/{quote(tag)}"
    since = spec.cursor if spec.cursor and spec.cursor.isdigit() else None
    items: list[FeedItem] = []
    newest = int(since) if since else None
    max_id: str | None = None
    for _ in range(CATCH_UP_PAGES if since else HISTORY_PAGES):
        params: dict[str, str | int] = {"limit": PAGE}
        if since:
            params["since_id"] = since
        if max_id:
            params["max_id"] = max_id
        response = http.get(api, accept="application/json", params=params)
        try:
            statuses = json.loads(response.content)
        except ValueError:
            raise FetchError("the instance did not answer with Mastodon JSON") from None
        if not isinstance(statuses, list):
            raise FetchError("the instance did not answer with a list of statuses")
        oldest: int | None = None
        for status in statuses:
            sid = str(status.get("id", "")) if isinstance(status, dict) else ""
            if sid.isdigit():
                oldest = int(sid) if oldest is None else min(oldest, int(sid))
                if newest is None or int(sid) > newest:
                    newest = int(sid)
            item = status_item(status, base) if isinstance(status, dict) else None
            if item is not None:
                items.append(item)
        if len(statuses) < PAGE or oldest is None:
            break  # a short page: the end of the timeline (or back at the cursor)
        max_id = str(oldest)  # the next page: statuses older than this one's oldest
    return FetchOutcome(items=items, cursor=str(newest) if newest is not None else spec.cursor)


def status_item(status: dict, base: str) -> FeedItem | None:
    """One Mastodon status as a FeedItem (boosts are skipped: the original counts)."""
    if not isinstance(status, dict) or status.get("reblog"):
        return None
    account = status.get("account") or {}
    acct = account.get("acct") or account.get("username") or ""
    if acct and "@" not in acct:
        acct = f"{acct}@{urlsplit(base).hostname}"
    content = status.get("content") or ""
    spoiler = status.get("spoiler_text") or None
    created = _date(status.get("created_at"))
    url = status.get("url") or status.get("uri")
    sid = str(status.get("id") or "")
    if not url and not sid:
        return None
    return FeedItem(
        item_key=url or f"{base}/statuses/{sid}",
        url=url,
        title=spoiler,
        text=html_to_text(content),
        html=clean_html(content),
        published=created or datetime.now(UTC),
        author_name=account.get("display_name") or account.get("username"),
        author_handle=acct or None,
        author_url=account.get("url"),
        language=status.get("language"),
        remote_id=sid or None,
        parent_id=_str(status.get("in_reply_to_id")),
        followers=_int(account.get("followers_count")),
        likes=_int(status.get("favourites_count")),
        reposts=_int(status.get("reblogs_count")),
        replies=_int(status.get("replies_count")),
    )


def _date(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return utc(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError:
        return None


def _int(value: object) -> int | None:
    return value if isinstance(value, int) else None


def _str(value: object) -> str | None:
    return None if value is None else str(value)
