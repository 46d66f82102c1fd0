"""The listening commands end to end, and OPML, discovery and local files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from engage_desktop.cli import main
from engage_desktop.core.progress import PlainState
from engage_desktop.listen.fetch import run_fetch
from engage_desktop.listen.source_store import add_source, list_sources
from engage_desktop.workspace.database import Workspace
from tests.conftest import new_workspace
from tests.integration.listen_helpers import rss


@pytest.fixture(scope="module")
def server():
    srv = HTTPServer(host="127.0.0.1", threaded=True)
    srv.start()
    yield srv
    srv.clear()
    if srv.is_running():
        srv.stop()


@pytest.fixture
def wspath(tmp_path: Path) -> Path:
    path = tmp_path / "cli.engage"
    new_workspace(path).close()
    return path


def test_add_discovers_feed_fetch_summary_and_failures(wspath, server, capsys):
    server.clear()
    server.expect_request("/blog").respond_with_data(
        '<html><head><link rel="alternate" type="application/rss+xml" title="Posts" '
        'href="/blog/feed.xml"></head><body>hello</body></html>',
        content_type="text/html",
    )
    server.expect_request("/blog/feed.xml").respond_with_data(
        rss([("urn:b:1", "Nimbus rocks"), ("urn:b:2", "Unrelated")]),
        content_type="application/rss+xml",
    )
    w = ["-w", str(wspath)]
    assert main([*w, "sources", "add", server.url_for("/blog")]) == 0
    out = capsys.readouterr()
    assert "found the feed" in out.err and "/blog/feed.xml" in out.out
    assert main([*w, "sources", "add", "http://127.0.0.1:9/gone.xml", "--no-check"]) == 0
    assert main([*w, "watch", "add", "Nimbus", "nimbus", "--topic-kind", "brand"]) == 0
    capsys.readouterr()
    assert main([*w, "fetch", "--quiet"]) == 0  # completes although a source failed
    out = capsys.readouterr().out
    assert "1 sources ok" in out and "1 failed" in out and "1 new mentions" in out
    assert "failed: 127.0.0.1/gone.xml: cannot connect" in out
    assert main([*w, "sources", "list"]) == 0
    listing = capsys.readouterr().out
    assert "last error: cannot connect" in listing and "Test feed" in listing  # its title
    assert main([*w, "watch", "test", "nimbus OR unrelated"]) == 0
    assert "1 of 1 stored mentions match" in capsys.readouterr().out


def test_one_shot_fetch_process_ends_quickly_with_everything_written(wspath, server):
    """``python -m engage_desktop fetch`` skips Python's teardown (cli.run), not its work."""
    server.clear()
    server.expect_request("/quick.xml").respond_with_data(
        rss([("urn:q:1", "Nimbus is fast"), ("urn:q:2", "Nimbus again")]),
        content_type="application/rss+xml",
    )
    with Workspace.open(wspath) as ws:
        add_source(ws, kind="rss", url=server.url_for("/quick.xml"), name="q", channel="blog",
                   keep_all=True)  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "engage_desktop", "fetch", "--quiet", "-w", str(wspath)],
        capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
        env={**os.environ, "ENGAGE_DESKTOP_TIMELINE": "1"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "1 sources ok" in done.stdout and "2 new mentions" in done.stdout  # flushed
    assert "parse workers ended" in done.stderr  # waited for before the quick end
    assert not Path(f"{wspath}.wal").exists()  # closed whole: checkpointed, no log left
    with Workspace.open(wspath, read_only=True) as ws:
        assert ws.scalar("SELECT count(*) FROM mentions WHERE sentiment_label IS NOT NULL") == 2


def test_watch_parse_error_points_at_the_character(wspath, capsys):
    assert main(["-w", str(wspath), "watch", "add", "Bad", 'nimbus AND "open']) == 2
    err = capsys.readouterr().err
    assert "^" in err and "does not parse" in err
    assert main(["-w", str(wspath), "watch", "test", "a NEAR/x b"]) == 2


def test_opml_round_trip_with_folders_and_keep_all(wspath, tmp_path, capsys):
    opml = tmp_path / "in.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>'
        '<outline text="Industry"><outline text="Blog A" xmlUrl="https://a.example/feed"/>'
        '<outline text="Deep"><outline text="Blog B" xmlUrl="https://b.example/rss"/></outline>'
        '</outline><outline text="Loose" xmlUrl="https://c.example/atom"/></body></opml>'
    )
    w = ["-w", str(wspath)]
    assert main([*w, "sources", "import-opml", str(opml), "--all"]) == 0
    assert main([*w, "sources", "import-opml", str(opml)]) == 0
    assert "3 were already sources" in capsys.readouterr().out
    with Workspace.open(wspath) as ws:
        rows = {s["name"]: s for s in list_sources(ws)}
    assert rows["Blog B"]["tags"] == ["Industry", "Deep"] and rows["Blog B"]["keep_all"]
    assert rows["Loose"]["tags"] == []
    out = tmp_path / "out.opml"
    assert main([*w, "sources", "export-opml", str(out)]) == 0
    from engage_desktop.sources.opml import read_opml

    back = {f.url: f for f in read_opml(out)}
    assert back["https://a.example/feed"].tags == ("Industry",)
    assert set(back) == {
        "https://a.example/feed",
        "https://b.example/rss",
        "https://c.example/atom",
    }
    bad = tmp_path / "bad.opml"
    bad.write_text("<html></html>")
    assert main([*w, "sources", "import-opml", str(bad)]) == 1


def test_local_jsonl_csv_folder_and_demo_resource(wspath, tmp_path):
    folder = tmp_path / "dump"
    folder.mkdir()
    (folder / "a.jsonl").write_text(
        json.dumps(
            {"id": "x1", "text": "Nimbus fan", "author": "Ann", "published": "2026-10-01T10:00:00Z"}
        )
        + "\n\n"
        + json.dumps({"text": "no id, still kept"})
        + "\n"
    )
    (folder / "b.csv").write_text("id,text,url\n7,Mesh Pro is fine,https://x.example/7\n")
    w = ["-w", str(wspath)]
    assert main([*w, "sources", "add", str(folder), "--kind", "file", "--all"]) == 0
    assert main([*w, "sources", "add", "resource://demo/blog.xml", "--all"]) == 0
    with Workspace.open(wspath) as ws:
        first = run_fetch(PlainState(), ws, force=True)
        second = run_fetch(PlainState(), ws, force=True)
        assert first.new_mentions == 3 + 12 and not first.failed
        assert all(h.not_modified for h in second.results)
        assert ws.scalar("SELECT count(*) FROM mentions WHERE url = 'https://x.example/7'") == 1


def test_remove_spells_out_what_goes(wspath, capsys):
    w = ["-w", str(wspath)]
    main([*w, "sources", "add", "resource://demo/hn.xml", "--all"])
    with Workspace.open(wspath) as ws:
        run_fetch(PlainState(), ws, force=True)
        mid = ws.scalar("SELECT min(id) FROM mentions")
        with ws.write() as cur:
            cur.execute("INSERT INTO notes (mention_id, body) VALUES (?, 'keep me')", [mid])
    capsys.readouterr()
    assert main([*w, "sources", "remove", "1", "--with-mentions"]) == 0
    assert "11 of its mentions; kept 1" in capsys.readouterr().out
