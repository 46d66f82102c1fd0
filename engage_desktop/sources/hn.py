"""Hacker News through the Algolia search API (``search_by_date``), stories and comments.

The source address is an Algolia API URL or the hn.algolia.com search page
(``https://hn.algolia.com/?q=WORDS``); the cursor is the newest ``created_at_i`` seen,
sent back as ``numericFilters=created_at_i>CURSOR``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

from engage_desktop.sources.base import FetchOutcome, SourceSpec
from engage_desktop.sources.http import FetchError, HttpClient
from engage_desktop.sources.item import FeedItem
from engage_desktop.sources.sanitize import clean_html, html_to_text

PAGE = 100
MAX_PAGES = 3
ITEM_URL = "https://news.ycombinator.com/item?id="


def api_of(url: str) -> tuple[str, str]:
    """The search_by_date endpoint and the words of a source address."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    words = (query.get("query") or query.get("q") or [""])[0].strip()
    if not words:
        raise ValueError(f"{url} has no search words; use https://hn.algolia.com/?q=WORDS")
    return f"{parts.scheme}://{parts.netloc}/api/v1/search_by_date", words


def fetch(spec: SourceSpec, http: HttpClient) -> FetchOutcome:
    """Stories and comments newer than the cursor."""
    endpoint, words = api_of(spec.url)
    since = int(spec.cursor) if spec.cursor and spec.cursor.isdigit() else None
    newest = since
    items: list[FeedItem] = []
    for page in range(MAX_PAGES):
        params: dict[str, str | int] = {
            "query": words,
            "tags": "(story,comment)",
            "hitsPerPage": PAGE,
            "page": page,
        }
        if since is not None:
            params["numericFilters"] = f"created_at_i>{since}"
        response = http.get(endpoint, params=params, accept="application/json")
        try:
            data = json.loads(response.content)
        except ValueError:
            raise FetchError("the search API did not answer with JSON") from None
        hits = data.get("hits") if isinstance(data, dict) else None
        if not isinstance(hits, list):
            raise FetchError("the search API's answer has no hits list")
        for hit in hits:
            item = hit_item(hit)
            if item is None:
                continue
            items.append(item)
            created = hit.get("created_at_i")
            if isinstance(created, int) and (newest is None or created > newest):
                newest = created
        if page + 1 >= int(data.get("nbPages") or 0) or since is None:
            break
    return FetchOutcome(items=items, cursor=str(newest) if newest is not None else None)


def hit_item(hit: dict) -> FeedItem | None:
    """One Algolia hit (story or comment) as a FeedItem."""
    oid = str(hit.get("objectID") or "")
    if not oid:
        return None
    is_comment = "comment" in (hit.get("_tags") or []) or bool(hit.get("comment_text"))
    body = hit.get("comment_text") if is_comment else hit.get("story_text")
    title = hit.get("title") or (f"Re: {hit['story_title']}" if hit.get("story_title") else None)
    created = hit.get("created_at_i")
    published = (
        datetime.fromtimestamp(created, UTC) if isinstance(created, int) else datetime.now(UTC)
    )
    text = html_to_text(body) if body else (title or "")
    story = hit.get("story_id")
    parent = hit.get("parent_id")
    author = hit.get("author")
    return FeedItem(
        item_key=f"{ITEM_URL}{oid}",
        url=hit.get("url") if not is_comment and hit.get("url") else f"{ITEM_URL}{oid}",
        title=title,
        text=text,
        html=clean_html(body) if body else None,
        published=published,
        author_name=author,
        author_handle=author,
        author_url=f"https://news.ycombinator.com/user?id={author}" if author else None,
        language=None,
        remote_id=oid,
        thread_id=str(story) if story is not None else None,
        parent_id=str(parent) if parent is not None else None,
        replies=hit.get("num_comments") if isinstance(hit.get("num_comments"), int) else None,
        score=hit.get("points") if isinstance(hit.get("points"), int) else None,
    )
