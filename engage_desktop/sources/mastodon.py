"""Mastodon hashtag timelines through the public API (any instance).

``https://INSTANCE/tags/NAME`` becomes ``GET /api/v1/timelines/tag/NAME``, paged
backwards with ``max_id`` and forwards from the newest status seen (``since_id``, kept
in the source's cursor); see :func:`fetch_tag`. One source may read the tag on several
instances (``config["instances"]``). The status id is kept as ``remote_id``: replies
need it.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlsplit

from engage_desktop.sources.base import FetchOutcome, SourceSpec
from engage_desktop.sources.http import FetchError, HttpClient
from engage_desktop.sources.item import FeedItem, utc
from engage_desktop.sources.sanitize import clean_html, html_to_text

PAGE = 40
#: Pages read on a source's first fetch: its recent history (200 statuses).
HISTORY_PAGES = 5
#: How far back a later fetch catches up when the cursor is older than that.
CATCH_UP = timedelta(hours=24)
#: A safety stop for a tag far busier than any brand's (4,000 statuses a run).
MAX_CATCH_UP_PAGES = 100
_TAG_PATH = re.compile(r"^/tags/([^/.?#]+)/?$")
#: An instance as a user types it: a host name, optionally with scheme and port.
_INSTANCE = re.compile(r"(?:https?://)?[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::\d{1,5})?")


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


def instance_list(text: str) -> list[str]:
    """Instances typed as a comma-separated list (``fosstodon.org, https://x.social``).

    Raises:
        ValueError: An entry is not an instance's name or address, in words.
    """
    found = []
    for entry in (e.strip().rstrip("/") for e in text.split(",")):
        if not entry:
            continue
        if not _INSTANCE.fullmatch(entry):
            raise ValueError(
                f"{entry[:60]!r} is not a Mastodon instance; write its name, like fosstodon.org"
            )
        found.append(entry)
    return found


def instances_of(spec: SourceSpec) -> list[str]:
    """Every instance a tag source reads: its own, then ``config["instances"]``."""
    base, _tag = tag_of(spec.url)
    bases = [base]
    for extra in spec.config.get("instances") or []:
        if not isinstance(extra, str) or not extra.strip():
            continue
        extra = extra.strip().rstrip("/")
        if "://" not in extra:
            extra = f"https://{extra}"
        if extra not in bases:
            bases.append(extra)
    return bases


def fetch(spec: SourceSpec, http: HttpClient) -> FetchOutcome:
    """New statuses of the tag on each of the source's instances.

    Each instance keeps its own cursor (status ids are per instance), stored as a
    JSON object ``{base: newest id}``; a bare id (one instance, older workspaces)
    is read as the first instance's. One instance failing does not lose the others:
    its error goes into the health note, unless every instance failed.
    """
    _base, tag = tag_of(spec.url)
    bases = instances_of(spec)
    cursors = _cursors(spec.cursor, bases[0])
    items: list[FeedItem] = []
    failed: list[str] = []
    first_error: FetchError | None = None
    for base in bases:
        try:
            found, newest = fetch_tag(http, base, tag, cursors.get(base))
        except FetchError as exc:
            first_error = first_error or exc
            failed.append(f"{urlsplit(base).hostname}: {exc}")
            continue
        items.extend(found)
        if newest is not None:
            cursors[base] = newest
    if first_error is not None and len(failed) == len(bases):
        raise first_error
    if len(bases) == 1:
        cursor = cursors.get(bases[0]) or spec.cursor
    else:
        cursor = json.dumps(cursors, sort_keys=True) if cursors else spec.cursor
    note = ("not read this run: " + "; ".join(failed)) if failed else None
    return FetchOutcome(items=items, cursor=cursor, note=note)


def _cursors(value: str | None, first: str) -> dict[str, str]:
    if not value:
        return {}
    if value.isdigit():
        return {first: value}
    try:
        data = json.loads(value)
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): str(v) for k, v in data.items() if str(v).isdigit()}


def fetch_tag(
    http: HttpClient, base: str, tag: str, since: str | None, *, now: datetime | None = None
) -> tuple[list[FeedItem], str | None]:
    """Statuses of ``#tag`` on one instance newer than ``since``, newest first.

    The first fetch (no cursor) reads :data:`HISTORY_PAGES` pages back in time with
    ``max_id``. Later fetches ask for statuses after the cursor (``since_id``) and
    page back until they reach it or statuses older than :data:`CATCH_UP` (a day),
    whichever comes first: a busy tag after a quiet weekend loses nothing from the
    last day. Returns the items and the newest status id seen.
    """
    api = f"{base}/api/v1/timelines/tag/{quote(tag)}"
    since = since if since and since.isdigit() else None
    oldest_wanted = (now or datetime.now(UTC)) - CATCH_UP
    items: list[FeedItem] = []
    newest = int(since) if since else None
    max_id: str | None = None
    for _ in range(MAX_CATCH_UP_PAGES if since else HISTORY_PAGES):
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
        reached_day = False
        for status in statuses:
            sid = str(status.get("id", "")) if isinstance(status, dict) else ""
            if sid.isdigit():
                oldest = int(sid) if oldest is None else min(oldest, int(sid))
                if newest is None or int(sid) > newest:
                    newest = int(sid)
            item = status_item(status, base) if isinstance(status, dict) else None
            if item is not None:
                items.append(item)
                reached_day = reached_day or item.published < oldest_wanted
        if len(statuses) < PAGE or oldest is None or (since and reached_day):
            break  # a short page: the end of the timeline (or back at the cursor)
        max_id = str(oldest)  # the next page: statuses older than this one's oldest
    return items, str(newest) if newest is not None else None


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
