"""``locate``: where customers talk, ranked, and ``locate add N`` to listen there."""

from __future__ import annotations

import argparse

from engage_desktop.cli.common import err, open_workspace, out


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    """Add the ``locate`` command (and its ``add`` action)."""
    loc = sub.add_parser(
        "locate", parents=[parent], help="where customers talk, ranked, with sources to add"
    )
    _days(loc)
    loc.add_argument("--top", type=int, default=20, metavar="N", help="places listed (default 20)")
    loc.set_defaults(func=cmd_locate, locate_command=None)
    actions = loc.add_subparsers(dest="locate_command", metavar="ACTION")
    add = actions.add_parser(
        "add", parents=[parent], help="back-test the source offered for place N, then add it"
    )
    add.add_argument("place", metavar="N", help="the place's number in the list (or its name)")
    _days(add)
    add.add_argument(
        "--dry-run", action="store_true", help="only show what the source would have matched"
    )
    add.add_argument(
        "--no-check", action="store_true", help="add a site without fetching it to find its feed"
    )
    add.set_defaults(func=cmd_locate_add)


def _days(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--days", type=int, default=30, metavar="N", help="the window read (default 30 days)"
    )


def _check_days(args: argparse.Namespace) -> None:
    from engage_desktop.cli.errors import UsageError

    if args.days < 1:
        raise UsageError(f"--days must be 1 or more (got {args.days})")


def _percent(share: float) -> str:
    return f"{share * 100:.0f}%"


def cmd_locate(args: argparse.Namespace) -> int:
    """Print the ranked places."""
    from engage_desktop.listen.locate import kind_words, locate

    _check_days(args)
    with open_workspace(args) as ws:
        found = locate(ws, args.days, top=max(1, args.top))
    if not found.places:
        out(f"no mentions in the last {found.days} days; fetch or import some first")
        return 0
    until = f" up to {found.until:%Y-%m-%d}" if found.until else ""
    out(
        f"where they talk: {found.mentions:,} mentions of the last {found.days} days{until} "
        f"(growth against the {found.days} days before)"
    )
    out(f"{'#':>3}  {'place':<34} {'kind':<18} {'volume':>7} {'growth':>7} {'neg':>5}  listening")
    for p in found.places:
        listening = f"yes ({p.watched_by})" if p.watched else "no"
        out(
            f"{p.rank:>3}  {p.name[:34]:<34} {kind_words(p.kind)[:18]:<18} {p.volume:>7,} "
            f"{p.growth_words():>7} {_percent(p.share_negative):>5}  {listening}"
        )
        if p.suggestion is not None:
            out(f"{'':>5}add: {p.suggestion.label} -> {p.suggestion.url}")
    out("")
    if not found.words:
        out("no brand name is set, so no searches are offered; set brand.name to get them")
    out("listen at a place with 'engage-desktop locate add N' (it shows the back-test first)")
    return 0


def cmd_locate_add(args: argparse.Namespace) -> int:
    """Show the back-test of a place's source, then add it (unless --dry-run)."""
    from engage_desktop.listen.locate import add_place, backtest_place, find_place, locate

    _check_days(args)
    with open_workspace(args, write=not args.dry_run) as ws:
        place = find_place(locate(ws, args.days, top=500), args.place)
        test = backtest_place(ws, place)
        out(f"{place.name}: {place.suggestion.label if place.suggestion else 'no source'}")
        if test.matched:
            span = f"{test.first:%Y-%m-%d} to {test.last:%Y-%m-%d}"
            out(
                f"back-test: it would have matched {test.matched:,} stored mentions "
                f"({test.negative:,} negative, {_percent(test.negative / test.matched)}), {span}"
            )
            for when, head in test.samples:
                out(f"  {when:%Y-%m-%d}  {head[:100]}")
        else:
            out("back-test: no stored mention matches there yet")
        if args.dry_run:
            out("dry run: nothing added")
            return 0
        result = add_place(ws, place, check=not args.no_check)
    for line in result.notes:
        err(line)
    out(f"added source {result.id}: {result.name} ({result.kind}) {result.url}")
    return 0
