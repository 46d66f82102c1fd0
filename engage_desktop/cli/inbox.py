"""Inbox commands: list mentions by filter or saved view, and triage them in bulk.

The same filters, saved views and triage service as the window, so a script can
resolve, tag or assign what an analyst would, with every change in the audit log.
"""

from __future__ import annotations

import argparse

from engage_desktop.cli.common import open_workspace, out
from engage_desktop.cli.errors import UsageError

STATUSES = ("new", "open", "pending", "resolved", "ignored", "spam")


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    """Add the ``inbox`` command group."""
    inbox = sub.add_parser("inbox", parents=[parent], help="list and triage mentions")
    i_sub = inbox.add_subparsers(dest="inbox_command", metavar="ACTION", required=True)

    listing = i_sub.add_parser("list", parents=[parent], help="mentions matching a filter")
    listing.add_argument("--view", metavar="NAME", help="a saved view, e.g. 'Outage'")
    listing.add_argument("--status", action="append", choices=STATUSES, default=[])
    listing.add_argument("--topic", action="append", default=[], metavar="TOPIC")
    listing.add_argument("--channel", action="append", default=[], metavar="CHANNEL")
    listing.add_argument(
        "--sentiment",
        action="append",
        default=[],
        choices=("positive", "neutral", "negative", "unscored"),
    )
    listing.add_argument("--search", default="", metavar="TEXT", help="words, phrases, -words")
    listing.add_argument("--days", type=int, metavar="N", help="only the last N days")
    listing.add_argument("--unanswered", action="store_true", help="no reply yet")
    listing.add_argument(
        "--sort", default="time", choices=("time", "oldest", "priority", "reach", "sentiment")
    )
    listing.add_argument(
        "--customers-only", action="store_true", help="only authors linked to a customer"
    )
    listing.add_argument(
        "--not-customers", action="store_true", help="only authors who are not customers"
    )
    listing.add_argument(
        "--tier", action="append", default=[], metavar="T", help="customer tier ('top': the best)"
    )
    listing.add_argument("--min-value", type=float, metavar="V", help="lowest customer value")
    listing.add_argument("--max-value", type=float, metavar="V", help="highest customer value")
    listing.add_argument("--customer", metavar="ID", help="one customer (the CRM's customer_id)")
    listing.add_argument("--limit", type=int, default=50, metavar="N")
    listing.add_argument("--count", action="store_true", help="print only the count")
    listing.set_defaults(func=cmd_list)

    views = i_sub.add_parser("views", parents=[parent], help="saved views with their counts")
    views.set_defaults(func=cmd_views)

    for name, helptext in (
        ("status", "set the status of mentions"),
        ("tag", "add a tag to mentions"),
        ("assign", "assign mentions to someone ('' unassigns)"),
    ):
        p = i_sub.add_parser(name, parents=[parent], help=helptext)
        p.add_argument("value", metavar={"status": "STATUS", "tag": "TAG", "assign": "OWNER"}[name])
        p.add_argument(
            "ids", nargs="+", metavar="MENTION_ID", help="our id or an imported external id"
        )
        p.set_defaults(func=cmd_triage, action=name)


def _filter(args: argparse.Namespace, ws):
    from engage_desktop.inbox.filters import InboxFilter
    from engage_desktop.inbox.saved_views import list_views

    base = InboxFilter()
    if args.view:
        found = [v for v in list_views(ws) if v.name.lower() == args.view.lower()]
        if not found:
            names = ", ".join(v.name for v in list_views(ws)) or "none"
            raise UsageError(f"no saved view called {args.view!r}; the views are: {names}")
        base = found[0].filter
    changes = {}
    for key, value in (
        ("statuses", tuple(args.status)),
        ("topics", tuple(args.topic)),
        ("channels", tuple(args.channel)),
        ("sentiments", tuple(args.sentiment)),
    ):
        if value:
            changes[key] = value
    if args.search:
        changes["search"] = args.search
    if args.days:
        changes["within_days"] = args.days
    if args.unanswered:
        changes["has_reply"] = False
    changes.update(_segment(args))
    if (
        args.customer
        and ws.scalar("SELECT count(*) FROM customers WHERE external_id = ?", [args.customer]) == 0
    ):
        raise UsageError(
            f"no customer {args.customer!r}; 'engage-desktop customers list' shows the ids"
        )
    if args.sort != "time" or not args.view:
        changes["sort"] = args.sort
    return base.with_(**changes)


def _segment(args: argparse.Namespace) -> dict:
    """The customer-segment criteria of the command line."""
    from engage_desktop.inbox.filters import TOP_TIER

    if args.customers_only and args.not_customers:
        raise UsageError("--customers-only and --not-customers exclude each other; use one")
    found: dict = {}
    if args.customers_only:
        found["customers"] = True
    if args.not_customers:
        if args.tier or args.customer or args.min_value is not None or args.max_value is not None:
            raise UsageError("--not-customers cannot be combined with customer criteria")
        found["customers"] = False
    if args.tier:
        found["customer_tiers"] = tuple(TOP_TIER if t.lower() == "top" else t for t in args.tier)
    if args.min_value is not None:
        found["min_value"] = args.min_value
    if args.max_value is not None:
        found["max_value"] = args.max_value
    if args.customer:
        found["customer"] = args.customer
    return found


def cmd_list(args: argparse.Namespace) -> int:
    """Print the count, then one line per mention."""
    from engage_desktop.inbox.filters import to_query
    from engage_desktop.inbox.pager import ROW_FIELDS, MentionPager

    if args.limit < 0:
        raise UsageError("--limit must be 0 or more")
    f = {name: i for i, name in enumerate(ROW_FIELDS)}
    with open_workspace(args) as ws:
        pager = MentionPager(ws, to_query(_filter(args, ws), ws.actor))
        try:
            total = pager.count()
            out(f"{total:,} mentions")
            if args.count:
                return 0
            for i in range(min(args.limit, total)):
                row = pager.row(i)
                text = (row[f["title"]] or row[f["snippet"]] or "").replace("\n", " ")[:90]
                who = row[f["author_name"]] or row[f["author_handle"]] or "?"
                out(
                    f"{row[f['id']]:>8}  {row[f['published']]:%Y-%m-%d %H:%M}  "
                    f"{row[f['channel']]:<8} {row[f['status']]:<8} {who[:18]:<18}  {text}"
                )
        finally:
            pager.close()
    return 0


def cmd_views(args: argparse.Namespace) -> int:
    """Print each saved view with how many mentions it shows."""
    from engage_desktop.inbox.saved_views import list_views, view_counts

    with open_workspace(args) as ws:
        views = list_views(ws)
        counts = view_counts(ws, [v.filter for v in views])
    for view, count in zip(views, counts, strict=True):
        out(f"{count:>9,}  {view.name}")
    return 0


def cmd_triage(args: argparse.Namespace) -> int:
    """Change status, tags or owner of the given mentions (logged as events)."""
    from engage_desktop.inbox import triage
    from engage_desktop.inbox.mention_ref import resolve_mentions

    with open_workspace(args, write=True) as ws:
        known = resolve_mentions(ws, args.ids)
        fn = {"status": triage.set_status, "tag": triage.add_tag, "assign": triage.assign}
        action = fn[args.action](ws, known, args.value)
    out(action.label)
    return 0
