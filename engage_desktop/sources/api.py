"""What the JSON-API adapters share: reading answers, dates and rate-limit words.

Reddit, Discourse, Stack Exchange and Lemmy all answer in JSON, throttle clients
that ask too often, and explain refusals in their own way; each adapter keeps its
own limits and words, and uses these helpers for the common parts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from engage_desktop.sources.http import FetchError, Response
from engage_desktop.sources.item import FeedItem, utc


def read_json(response: Response | bytes, service: str) -> Any:
    """The decoded JSON of an answer.

    Raises:
        FetchError: The answer is a web page or not JSON, in words naming ``service``.
    """
    content = response if isinstance(response, bytes) else response.content
    head = content[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")):
        raise FetchError(
            f"{service} answered with a web page instead of data (a login page, a "
            "block page or the wrong address); check the address, or try again later"
        )
    try:
        return json.loads(content)
    except (ValueError, RecursionError):
        raise FetchError(f"{service} did not answer with JSON; check the address") from None


def error_json(error: FetchError) -> dict[str, Any]:
    """The JSON object a service sent with an error status, or an empty dict."""
    try:
        data = json.loads(error.body) if error.body else None
    except (ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def iso_date(value: object) -> datetime | None:
    """An ISO 8601 timestamp as UTC (a missing zone is UTC, as Lemmy writes them)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return utc(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError:
        return None


def epoch_date(value: object) -> datetime | None:
    """Epoch seconds (int or float) as UTC."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(float(value), UTC)
    except (OverflowError, OSError, ValueError):
        return None


def header_number(headers: dict[str, str], name: str) -> float | None:
    """A numeric header (``x-ratelimit-remaining: 98.0``), or None."""
    value = headers.get(name)
    try:
        number = float(value) if value is not None else None
    except ValueError:
        return None
    if number is None or number != number or number < 0:  # NaN or negative
        return None
    return min(number, 24 * 3600.0)


def text_int(value: object) -> int | None:
    """An int field (never a bool) or None."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@dataclass(frozen=True)
class Page:
    """One page of a newest-first listing (Reddit, Lemmy).

    Attributes:
        entries: Each entry as an item (None for one that cannot be shown) and its
            creation time (None when unknown).
        more: Whether the service has a next page.
    """

    entries: list[tuple[FeedItem | None, datetime | None]]
    more: bool


def back_to_cursor(
    pages: Iterable[Page], since: datetime | None
) -> tuple[list[FeedItem], datetime | None]:
    """The items of a newest-first listing newer than ``since``, and the newest time seen.

    Pages are read one at a time (``pages`` is usually a generator that asks the
    service only when the next page is wanted): reading stops at the first page
    that reaches the cursor or is the last one. Without a cursor (a source's first
    run) only the first page is read, so a new source does not pull a whole archive.
    """
    newest = since
    items: list[FeedItem] = []
    for page in pages:
        reached_old = False
        for item, created in page.entries:
            if created is not None and since is not None and created <= since:
                reached_old = True
                continue
            if item is None:
                continue
            items.append(item)
            if created is not None and (newest is None or created > newest):
                newest = created
        if reached_old or since is None or not page.more:
            break
    return items, newest
