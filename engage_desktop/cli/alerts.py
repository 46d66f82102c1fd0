"""Alert commands: ``alerts rules|add|remove|backtest|check|list``."""

from __future__ import annotations

import argparse

from engage_desktop.cli.common import open_workspace, out


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    """Add the ``alerts`` command group."""
    alerts = sub.add_parser(
        "alerts",
        parents=[parent],
        help="spike alert rules, back-tests and firings",
        description="Spike alerts on total volume and on negative volume per topic. "
        "See the README's 'Alerts' section for the detection method.",
    )
    a_sub = alerts.add_subparsers(dest="alerts_command", metavar="ACTION", required=True)
    rules = a_sub.add_parser("rules", parents=[parent], help="list the alert rules")
    rules.set_defaults(func=cmd_rules)

    add = a_sub.add_parser("add", parents=[parent], help="add a spike rule")
    add.add_argument("name", help="a unique name")
    add.add_argument("--kind", choices=("volume_spike", "negative_spike"), default="volume_spike")
    add.add_argument("--topic", help="only this topic (default: the whole workspace)")
    add.add_argument("--bucket", choices=("hour", "day"), default="hour")
    add.add_argument("--window", type=int, default=14, help="comparable buckets in the baseline")
    add.add_argument("--z", type=float, default=6.0, help="score threshold (default: 6)")
    add.add_argument("--min-count", type=int, default=10, help="smallest count that can spike")
    add.add_argument(
        "--min-ratio", type=float, default=3.0, help="smallest multiple of the baseline"
    )
    add.set_defaults(func=cmd_add)

    remove = a_sub.add_parser("remove", parents=[parent], help="remove a rule and its firings")
    remove.add_argument("name")
    remove.set_defaults(func=cmd_remove)

    back = a_sub.add_parser(
        "backtest", parents=[parent], help="when rules would have fired over the history"
    )
    back.add_argument("name", nargs="?", help="one rule (default: every enabled rule)")
    back.set_defaults(func=cmd_backtest)

    check = a_sub.add_parser(
        "check", parents=[parent], help="run the rules over recent days and store new firings"
    )
    check.add_argument("--days", type=int, default=3, help="how many recent days (default: 3)")
    check.set_defaults(func=cmd_check)

    listing = a_sub.add_parser("list", parents=[parent], help="stored firings, newest first")
    listing.set_defaults(func=cmd_list)


def _rule_line(rule) -> str:
    scope = rule.topic or ("each topic" if rule.kind == "negative_spike" else "all mentions")
    state = "" if rule.enabled else " [disabled]"
    return (
        f"{rule.name}: {rule.kind} of {scope} per {rule.bucket}, z >= {rule.z:g}, "
        f"at least {rule.min_count} and {rule.min_ratio:g}x the baseline of "
        f"{rule.window} comparable buckets{state}"
    )


def cmd_rules(args: argparse.Namespace) -> int:
    """Print the rules (the defaults when none are stored)."""
    from engage_desktop.dashboard.spikes import default_rules, list_rules

    with open_workspace(args) as ws:
        rules = list_rules(ws)
    if not rules:
        out("no rules stored yet; these defaults apply (and are stored by 'alerts add/check'):")
        rules = default_rules()
    for rule in rules:
        out(_rule_line(rule))
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    """Store a rule."""
    from engage_desktop.dashboard.spikes import AlertRule, add_rule

    rule = AlertRule(
        0, args.name, args.kind, args.topic, args.bucket, args.window, args.z,
        args.min_count, args.min_ratio,
    )  # fmt: skip
    with open_workspace(args, write=True) as ws:
        stored = add_rule(ws, rule)
    out(f"added {_rule_line(stored)}")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    """Delete a rule."""
    from engage_desktop.dashboard.spikes import remove_rule

    with open_workspace(args, write=True) as ws:
        remove_rule(ws, args.name)
    out(f"removed {args.name}")
    return 0


def cmd_backtest(args: argparse.Namespace) -> int:
    """Print when the rules would have fired; nothing is written."""
    from engage_desktop.cli.errors import UsageError
    from engage_desktop.dashboard.spikes import backtest, default_rules, list_rules

    with open_workspace(args) as ws:
        rules = list_rules(ws) or default_rules()
        if args.name:
            rules = [r for r in rules if r.name == args.name]
            if not rules:
                raise UsageError(f"no alert rule named {args.name!r}; see 'alerts rules'")
        else:
            rules = [r for r in rules if r.enabled]
        total = 0
        for rule in rules:
            episodes = backtest(ws, rule)
            total += len(episodes)
            out(f"{rule.name}: {len(episodes)} firing{'s' if len(episodes) != 1 else ''}")
            for ep in episodes:
                out(f"  {ep.start:%Y-%m-%d %H:%M}  z={ep.z:5.1f}  {ep.describe()}")
    out(f"{total} firings in the stored history")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Store new firings of the last days and print them."""
    from engage_desktop.dashboard.spikes import check_alerts

    with open_workspace(args, write=True) as ws:
        new = check_alerts(ws, days=args.days)
    for ep in new:
        out(f"NEW  {ep.rule}: {ep.describe()}")
    out(f"{len(new)} new alert{'s' if len(new) != 1 else ''}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    """Print stored firings."""
    from engage_desktop.dashboard.spikes import list_alerts

    with open_workspace(args) as ws:
        rows = list_alerts(ws)
    for a in rows:
        topic = f" [{a['topic']}]" if a["topic"] else ""
        when = a["window_start"] or a["fired_at"]
        base = f" (baseline {a['baseline']:.1f})" if a["baseline"] is not None else ""
        value = f"{a['value']:,.0f} mentions" if a["value"] is not None else "fired"
        out(f"{when:%Y-%m-%d %H:%M}  {a['rule']}{topic}: {value}{base}")
    out(f"{len(rows)} alerts")
    return 0
