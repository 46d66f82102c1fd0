"""Archive and cluster commands: old mentions to Parquet and back, bulk work on Dask."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

from engage_desktop.cli.common import ProgressLine, err, open_workspace, out, workspace_path
from engage_desktop.cli.errors import UsageError


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    """Add the ``archive`` and ``cluster`` command groups."""
    archive = sub.add_parser(
        "archive", parents=[parent], help="old mentions as partitioned Parquet, and back"
    )
    a_sub = archive.add_subparsers(dest="archive_command", metavar="ACTION", required=True)
    export = a_sub.add_parser(
        "export",
        parents=[parent],
        help="write mentions (with replies and corrections) to an archive folder",
        description="Write mentions, their replies and corrections as hive-partitioned "
        "Parquet (year=/month=, zstd) with a manifest of row counts and checksums. Running "
        "it again adds new files and never rewrites old ones. With --move the archived "
        "rows leave the workspace only after the files are checked: the workspace is "
        "rewritten without them into a fresh, smaller file that replaces it in one step "
        "(with --no-compact they are deleted in one transaction and the file keeps its "
        "size).",
    )
    export.add_argument("folder", metavar="DIR", help="archive folder (new, or an archive)")
    export.add_argument(
        "--before", metavar="DATE", help="only mentions published before DATE (YYYY-MM-DD)"
    )
    export.add_argument(
        "--move", action="store_true", help="remove the archived mentions from the workspace"
    )
    export.add_argument(
        "--no-compact", action="store_true", help="with --move: do not shrink the workspace file"
    )
    export.set_defaults(func=cmd_export)

    attach = a_sub.add_parser(
        "attach",
        parents=[parent],
        help="read an archive together with the workspace (inbox, search, dashboard)",
    )
    attach.add_argument("folder", metavar="DIR")
    attach.set_defaults(func=cmd_attach)
    detach = a_sub.add_parser("detach", parents=[parent], help="stop reading the archive")
    detach.set_defaults(func=cmd_detach)
    info = a_sub.add_parser("info", parents=[parent], help="what an archive holds")
    info.add_argument("folder", metavar="DIR")
    info.add_argument("--verify", action="store_true", help="check every file's checksum")
    info.set_defaults(func=cmd_info)

    cluster = sub.add_parser(
        "cluster",
        parents=[parent],
        help="bulk work over an archive on Dask (needs engage-desktop[cluster])",
    )
    c_sub = cluster.add_subparsers(dest="cluster_command", metavar="ACTION", required=True)
    score = c_sub.add_parser(
        "score",
        parents=[parent],
        help="re-score an archive with the app's scorer, one task per partition",
        description="Re-score every archived mention on Dask with the same scorer as the "
        "app; new partitions are written beside the old ones, then the manifest is "
        "swapped. Ctrl+C leaves the old partitions in place.",
    )
    score.add_argument("folder", metavar="DIR")
    _cluster_options(score)
    score.add_argument(
        "--model",
        metavar="WORKSPACE",
        help="score with this workspace's scorer (its lexicon; its learned model)",
    )
    score.set_defaults(func=cmd_cluster_score)
    cube = c_sub.add_parser(
        "cube",
        parents=[parent],
        help="compute the dashboard's daily cube over an archive and store it with it",
        description="Pass -w WORKSPACE to count the SLA with that workspace's business "
        "hours; the dashboard uses the cube only while the rules and files match.",
    )
    cube.add_argument("folder", metavar="DIR")
    _cluster_options(cube)
    cube.set_defaults(func=cmd_cluster_cube)


def _cluster_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--scheduler",
        metavar="tcp://HOST:PORT",
        help="a running Dask scheduler (default: a LocalCluster on this machine)",
    )
    parser.add_argument(
        "--workers", type=int, metavar="N", help="LocalCluster workers (default: one per core)"
    )


def parse_date(value: str) -> datetime:
    """An ISO date or time (UTC when no zone is given).

    Raises:
        UsageError: Not a date.
    """
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(f"date {value!r} is not a date; write it as YYYY-MM-DD") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def cmd_export(args: argparse.Namespace) -> int:
    """``archive export``."""
    from engage_desktop.archive.compact import finish_moves
    from engage_desktop.archive.export import export_archive

    before = parse_date(args.before) if args.before else None
    # With compaction the rows leave by the copy (see archive/compact.py), not by a delete.
    compact = args.move and not args.no_compact
    ws = open_workspace(args, write=args.move)
    try:
        summary = export_archive(
            ws,
            Path(args.folder),
            before=before,
            move=args.move,
            delete=not compact,
            progress=ProgressLine("archive"),
        )
    finally:
        ws.close()
    done = finish_moves(workspace_path(args), summary.folder) if compact else None
    if done is not None:
        summary.recovered = sum(n for run, n in done.moved.items() if run != summary.run)
        summary.seconds += done.seconds
    out(summary.line())
    if done is not None:
        out(done.line())
    return 0


def cmd_attach(args: argparse.Namespace) -> int:
    """``archive attach``."""
    from engage_desktop.archive.views import attach

    ws = open_workspace(args, write=True)
    try:
        manifest = attach(ws, Path(args.folder))
    finally:
        ws.close()
    out(
        f"attached {Path(args.folder).resolve()} ({manifest.rows():,} mentions, read-only): "
        "the inbox, search, dashboard and reports now include them"
    )
    return 0


def cmd_detach(args: argparse.Namespace) -> int:
    """``archive detach``."""
    from engage_desktop.archive.views import detach

    ws = open_workspace(args, write=True)
    try:
        found = detach(ws)
    finally:
        ws.close()
    out("archive detached" if found else "no archive was attached")
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    """``archive info``."""
    from engage_desktop.archive import manifest as mf

    manifest = mf.load(Path(args.folder))
    out(
        f"archive schema {manifest.schema_version}: "
        + ", ".join(f"{manifest.rows(d):,} {d}" for d in mf.DATASETS)
        + f" in {len(manifest.files)} files, {len(manifest.runs)} runs"
    )
    months = sorted({(e.year, e.month) for e in manifest.files_of("mentions")})
    if months:
        out(f"months: {months[0][0]}-{months[0][1]:02d} to {months[-1][0]}-{months[-1][1]:02d}")
    out("cube: " + (manifest.cube["path"] if manifest.cube else "none (run 'cluster cube')"))
    if args.verify:
        problems = mf.verify(Path(args.folder))
        for line in problems:
            err(line)
        if problems:
            err(f"{len(problems)} files failed the check")
            return 1
        out("every file matches its checksum and row count")
    return 0


def cmd_cluster_score(args: argparse.Namespace) -> int:
    """``cluster score``."""
    from engage_desktop.cluster import require_dask

    require_dask()
    from engage_desktop.archive import manifest as mf
    from engage_desktop.cluster.score import cluster_score
    from engage_desktop.cluster.session import dask_client

    mf.load(Path(args.folder))  # a bad folder fails before a cluster starts
    scorer = _model_scorer(Path(args.model)) if args.model else None
    with dask_client(args.scheduler, workers=args.workers) as client:
        summary = cluster_score(
            Path(args.folder), client, scorer, progress=ProgressLine("cluster score")
        )
    out(summary.line())
    return 0


def _model_scorer(path: Path):
    """The scorer of a workspace, through the app's own entry point."""
    from engage_desktop.core.errors import WorkspaceLockedError
    from engage_desktop.enrich.pipeline import workspace_scorer
    from engage_desktop.workspace.database import Workspace

    try:
        ws = Workspace.open(path, read_only=True)
    except WorkspaceLockedError:
        ws = Workspace.open_snapshot(path)  # open in a window: read a copy
    try:
        return workspace_scorer(ws)
    finally:
        ws.close()


def cmd_cluster_cube(args: argparse.Namespace) -> int:
    """``cluster cube``."""
    from engage_desktop.cluster import require_dask

    require_dask()
    from engage_desktop.archive import manifest as mf
    from engage_desktop.cluster.cube import cluster_cube
    from engage_desktop.cluster.session import dask_client
    from engage_desktop.dashboard.analytics import AnalyticsContext

    mf.load(Path(args.folder))
    ctx = None
    if getattr(args, "workspace", None):
        ws = open_workspace(args)
        try:
            ctx = AnalyticsContext.load(ws)
        finally:
            ws.close()
    with dask_client(args.scheduler, workers=args.workers) as client:
        summary = cluster_cube(Path(args.folder), client, ctx, progress=ProgressLine("cube"))
    out(summary.line())
    if ctx is None:
        out("SLA counted with the default business hours; pass -w WORKSPACE for its own")
    return 0
