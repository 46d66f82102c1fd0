"""A new, empty workspace from a client's brief: topics, watch queries, suggested sources.

An agency starts a client with a brief: the brand, its products, its competitors,
the languages that matter. :func:`plan_brief` turns it into topics and watch
queries (the name, its @handle and #hashtag, quoted phrases for names of several
words) that the user can edit, and suggested sources (Mastodon and Bluesky
searches, Hacker News, Reddit and news search feeds) that the user ticks.
:func:`create_from_brief` writes the workspace atomically: it is built in a
temporary file in the same folder and renamed into place, so a failure leaves
nothing half-made. Nothing is fetched: the workspace's scheduled fetch starts
off, and the user fetches when ready.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote_plus

from engage_desktop.core.errors import InvalidInput, WorkspaceError
from engage_desktop.workspace import settings as S
from engage_desktop.workspace.database import SUFFIX, Workspace

MASTODON_INSTANCE = "https://mastodon.social"


@dataclass(frozen=True)
class Brief:
    """What the client asked to watch."""

    brand: str = ""
    products: tuple[str, ...] = ()
    competitors: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()


@dataclass
class TopicPlan:
    """One topic with its watch query (editable before the workspace is made)."""

    name: str
    kind: str  # brand, product, competitor
    query: str


@dataclass
class SourcePlan:
    """A suggested source; ``checked`` is the user's tick (off until ticked)."""

    kind: str
    url: str
    name: str
    checked: bool = False


@dataclass
class BriefPlan:
    """Everything the brief proposes."""

    brief: Brief
    topics: list[TopicPlan] = field(default_factory=list)
    sources: list[SourcePlan] = field(default_factory=list)


def _clean(names: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for name in names:
        name = " ".join(str(name).split())
        if name and name.lower() not in seen:
            seen[name.lower()] = name
    return tuple(seen.values())


def make_brief(
    brand: str | None = None,
    products: list[str] | tuple[str, ...] = (),
    competitors: list[str] | tuple[str, ...] = (),
    languages: list[str] | tuple[str, ...] = (),
) -> Brief:
    """A brief with names tidied (spaces collapsed, duplicates dropped).

    Raises:
        InvalidInput: A language is not a two- or three-letter code.
    """
    langs = tuple(code.strip().lower() for code in languages if code.strip())
    for code in langs:
        if not re.fullmatch(r"[a-z]{2,3}", code):
            raise InvalidInput(f"--language {code!r}: give a language code such as en or de")
    return Brief(
        " ".join((brand or "").split()), _clean(products), _clean(competitors), tuple(langs)
    )


def _compact(name: str) -> str:
    """``Acme Router X2`` -> ``acmerouterx2`` (how handles and hashtags write a name)."""
    return re.sub(r"[^0-9a-z_]", "", name.lower())


def query_for(name: str, *, phrase_only: bool = False) -> str:
    """The watch query of a name: the name (quoted when several words), @handle, #hashtag.

    Args:
        name: A brand, product or competitor.
        phrase_only: Products: the quoted name and its hashtag, no @handle (products
            rarely have accounts of their own).
    """
    words = name.split()
    term = f'"{name.lower()}"' if len(words) > 1 or phrase_only else name.lower()
    if not re.fullmatch(r"[\w\" -]+", term):
        term = '"' + name.lower().replace('"', "") + '"'
    compact = _compact(name)
    variants = [term]
    if compact and not phrase_only:
        variants.append(f"@{compact}")
    if compact:
        variants.append(f"#{compact}")
    return " OR ".join(dict.fromkeys(variants))


def plan_brief(brief: Brief) -> BriefPlan:
    """The topics, watch queries and suggested sources of a brief.

    Raises:
        InvalidInput: The brief names nothing to watch.
    """
    if not (brief.brand or brief.products or brief.competitors):
        raise InvalidInput("a brief needs a brand, a product or a competitor; e.g. --brand Acme")
    plan = BriefPlan(brief)
    if brief.brand:
        plan.topics.append(TopicPlan(brief.brand, "brand", query_for(brief.brand)))
    for product in brief.products:
        plan.topics.append(TopicPlan(product, "product", query_for(product, phrase_only=True)))
    for rival in brief.competitors:
        plan.topics.append(TopicPlan(rival, "competitor", query_for(rival)))
    main = brief.brand or (brief.products or brief.competitors)[0]
    plan.sources = suggested_sources(main, brief.languages)
    return plan


def suggested_sources(name: str, languages: tuple[str, ...] = ()) -> list[SourcePlan]:
    """Searches for ``name`` on the open networks and in news; none ticked."""
    words = quote_plus(f'"{name}"' if " " in name else name)
    tag = _compact(name)
    lang = (languages or ("en",))[0]
    sources = [
        SourcePlan("mastodon", f"{MASTODON_INSTANCE}/tags/{tag}", f"Mastodon #{tag}"),
        SourcePlan("bluesky", f"https://bsky.app/search?q={words}", f"Bluesky search: {name}"),
        SourcePlan("hn", f"https://hn.algolia.com/?q={words}", f"Hacker News: {name}"),
        SourcePlan(
            "rss",
            f"https://www.reddit.com/search.rss?q={words}&sort=new",
            f"Reddit search: {name}",
        ),
        SourcePlan(
            "rss",
            f"https://news.google.com/rss/search?q={words}&hl={lang}",
            f"News search: {name}",
        ),
        SourcePlan(
            "rss",
            f"https://www.bing.com/news/search?q={words}&format=rss",
            f"Bing News: {name}",
        ),
    ]
    return [s for s in sources if tag or s.kind != "mastodon"]


@dataclass
class CreateSummary:
    """What :func:`create_from_brief` made."""

    path: Path
    topics: int
    queries: int
    sources: int

    def line(self) -> str:
        """One line for the CLI and the status bar."""
        return (
            f"created {self.path}: {self.topics} topics, {self.queries} watch queries, "
            f"{self.sources} sources; nothing fetched yet (run 'engage-desktop fetch' "
            "or Fetch all in the window)"
        )


_CHANNELS = {"mastodon": "mastodon", "bluesky": "bluesky", "hn": "forum", "rss": "news"}


def create_from_brief(
    path: str | Path, plan: BriefPlan | None = None, *, overwrite: bool = False
) -> CreateSummary:
    """Write a new workspace for ``plan`` (None: an empty workspace), atomically.

    Raises:
        WorkspaceError: ``path`` exists and ``overwrite`` is false, or cannot be written.
    """
    path = Path(path)
    if path.suffix != SUFFIX:
        path = path.with_name(path.name + SUFFIX)
    if path.exists() and not overwrite:
        raise WorkspaceError(f"{path} already exists; choose another name or remove it first", path)
    if not path.parent.is_dir():
        raise WorkspaceError(f"folder {path.parent} does not exist; create it first", path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=SUFFIX, dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        ws = Workspace.create(tmp, overwrite=True)
        try:
            summary = _fill(ws, plan)
        finally:
            ws.close()
        os.replace(tmp, path)
    except OSError as exc:
        raise WorkspaceError(f"cannot write {path}: {exc.strerror or exc}", path) from None
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            if leftover.exists():
                leftover.unlink()
    summary.path = path
    return summary


def _fill(ws: Workspace, plan: BriefPlan | None) -> CreateSummary:
    from engage_desktop.listen.source_store import add_source, add_watch_query

    S.put(ws, S.FETCH_ON_SCHEDULE, False)
    summary = CreateSummary(ws.path, 0, 0, 0)
    if plan is not None:
        brief = plan.brief
        if brief.brand:
            S.put(ws, S.WORKSPACE_NAME, brief.brand)
            S.put(ws, S.BRAND_NAME, brief.brand)
        S.put(
            ws, S.BRIEF,
            {"brand": brief.brand, "products": list(brief.products),
             "competitors": list(brief.competitors), "languages": list(brief.languages)},
        )  # fmt: skip
        for topic in plan.topics:
            if not topic.query.strip():
                continue
            add_watch_query(ws, topic.name, topic.query, topic.name, topic.kind)
            summary.queries += 1
        summary.topics = len({t.name for t in plan.topics if t.query.strip()})
        for source in plan.sources:
            if source.checked:
                add_source(
                    ws, kind=source.kind, url=source.url, name=source.name,
                    channel=_CHANNELS.get(source.kind, "news"),
                )  # fmt: skip
                summary.sources += 1
    # Saved views (generic, plus one per competitor topic) are the inbox's: it seeds
    # them when it first opens the workspace.
    return summary
