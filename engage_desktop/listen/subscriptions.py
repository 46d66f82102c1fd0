"""Adding sources the way users paste them, and OPML in and out."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engage_desktop.core.errors import EngageError, InvalidInput
from engage_desktop.listen import source_store as repo
from engage_desktop.sources.http import FetchError, HttpClient, HttpLimits
from engage_desktop.sources.opml import OpmlFeed, read_opml, write_opml
from engage_desktop.sources.registry import (
    default_name,
    find_feed,
    guess_channel,
    guess_kind,
    validate,
)
from engage_desktop.workspace.database import Workspace

CHECK_LIMITS = HttpLimits(
    connect_timeout=8.0,
    read_timeout=12.0,
    deadline=20.0,
    host_delay=0.0,
    deadline_advice="try adding it again later",
)
#: The shortest fetch interval of kinds whose services ration readers without an
#: account: Reddit (about ten requests a minute per address) and Stack Exchange
#: (300 requests a day per address without an app key).
MIN_INTERVAL_S = {"reddit": 600, "stackexchange": 900}


@dataclass(frozen=True)
class AddResult:
    """A source just added, and what the user should know about it."""

    id: int
    name: str
    kind: str
    url: str
    notes: list[str] = field(default_factory=list)


def resolve_feed(url: str) -> tuple[str, list[tuple[str, str]]]:
    """The feed behind a pasted address (a page's ``<link rel=alternate>``).

    Raises:
        EngageError: The address cannot be fetched or announces no feed.
    """
    with HttpClient(CHECK_LIMITS) as http:
        try:
            return find_feed(url, http)
        except FetchError as exc:
            raise EngageError(
                f"cannot use {url}: {exc} (add it with --no-check to skip this check)"
            ) from None


def add_source_checked(
    ws: Workspace,
    url: str,
    *,
    kind: str | None = None,
    keep_all: bool = False,
    name: str | None = None,
    tags: list[str] | None = None,
    interval_s: int = 900,
    config: dict[str, Any] | None = None,
    check: bool = True,
    bluesky_password: str | None = None,
) -> AddResult:
    """Validate, discover the feed of a web page, store secrets, and add the source.

    Raises:
        InvalidInput: The address does not fit the kind.
        EngageError: The address cannot be used, or is already a source.
    """
    url = url.strip()
    kind = kind or guess_kind(url)
    notes: list[str] = []
    if kind == "news" and url.startswith("news:"):
        from engage_desktop.sources.news import from_shorthand

        try:
            url = from_shorthand(url)
        except ValueError as exc:
            raise InvalidInput(str(exc)) from None
    least = MIN_INTERVAL_S.get(kind, 0)
    if interval_s < least:
        notes.append(
            f"{kind} rations readers without an account: fetched every "
            f"{least // 60} minutes at most"
        )
        interval_s = least
    if kind == "file" and not url.startswith(("file://", "resource://")):
        url = str(Path(url).expanduser().resolve())
    try:
        validate(kind, url)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    config = dict(config or {})
    if kind == "rss" and check and url.startswith(("http://", "https://")):
        feed, found = resolve_feed(url)
        if feed != url:
            notes.append(f"found the feed {feed} on that page")
            if len(found) > 1:
                notes.append("the page also offers: " + ", ".join(u for u, _ in found[1:4]))
            url = feed
    if kind == "bluesky":
        handle = config.get("handle")
        if not handle:
            raise InvalidInput("a Bluesky search needs your handle: add --handle HANDLE")
        if bluesky_password:
            from engage_desktop.sources.bluesky import secret_name
            from engage_desktop.workspace.secrets import fallback_path, set_secret, uses_keyring

            set_secret(secret_name(handle), bluesky_password)
            if not uses_keyring():
                notes.append(
                    f"no system keyring found; the app password is in {fallback_path()} "
                    "(readable only by you)"
                )
    if not name:
        name = default_name(kind, url)
        config["auto_name"] = True
    source_id = repo.add_source(
        ws, kind=kind, url=url, name=name, channel=guess_channel(kind, url), tags=tags or [],
        keep_all=keep_all, interval_s=interval_s, config=config or None,
    )  # fmt: skip
    return AddResult(source_id, name, kind, url, notes)


def import_opml(
    ws: Workspace,
    path: str | Path,
    *,
    keep_all: bool = False,
    refused: list[str] | None = None,
) -> tuple[int, int]:
    """Add every web feed of an OPML file (folders become tags).

    Args:
        ws: The workspace.
        path: The OPML file (from a client: untrusted).
        keep_all: Keep every item of these feeds, not only matches.
        refused: Collects the addresses left out because they are not http(s)
            (``file:``, ``resource:``...): a file never makes the app read a path.

    Returns:
        Feeds added, and feeds skipped because they were already sources.

    Raises:
        ValueError: The file is not OPML.
    """
    feeds = read_opml(path, refused)
    added = skipped = 0
    known = {s["url"] for s in repo.list_sources(ws)}
    for feed in feeds:
        if feed.url in known:
            skipped += 1
            continue
        config = {"site_url": feed.site_url} if feed.site_url else None
        repo.add_source(
            ws, kind="rss", url=feed.url, name=feed.title, channel=guess_channel("rss", feed.url),
            tags=list(feed.tags), keep_all=keep_all, config=config,
        )  # fmt: skip
        known.add(feed.url)
        added += 1
    return added, skipped


def export_opml(ws: Workspace, path: str | Path) -> int:
    """Write every RSS/Atom source to an OPML file; return how many."""
    import json

    feeds = []
    for s in repo.list_sources(ws):
        if s["kind"] != "rss":
            continue
        config = json.loads(s["config"]) if s["config"] else {}
        feeds.append(OpmlFeed(s["url"], s["name"], tuple(s["tags"] or ()), config.get("site_url")))
    return write_opml(path, feeds, title=f"{ws.name} — engage-desktop")
