"""Reddit search and subreddit listings through its public JSON feeds (no account).

Addresses users paste are mapped to the listing's ``.json`` twin:

- ``https://www.reddit.com/r/SUB/search?q=WORDS`` (also ``.rss``/``.json``): a search
  inside one subreddit, newest first;
- ``https://www.reddit.com/search?q=WORDS``: a search of all of Reddit;
- ``https://www.reddit.com/r/SUB`` or ``/r/SUB/new``: the subreddit's new posts.

Paging follows the listing's ``after`` token back to the cursor (the newest
``created_utc`` seen) for at most :data:`MAX_PAGES` pages. Reddit allows clients
without an account very few requests (about ten a minute) and says so in
``x-ratelimit-remaining`` / ``x-ratelimit-reset``; when the allowance is spent the
fetch stops paging and says so in the source's health, and a 429 becomes a wait
the scheduler honours.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

from engage_desktop.sources.api import (
    Page,
    back_to_cursor,
    epoch_date,
    header_number,
    read_json,
    text_int,
)
from engage_desktop.sources.base import FetchOutcome, SourceSpec
from engage_desktop.sources.http import FetchError, HttpClient, wait_words
from engage_desktop.sources.item import FeedItem
from engage_desktop.sources.sanitize import clean_html, html_to_text

PAGE = 100
MAX_PAGES = 3
#: Reddit asks unauthenticated clients to poll gently: a source every 30 minutes.
DEFAULT_INTERVAL_S = 1800
SERVICE = "Reddit"


def listing_of(url: str) -> tuple[str, dict[str, str], str]:
    """The JSON listing behind a Reddit address, its parameters and a label.

    Raises:
        ValueError: The address is not a Reddit search or subreddit, in words.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{url} is not a Reddit address; use https://www.reddit.com/r/NAME")
    base = f"{parts.scheme}://{parts.netloc}"
    path = parts.path.rstrip("/")
    for suffix in (".rss", ".json", ".xml"):
        path = path.removesuffix(suffix)
    words = (parse_qs(parts.query).get("q") or [""])[0].strip()
    segments = [s for s in path.split("/") if s]
    sub = segments[1] if len(segments) >= 2 and segments[0] == "r" else None
    if segments[-1:] == ["search"]:
        if not words:
            raise ValueError(f"{url} has no search words; add ?q=WORDS")
        params = {"q": words, "sort": "new", "t": "all"}
        if sub:
            params["restrict_sr"] = "1"
            return f"{base}/r/{sub}/search.json", params, f"r/{sub} search: {words}"
        return f"{base}/search.json", params, f"Reddit search: {words}"
    if sub and len(segments) in (2, 3):
        return f"{base}/r/{sub}/new.json", {}, f"r/{sub}"
    raise ValueError(
        f"{url} is not a Reddit search or subreddit; use https://www.reddit.com/r/NAME "
        "or https://www.reddit.com/r/NAME/search?q=WORDS"
    )


def search_url(base: str, subreddit: str | None, words: str) -> str:
    """The address of a search (in one subreddit when named), newest first."""
    from urllib.parse import urlencode

    if subreddit:
        query = urlencode({"q": words, "restrict_sr": "1", "sort": "new"})
        return f"{base.rstrip('/')}/r/{subreddit}/search?{query}"
    return f"{base.rstrip('/')}/search?{urlencode({'q': words, 'sort': 'new'})}"


def fetch(spec: SourceSpec, http: HttpClient) -> FetchOutcome:
    """Posts (and comments) newer than the cursor, newest first."""
    try:
        endpoint, base_params, _label = listing_of(spec.url)
    except ValueError as exc:
        raise FetchError(str(exc)) from None
    base = "{0.scheme}://{0.netloc}".format(urlsplit(spec.url))
    spent: list[tuple[str, float]] = []  # the note and wait when the allowance ran out

    def pages() -> Iterator[Page]:
        after: str | None = None
        for page in range(MAX_PAGES):
            params = {**base_params, "limit": str(PAGE), "raw_json": "1"}
            if after:
                params["after"] = after
            try:
                response = http.get(endpoint, params=params, accept="application/json")
            except FetchError as exc:
                raise _throttled(exc) if exc.status == 429 else _refused(exc) from None
            listing = read_json(response, SERVICE)
            data = listing.get("data") if isinstance(listing, dict) else None
            children = data.get("children") if isinstance(data, dict) else None
            if not isinstance(children, list):
                raise FetchError(
                    "Reddit's answer is not a listing (no data.children); check the address"
                )
            after = data.get("after") if isinstance(data.get("after"), str) else None
            yield Page([_child_item(child, base) for child in children],
                       bool(after) and len(children) >= PAGE)  # fmt: skip
            # Asked for the next page: only if the allowance lets us.
            remaining = header_number(response.headers, "x-ratelimit-remaining")
            if remaining is not None and remaining < 1:
                reset = header_number(response.headers, "x-ratelimit-reset") or 60.0
                spent.append((
                    f"Reddit's allowance for readers without an account is used up; read "
                    f"{page + 1} page(s), older posts since the last run were skipped "
                    f"(it resets in {wait_words(reset)})", reset,
                ))  # fmt: skip
                return

    items, newest = back_to_cursor(pages(), epoch_date(_cursor(spec.cursor)))
    cursor = f"{newest.timestamp():.0f}" if newest is not None else spec.cursor
    note, wait = spent[0] if spent else (None, None)
    return FetchOutcome(items=items, cursor=cursor, note=note, wait_s=wait)


def _cursor(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None


def _throttled(exc: FetchError) -> FetchError:
    wait = exc.retry_after
    if wait is None:
        wait = header_number(exc.headers, "x-ratelimit-reset")
    wait = wait if wait is not None else 60.0
    return FetchError(
        "Reddit is throttling readers without an account (429: too many requests); "
        f"it asked us to wait {wait_words(wait)}, the source resumes then",
        retry_after=wait,
        status=429,
    )


def _refused(exc: FetchError) -> FetchError:
    if exc.status == 403:
        return FetchError(
            "Reddit refused access (403): the subreddit is private or banned, or Reddit "
            "blocks this network; open the address in a browser to see why",
            status=403,
        )
    if exc.status == 404:
        return FetchError(
            "Reddit has no such subreddit or listing (404); check the name", status=404
        )
    return exc


def _child_item(child: object, base: str) -> tuple[FeedItem | None, datetime | None]:
    """One listing child (t3 post or t1 comment) and its creation time."""
    if not isinstance(child, dict) or child.get("kind") not in ("t3", "t1"):
        return None, None
    d = child.get("data")
    if not isinstance(d, dict):
        return None, None
    created = epoch_date(d.get("created_utc"))
    name = d.get("name") if isinstance(d.get("name"), str) else None
    permalink = d.get("permalink") if isinstance(d.get("permalink"), str) else None
    if not name or not permalink or not permalink.startswith("/"):
        return None, created
    is_comment = child.get("kind") == "t1"
    body_html = d.get("body_html" if is_comment else "selftext_html")
    body = d.get("body" if is_comment else "selftext") or ""
    title = d.get("title") if not is_comment else None
    author = d.get("author") if isinstance(d.get("author"), str) else None
    if author in ("[deleted]", None):
        author = None
    text = html_to_text(body_html) if isinstance(body_html, str) and body_html else str(body)
    link_id = d.get("link_id") if is_comment else name
    return (
        FeedItem(
            item_key=f"{base}{permalink}",
            url=f"{base}{permalink}",
            title=str(title) if title else None,
            text=text or str(title or ""),
            html=clean_html(body_html) if isinstance(body_html, str) and body_html else None,
            published=created or datetime.now(UTC),
            author_name=author,
            author_handle=author,
            author_url=f"{base}/user/{author}" if author else None,
            remote_id=name,
            thread_id=str(link_id) if link_id else None,
            parent_id=str(d["parent_id"]) if is_comment and d.get("parent_id") else None,
            replies=text_int(d.get("num_comments")),
            score=text_int(d.get("score")),
        ),
        created,
    )
