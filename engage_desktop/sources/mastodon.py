"""Mastodon hashtag timelines through the public API (any instance).

``https://INSTANCE/tags/NAME`` becomes ``GET /api/v1/timelines/tag/NAME``, paged
backwards with ``max_id`` and forwards from the newest status seen (``since_id``, kept
in the source's cursor). The status id is kept as ``remote_id``: replies need it.
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
MAX_PAGES = 5
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
    """New statuses of the tag since the cursor (newest first, a few pages at most)."""
    base, tag = tag_of(spec.url)
    api = f"{base}/api/v1/timelines/tag/{quote(tag)}"
    since = spec.cursor
    items: list[FeedItem] = []
    newest = int(since) if since and since.isdigit() else None
    max_id: str | None = None
    for _ in range(MAX_PAGES):
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
        for status in statuses:
            item = status_item(status, base)
            if item is None:
                continue
            items.append(item)
            sid = str(status.get("id", ""))
            if sid.isdigit() and (newest is None or int(sid) > newest):
                newest = int(sid)
        if len(statuses) < PAGE or not since:
            # First run: one page is the recent past; later runs page back to the cursor.
            break
        max_id = str(statuses[-1].get("id"))
    return FetchOutcome(items=items, cursor=str(newest) if newest is not None else since)


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
