"""What every source adapter takes and returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engage_desktop.sources.item import FeedItem

KINDS = (
    "rss",
    "mastodon",
    "bluesky",
    "hn",
    "file",
    "reddit",
    "discourse",
    "stackexchange",
    "lemmy",
    "news",
)


@dataclass(frozen=True)
class SourceSpec:
    """The stored state of one source that a fetch needs.

    Attributes:
        id: The source's id in the workspace.
        kind: One of :data:`KINDS`.
        url: The address the user gave.
        name: Display name.
        channel: Where its items come from (blog, mastodon, reddit, ...).
        etag: Validator from the last 200 response.
        last_modified: Validator from the last 200 response.
        cursor: Paging state (newest id seen, a timestamp, ...).
        config: Adapter options (never secrets).
    """

    id: int
    kind: str
    url: str
    name: str
    channel: str
    etag: str | None = None
    last_modified: str | None = None
    cursor: str | None = None
    config: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class FetchOutcome:
    """What one fetch brought back (failures raise FetchError instead).

    Either ``items`` (JSON APIs, parsed on the spot) or ``document`` (a feed for the
    parse pool) is set, unless the server said "not modified".
    """

    items: list[FeedItem] | None = None
    document: bytes | None = None
    content_type: str | None = None
    feed_url: str | None = None
    not_modified: bool = False
    etag: str | None = None
    last_modified: str | None = None
    cursor: str | None = None
    moved_to: str | None = None  # the feed moved permanently (301/308) to this address
    #: Words for the source's health line on a run that worked (a quota left, a
    #: service that limited paging): shown beside the source, never an error.
    note: str | None = None
    #: Seconds the service asked us to leave it alone although this run worked
    #: (Stack Exchange's ``backoff``, a rate-limit window used up).
    wait_s: float | None = None
