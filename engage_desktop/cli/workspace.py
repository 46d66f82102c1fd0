"""Workspace commands: ``new``, ``demo`` and ``info``."""

from __future__ import annotations

import argparse
from pathlib import Path

from engage_desktop.cli.common import ProgressLine, open_workspace, out
from engage_desktop.cli.errors import UsageError


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    """Add the workspace commands."""
    new = sub.add_parser(
        "new",
        parents=[parent],
        help="create an empty workspace, from a client's brief",
        description="Create an empty workspace. The brief becomes topics and watch queries "
        "(the name, its @handle and #hashtag, quoted names of several words), which you can "
        "edit later with 'watch'; suggested sources are listed and added only with "
        "--add-sources. Nothing is fetched until you run 'fetch'.",
    )
    new.add_argument("path", metavar="PATH", help="the workspace file to create (*.engage)")
    new.add_argument("--brand", metavar="NAME", help="the client's brand")
    new.add_argument(
        "--product", action="append", default=[], metavar="NAME", help="a product (repeatable)"
    )
    new.add_argument(
        "--competitor", action="append", default=[], metavar="NAME", help="a rival (repeatable)"
    )
    new.add_argument(
        "--language", action="append", default=[], metavar="CODE", help="e.g. en (repeatable)"
    )
    new.add_argument(
        "--add-sources", action="store_true", help="add every suggested source (not fetched)"
    )
    new.add_argument("--force", action="store_true", help="replace PATH if it exists")
    new.set_defaults(func=cmd_new)

    demo = sub.add_parser(
        "demo",
        parents=[parent],
        help="create a demo workspace with realistic synthetic data",
        description="Create a deterministic demo workspace: the fictional brand Nimbus, "
        "180 days of mentions over seven channels, an outage spike, answered threads.",
    )
    demo.add_argument("path", metavar="PATH", help="the workspace file to create (*.engage)")
    demo.add_argument(
        "--mentions",
        type=int,
        default=20_000,
        metavar="N",
        help="how many mentions (default: 20000)",
    )
    demo.add_argument("--seed", type=int, default=7, metavar="S", help="random seed (default: 7)")
    demo.add_argument("--force", action="store_true", help="replace PATH if it exists")
    demo.add_argument(
        "--no-enrich",
        action="store_true",
        help="skip sentiment, intents and priority (faster; the window scores them later)",
    )
    demo.set_defaults(func=cmd_demo)

    info = sub.add_parser("info", parents=[parent], help="summarise a workspace")
    info.set_defaults(func=cmd_info)


def cmd_new(args: argparse.Namespace) -> int:
    """Create an empty workspace, from a brief when one is given."""
    from engage_desktop.listen.brief import create_from_brief, make_brief, plan_brief

    brief = make_brief(args.brand, args.product, args.competitor, args.language)
    plan = None
    if brief.brand or brief.products or brief.competitors:
        plan = plan_brief(brief)
        for source in plan.sources:
            source.checked = args.add_sources
    summary = create_from_brief(Path(args.path), plan, overwrite=args.force)
    if plan is not None:
        for topic in plan.topics:
            out(f"topic {topic.name} ({topic.kind}): {topic.query}")
        verb = "added" if args.add_sources else "suggested"
        for source in plan.sources:
            out(f"{verb} source ({source.kind}): {source.url}")
        if not args.add_sources:
            out("add them with 'engage-desktop sources add URL' or run again with --add-sources")
    out(summary.line())
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Create the demo workspace."""
    from engage_desktop.demo.build import build_demo

    if args.mentions < 1:
        raise UsageError("--mentions must be at least 1")
    summary = build_demo(
        Path(args.path),
        args.mentions,
        args.seed,
        overwrite=args.force,
        progress=ProgressLine("demo"),
        enrich=not args.no_enrich,
    )
    out(
        f"created {summary.path}: {summary.mentions} mentions, {summary.authors} authors, "
        f"{summary.replies} replies in {summary.seconds:.1f} s"
    )
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    """Print what a workspace holds."""
    from engage_desktop.inbox.pager import counts

    with open_workspace(args) as ws:
        c = counts(ws)
        out(f"workspace: {ws.name} ({ws.path})")
        out(f"schema:    {ws.schema_version()}{' (read-only)' if ws.read_only else ''}")
        out(f"mentions:  {c['mentions']} ({c['new']} new, {c['open']} waiting)")
        out(f"sources:   {c['sources']}")
        if ws.manifest is not None:
            out(f"shared:    {ws.manifest.banner()}")
    return 0
