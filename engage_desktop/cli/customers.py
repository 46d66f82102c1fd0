"""Customer commands: import a CRM export, link authors to customers, advocates.

``customers import`` reads the file, updates or adds the records, then links authors
automatically (exact e-mails and handles) and stores suggestions from weaker
evidence; ``customers suggestions`` lists those, ``confirm`` / ``reject`` decide them,
``link`` / ``unlink`` merge and split by hand, and ``undo`` takes back the last change.
"""

from __future__ import annotations

import argparse

from engage_desktop.cli.common import ProgressLine, err, open_workspace, out
from engage_desktop.cli.errors import UsageError


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    """Add the ``customers`` command group."""
    cust = sub.add_parser(
        "customers", parents=[parent], help="customer records from a CRM export, linked to authors"
    )
    c_sub = cust.add_subparsers(dest="customers_command", metavar="ACTION", required=True)

    imp = c_sub.add_parser("import", parents=[parent], help="import or update customer records")
    imp.add_argument("file", metavar="FILE", help="a .csv, .jsonl or .xlsx CRM export")
    imp.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="FIELD=HEADER,...",
        help="the file's header of a field (customer_id, name, email, tier, value, since, "
        "open_tickets, or a channel such as mastodon)",
    )
    imp.add_argument("--no-link", action="store_true", help="import only; link later")
    imp.set_defaults(func=cmd_import)

    relink = c_sub.add_parser("relink", parents=[parent], help="run the automatic linking again")
    relink.set_defaults(func=cmd_relink)

    listing = c_sub.add_parser("list", parents=[parent], help="customers, with linked accounts")
    listing.add_argument("--search", default="", metavar="TEXT", help="id, name or e-mail")
    listing.add_argument("--limit", type=int, default=50, metavar="N")
    listing.set_defaults(func=cmd_list)

    show = c_sub.add_parser("show", parents=[parent], help="one customer record")
    show.add_argument("customer", metavar="CUSTOMER")
    show.set_defaults(func=cmd_show)

    link = c_sub.add_parser("link", parents=[parent], help="link an author to a customer")
    link.add_argument("author", metavar="AUTHOR", help="author id or CHANNEL:HANDLE")
    link.add_argument("customer", metavar="CUSTOMER", help="the CRM's customer_id")
    link.set_defaults(func=cmd_link, action="link")

    unlink = c_sub.add_parser("unlink", parents=[parent], help="split an author off its customer")
    unlink.add_argument("author", metavar="AUTHOR")
    unlink.set_defaults(func=cmd_link, action="unlink")

    for name, helptext in (("confirm", "accept a suggested link"), ("reject", "turn one down")):
        p = c_sub.add_parser(name, parents=[parent], help=helptext)
        p.add_argument("author", metavar="AUTHOR")
        p.add_argument("customer", metavar="CUSTOMER")
        p.set_defaults(func=cmd_link, action=name)

    sugg = c_sub.add_parser("suggestions", parents=[parent], help="links waiting to be confirmed")
    sugg.add_argument("--limit", type=int, default=50, metavar="N")
    sugg.set_defaults(func=cmd_suggestions)

    undo = c_sub.add_parser("undo", parents=[parent], help="undo the last link change")
    undo.add_argument("--event", type=int, metavar="ID", help="a given event of the audit log")
    undo.set_defaults(func=cmd_undo)

    adv = c_sub.add_parser("advocates", parents=[parent], help="advocates ranked by influence")
    adv.add_argument("--limit", type=int, default=25, metavar="N")
    adv.add_argument("--days", type=int, metavar="N", help="only the last N days of data")
    adv.add_argument("--csv", metavar="OUT.csv", help="write the list for a referral programme")
    adv.set_defaults(func=cmd_advocates)

    weight = c_sub.add_parser(
        "priority-weight", parents=[parent], help="how much customer value weighs in priority"
    )
    weight.add_argument("points", type=float, metavar="POINTS", help="0 (off) to 50")
    weight.set_defaults(func=cmd_weight)


def cmd_import(args: argparse.Namespace) -> int:
    """Import the file, then link; one summary line (bad rows on stderr)."""
    from engage_desktop.crm.identity import link_all
    from engage_desktop.crm.records import import_customers, parse_map

    mapping = parse_map(args.map)
    with open_workspace(args, write=True) as ws:
        summary = import_customers(ws, args.file, mapping, progress=ProgressLine("importing"))
        for line, reason in summary.bad[:20]:
            err(f"line {line}: {reason}; skipped")
        if len(summary.bad) > 20:
            err(f"... and {len(summary.bad) - 20} more bad rows")
        for line, note in summary.warnings[:20]:
            err(f"line {line}: {note}; imported")
        if len(summary.warnings) > 20:
            err(f"... and {len(summary.warnings) - 20} more cells made safe")
        text = (
            f"{summary.created:,} customers added, {summary.updated:,} updated, "
            f"{len(summary.bad):,} bad rows skipped"
        )
        if summary.warnings:
            text += f", {len(summary.warnings):,} cells made safe"
        if summary.repeated:
            text += f", {summary.repeated:,} repeated ids (the last row won)"
        if summary.extra_columns:
            text += f"; kept as they are: {', '.join(summary.extra_columns)}"
        out(text)
        if not args.no_link:
            _print_links(link_all(ws, progress=ProgressLine("linking")))
    return 0


def _print_links(links) -> None:
    out(
        f"{links.linked:,} authors linked ({links.by_email:,} by e-mail, "
        f"{links.by_handle:,} by handle), {links.suggested:,} links suggested"
        + (f", {links.ambiguous:,} ambiguous" if links.ambiguous else "")
        + ("; review them with 'engage-desktop customers suggestions'" if links.suggested else "")
    )


def cmd_relink(args: argparse.Namespace) -> int:
    """Run the automatic linking over every unlinked author."""
    from engage_desktop.crm.identity import link_all

    with open_workspace(args, write=True) as ws:
        _print_links(link_all(ws))
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    """One line per customer."""
    from engage_desktop.crm.profile import search_customers

    with open_workspace(args) as ws:
        rows = search_customers(ws, args.search, args.limit)
    for r in rows:
        value = "" if r["value"] is None else f"{r['value']:,.0f}"
        out(
            f"{r['external_id']:<14} {(r['name'] or '')[:24]:<24} {(r['tier'] or ''):<12} "
            f"{value:>10}  {r['emails'] or ''}"
        )
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    """The record, its identifiers and linked accounts with the rule of each link."""
    from engage_desktop.crm.identity import find_customer
    from engage_desktop.crm.profile import get_customer

    with open_workspace(args) as ws:
        customer = get_customer(ws, find_customer(ws, args.customer))
    assert customer is not None
    out(f"{customer.external_id}  {customer.name or ''}")
    dash = "-"
    value = dash if customer.value is None else f"{customer.value:,.2f}"
    tickets = dash if customer.open_tickets is None else customer.open_tickets
    out(f"  tier: {customer.tier or dash}   value: {value}")
    out(f"  since: {customer.since or dash}   open tickets: {tickets}")
    out(f"  e-mails: {', '.join(customer.emails) or '-'}")
    for channel, handle in customer.handles:
        out(f"  {channel}: {handle}")
    for key, value in customer.extra.items():
        out(f"  {key}: {value}")
    for acc in customer.accounts:
        out(f"  linked: author {acc['id']} {acc['channel']}:{acc['handle']} ({acc['rule']})")
    return 0


def cmd_link(args: argparse.Namespace) -> int:
    """link / unlink / confirm / reject."""
    from engage_desktop.crm import identity

    with open_workspace(args, write=True) as ws:
        author = identity.find_author(ws, args.author)
        if args.action == "unlink":
            customer = identity.unlink(ws, author)
            out(f"author {author} unlinked from customer {customer}")
            return 0
        cid = identity.find_customer(ws, args.customer)
        fn = {"link": identity.link, "confirm": identity.confirm, "reject": identity.reject}
        external = fn[args.action](ws, author, cid)
        verb = {"link": "linked to", "confirm": "linked to", "reject": "not linked to"}
        out(f"author {author} {verb[args.action]} customer {external or args.customer}")
    return 0


def cmd_suggestions(args: argparse.Namespace) -> int:
    """Pending suggestions, with the rule and evidence of each."""
    from engage_desktop.crm.profile import pending_suggestions

    with open_workspace(args) as ws:
        rows = pending_suggestions(ws, limit=args.limit)
    out(f"{len(rows):,} suggested links" + (" (first shown)" if len(rows) == args.limit else ""))
    for r in rows:
        out(
            f"author {r['author_id']} {r['channel']}:{r['handle']} -> customer "
            f"{r['external_id']} {r['customer_name'] or ''}  [{r['rule']}: {r['evidence'] or ''}]"
        )
    return 0


def cmd_undo(args: argparse.Namespace) -> int:
    """Undo the last link change (or the given event)."""
    from engage_desktop.crm.identity import undo

    with open_workspace(args, write=True) as ws:
        out(undo(ws, args.event))
    return 0


def cmd_advocates(args: argparse.Namespace) -> int:
    """Print (and optionally export) the advocates ranked by influence."""
    from engage_desktop.crm.advocates import export_advocates, rank_advocates

    if args.limit < 1:
        raise UsageError("--limit must be at least 1")
    with open_workspace(args) as ws:
        ranked = rank_advocates(ws, args.limit, args.days)
    if args.csv:
        written = export_advocates(ranked, args.csv)
        out(f"{written:,} advocates written to {args.csv}")
        return 0
    out("rank  influence  reach  engage  echo  pos  author")
    for a in ranked:
        who = f"{a.channel}:{a.handle}" + (
            f" = customer {a.customer_id} ({a.tier})" if a.customer_id else ""
        )
        out(
            f"{a.rank:>4}  {a.influence:>9.1f}  {a.reach:>5.1f}  {a.engagement:>6.1f}  "
            f"{a.echo:>4}  {a.positive_posts:>3}  {who}"
        )
    return 0


def cmd_weight(args: argparse.Namespace) -> int:
    """Set the customer value weight and recompute priorities."""
    from engage_desktop.crm.priority import set_customer_weight

    with open_workspace(args, write=True) as ws:
        n = set_customer_weight(ws, args.points)
    state = "off" if args.points == 0 else f"{args.points:g} points"
    out(f"customer value in priority: {state}; {n:,} priorities recomputed")
    return 0
