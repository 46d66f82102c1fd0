# ruff: noqa: E501
"""An agency's first steps: a workspace from a brief, a client's export imported.

Real workspace files in tmp_path, real CSV/JSONL/XLSX/Parquet files, the real CLI.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from engage_desktop.cli import main
from engage_desktop.inbox.mention_import import import_mentions
from engage_desktop.inbox.mention_ref import resolve_mention
from engage_desktop.inbox.saved_views import list_views
from engage_desktop.workspace.database import Workspace

UUID = "3f2b8c1e-9d4a-4e55-a0f1-7b6c2d9e8a10"
URL_ID = "https://social.example/@kim/110000000000000042"
EXT_IDS = ("rid-00017-x", URL_ID, UUID, "987654321")

# A Brandwatch-style export: report lines above the header, its column names,
# times without a zone, their sentiment as words.
BRANDWATCH_CSV = f"""\
Report:,Nimbus monthly
Brand:,Nimbus
From:,2026-03-01,To:,2026-03-31

Query Name,Date,Title,Url,Domain,Sentiment,Author,Full Text,Resource Id
Nimbus,2026-03-02 09:15:00.0,,,forum.example,negative,kim,"Nimbus router died again, third one",{EXT_IDS[0]}
Nimbus,2026-03-03 10:00:00.0,,https://t.example/2,t.example,positive,lee,Switched from Orbit to Nimbus and love it,{EXT_IDS[1]}
Nimbus,2026-03-04 11:30:00.0,Help,,forum.example,neutral,max,Skylink or Nimbus for a flat?,{EXT_IDS[2]}
Nimbus,2026-03-05T12:00:00+02:00,,,forum.example,positive,ana,"=HYPERLINK(""http://x.example"",""win"") nimbus",{EXT_IDS[3]}
"""


def _new(tmp_path: Path, *extra: str) -> Path:
    path = tmp_path / "client.engage"
    args = ["new", str(path), "--brand", "Nimbus", "--competitor", "Orbit",
            "--competitor", "Skylink", *extra]  # fmt: skip
    assert main(args) == 0
    return path


def test_new_workspace_from_a_brief(tmp_path, capsys):
    path = _new(tmp_path, "--product", "Router X2", "--language", "en", "--add-sources")
    out = capsys.readouterr().out
    assert 'topic Router X2 (product): "router x2" OR #routerx2' in out
    assert "topic Nimbus (brand): nimbus OR @nimbus OR #nimbus" in out
    assert "nothing fetched yet" in out
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "home"]
    assert leftovers == ["client.engage"]  # no temp file left
    with Workspace.open(path) as ws:
        topics = dict(ws.cursor().execute("SELECT name, kind FROM topics").fetchall())
        assert topics == {"Nimbus": "brand", "Router X2": "product", "Orbit": "competitor",
                          "Skylink": "competitor"}  # fmt: skip
        kinds = {r[0] for r in ws.cursor().execute("SELECT kind FROM sources").fetchall()}
        assert kinds == {"mastodon", "bluesky", "hn", "rss"}
        assert ws.scalar("SELECT count(*) FROM mentions") == 0
        assert ws.scalar("SELECT count(*) FROM sources WHERE last_fetch_at IS NOT NULL") == 0
        assert ws.get_setting("listen.fetch_on_schedule") is False
        names = [v.name for v in list_views(ws)]
    assert "Needs a reply" in names and "Competitor: Orbit" in names
    assert "Competitor: Skylink" in names and "Outage" not in names
    # An existing file is never replaced without --force.
    assert main(["new", str(path), "--brand", "Other"]) == 1
    assert "already exists" in capsys.readouterr().err


def test_missing_workspace_says_to_run_new(tmp_path, capsys):
    missing = str(tmp_path / "nope.engage")
    for args in (["import", "x.csv"], ["--snapshot", "info"], ["inbox", "list"]):
        assert main(["-w", missing, *args]) == 1
        assert f"create it with 'engage-desktop new {missing}'" in capsys.readouterr().err


def test_brandwatch_csv_maps_keeps_ids_zones_and_their_sentiment(tmp_path, capsys):
    path = _new(tmp_path)
    source = tmp_path / "brandwatch.csv"
    source.write_text(BRANDWATCH_CSV, encoding="utf-8")
    capsys.readouterr()
    assert main(["-w", str(path), "import", str(source), "--timezone", "Europe/Berlin"]) == 0
    io = capsys.readouterr()
    assert "text ← Full Text" in io.err and "id ← Resource Id" in io.err
    assert "imported 4 of 4 rows" in io.out and "4 external ids" in io.out
    assert "times: 1 with a zone, 3 without, taken as Europe/Berlin" in io.out
    with Workspace.open(path) as ws:
        rows = {
            r[0]: r[1:]
            for r in ws.cursor()
            .execute(
                "SELECT external_id, published, their_label, sentiment_label, topics FROM mentions"
            )
            .fetchall()
        }
    assert set(rows) == set(EXT_IDS)
    stamp, their, ours, topics = rows["rid-00017-x"]
    assert stamp.isoformat().startswith("2026-03-02T08:15:00")  # 09:15 Berlin = 08:15 UTC
    assert rows["987654321"][0].isoformat().startswith("2026-03-05T10:00:00")
    assert their == "negative" and ours in ("positive", "neutral", "negative")
    # Imports match the watch queries like fetches do.
    assert topics == ["Nimbus"]
    assert sorted(rows[URL_ID][3]) == ["Nimbus", "Orbit"]
    assert sorted(rows[UUID][3]) == ["Nimbus", "Skylink"]


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "xlsx", "parquet"])
def test_external_ids_round_trip_through_every_format(tmp_path, fmt):
    path = _new(tmp_path)
    source = tmp_path / "brandwatch.csv"
    source.write_text(BRANDWATCH_CSV, encoding="utf-8")
    with Workspace.open(path) as ws:
        import_mentions(ws, source)
    out = tmp_path / f"out.{fmt}"
    assert main(["-w", str(path), "export", "mentions", str(out)]) == 0
    exported = _read(out)
    assert {r["external_id"] for r in exported} == set(EXT_IDS)
    assert all(str(r["id"]).isdigit() for r in exported)
    # Our export imports into a fresh workspace with the same ids and external ids.
    fresh = tmp_path / "fresh.engage"
    assert main(["new", str(fresh)]) == 0
    with Workspace.open(fresh) as ws:
        summary = import_mentions(ws, out)
        back = dict(ws.cursor().execute("SELECT id, external_id FROM mentions").fetchall())
    assert summary.imported == 4 and summary.kept_ids == 4
    # Our ids stay ours, and the first tool's ids stay its external ids.
    assert back == {int(r["id"]): r["external_id"] for r in exported}


def _read(path: Path) -> list[dict]:
    if path.suffix == ".csv":
        with path.open(encoding="utf-8") as fh:
            return list(csv.DictReader(fh))
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        return pq.read_table(path).to_pylist()
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    book.close()
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def test_commands_take_external_ids(tmp_path, capsys):
    path = _new(tmp_path)
    source = tmp_path / "brandwatch.csv"
    source.write_text(BRANDWATCH_CSV, encoding="utf-8")
    w = ["-w", str(path)]
    assert main([*w, "import", str(source), "--no-enrich"]) == 0
    assert main([*w, "score"]) == 0
    assert main([*w, "correct", "rid-00017-x", "positive"]) == 0
    assert main([*w, "inbox", "tag", "vip", URL_ID, f"ext:{EXT_IDS[3]}"]) == 0
    assert main([*w, "inbox", "status", "resolved", UUID]) == 0
    assert main([*w, "reply", UUID, "Thanks, Max!"]) == 0
    assert main([*w, "correct", "no-such-id", "positive"]) == 2
    assert "no mention with id or external id 'no-such-id'" in capsys.readouterr().err
    with Workspace.open(path) as ws:
        first = resolve_mention(ws, "rid-00017-x")
        label, their = (
            ws.cursor()
            .execute("SELECT sentiment_label, their_label FROM mentions WHERE id = ?", [first])
            .fetchone()
        )
        tagged = ws.scalar("SELECT count(*) FROM mentions WHERE list_contains(tags, 'vip')")
        status = ws.scalar("SELECT status FROM mentions WHERE external_id = ?", [UUID])
        drafts = ws.scalar("SELECT count(*) FROM drafts")
        # Re-scoring keeps the correction; their sentiment never replaces ours.
    assert main([*w, "score", "--rescore"]) == 0
    with Workspace.open(path) as ws:
        after = ws.scalar("SELECT sentiment_label FROM mentions WHERE id = ?", [first])
    assert (label, their, after) == ("positive", "negative", "positive")
    assert tagged == 2 and status == "resolved" and drafts == 1


def test_adding_a_watch_query_tags_the_stored_history(tmp_path, capsys):
    path = _new(tmp_path)
    source = tmp_path / "brandwatch.csv"
    source.write_text(BRANDWATCH_CSV, encoding="utf-8")
    w = ["-w", str(path)]
    assert main([*w, "import", str(source), "--no-enrich"]) == 0
    capsys.readouterr()
    assert main([*w, "watch", "add", "Routers", "router*", "--topic", "Hardware"]) == 0
    assert "it matches 1 of 4 stored mentions, now tagged with it" in capsys.readouterr().out
    with Workspace.open(path) as ws:
        topics = ws.scalar("SELECT topics FROM mentions WHERE external_id = 'rid-00017-x'")
        qid = ws.scalar("SELECT id FROM watch_queries WHERE name = 'Routers'")
        from engage_desktop.listen.source_store import update_watch_query
        from engage_desktop.listen.watch import apply_watch_query

        update_watch_query(ws, qid, query="flat", topic="Homes")
        result = apply_watch_query(ws, qid, old_topic="Hardware")
        rows = dict(ws.cursor().execute("SELECT external_id, topics FROM mentions").fetchall())
    assert topics == ["Nimbus", "Hardware"]
    assert (result.matched, result.added, result.removed) == (1, 1, 1)
    assert rows["rid-00017-x"] == ["Nimbus"] and rows[UUID] == ["Nimbus", "Skylink", "Homes"]


def test_a_cancelled_import_writes_nothing(tmp_path):
    path = _new(tmp_path)
    source = tmp_path / "big.csv"
    with source.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["Post Id", "Message", "Created At"])
        for i in range(60_000):
            out.writerow([f"p{i}", f"post number {i} about nimbus", "2026-03-01 10:00"])
    from engage_desktop.inbox.import_read import ImportCancelled

    with Workspace.open(path) as ws:
        with pytest.raises(ImportCancelled):
            import_mentions(ws, source, is_cancelled=lambda: True)
        assert ws.scalar("SELECT count(*) FROM mentions") == 0
        assert ws.scalar("SELECT count(*) FROM events WHERE action = 'import'") == 0


def test_dry_run_shows_the_mapping_and_writes_nothing(tmp_path, capsys):
    path = _new(tmp_path)
    source = tmp_path / "sprout.csv"
    source.write_text("Date,Network,From,Message,Message ID\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["-w", str(path), "import", str(source), "--dry-run",
                 "--map", "source=Network"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "text ← Message" in out and "author ← From" in out and "source ← Network" in out
    assert main(["-w", str(path), "import", str(source), "--map", "text=Nope"]) == 2


def test_a_workspace_of_the_previous_version_gets_external_ids(tmp_path):
    import duckdb

    from engage_desktop.workspace import schema

    path = tmp_path / "old.engage"
    con = duckdb.connect(str(path))
    schema.migrate(con, target=5)  # the version before external ids
    con.execute(
        "INSERT INTO mentions (id, item_key, channel, remote_id, text, text_norm, published) "
        "VALUES (7, 'k7', 'import', 'rid-7', 'hello', 'hello', now()), "
        "(8, 'k8', 'mastodon', '1100', 'hi', 'hi', now())"
    )
    con.close()
    with Workspace.open(path) as ws:
        assert ws.schema_version() == schema.LATEST_VERSION
        rows = dict(ws.cursor().execute("SELECT id, external_id FROM mentions").fetchall())
        assert resolve_mention(ws, "rid-7") == 7
    # An import's old id becomes its external id; a fetched post's channel id does not.
    assert rows == {7: "rid-7", 8: None}


def test_parquet_imports_without_pyarrow_parquet_as_in_the_bundle(tmp_path):
    """The bundle leaves pyarrow.parquet out: DuckDB reads the file instead."""
    import subprocess
    import sys

    path = _new(tmp_path)
    source = tmp_path / "brandwatch.csv"
    source.write_text(BRANDWATCH_CSV, encoding="utf-8")
    with Workspace.open(path) as ws:
        import_mentions(ws, source)
    out = tmp_path / "out.parquet"
    assert main(["-w", str(path), "export", "mentions", str(out)]) == 0
    fresh = tmp_path / "fresh.engage"
    assert main(["new", str(fresh)]) == 0
    script = (
        "import sys\n"
        "for name in ('pyarrow.parquet', 'pyarrow._parquet', 'pyarrow.dataset'):\n"
        "    sys.modules[name] = None\n"
        "from engage_desktop.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script, "-w", str(fresh), "import", str(out)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    with Workspace.open(fresh) as ws:
        ext = {r[0] for r in ws.cursor().execute("SELECT external_id FROM mentions").fetchall()}
    assert ext == set(EXT_IDS)


def test_a_file_that_is_not_parquet_gets_one_line(tmp_path, capsys):
    path = _new(tmp_path)
    fake = tmp_path / "export.parquet"
    fake.write_bytes(b"PAR1 this is not a parquet file at all, only text" * 3)
    assert main(["-w", str(path), "import", str(fake)]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "export.parquet is not a Parquet file this app can read" in err
