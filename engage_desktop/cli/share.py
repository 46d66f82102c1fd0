"""Sharing commands: ``export workspace`` (the executive copy) and ``report``."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta
from pathlib import Path

from engage_desktop.cli.common import ProgressLine, open_workspace, out
from engage_desktop.cli.errors import UsageError
from engage_desktop.core.progress import PlainState


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    """Add ``report``, and ``workspace`` under the ``export`` group."""
    export = sub.choices.get("export")
    if export is None:  # the export group is registered by the mention commands
        export = sub.add_parser("export", parents=[parent], help="export data from the workspace")
        export.add_subparsers(dest="what", metavar="WHAT", required=True)
    what = next(a for a in export._actions if isinstance(a, argparse._SubParsersAction))
    shared = what.add_parser(
        "workspace",
        parents=[parent],
        help="the executive copy: a read-only workspace file for readers",
        description="Write a new workspace for people who read, not work: the mentions in "
        "range with sentiment, topics, statuses and our public replies, authors' aggregates, "
        "sources by name and the dashboard's settings. Drafts, the outbox, notes, saved "
        "replies, accounts, the audit log, the team's settings and customer records are left "
        "out. The learned sentiment model travels. The copy opens read-only by itself.",
    )
    shared.add_argument("out", metavar="OUT.engage", help="the new file")
    _range_options(shared)
    shared.add_argument(
        "--by", metavar="NAME", help="who shares it, for the reader's banner (default: you)"
    )
    shared.add_argument(
        "--keep-segments",
        action="store_true",
        help="keep each mention's customer segment (tier, top-tier flag) so the reader can "
        "filter by it; customer names, e-mails, values and ids are never copied",
    )
    shared.add_argument("--force", action="store_true", help="replace OUT if it exists")
    shared.set_defaults(func=cmd_export_workspace)

    report = sub.add_parser(
        "report",
        parents=[parent],
        help="a report of the dashboard for a period (.pdf or .html)",
        description="Write the period's report in the order an executive reads: headline "
        "figures against the previous period, volume and spikes, sentiment, share of voice, "
        "response performance, authors, channels and sources, rising terms, incidents, and "
        "a method appendix. The numbers are the dashboard's for the same range.",
    )
    report.add_argument("out", metavar="OUT", help="OUT.pdf or OUT.html")
    _range_options(report)
    report.add_argument("--title", metavar="TEXT", help="the report's title")
    report.add_argument(
        "--page", choices=("a4", "letter"), default="a4", help="PDF page size (default: a4)"
    )
    report.set_defaults(func=cmd_report)


def _range_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="start", metavar="DATE", help="first day (YYYY-MM-DD)")
    parser.add_argument("--to", dest="end", metavar="DATE", help="last day, included")
    parser.add_argument(
        "--topic",
        dest="topics",
        action="append",
        default=[],
        metavar="T",
        help="only mentions of this topic (repeat for several)",
    )
    parser.add_argument(
        "--pseudonymize",
        action="store_true",
        help='replace authors by stable pseudonyms ("Author 4821") and drop their links',
    )


def parse_day(value: str | None, *, end: bool = False) -> datetime | None:
    """A YYYY-MM-DD date as UTC midnight; ``end`` gives the midnight after it.

    Raises:
        UsageError: The value is not such a date.
    """
    if not value:
        return None
    try:
        day = datetime.strptime(value.strip(), "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise UsageError(f"{value!r} is not a date; write it as YYYY-MM-DD") from None
    return day + timedelta(days=1) if end else day


def _range(args: argparse.Namespace) -> tuple[datetime | None, datetime | None]:
    start, end = parse_day(args.start), parse_day(args.end, end=True)
    if start is not None and end is not None and end <= start:
        raise UsageError("--to is before --from; give the first day, then the last")
    return start, end


def _known_topics(ws, topics: list[str]) -> tuple[str, ...]:
    have = {n for (n,) in ws.cursor().execute("SELECT name FROM topics").fetchall()}
    unknown = [t for t in topics if t not in have]
    if unknown:
        listed = ", ".join(sorted(have)) or "none"
        raise UsageError(f"no topic named {unknown[0]!r}; the topics are: {listed}")
    return tuple(topics)


def cmd_export_workspace(args: argparse.Namespace) -> int:
    """``export workspace OUT.engage``."""
    from engage_desktop.dashboard.share.copy import ShareOptions, export_workspace

    start, end = _range(args)
    with open_workspace(args) as ws:
        options = ShareOptions(
            start,
            end,
            _known_topics(ws, args.topics),
            args.pseudonymize,
            args.by,
            keep_segments=args.keep_segments,
        )
        summary = export_workspace(
            PlainState(ProgressLine("sharing")), ws, Path(args.out), options, overwrite=args.force
        )
    out(summary.line())
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """``report OUT.{pdf,html}``."""
    from engage_desktop.dashboard.share.report import ReportOptions, report_kind, write_html

    start, end = _range(args)
    target = Path(args.out)
    kind = report_kind(target)
    with open_workspace(args) as ws:
        options = ReportOptions(
            start,
            end,
            _known_topics(ws, args.topics),
            args.title,
            args.pseudonymize,
            args.page,
        )
        if kind == "pdf":
            # The PDF is painted by Qt's own PDF writer: only ui/ may import Qt.
            from engage_desktop.ui.share.pdf import write_pdf

            summary = write_pdf(PlainState(ProgressLine("report")), ws, target, options)
        else:
            summary = write_html(PlainState(ProgressLine("report")), ws, target, options)
    out(summary.line())
    return 0
