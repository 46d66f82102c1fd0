"""Listening commands: ``sources`` and ``watch``."""

from __future__ import annotations

import argparse

from engage_desktop.cli.common import open_workspace, out


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    """Add the ``sources`` and ``watch`` command groups."""
    sources = sub.add_parser("sources", parents=[parent], help="feeds and other sources")
    s_sub = sources.add_subparsers(dest="sources_command", metavar="ACTION", required=True)
    s_list = s_sub.add_parser("list", parents=[parent], help="list sources with their health")
    s_list.set_defaults(func=cmd_sources_list)

    watch = sub.add_parser("watch", parents=[parent], help="watch queries")
    w_sub = watch.add_subparsers(dest="watch_command", metavar="ACTION", required=True)
    w_list = w_sub.add_parser("list", parents=[parent], help="list watch queries")
    w_list.set_defaults(func=cmd_watch_list)


def cmd_sources_list(args: argparse.Namespace) -> int:
    """Print one line per source."""
    from engage_desktop.storage.sources import list_sources

    with open_workspace(args) as ws:
        rows = list_sources(ws)
    out(f"{'id':>3}  {'kind':<8} {'items':>7}  {'last fetch':<16}  name / url")
    for s in rows:
        last = s["last_fetch_at"].strftime("%Y-%m-%d %H:%M") if s["last_fetch_at"] else "never"
        state = " [paused]" if s["paused"] else ""
        error = f"  error: {s['last_error']}" if s["last_error"] else ""
        out(f"{s['id']:>3}  {s['kind']:<8} {s['items']:>7}  {last:<16}  {s['name']}{state}")
        out(f"{'':>38}{s['url']}{error}")
    return 0


def cmd_watch_list(args: argparse.Namespace) -> int:
    """Print one line per watch query."""
    from engage_desktop.storage.sources import list_watch_queries

    with open_workspace(args) as ws:
        rows = list_watch_queries(ws)
    for w in rows:
        out(f"{w['id']:>3}  {w['topic']:<12} {w['matched']:>7}  {w['name']}: {w['query']}")
    return 0
