"""Hostile feeds and servers on 127.0.0.1: nothing they send reaches the user's machine.

Covers the issue's rows on links, control characters, dates, Retry-After and
back-off, redirects, feed discovery and the wildcard that used to hang a fetch.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from engage_desktop.core.progress import PlainState
from engage_desktop.listen.fetch import FetchOptions, run_fetch
from engage_desktop.listen.source_store import add_source, add_watch_query, get_source
from engage_desktop.sources.http import FetchError, HttpClient, HttpLimits
from engage_desktop.sources.registry import find_feed
from engage_desktop.workspace.database import Workspace
from tests.conftest import new_workspace
from tests.security.hostile import ESC, EVIL_WILDCARD, HostileServer, run_cli

FAST = FetchOptions(
    limits=HttpLimits(read_timeout=10.0, deadline=30.0, host_delay=0.0), parse="thread"
)
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@pytest.fixture(scope="module")
def server():
    with HostileServer() as srv:
        yield srv


@pytest.fixture
def ws(tmp_path: Path):
    with new_workspace(tmp_path / "hostile.engage") as w:
        yield w


def _source(ws: Workspace, url: str, keep_all: bool = True) -> int:
    return add_source(
        ws, kind="rss", url=url, name=url.rsplit("/", 1)[-1], channel="blog", keep_all=keep_all
    )


def _rows(ws: Workspace, sql: str) -> list[tuple]:
    cur = ws.cursor()
    try:
        return cur.execute(sql).fetchall()
    finally:
        cur.close()


def test_only_web_links_are_stored_and_relative_ones_resolve(ws, server):
    _source(ws, server.url("/feed/hostile"))
    summary = run_fetch(PlainState(), ws, options=FAST)
    assert summary.ok == 1, summary.failed
    rows = dict(_rows(ws, "SELECT remote_id, url FROM mentions"))
    # javascript: and file: item links are not links at all; a relative one resolves
    # against the feed's own http address.
    assert rows["urn:hostile:markup"] is None
    assert rows["urn:hostile:file"] is None
    assert rows["urn:hostile:rel"] == server.url("/posts/7")
    (html,) = _rows(ws, "SELECT html FROM mentions WHERE remote_id = 'urn:hostile:markup'")[0]
    hrefs = re.findall(r'(?:href|src|data-src)="([^"]*)"', html)
    assert hrefs, html
    for href in hrefs:
        assert href.startswith(("http://", "https://", "mailto:")), href
    # The item's own address is javascript:, so its relative links have no web base:
    # dropped, never left to resolve to a local path.
    assert hrefs == ["https://safe.example/ok"]
    for bad in ("javascript:", "file:", "smb:", "data:", "<script"):
        assert bad not in html


def test_markup_in_titles_and_names_is_stored_as_text(ws, server):
    _source(ws, server.url("/feed/hostile"))
    run_fetch(PlainState(), ws, options=FAST)
    title, author = _rows(
        ws, "SELECT title, author_name FROM mentions WHERE remote_id = 'urn:hostile:markup'"
    )[0]
    # Stored as the words it says; the window escapes it (tests/gui/test_hostile_text.py).
    assert "bold" in title and "<script" not in (title or "")
    assert author is not None


def test_control_characters_are_never_stored(ws, server):
    sid = _source(ws, server.url("/feed/controls"))
    summary = run_fetch(PlainState(), ws, options=FAST)
    assert summary.ok == 1, summary.failed
    rows = _rows(ws, "SELECT title, text, author_name, source_name FROM mentions")
    assert rows
    for row in rows:
        for value in row:
            assert value is None or not CONTROL.search(value), repr(value)
    name = get_source(ws, sid)["name"]
    assert not CONTROL.search(name), repr(name)


def test_impossible_dates_become_the_fetch_time_and_are_flagged(ws, server):
    _source(ws, server.url("/feed/hostile"))
    before = datetime.now(UTC)
    run_fetch(PlainState(), ws, options=FAST)
    rows = {
        key: (published, note)
        for key, published, note in _rows(
            ws, "SELECT remote_id, published, published_note FROM mentions"
        )
    }
    for key in ("urn:hostile:9999", "urn:hostile:1970"):
        published, note = rows[key]
        assert before - timedelta(seconds=5) <= published <= datetime.now(UTC)
        assert note and "fetch time" in note
    ok_published, ok_note = rows["urn:hostile:rel"]
    assert ok_note is None and ok_published.year == 2026


def test_a_huge_retry_after_is_capped_and_every_source_keeps_its_health(ws, server):
    good = _source(ws, server.url("/feed/hostile"))
    huge = _source(ws, server.url("/retry/huge"))
    decade = _source(ws, server.url("/retry/decade"))
    now = datetime.now(UTC)
    summary = run_fetch(PlainState(), ws, options=FAST)
    assert {h.id for h in summary.results} == {good, huge, decade}
    assert get_source(ws, good)["last_error"] is None
    for sid in (huge, decade):
        src = get_source(ws, sid)
        assert src["last_error"] and "wait" in src["last_error"]
        assert src["next_run_at"] <= now + timedelta(days=1, minutes=5)


def test_force_of_one_source_overrides_the_servers_wait(ws, server):
    sid = _source(ws, server.url("/retry/decade"))
    run_fetch(PlainState(), ws, options=FAST)
    assert run_fetch(PlainState(), ws, force=True, options=FAST).results == []
    server.routes["/retry/decade"] = server.routes["/feed/hostile"]
    try:
        summary = run_fetch(PlainState(), ws, force=True, source_ids=[sid], options=FAST)
    finally:
        from tests.security.hostile import hostile_routes

        server.routes["/retry/decade"] = hostile_routes()["/retry/decade"]
    assert [h.id for h in summary.results] == [sid] and summary.ok == 1


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/redirect/javascript", "redirected to a javascript: address"),
        ("/redirect/file", "redirected to a file: address"),
        ("/redirect/invalid", "not valid"),
    ],
)
def test_bad_redirects_are_refused_in_words(ws, server, path, words):
    sid = _source(ws, server.url(path))
    summary = run_fetch(PlainState(), ws, options=FAST)
    error = get_source(ws, sid)["last_error"]
    assert summary.failed and words in error, error
    assert "unexpected error" not in error


@pytest.mark.parametrize("path", ["/page/file-feed", "/page/relative-file-feed"])
def test_feed_discovery_never_offers_a_local_file(server, path):
    with HttpClient(HttpLimits(host_delay=0.0)) as http:
        if path == "/page/relative-file-feed":
            # "/etc/passwd" on a web page is that site's path, never this machine's.
            feed, found = find_feed(server.url(path), http)
            assert feed == server.url("/etc/passwd") and len(found) == 1
            return
        with pytest.raises(FetchError, match="does not announce a feed"):
            find_feed(server.url(path), http)


@pytest.mark.timeout(120)
def test_a_backtracking_wildcard_cannot_stall_a_fetch(ws, server):
    add_watch_query(ws, "evil", EVIL_WILDCARD)
    add_watch_query(ws, "brand", "nimbus")
    _source(ws, server.url("/feed/hostile"), keep_all=False)
    summary = run_fetch(PlainState(), ws, options=FAST)
    assert summary.ok == 1
    # Every item says "nimbus"; none has a word of a's ending in b.
    assert ws.scalar("SELECT count(*) FROM mentions") == summary.items_seen
    assert ws.scalar("SELECT count(*) FROM mentions WHERE list_contains(matched_queries, 1)") == 0


def test_the_cli_prints_no_control_characters(tmp_path, server):
    path = tmp_path / "cli.engage"
    with new_workspace(path) as w:
        _source(w, server.url("/feed/controls"))
        run_fetch(PlainState(), w, options=FAST)
        # As a workspace someone else wrote could hold them, past every filter.
        with w.write() as cur:
            cur.execute("UPDATE sources SET name = ?", [f"Evil{ESC}source"])
            cur.execute("UPDATE mentions SET author_name = ?", [f"Eve{ESC}\x00"])
    for args, expected in ((["inbox", "list"], "nimbus"), (["sources", "list"], "Evil")):
        done = run_cli(*args, "-w", str(path))
        assert done.returncode == 0, done.stderr
        assert expected in done.stdout
        assert ESC[0] not in done.stdout + done.stderr
        assert not CONTROL.search(done.stdout.replace("\n", "").replace("\t", ""))
