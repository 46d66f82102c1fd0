"""Archives: export (and --move) to partitioned Parquet, attach, and read both together.

Real workspaces (copies of the session's 3,000-mention demo), real Parquet files,
real DuckDB reading them back. Interruptions are real too: an exception raised from
the progress callback (as Ctrl+C would), a crash injected right after the archive's
commit point, and a SIGKILLed ``engage-desktop archive export --move`` process.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from engage_desktop.archive import export as export_mod
from engage_desktop.archive import manifest as mf
from engage_desktop.archive import views
from engage_desktop.archive.export import export_archive
from engage_desktop.cli import main
from engage_desktop.dashboard.analytics import (
    AnalyticsContext,
    ChartElement,
    DashboardFilter,
    data_days,
    mention_query,
    top_channels,
)
from engage_desktop.dashboard.cube import MentionCube
from engage_desktop.dashboard.response import week_starts, weekly_median
from engage_desktop.dashboard.spikes import backtest, default_rules
from engage_desktop.dashboard.terms import rising_terms
from engage_desktop.inbox.filters import InboxFilter, to_query
from engage_desktop.inbox.pager import ROW_FIELDS, MentionPager, MentionQuery, get_mention
from engage_desktop.workspace.database import Workspace

CUT = datetime(2026, 9, 1, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]


def snapshot(ws: Workspace) -> dict[int, tuple]:
    """Every mention's identity and content, by id."""
    return {
        r[0]: r[1:]
        for r in ws.cursor()
        .execute("SELECT id, item_key, text, sentiment, status, tags FROM mentions")
        .fetchall()
    }


def archived_rows(folder: Path) -> list[tuple]:
    """Every mention row the manifest lists (duplicates kept, so they would show)."""
    import duckdb

    manifest = mf.load(folder)
    files = [str(folder / e.path) for e in manifest.files_of("mentions")]
    if not files:
        return []
    return (
        duckdb.connect()
        .execute("SELECT id, item_key, text, sentiment, status, tags FROM read_parquet(?)", [files])
        .fetchall()
    )


def assert_nothing_lost_or_doubled(path: Path, folder: Path, original: dict[int, tuple]) -> None:
    with Workspace.open(path) as ws:
        left = snapshot(ws)
        if (folder / mf.MANIFEST).exists():
            views.attach(ws, folder)
        else:
            views.detach(ws)
        pager = MentionPager(ws, MentionQuery())
        shown = pager.ids_in_range(0, len(original) + 10)
        pager.close()
    archived = archived_rows(folder) if (folder / mf.MANIFEST).exists() else []
    archived_ids = [r[0] for r in archived]
    assert len(archived_ids) == len(set(archived_ids)), "a mention was archived twice"
    # Workspace and attached archive together show every mention exactly once.
    assert sorted(shown) == sorted(original)
    for row in archived:
        assert original[row[0]] == row[1:], f"archived mention {row[0]} differs"
    for ident, row in left.items():
        assert original[ident] == row


def test_export_writes_partitions_manifest_and_checksums(demo_path, tmp_path):
    folder = tmp_path / "arch"
    with Workspace.open(demo_path) as ws:
        total = ws.scalar("SELECT count(*) FROM mentions")
        summary = export_archive(ws, folder)
        assert ws.scalar("SELECT count(*) FROM mentions") == total  # a copy, not a move
        replies = ws.scalar("SELECT count(*) FROM replies")
    assert summary.rows["mentions"] == total and summary.rows["replies"] == replies
    manifest = json.loads((folder / mf.MANIFEST).read_text())
    assert manifest["schema_version"] == mf.SCHEMA_VERSION
    assert manifest["rows"]["mentions"] == total
    for entry in manifest["files"]:
        path = folder / entry["path"]
        assert path.parent.name.startswith("month=") and path.parent.parent.name.startswith("year=")
        meta = pq.read_metadata(path)
        assert meta.num_rows == entry["rows"]
        assert meta.row_group(0).column(0).compression == "ZSTD"
        assert meta.metadata[b"engage_archive_schema"] == str(mf.SCHEMA_VERSION).encode()
        assert mf.sha256_of(path) == entry["sha256"]
    assert mf.verify(folder) == []


def test_rerun_adds_new_partitions_and_never_rewrites_old_ones(demo_path, tmp_path):
    folder = tmp_path / "arch"
    with Workspace.open(demo_path) as ws:
        first = export_archive(ws, folder, before=CUT)
        before = {p: (p.stat().st_mtime_ns, mf.sha256_of(p)) for p in folder.rglob("*.parquet")}
        again = export_archive(ws, folder, before=CUT)
        assert again.rows["mentions"] == 0  # nothing new before the cut-off
        later = export_archive(ws, folder)  # now everything: only the rest is added
        total = ws.scalar("SELECT count(*) FROM mentions")
    assert first.rows["mentions"] + later.rows["mentions"] == total
    for path, (mtime, digest) in before.items():
        assert path.stat().st_mtime_ns == mtime and mf.sha256_of(path) == digest
    manifest = mf.load(folder)
    assert len({e.path for e in manifest.files}) == len(manifest.files)
    assert {e.run for e in manifest.files} == {first.run, later.run}
    # The September partition exists once per run that had rows for it: unique names.
    assert manifest.rows() == total


def test_move_removes_rows_keeps_ids_and_compacts_file(demo_path, tmp_path, capsys):
    folder = tmp_path / "arch"
    with Workspace.open(demo_path) as ws:
        original = snapshot(ws)
        in_work = ws.scalar(
            "SELECT count(*) FROM mentions WHERE published < ? AND " + export_mod.IN_WORK_SQL,
            [CUT],
        )
    code = main(
        ["-w", str(demo_path), "archive", "export", str(folder), "--before", "2026-09-01", "--move"]
    )
    assert code == 0
    # DuckDB never shrinks a file by itself; the move rewrites it without free blocks.
    # (At 3,000 mentions the fixed per-table blocks dominate; benchmarks/scale.py
    # measures a 1M-mention move.)
    line = [x for x in capsys.readouterr().out.splitlines() if x.startswith("workspace file")]
    before_mb, after_mb = (float(v) for v in re.findall(r"([\d.]+) MB", line[0]))
    assert after_mb < before_mb
    assert demo_path.stat().st_size == pytest.approx(after_mb * 1e6, abs=0.06e6)
    with Workspace.open(demo_path) as ws:
        left = ws.scalar("SELECT count(*) FROM mentions WHERE published < ?", [CUT])
        assert left == in_work  # only mentions with unsent drafts or replies stay
        orphans = ws.scalar(
            "SELECT count(*) FROM replies WHERE mention_id NOT IN (SELECT id FROM mentions)"
        )
        assert orphans == 0
        # The copy kept the sequence's place: no archived id is handed out again.
        assert ws.scalar("SELECT nextval('mention_ids')") > max(original)
        moves = ws.tuples("SELECT new_value FROM events WHERE entity = 'archive'")
        assert moves == [(str(len(original) - len(snapshot(ws))),)]
    assert_nothing_lost_or_doubled(demo_path, folder, original)


@pytest.mark.parametrize("crash_at", ["before_swap", "after_swap"])
def test_move_by_compaction_interrupted_loses_and_duplicates_nothing(
    demo_path, tmp_path, monkeypatch, crash_at
):
    """The CLI's move: the rows leave when the compacted copy replaces the workspace."""
    from engage_desktop.archive import compact as compact_mod

    folder = tmp_path / "arch"
    with Workspace.open(demo_path) as ws:
        original = snapshot(ws)
        export_archive(ws, folder, before=CUT, move=True, delete=False)
        assert snapshot(ws) == original  # the files are committed, the rows still here

    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    if crash_at == "before_swap":  # the copy is written, not yet renamed over
        monkeypatch.setattr(compact_mod, "_fsync", crash)
    else:  # renamed over, the run not yet marked moved
        monkeypatch.setattr(compact_mod.mf, "save", crash)
    with pytest.raises(KeyboardInterrupt):
        compact_mod.finish_moves(demo_path, folder)
    monkeypatch.undo()
    assert mf.load(folder).runs[-1]["state"] == "written"
    assert not list(tmp_path.glob(".*.compact"))
    with Workspace.open(demo_path) as ws:
        still_all = ws.scalar("SELECT count(*) FROM mentions") == len(original)
    assert still_all == (crash_at == "before_swap")
    assert_nothing_lost_or_doubled(demo_path, folder, original)
    args = ["-w", str(demo_path), "archive", "export", str(folder), "--before", "2026-09-01"]
    assert main([*args, "--move"]) == 0  # the next run finishes the move
    assert [r["state"] for r in mf.load(folder).runs] == ["moved"]
    assert_nothing_lost_or_doubled(demo_path, folder, original)
    with Workspace.open(demo_path) as ws:
        assert ws.scalar("SELECT count(*) FROM mentions WHERE published < ?", [CUT]) == (
            ws.scalar(
                "SELECT count(*) FROM mentions WHERE published < ? AND " + export_mod.IN_WORK_SQL,
                [CUT],
            )
        )


def test_move_needs_a_cutoff_and_a_bad_folder_is_one_line(demo_path, tmp_path, capsys):
    assert main(["-w", str(demo_path), "archive", "export", str(tmp_path / "a"), "--move"]) == 2
    assert "--before" in capsys.readouterr().err
    not_archive = tmp_path / "photos"
    not_archive.mkdir()
    (not_archive / "a.jpg").write_bytes(b"x")
    assert main(["-w", str(demo_path), "archive", "attach", str(not_archive)]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "not an engage-desktop archive" in err
    assert main(["-w", str(demo_path), "archive", "export", str(not_archive)]) == 1
    assert "not empty" in capsys.readouterr().err


@pytest.mark.parametrize("stop_at", [1, 5, 9])
def test_move_interrupted_while_writing_changes_nothing(demo_path, tmp_path, stop_at):
    folder = tmp_path / "arch"
    with Workspace.open(demo_path) as ws:
        original = snapshot(ws)

        def progress(done: int, total: int) -> None:
            if done >= stop_at:
                raise KeyboardInterrupt  # what Ctrl+C does mid-way

        with pytest.raises(KeyboardInterrupt):
            export_archive(ws, folder, before=CUT, move=True, progress=progress)
        assert snapshot(ws) == original
    assert not list(folder.glob(".staging-*")) and not list(folder.rglob("*.parquet"))
    assert not (folder / mf.MANIFEST).exists()
    with Workspace.open(demo_path) as ws:  # running it again finishes the job
        export_archive(ws, folder, before=CUT, move=True)
    assert_nothing_lost_or_doubled(demo_path, folder, original)


def test_move_interrupted_after_commit_point_is_finished_by_next_run(
    demo_path, tmp_path, monkeypatch
):
    folder = tmp_path / "arch"

    def crash(*args, **kwargs):
        raise KeyboardInterrupt  # files and manifest written, the delete never ran

    with Workspace.open(demo_path) as ws:
        original = snapshot(ws)
        monkeypatch.setattr(export_mod, "_delete_from_workspace", crash)
        with pytest.raises(KeyboardInterrupt):
            export_archive(ws, folder, before=CUT, move=True)
        monkeypatch.undo()
        assert snapshot(ws) == original  # nothing left the workspace yet
        assert mf.load(folder).runs[-1]["state"] == "written"
    # Both places hold the rows now; the attached view still shows each once.
    assert_nothing_lost_or_doubled(demo_path, folder, original)
    with Workspace.open(demo_path) as ws:
        summary = export_archive(ws, folder, before=CUT, move=True)
        assert summary.recovered > 0 and summary.rows["mentions"] == 0
        assert ws.scalar("SELECT count(*) FROM mentions") == len(original) - summary.recovered
    assert mf.load(folder).runs[0]["state"] == "moved"
    assert_nothing_lost_or_doubled(demo_path, folder, original)


def test_killed_move_process_loses_and_duplicates_nothing(demo_path, tmp_path):
    """SIGKILL ``archive export --move`` as soon as it starts writing, then recover."""
    folder = tmp_path / "arch"
    with Workspace.open(demo_path) as ws:
        original = snapshot(ws)
    cmd = [
        sys.executable,
        "-m",
        "engage_desktop",
        "-w",
        str(demo_path),
        "archive",
        "export",
        str(folder),
        "--before",
        "2026-10-15",
        "--move",
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if list(folder.glob(".staging-*/*/*/*/*.parquet")):
            break  # some partition files are written: kill mid-way
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    assert_nothing_lost_or_doubled(demo_path, folder, original)
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert_nothing_lost_or_doubled(demo_path, folder, original)
    assert not list(folder.glob(".staging-*"))
    with Workspace.open(demo_path) as ws:
        assert ws.scalar("SELECT count(*) FROM mentions WHERE published < '2026-10-15'") == (
            ws.scalar(
                "SELECT count(*) FROM mentions WHERE published < '2026-10-15' AND ("
                + export_mod.IN_WORK_SQL
                + ")"
            )
        )


# -- attached archive: the same counts as the same rows in the workspace ------------------


@pytest.fixture(scope="module")
def twin(demo_template, tmp_path_factory):
    """(untouched workspace, workspace whose older half was moved to an attached archive).

    Shared by the read-only tests of this module; opened read-only so none can change it.
    """
    tmp_path = tmp_path_factory.mktemp("twin")
    whole_path, moved = tmp_path / "whole.engage", tmp_path / "moved.engage"
    shutil.copy2(demo_template, whole_path)
    shutil.copy2(demo_template, moved)
    folder = tmp_path / "arch"
    with Workspace.open(moved) as ws:
        export_archive(ws, folder, before=CUT, move=True)
        views.attach(ws, folder)
    with (
        Workspace.open(whole_path, read_only=True) as whole,
        Workspace.open(moved, read_only=True) as split,
    ):
        assert split.scalar("SELECT count(*) FROM mentions") < whole.scalar(
            "SELECT count(*) FROM mentions"
        )
        yield whole, split


def ids_of(ws: Workspace, query: MentionQuery, limit: int = 5000) -> list[int]:
    pager = MentionPager(ws, query, page_size=150)
    try:
        assert pager.count() <= limit
        return [pager.row(i)[0] for i in range(pager.count())]
    finally:
        pager.close()


SEARCHES = [
    InboxFilter(),
    InboxFilter(search="outage"),
    InboxFilter(search='"router x2" -firmware', sort="priority"),
    InboxFilter(sentiments=("negative",), statuses=("resolved", "pending"), sort="oldest"),
    InboxFilter(topics=("Orbit",), sort="reach"),
    InboxFilter(since="2026-08-15", until="2026-09-10", sort="sentiment"),
    InboxFilter(channels=("mastodon",), has_reply=True),
]


@pytest.mark.parametrize("flt", SEARCHES, ids=lambda f: json.dumps(f.to_dict()))
def test_attached_search_equals_workspace(twin, flt):
    whole, split = twin
    query = to_query(flt, now=datetime(2026, 11, 1, tzinfo=UTC))
    # Same rows, same order (keyset paging across pages included), same ids.
    assert ids_of(split, query) == ids_of(whole, query)


def test_attached_rows_are_flagged_and_open_in_full(twin):
    whole, split = twin
    pager = MentionPager(split, MentionQuery(sort="oldest"))
    first = pager.row(0)
    newest = MentionPager(split, MentionQuery(sort="time")).row(0)
    flag = ROW_FIELDS.index("from_archive")
    assert first[flag] is True and newest[flag] is False
    mention = get_mention(split, first[0])
    assert mention["from_archive"] is True
    assert mention["text"] == get_mention(whole, first[0])["text"]
    assert "read-only" in views.archive_note(split)


def test_partition_pruning_reads_only_the_months_asked(twin):
    _, split = twin
    june = views.mention_source(
        split, datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 7, 1, tzinfo=UTC)
    )
    assert june.sql.count("year=") == 1 and "month=06" in june.sql
    recent = views.mention_source(split, datetime(2026, 10, 1, tzinfo=UTC))
    assert not recent.archived and recent.sql == "mentions"


def test_data_span_comes_from_the_manifest_and_equals_the_workspace(twin):
    whole, split = twin
    assert data_days(split) == data_days(whole)
    wide = (datetime(1990, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
    span, rest = views.known_span(split, *wide)
    assert span is not None and not rest.archived  # no archived file needs opening
    # A file whose range leaves the window (as an impossible date would) is scanned.
    narrow = (span[0] + timedelta(days=1), wide[1])
    span2, rest2 = views.known_span(split, *narrow)
    assert rest2.archived and rest2.sql.count("year=") == 1 and span2[1] == span[1]


AUG_20 = datetime(2026, 8, 20, tzinfo=UTC).timestamp()
ELEMENTS = [
    ChartElement("volume", AUG_20, AUG_20 + 86400, "negative"),
    ChartElement("sentiment", None, None, "positive"),
    ChartElement("share_of_voice", None, None, "Orbit"),
    ChartElement("response_time", None, None, "1–4h"),
    ChartElement("sla", None, None, "breached"),
    ChartElement("backlog", None, datetime(2026, 9, 3, tzinfo=UTC).timestamp()),
    ChartElement("channel", None, None, "reddit"),
    ChartElement("all"),
]  # fmt: skip


@pytest.mark.parametrize("element", ELEMENTS, ids=lambda e: f"{e.chart}-{e.key}")
def test_attached_drilldown_counts_equal_workspace(twin, element):
    whole, split = twin
    flt = DashboardFilter(datetime(2026, 7, 1, tzinfo=UTC), datetime(2026, 10, 1, tzinfo=UTC))
    counts = []
    for ws in (whole, split):
        query = mention_query(AnalyticsContext.load(ws), flt, element)
        pager = MentionPager(ws, query)
        counts.append(pager.count())
        pager.close()
    assert counts[0] == counts[1] > 0


def test_attached_dashboard_numbers_equal_workspace(twin):
    whole, split = twin
    flt = DashboardFilter(datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 10, 1, tzinfo=UTC))
    cubes = [MentionCube.load(ws, AnalyticsContext.load(ws)) for ws in (whole, split)]
    a, b = (c.volume(flt) for c in cubes)
    for label in a.counts:
        assert list(a.counts[label]) == list(b.counts[label])
    ra, rb = (c.responses(flt) for c in cubes)
    assert list(ra.bin_counts) == list(rb.bin_counts) and list(ra.backlog) == list(rb.backlog)
    ta, tb = top_channels(whole, flt), top_channels(split, flt)
    assert [(r.key, r.mentions) for r in ta] == [(r.key, r.mentions) for r in tb]
    assert [r.sentiment for r in ta] == pytest.approx([r.sentiment for r in tb])


def test_attached_median_terms_and_alerts_equal_workspace(twin):
    """The weekly response median, rising terms and spike alerts read the union too."""
    whole, split = twin
    # From a week before the archive's end: on the split side the previous period of
    # the rising terms and the spikes' baseline are read from the archive.
    flt = DashboardFilter(datetime(2026, 8, 25, tzinfo=UTC), datetime(2026, 9, 29, tzinfo=UTC))
    weeks = week_starts(MentionCube.load(whole, AnalyticsContext.load(whole)).days(flt))
    (ma, na), (mb, nb) = (weekly_median(ws, flt, weeks) for ws in (whole, split))
    assert na[0] > 0 and list(na) == list(nb)  # the first week is mostly archived
    assert list(ma) == pytest.approx(list(mb), nan_ok=True)
    ta, tb = (rising_terms(ws, flt, limit=3) for ws in (whole, split))
    assert ta.terms and (ta.current_total, ta.previous_total) == (
        tb.current_total,
        tb.previous_total,
    )
    assert [(t.term, t.current, t.previous) for t in ta.terms] == [
        (t.term, t.current, t.previous) for t in tb.terms
    ]
    rule = default_rules()[0]  # total volume per hour
    ea, eb = (backtest(ws, rule, flt.start, flt.end) for ws in (whole, split))
    assert ea and [(e.start, e.end, e.mentions, e.baseline) for e in ea] == [
        (e.start, e.end, e.mentions, e.baseline) for e in eb
    ]


def test_detach_returns_to_workspace_only(demo_path, tmp_path):
    with Workspace.open(demo_path) as ws:
        export_archive(ws, tmp_path / "arch", before=CUT)
        views.attach(ws, tmp_path / "arch")
        assert views.mention_source(ws).archived
        assert views.detach(ws)
        assert views.mention_source(ws) == views.WORKSPACE_ONLY
        assert not views.detach(ws)
