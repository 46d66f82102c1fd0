"""Listening commands: ``sources`` and ``watch``."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from datetime import UTC, datetime

from engage_desktop.cli.common import err, open_workspace, out
from engage_desktop.cli.errors import UsageError
from engage_desktop.core.errors import EngageError
from engage_desktop.sources.base import KINDS

BLUESKY_PASSWORD_ENV = "ENGAGE_DESKTOP_BLUESKY_PASSWORD"


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    """Add the ``sources`` and ``watch`` command groups."""
    sources = sub.add_parser("sources", parents=[parent], help="feeds and other sources")
    s_sub = sources.add_subparsers(dest="sources_command", metavar="ACTION", required=True)
    s_list = s_sub.add_parser("list", parents=[parent], help="list sources with their health")
    s_list.set_defaults(func=cmd_sources_list)

    s_add = s_sub.add_parser("add", parents=[parent], help="add a source")
    s_add.add_argument("url", metavar="URL", help="feed, web page, tag page, search or file")
    s_add.add_argument("--kind", choices=KINDS, help="adapter (default: guessed from URL)")
    s_add.add_argument("--all", action="store_true", help="keep every item, not only matches")
    s_add.add_argument("--name", help="display name (default: the feed's title)")
    s_add.add_argument("--tag", action="append", default=[], help="a tag (repeatable)")
    s_add.add_argument(
        "--every",
        type=int,
        default=15,
        metavar="MIN",
        help="fetch interval in minutes (default 15)",
    )
    s_add.add_argument("--handle", help="Bluesky: your handle (app password asked once)")
    s_add.add_argument("--service", help="Bluesky: the PDS address (default bsky.social)")
    s_add.add_argument(
        "--instances",
        metavar="HOSTS",
        help="Mastodon: also read the tag on these instances (comma-separated)",
    )
    s_add.add_argument(
        "--key", help="Stack Exchange: an app key (not secret; raises the daily quota)"
    )
    s_add.add_argument(
        "--no-check", action="store_true", help="do not fetch the address now to find its feed"
    )
    s_add.set_defaults(func=cmd_sources_add)

    s_rm = s_sub.add_parser("remove", parents=[parent], help="delete a source")
    s_rm.add_argument("id", type=int, metavar="ID")
    s_rm.add_argument(
        "--with-mentions",
        action="store_true",
        help="also delete its mentions that nobody answered or annotated",
    )
    s_rm.set_defaults(func=cmd_sources_remove)

    s_imp = s_sub.add_parser("import-opml", parents=[parent], help="add the feeds of an OPML file")
    s_imp.add_argument("file", metavar="FILE")
    s_imp.add_argument("--all", action="store_true", help="keep every item of these feeds")
    s_imp.set_defaults(func=cmd_import_opml)
    s_exp = s_sub.add_parser("export-opml", parents=[parent], help="write feeds to OPML")
    s_exp.add_argument("file", metavar="FILE")
    s_exp.set_defaults(func=cmd_export_opml)

    watch = sub.add_parser("watch", parents=[parent], help="watch queries")
    w_sub = watch.add_subparsers(dest="watch_command", metavar="ACTION", required=True)
    w_list = w_sub.add_parser("list", parents=[parent], help="list watch queries")
    w_list.set_defaults(func=cmd_watch_list)
    w_add = w_sub.add_parser("add", parents=[parent], help="add a watch query")
    w_add.add_argument("name", metavar="NAME")
    w_add.add_argument("query", metavar="QUERY")
    w_add.add_argument("--topic", help="topic it counts toward (default: NAME)")
    w_add.add_argument(
        "--topic-kind",
        choices=("brand", "product", "competitor", "other"),
        default="other",
        help="kind of a new topic (default other)",
    )
    w_add.set_defaults(func=cmd_watch_add)
    w_test = w_sub.add_parser(
        "test", parents=[parent], help="back-test a query over the stored mentions"
    )
    w_test.add_argument("query", metavar="QUERY")
    w_test.set_defaults(func=cmd_watch_test)


def _when(value: datetime | None) -> str:
    if value is None:
        return "never"
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def health_word(s: dict, failing_after: int = 3) -> str:
    """One word for a source's health: ok, failing, paused, waiting, ..."""
    if s["paused"]:
        return "paused"
    if s["last_error"]:
        return (
            f"FAILING {s['failures']}x"
            if s["failures"] >= failing_after
            else (f"error {s['failures']}x")
        )
    if s["last_fetch_at"] is None:
        return "new"
    return "ok"


def cmd_sources_list(args: argparse.Namespace) -> int:
    """Print sources with their health."""
    from engage_desktop.listen.source_store import FAILING_AFTER, list_sources

    with open_workspace(args) as ws:
        rows = list_sources(ws)
    if not rows:
        out("no sources yet; add one with 'engage-desktop sources add URL'")
        return 0
    out(
        f"{'id':>3}  {'kind':<8} {'health':<11} {'items':>7} {'last run':>8}  "
        f"{'last fetch':<16}  {'last success':<16}  {'next run':<16}  name"
    )
    for s in rows:
        out(
            f"{s['id']:>3}  {s['kind']:<8} {health_word(s, FAILING_AFTER):<11} "
            f"{s['items']:>7} {s['items_last_run'] if s['items_last_run'] is not None else '-':>8}"
            f"  {_when(s['last_fetch_at']):<16}  {_when(s['last_success_at']):<16}  "
            f"{_when(s['next_run_at']) if not s['paused'] else '-':<16}  {s['name']}"
            f"{' [keep all]' if s['keep_all'] else ''}"
        )
        out(f"{'':>5}{s['url']}")
        if s["last_error"]:
            out(f"{'':>5}last error: {s['last_error']}")
        note = _note(s)
        if note:
            out(f"{'':>5}note: {note}")
    return 0


def _note(source: dict) -> str | None:
    """The words a working run left beside a source (quota left, paging cut short)."""
    import json

    try:
        config = json.loads(source.get("config") or "{}")
    except ValueError:
        return None
    note = config.get("note") if isinstance(config, dict) else None
    return note if isinstance(note, str) else None


def _bluesky_password(handle: str) -> str:
    password = os.environ.get(BLUESKY_PASSWORD_ENV)
    if password:
        return password
    if not sys.stdin.isatty():
        raise UsageError(
            f"an app password is needed for {handle}; set {BLUESKY_PASSWORD_ENV} "
            "or run the command in a terminal"
        )
    return getpass.getpass(f"Bluesky app password for {handle} (stored in the keyring): ")


def cmd_sources_add(args: argparse.Namespace) -> int:
    """Add one source, discovering a page's feed unless --no-check."""
    from engage_desktop.listen.subscriptions import add_source_checked

    with open_workspace(args, write=True) as ws:
        config = {}
        if args.handle:
            config["handle"] = args.handle.lstrip("@")
        if args.service:
            config["service"] = args.service
        if args.instances:
            from engage_desktop.sources.mastodon import instance_list

            try:
                config["instances"] = instance_list(args.instances)
            except ValueError as exc:
                raise UsageError(f"--instances: {exc}") from None
        if args.key:
            config["key"] = args.key.strip()
        password = None
        kind = args.kind
        if (
            kind == "bluesky" or args.url.startswith("bluesky:") or "bsky.app" in args.url
        ) and args.handle:
            password = _bluesky_password(args.handle)
        result = add_source_checked(
            ws, args.url, kind=kind, keep_all=args.all, name=args.name, tags=args.tag,
            interval_s=max(1, args.every) * 60, config=config, check=not args.no_check,
            bluesky_password=password,
        )  # fmt: skip
    for line in result.notes:
        err(line)
    out(f"added source {result.id}: {result.name} ({result.kind}) {result.url}")
    return 0


def cmd_sources_remove(args: argparse.Namespace) -> int:
    """Delete a source, saying what went with it."""
    from engage_desktop.listen.source_store import delete_source, get_source

    with open_workspace(args, write=True) as ws:
        src = get_source(ws, args.id)
        if src is None:
            raise UsageError(f"no source with id {args.id}; see 'engage-desktop sources list'")
        impact = delete_source(ws, args.id, with_mentions=args.with_mentions)
    if args.with_mentions:
        out(
            f"deleted source {args.id} ({src['name']}) and {impact['removed']} of its "
            f"mentions; kept {impact['kept']} that were answered, drafted or annotated"
        )
    else:
        out(f"deleted source {args.id} ({src['name']}); its {impact['mentions']} mentions stay")
    return 0


def cmd_import_opml(args: argparse.Namespace) -> int:
    """Add every feed of an OPML file; folders become tags."""
    from engage_desktop.listen.subscriptions import import_opml

    with open_workspace(args, write=True) as ws:
        refused: list[str] = []
        try:
            added, skipped = import_opml(ws, args.file, keep_all=args.all, refused=refused)
        except ValueError as exc:
            raise EngageError(str(exc)) from None
    if refused:
        more = f" and {len(refused) - 3} more" if len(refused) > 3 else ""
        shown = ", ".join(refused[:3]) + more
        err(
            f"left out {len(refused)} entries that are not web addresses (only http and "
            f"https feeds are imported): {shown}"
        )
    out(
        f"imported {added} feeds from {args.file}"
        + (f"; {skipped} were already sources" if skipped else "")
    )
    return 0


def cmd_export_opml(args: argparse.Namespace) -> int:
    """Write the feed sources to an OPML file."""
    from engage_desktop.listen.subscriptions import export_opml

    with open_workspace(args) as ws:
        n = export_opml(ws, args.file)
    out(f"wrote {n} feeds to {args.file}")
    return 0


def _parse_or_explain(text: str) -> None:
    from engage_desktop.core.query import QuerySyntaxError, parse

    try:
        parse(text)
    except QuerySyntaxError as exc:
        for line in exc.caret_line(text).splitlines():
            err(f"  {line}")
        raise UsageError(f"the query does not parse: {exc}") from None


def cmd_watch_list(args: argparse.Namespace) -> int:
    """Print one line per watch query."""
    from engage_desktop.listen.source_store import list_watch_queries

    with open_workspace(args) as ws:
        rows = list_watch_queries(ws)
    if not rows:
        out("no watch queries yet; add one with 'engage-desktop watch add NAME QUERY'")
    for w in rows:
        state = "" if w["enabled"] else " [off]"
        out(f"{w['id']:>3}  {w['topic']:<14} {w['matched']:>7}  {w['name']}{state}: {w['query']}")
    return 0


def cmd_watch_add(args: argparse.Namespace) -> int:
    """Add a watch query after checking that it parses."""
    from engage_desktop.cli.common import ProgressLine
    from engage_desktop.listen.source_store import add_watch_query
    from engage_desktop.listen.watch import apply_watch_query

    _parse_or_explain(args.query)
    with open_workspace(args, write=True) as ws:
        qid = add_watch_query(ws, args.name, args.query, args.topic, args.topic_kind)
        # Like a fetch, the stored history (imports included) gets the new topic.
        result = apply_watch_query(ws, qid, progress=ProgressLine("apply"))
        from engage_desktop.inbox.saved_views import sync_topic_views

        sync_topic_views(ws)  # a new competitor gets its saved view
        total = ws.scalar("SELECT count(*) FROM mentions")
    out(
        f"added watch query {qid}: {args.name} (topic {args.topic or args.name}); "
        f"it matches {result.matched:,} of {total:,} stored mentions, now tagged with it"
    )
    return 0


def cmd_watch_test(args: argparse.Namespace) -> int:
    """Back-test a query: how many stored mentions it would match, and the newest."""
    from engage_desktop.listen.watch import backtest

    _parse_or_explain(args.query)
    with open_workspace(args) as ws:
        result = backtest(ws, args.query)
    out(f"{result.matched:,} of {result.total:,} stored mentions match ({100 * result.share:.1f}%)")
    for published, source, head in result.samples:
        head = " ".join(str(head).split())[:100]
        out(f"  {_when(published)}  {source or '-'}: {head}")
    return 0
