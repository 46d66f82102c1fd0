"""Enrichment and mention-table commands: import, score, export, lexicon, intents, correct."""

from __future__ import annotations

import argparse
import math

from engage_desktop.cli.common import ProgressLine, err, open_workspace, out
from engage_desktop.core.errors import UsageError
from engage_desktop.core.progress import PlainState

# Bad rows listed one by one up to this many; the rest are counted.
MAX_LISTED = 20


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    """Add the commands."""
    imp = sub.add_parser(
        "import",
        parents=[parent],
        help="import mentions from a CSV or JSON Lines file",
        description="Import mentions exported by another tool. Columns: id, source, url, "
        "author, title, text, published (ISO 8601 UTC), sentiment, sentiment_label, status, "
        "tags; only text is required. Bad rows are reported with their line number and "
        "skipped; the good rows are imported and enriched.",
    )
    imp.add_argument("file", metavar="FILE", help="a .csv or .jsonl file")
    imp.add_argument(
        "--no-enrich", action="store_true", help="store only; score later with 'score'"
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
        help="the mentions with their sentiment, status and tags (.csv or .jsonl)",
    )
    mentions.add_argument("out", metavar="OUT", help="OUT.csv or OUT.jsonl")
    mentions.set_defaults(func=cmd_export_mentions)

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
    correct.add_argument("mention_id", type=int, metavar="MENTION_ID")
    correct.add_argument(
        "label", nargs="?", choices=("positive", "neutral", "negative"), help="the right label"
    )
    correct.add_argument("--compound", type=float, metavar="X", help="your score, -1..1")
    correct.add_argument("--clear", action="store_true", help="drop the correction")
    correct.set_defaults(func=cmd_correct)


def cmd_import(args: argparse.Namespace) -> int:
    """Import a mention table, then enrich the new mentions."""
    from engage_desktop.enrich.hooks import run_after_insert
    from engage_desktop.inbox.mention_io import import_mentions

    with open_workspace(args, write=True) as ws:
        summary = import_mentions(ws, args.file)
        for bad in summary.bad[:MAX_LISTED]:
            err(f"{args.file}:{bad.line}: skipped: {bad.reason}")
        if len(summary.bad) > MAX_LISTED:
            err(f"... and {len(summary.bad) - MAX_LISTED} more bad rows")
        for note in summary.warnings[:MAX_LISTED]:
            err(f"{args.file}:{note.line}: {note.reason}")
        if len(summary.warnings) > MAX_LISTED:
            err(f"... and {len(summary.warnings) - MAX_LISTED} more rows changed or skipped")
        for line, original, new in summary.new_ids[:MAX_LISTED]:
            err(f"{args.file}:{line}: id {original!r} is taken or not a usable id: now {new}")
        if len(summary.new_ids) > MAX_LISTED:
            err(f"... and {len(summary.new_ids) - MAX_LISTED} more new ids")
        if summary.ignored_columns:
            err(f"ignored columns: {', '.join(summary.ignored_columns)}")
        if summary.mention_ids and not args.no_enrich:
            state = PlainState(ProgressLine("enrich"))
            run_after_insert(ws, summary.mention_ids, state)
    parts = [
        f"imported {summary.imported:,} of {summary.rows:,} rows",
        f"{len(summary.bad):,} bad",
        f"{summary.duplicates:,} already present",
        f"{summary.kept_ids:,} ids kept",
        f"{len(summary.new_ids):,} given new ids",
    ]
    if summary.undated:
        parts.append(f"{summary.undated:,} without a date stamped with the import time")
    out("; ".join(parts))
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

    with open_workspace(args, write=True) as ws:
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
