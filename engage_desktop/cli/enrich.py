"""Enrichment and mention-table commands: import, score, export, lexicon, intents, correct."""

from __future__ import annotations

import argparse
import math

from engage_desktop.cli.common import ProgressLine, err, open_workspace, out
from engage_desktop.cli.errors import UsageError
from engage_desktop.core.progress import PlainState

# Bad rows listed one by one up to this many; the rest are counted.
MAX_LISTED = 20


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    """Add the commands."""
    imp = sub.add_parser(
        "import",
        parents=[parent],
        help="import mentions exported by another tool (CSV, JSON Lines, XLSX, Parquet)",
        description="Import mentions exported by another tool. Columns are found by their "
        "usual names (text/message/content/full text/snippet, author/screen name/username, "
        "date/created at/published, url/link/permalink, id/resource id/post id, sentiment, "
        "...), case and spacing ignored; --map overrides. Any id is kept as external_id; "
        "the other tool's sentiment is kept apart from ours. Bad rows are reported with "
        "their line number and skipped; the rest are written in one transaction (an "
        "interrupted import writes nothing), matched against the watch queries and enriched.",
    )
    imp.add_argument("file", metavar="FILE", help="a .csv, .jsonl, .xlsx or .parquet file")
    imp.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="FIELD=HEADER,...",
        help="which column is which field, e.g. --map 'text=Full Text,id=Resource Id' "
        "(fields: text, title, author, published, url, id, sentiment, source, status, tags, "
        "language, followers; an empty HEADER unmaps)",
    )
    imp.add_argument(
        "--timezone",
        default="UTC",
        metavar="ZONE",
        help="zone of dates written without one (default: UTC), e.g. America/New_York",
    )
    imp.add_argument(
        "--dry-run", action="store_true", help="show the column mapping and write nothing"
    )
    imp.add_argument(
        "--no-enrich",
        action="store_true",
        help="store without sentiment scores (languages are still detected, for lang: "
        "queries); score later with 'score'",
    )
    imp.add_argument(
        "--labels-are-human",
        action="store_true",
        help="the file's sentiment_label column was set by people: store it as corrections",
    )
    imp.set_defaults(func=cmd_import)

    score = sub.add_parser(
        "score",
        parents=[parent],
        help="score sentiment (and language, intents, priority) of mentions not yet scored",
        description="Enrich every mention not scored with the current scorer and lexicon. "
        "Analyst corrections always win and are never overwritten.",
    )
    score.add_argument(
        "--rescore", action="store_true", help="re-score every mention, not only stale ones"
    )
    score.add_argument(
        "--processes", type=int, metavar="N", help="scoring processes (default: automatic)"
    )
    score.set_defaults(func=cmd_score)

    export = sub.add_parser("export", parents=[parent], help="export data from the workspace")
    what = export.add_subparsers(dest="what", metavar="WHAT", required=True)
    mentions = what.add_parser(
        "mentions",
        parents=[parent],
        help="the mentions with their sentiment, status, tags and external ids "
        "(.csv, .jsonl, .xlsx or .parquet; formula cells made inert in CSV and XLSX)",
    )
    mentions.add_argument("out", metavar="OUT", help="OUT.csv, OUT.jsonl, OUT.xlsx or OUT.parquet")
    mentions.set_defaults(func=cmd_export_mentions)
    chart = what.add_parser(
        "chart",
        parents=[parent],
        help="one dashboard card's data (.csv or .xlsx)",
        description="The numbers behind one dashboard card, one row per bar, point or "
        "ranked row. Charts: volume, sentiment, share_of_voice, response_time, backlog, "
        "top_authors, advocates, channels, sources, terms, scorer_agreement.",
    )
    chart.add_argument("name", metavar="NAME", help="the chart, e.g. share_of_voice")
    chart.add_argument("out", metavar="OUT", help="OUT.csv or OUT.xlsx")
    chart.add_argument("--from", dest="start", metavar="DATE", help="first day, e.g. 2026-03-01")
    chart.add_argument("--to", dest="end", metavar="DATE", help="last day (included)")
    chart.add_argument("--topic", metavar="T", help="only this topic")
    chart.set_defaults(func=cmd_export_chart)

    lexicon = sub.add_parser(
        "lexicon", parents=[parent], help="workspace sentiment words (e.g. 'sick' positive)"
    )
    lex = lexicon.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = lex.add_parser("add", parents=[parent], help="give a word a valence (-4..4)")
    add.add_argument("word", metavar="WORD")
    add.add_argument("valence", type=float, metavar="VALENCE", help="e.g. 2.0 or -1.5")
    add.set_defaults(func=cmd_lexicon_add)
    rm = lex.add_parser("remove", parents=[parent], help="drop a word's override")
    rm.add_argument("word", metavar="WORD")
    rm.set_defaults(func=cmd_lexicon_remove)
    ls = lex.add_parser("list", parents=[parent], help="list the overrides")
    ls.set_defaults(func=cmd_lexicon_list)

    intents = sub.add_parser("intents", parents=[parent], help="intent tag rules")
    act = intents.add_subparsers(dest="action", metavar="ACTION", required=True)
    ls = act.add_parser("list", parents=[parent], help="list the rules")
    ls.set_defaults(func=cmd_intents_list)
    add = act.add_parser(
        "add",
        parents=[parent],
        help="add or replace a rule, then re-tag every mention",
        description='A pattern is words and "phrases" joined by OR; a trailing * matches '
        "a prefix. Example: intents add 'churn risk' '\"cancel my subscription\" OR "
        '"switching to"\'',
    )
    add.add_argument("name", metavar="NAME")
    add.add_argument("pattern", metavar="PATTERN")
    add.set_defaults(func=cmd_intents_add)
    rm = act.add_parser("remove", parents=[parent], help="remove a rule, then re-tag")
    rm.add_argument("name", metavar="NAME")
    rm.set_defaults(func=cmd_intents_remove)

    correct = sub.add_parser(
        "correct",
        parents=[parent],
        help="correct a mention's sentiment by hand (wins over the model)",
    )
    correct.add_argument(
        "mention", nargs="?", metavar="MENTION_ID", help="our id or an imported external id"
    )
    correct.add_argument(
        "label", nargs="?", choices=("positive", "neutral", "negative"), help="the right label"
    )
    correct.add_argument("--compound", type=float, metavar="X", help="your score, -1..1")
    correct.add_argument("--clear", action="store_true", help="drop the correction")
    correct.add_argument(
        "--file",
        metavar="F",
        help="many corrections: a .csv or .jsonl file with columns id and label",
    )
    correct.set_defaults(func=cmd_correct)


def cmd_import(args: argparse.Namespace) -> int:
    """Import a mention table, then enrich the new mentions."""
    from engage_desktop.inbox.mention_io import import_mentions, parse_map, propose_mapping
    from engage_desktop.listen.insert import after_insert

    overrides = parse_map(args.map)
    if args.dry_run:
        mapping = propose_mapping(args.file, overrides)
        out(f"mapping: {mapping.describe() or 'nothing'}")
        if mapping.unused:
            out(f"unused columns: {', '.join(mapping.unused)}")
        if "text" not in mapping.fields:
            raise UsageError("no column maps to text; name it with --map text=HEADER")
        return 0
    with open_workspace(args, write=True) as ws:
        summary = import_mentions(
            ws,
            args.file,
            mapping=overrides,
            assume_zone=args.timezone,
            enrich=not args.no_enrich,
            progress=ProgressLine("import"),
        )
        if summary.mapping is not None:
            err(f"mapping: {summary.mapping.describe()}")
        for bad in summary.bad[:MAX_LISTED]:
            err(f"{args.file}:{bad.line}: skipped: {bad.reason}")
        if len(summary.bad) > MAX_LISTED:
            err(f"... and {len(summary.bad) - MAX_LISTED} more bad rows")
        for note in summary.warnings[:MAX_LISTED]:
            err(f"{args.file}:{note.line}: {note.reason}")
        if len(summary.warnings) > MAX_LISTED:
            err(f"... and {len(summary.warnings) - MAX_LISTED} more rows changed or skipped")
        for line, original, new in summary.new_ids[:MAX_LISTED]:
            err(
                f"{args.file}:{line}: id {original!r} is taken or not usable as ours: now {new} "
                "(kept as its external id)"
            )
        if len(summary.new_ids) > MAX_LISTED:
            err(f"... and {len(summary.new_ids) - MAX_LISTED} more new ids")
        if summary.ignored_columns:
            err(f"ignored columns: {', '.join(summary.ignored_columns)}")
        labels: list[tuple[int, str]] = []
        if args.labels_are_human:
            from engage_desktop.enrich.learned.corrections import imported_labels, set_corrections

            # Read before scoring replaces the imported labels; stored after it, so a
            # label that agrees with VADER keeps VADER's compound.
            labels = imported_labels(ws, summary.mention_ids)
        if summary.mention_ids and not args.no_enrich:
            state = PlainState(ProgressLine("enrich"))
            after_insert(ws, summary.mention_ids, state)
        human = set_corrections(ws, labels, f"import {args.file}") if labels else 0
    line = summary.line()
    if args.labels_are_human:
        line += f"; {human:,} human labels stored as corrections"
    out(line)
    return 1 if summary.bad and not summary.imported else 0


def cmd_score(args: argparse.Namespace) -> int:
    """Score what needs scoring."""
    from engage_desktop.enrich.pipeline import enrich

    if args.processes is not None and args.processes < 1:
        raise UsageError("--processes must be at least 1")
    with open_workspace(args, write=True) as ws:
        summary = enrich(
            ws, rescore=args.rescore, progress=ProgressLine("score"), processes=args.processes
        )
    out(summary.line())
    return 0


def cmd_export_mentions(args: argparse.Namespace) -> int:
    """Export the mentions."""
    from engage_desktop.inbox.mention_io import export_mentions

    with open_workspace(args) as ws:
        count = export_mentions(ws, args.out)
    out(f"exported {count:,} mentions to {args.out}")
    return 0


def _day(value: str | None, option: str):
    from datetime import UTC, datetime

    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise UsageError(f"{option} {value!r} is not a date; use e.g. 2026-03-01") from None


def cmd_export_chart(args: argparse.Namespace) -> int:
    """Export one dashboard card's data."""
    from datetime import timedelta

    from engage_desktop.dashboard.analytics import DashboardFilter
    from engage_desktop.dashboard.chart_data import export_chart

    start = _day(args.start, "--from")
    end = _day(args.end, "--to")
    flt = DashboardFilter(start, end + timedelta(days=1) if end else None, args.topic)
    with open_workspace(args) as ws:
        count = export_chart(ws, args.name, args.out, flt)
    out(f"exported {count:,} rows of {args.name} to {args.out}")
    return 0


def cmd_lexicon_add(args: argparse.Namespace) -> int:
    """Add a word's valence."""
    from engage_desktop.enrich.sentiment import normalize_adjustments
    from engage_desktop.enrich.store import set_lexicon_adjustment

    if not math.isfinite(args.valence) or not -4.0 <= args.valence <= 4.0:
        raise UsageError("VALENCE must be between -4 and 4 (VADER's scale), e.g. 2.0")
    try:
        ((word, valence),) = normalize_adjustments({args.word: args.valence}).items()
    except ValueError as exc:
        raise UsageError(f"{exc}; give a single word") from None
    with open_workspace(args, write=True) as ws:
        set_lexicon_adjustment(ws, word, valence)
    out(f"'{word}' = {valence:+.2f}; run 'engage-desktop score' to re-score with it")
    return 0


def cmd_lexicon_remove(args: argparse.Namespace) -> int:
    """Remove a word's valence."""
    from engage_desktop.enrich.store import remove_lexicon_adjustment

    with open_workspace(args, write=True) as ws:
        if not remove_lexicon_adjustment(ws, args.word.strip().lower()):
            raise UsageError(f"'{args.word}' has no override; see 'engage-desktop lexicon list'")
    out(f"removed '{args.word}'; run 'engage-desktop score' to re-score without it")
    return 0


def cmd_lexicon_list(args: argparse.Namespace) -> int:
    """List the overrides."""
    from engage_desktop.enrich.store import lexicon_adjustments

    with open_workspace(args) as ws:
        words = lexicon_adjustments(ws)
    if not words:
        out("no lexicon adjustments (add one with 'engage-desktop lexicon add WORD VALENCE')")
    for word, valence in words.items():
        out(f"{word}\t{valence:+.2f}")
    return 0


def cmd_intents_list(args: argparse.Namespace) -> int:
    """List intent rules with how many mentions each tags."""
    from engage_desktop.enrich.store import intent_rule_rows

    with open_workspace(args) as ws:
        counts = dict(
            ws.cursor()
            .execute(
                "SELECT i, count(*) FROM (SELECT unnest(intents) AS i FROM mentions) GROUP BY i"
            )
            .fetchall()
        )
        for name, pattern, enabled in intent_rule_rows(ws):
            state = "" if enabled else " (disabled)"
            out(f"{name}{state}\t{counts.get(name, 0):,} mentions\t{pattern}")
    return 0


def cmd_intents_add(args: argparse.Namespace) -> int:
    """Add or replace a rule and re-tag."""
    from engage_desktop.core.intents import validate_rule
    from engage_desktop.enrich.pipeline import retag_intents
    from engage_desktop.workspace.database import log_event

    rule = validate_rule(args.name, args.pattern)
    with open_workspace(args, write=True) as ws:
        with ws.write() as cur:
            cur.execute(
                "INSERT OR REPLACE INTO intent_rules (name, pattern, enabled) VALUES (?, ?, true)",
                [rule.name, rule.pattern],
            )
            log_event(cur, ws.actor, "intent_rule", rule.name, "set", None, rule.pattern)
        n = retag_intents(ws)
    out(f"rule '{rule.name}' saved; re-tagged {n:,} mentions")
    return 0


def cmd_intents_remove(args: argparse.Namespace) -> int:
    """Remove a rule and re-tag."""
    from engage_desktop.enrich.pipeline import retag_intents
    from engage_desktop.workspace.database import log_event

    name = " ".join(args.name.split()).lower()
    with open_workspace(args, write=True) as ws:
        with ws.write() as cur:
            found = cur.execute(
                "SELECT pattern FROM intent_rules WHERE name = ?", [name]
            ).fetchone()
            if found is None:
                raise UsageError(f"no intent rule '{name}'; see 'engage-desktop intents list'")
            cur.execute("DELETE FROM intent_rules WHERE name = ?", [name])
            log_event(cur, ws.actor, "intent_rule", name, "remove", found[0])
        n = retag_intents(ws)
    out(f"rule '{name}' removed; re-tagged {n:,} mentions")
    return 0


def cmd_correct(args: argparse.Namespace) -> int:
    """Correct (or un-correct) a mention's sentiment."""
    from engage_desktop.enrich.store import clear_correction, set_correction
    from engage_desktop.inbox.mention_ref import resolve_mention

    if args.file is not None:
        return _correct_file(args)
    if args.mention is None:
        raise UsageError("give MENTION_ID and LABEL, or --file F.csv")
    with open_workspace(args, write=True) as ws:
        args.mention_id = resolve_mention(ws, args.mention)
        if args.clear:
            if not clear_correction(ws, args.mention_id):
                raise UsageError(f"mention {args.mention_id} has no correction")
            out(f"mention {args.mention_id}: correction removed; the model's score applies")
            return 0
        if args.label is None:
            raise UsageError("give the right label (positive, neutral, negative) or --clear")
        try:
            stored = set_correction(ws, args.mention_id, args.label, args.compound)
        except KeyError:
            raise UsageError(
                f"no mention {args.mention_id}; ids are in 'export mentions'"
            ) from None
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    out(
        f"mention {args.mention_id}: {stored['label']} ({stored['compound']:+.2f}) "
        f"by {stored['corrected_by']}"
    )
    return 0


def _correct_file(args: argparse.Namespace) -> int:
    """Corrections from a file; bad rows listed, good rows stored in one transaction."""
    from engage_desktop.enrich.learned.corrections import correct_from_file

    if args.mention is not None or args.label is not None or args.clear:
        raise UsageError("give either MENTION_ID LABEL or --file F, not both")
    with open_workspace(args, write=True) as ws:
        result = correct_from_file(ws, args.file)
    for line, reason in result.bad[:MAX_LISTED]:
        err(f"{args.file}:{line}: skipped: {reason}")
    if len(result.bad) > MAX_LISTED:
        err(f"... and {len(result.bad) - MAX_LISTED} more bad rows")
    out(
        f"stored {result.stored:,} corrections; {len(result.bad):,} rows skipped; "
        "run 'engage-desktop learn' to train the model on them"
    )
    return 1 if result.bad and not result.stored else 0
