"""The learned sentiment model: ``learn [--report] [--domain TOPIC]``."""

from __future__ import annotations

import argparse

from engage_desktop.cli.common import ProgressLine, open_workspace, out
from engage_desktop.cli.errors import UsageError


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    """Add the command."""
    learn = sub.add_parser(
        "learn",
        parents=[parent],
        help="train the workspace's sentiment model from corrections, then re-score",
        description="Train a sentiment model from the analyst's corrections (VADER's scores "
        "plus the words of each text) and re-score every mention without a correction. "
        "Below 100 corrections VADER stays in use and the command says how many more it "
        "needs. --report prints the current model card instead, without training.",
    )
    learn.add_argument("--report", action="store_true", help="print the model card; do not train")
    learn.add_argument(
        "--domain",
        metavar="TOPIC",
        help="a model for the mentions of one topic only (e.g. reviews vs tweets)",
    )
    learn.add_argument(
        "--processes", type=int, metavar="N", help="re-scoring processes (default: automatic)"
    )
    learn.set_defaults(func=cmd_learn)


def cmd_learn(args: argparse.Namespace) -> int:
    """Train and re-score, or report."""
    if args.processes is not None and args.processes < 1:
        raise UsageError("--processes must be at least 1")
    if args.report:
        return _report(args)
    from engage_desktop.enrich.learned.apply import rescore
    from engage_desktop.enrich.learned.card import card_lines
    from engage_desktop.enrich.learned.train import train_workspace

    with open_workspace(args, write=True) as ws:
        _check_domain(ws, args.domain)
        result = train_workspace(ws, args.domain, progress=ProgressLine("train"))
        out(result.line(args.domain))
        if not result.in_use:
            return 0
        summary = rescore(ws, progress=ProgressLine("re-score"), processes=args.processes)
        out(summary.line())
        for line in card_lines(result.card or {}, f"learned.{result.model_id}")[1:4]:
            out(line)
    return 0


def _check_domain(ws, domain: str | None) -> None:
    if domain is None:
        return
    known = ws.scalar("SELECT count(*) FROM topics WHERE name = ?", [domain]) or ws.scalar(
        "SELECT count(*) FROM mentions WHERE list_contains(topics, ?)", [domain]
    )
    if not known:
        raise UsageError(f"no topic '{domain}' in this workspace; see 'engage-desktop watch list'")


def _report(args: argparse.Namespace) -> int:
    from engage_desktop.enrich.learned.card import card_lines, summary_line
    from engage_desktop.enrich.learned.store import active_model, latest_card
    from engage_desktop.enrich.learned.train import corrections_needed, training_set

    with open_workspace(args) as ws:
        _check_domain(ws, args.domain)
        stored = active_model(ws, args.domain)
        latest = latest_card(ws, args.domain)
        if stored is None and latest is not None:
            out("VADER is in use: the last model trained did not beat it on the corrections")
            for line in card_lines(latest[1], latest[0]):
                out(line)
            return 0
        if stored is None:
            data = training_set(ws, args.domain)
            needed = corrections_needed(data)
            if needed:
                out(
                    f"no learned model: VADER is in use; {len(data):,} corrections, "
                    f"{needed:,} more needed before 'engage-desktop learn' trains one"
                )
            else:
                out(
                    f"no learned model yet: VADER is in use; {len(data):,} corrections are "
                    "enough, run 'engage-desktop learn'"
                )
            return 0
        out(summary_line(stored.card))
        for line in card_lines(stored.card, stored.version):
            out(line)
    return 0
