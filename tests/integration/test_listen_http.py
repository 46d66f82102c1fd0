"""Fetching over real HTTP on 127.0.0.1: feeds, politeness and bad servers."""

from __future__ import annotations

import gzip
import json
import re
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from engage_desktop.core.progress import PlainState
from engage_desktop.listen.fetch import FetchOptions, run_fetch
from engage_desktop.listen.source_store import add_source, add_watch_query, get_source
from engage_desktop.sources.http import HttpLimits
from engage_desktop.workspace.database import Workspace
from tests.conftest import new_workspace
from tests.integration.listen_helpers import atom, rss

# No politeness delay, and timeouts that a busy 2-core machine never reaches on
# loopback (the one test of a timeout sets its own).
FAST = FetchOptions(
    limits=HttpLimits(read_timeout=10.0, deadline=30.0, host_delay=0.0), parse="thread"
)


@pytest.fixture(scope="module")
def server():
    srv = HTTPServer(host="127.0.0.1", threaded=True)
    srv.start()
    yield srv
    srv.clear()
    if srv.is_running():
        srv.stop()


@pytest.fixture
def http(server: HTTPServer):
    server.clear()
    yield server
    server.clear()


@pytest.fixture
def ws(tmp_path: Path):
    with new_workspace(tmp_path / "listen.engage") as w:
        yield w


def _add(ws: Workspace, url: str, *, keep_all: bool = True, kind: str = "rss", **config) -> int:
    return add_source(
        ws,
        kind=kind,
        url=url,
        name=url.rsplit("/", 1)[-1],
        channel="blog",
        keep_all=keep_all,
        config=config or None,
    )


def _fetch(ws: Workspace, **kw):
    return run_fetch(PlainState(), ws, force=True, options=FAST, **kw)


def _mentions(ws: Workspace, where: str = "true") -> list[dict]:
    cur = ws.cursor()
    try:
        res = cur.execute(f"SELECT * FROM mentions WHERE {where} ORDER BY published DESC")
        names = [d[0] for d in res.description]
        return [dict(zip(names, r, strict=True)) for r in res.fetchall()]
    finally:
        cur.close()


def test_rss_and_atom_are_stored_sanitized(ws, http):
    hostile = (
        '<p>Router <b>died</b><img src="https://tracker.example/p.gif">'
        '<script>alert(1)</script><a href="javascript:alert(1)" onclick="x()">x</a></p>'
    )
    http.expect_request("/rss.xml").respond_with_data(
        rss([("https://example.org/1", "Nimbus is great"), ("https://example.org/2", "meh")]),
        content_type="application/rss+xml",
    )
    http.expect_request("/atom.xml").respond_with_data(
        atom([("tag:atom.example,2026:1", hostile)]), content_type="application/atom+xml"
    )
    _add(ws, http.url_for("/rss.xml"))
    _add(ws, http.url_for("/atom.xml"))
    summary = _fetch(ws)
    assert summary.ok == 2 and not summary.failed
    assert summary.new_mentions == 3
    rows = {r["item_key"]: r for r in _mentions(ws)}
    entry = rows["tag:atom.example,2026:1"]
    assert "<script" not in entry["html"] and "onclick" not in entry["html"]
    assert "javascript:" not in entry["html"]
    assert 'data-src="https://tracker.example/p.gif"' in entry["html"]
    assert " src=" not in entry["html"]
    assert entry["text"].startswith("Router died")
    assert entry["author_handle"] == "a0@social.example"
    assert entry["published"] == datetime(2026, 10, 1, 12, tzinfo=UTC)
    assert rows["https://example.org/1"]["language"] == "en"
    # Authors are upserted and linked.
    assert ws.scalar("SELECT count(*) FROM mentions WHERE author_id IS NULL") == 0
    assert ws.scalar("SELECT count(*) FROM authors") == 3


def test_conditional_get_304_costs_nothing(ws, http):
    body = rss([("https://example.org/a", "hello")])
    seen: list[dict] = []

    def handler(request: Request) -> Response:
        seen.append(dict(request.headers))
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304)
        return Response(
            body,
            content_type="application/rss+xml",
            headers={"ETag": '"v1"', "Last-Modified": "Wed, 30 Sep 2026 10:00:00 GMT"},
        )

    http.expect_request("/c.xml").respond_with_handler(handler)
    sid = _add(ws, http.url_for("/c.xml"))
    first = _fetch(ws)
    second = _fetch(ws)
    assert first.new_mentions == 1 and second.new_mentions == 0
    assert second.results[0].not_modified and second.results[0].ok
    assert seen[1]["If-None-Match"] == '"v1"'
    assert seen[1]["If-Modified-Since"] == "Wed, 30 Sep 2026 10:00:00 GMT"
    assert "engage-desktop" in seen[0]["User-Agent"]
    src = get_source(ws, sid)
    assert src["etag"] == '"v1"' and src["items_last_run"] == 0 and src["last_error"] is None


def test_429_with_retry_after_backs_off_and_is_honoured(ws, http):
    http.expect_request("/busy.xml").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "7200"}
    )
    http.expect_request("/fine.xml").respond_with_data(rss([("urn:x:1", "ok")]))
    busy = _add(ws, http.url_for("/busy.xml"))
    _add(ws, http.url_for("/fine.xml"))
    summary = _fetch(ws)
    assert summary.ok == 1 and len(summary.failed) == 1
    src = get_source(ws, busy)
    assert "429" in src["last_error"] and "2.0 h" in src["last_error"]
    assert src["failures"] == 1
    assert src["next_run_at"] >= datetime.now(UTC) + timedelta(seconds=7000)
    again = _fetch(ws)  # --force still honours the server's Retry-After
    assert [h.id for h in again.results] != [busy] and busy not in [h.id for h in again.results]
    assert any("asked us to wait" in s for s in again.skipped)


def test_500_and_consecutive_failures(ws, http):
    http.expect_request("/broken.xml").respond_with_data("oops", status=500)
    sid = _add(ws, http.url_for("/broken.xml"))
    for expected in (1, 2, 3):
        summary = _fetch(ws)
        assert summary.failed[0].failures == expected
    src = get_source(ws, sid)
    assert src["last_error"] == "the server had an error (500)"
    # Exponential back-off: the third failure waits four intervals.
    assert src["next_run_at"] - src["last_fetch_at"] == timedelta(seconds=4 * 900)


def test_timeout_is_reported_and_others_continue(ws, http):
    answer = threading.Event()  # the slow server answers only after the fetch is over

    def slow(_request: Request) -> Response:
        answer.wait(60)
        return Response(rss([("urn:late", "late")]))

    http.expect_request("/slow.xml").respond_with_handler(slow)
    http.expect_request("/quick.xml").respond_with_data(rss([("urn:q", "quick")]))
    slow_id = _add(ws, http.url_for("/slow.xml"))
    _add(ws, http.url_for("/quick.xml"))
    # Short enough to keep the test quick, long enough for the quick feed on a busy machine.
    limits = HttpLimits(read_timeout=2.0, deadline=30.0, host_delay=0.0)
    try:
        summary = run_fetch(
            PlainState(), ws, force=True, options=FetchOptions(limits=limits, parse="thread")
        )
    finally:
        answer.set()
    assert summary.ok == 1
    assert "did not answer" in get_source(ws, slow_id)["last_error"]


def test_huge_body_and_gzip_bomb_are_refused(ws, http):
    http.expect_request("/huge.xml").respond_with_data(b"<rss>" + b" " * (11 * 2**20))
    bomb = gzip.compress(b"\0" * (60 * 2**20))
    http.expect_request("/bomb.xml").respond_with_data(
        bomb, headers={"Content-Encoding": "gzip"}, content_type="application/rss+xml"
    )
    huge = _add(ws, http.url_for("/huge.xml"))
    bombed = _add(ws, http.url_for("/bomb.xml"))
    _fetch(ws)
    assert "larger than 10 MB" in get_source(ws, huge)["last_error"]
    assert "compression bomb" in get_source(ws, bombed)["last_error"]


def test_gzip_feed_is_read(ws, http):
    http.expect_request("/z.xml").respond_with_data(
        gzip.compress(rss([("urn:z", "zipped nimbus")])),
        headers={"Content-Encoding": "gzip"},
        content_type="application/rss+xml",
    )
    _add(ws, http.url_for("/z.xml"))
    assert _fetch(ws).new_mentions == 1


def test_redirect_loop(ws, http):
    http.expect_request("/a").respond_with_data("", status=302, headers={"Location": "/b"})
    http.expect_request("/b").respond_with_data("", status=302, headers={"Location": "/a"})
    sid = _add(ws, http.url_for("/a"))
    _fetch(ws)
    assert "too many redirects" in get_source(ws, sid)["last_error"]


def _serve_temporary_moves(http) -> None:
    """/temp.xml moves for now (302); /mixed.xml moves for good (301) to /temp.xml."""
    http.expect_request("/temp.xml").respond_with_data(
        "", status=302, headers={"Location": "/new2.xml"}
    )
    http.expect_request("/new2.xml").respond_with_data(rss([("urn:m2", "Nimbus here")]))
    http.expect_request("/mixed.xml").respond_with_data(
        "", status=301, headers={"Location": "/temp.xml"}
    )


def test_a_permanent_move_updates_the_address_a_temporary_one_does_not(ws, http):
    feed = rss([("urn:m1", "Nimbus moved")])
    http.expect_request("/old.xml").respond_with_data(
        "", status=301, headers={"Location": "/via.xml"}
    )
    http.expect_request("/via.xml").respond_with_data(
        "", status=308, headers={"Location": "/new.xml"}
    )
    http.expect_request("/new.xml").respond_with_data(feed)
    _serve_temporary_moves(http)
    moved = _add(ws, http.url_for("/old.xml"))
    temporary = _add(ws, http.url_for("/temp.xml"))
    mixed = _add(ws, http.url_for("/mixed.xml"))
    summary = _fetch(ws)
    assert not summary.failed and summary.new_mentions == 2
    assert get_source(ws, moved)["url"] == http.url_for("/new.xml")
    assert get_source(ws, temporary)["url"] == http.url_for("/temp.xml")
    assert get_source(ws, mixed)["url"] == http.url_for("/mixed.xml")  # 301 then 302
    event = ws.scalar(
        "SELECT new_value FROM events WHERE entity = 'source' AND action = 'moved' "
        "AND entity_id = ?",
        [str(moved)],
    )
    assert event == http.url_for("/new.xml")
    # The next fetch goes straight to the new address.
    http.clear()
    http.expect_request("/new.xml").respond_with_data(feed)
    _serve_temporary_moves(http)
    assert not _fetch(ws).failed


def test_a_move_onto_another_sources_address_is_reported_not_followed(ws, http):
    http.expect_request("/a.xml").respond_with_data("", status=301, headers={"Location": "/b.xml"})
    http.expect_request("/b.xml").respond_with_data(rss([("urn:b", "Nimbus b")]))
    a = _add(ws, http.url_for("/a.xml"))
    _add(ws, http.url_for("/b.xml"))
    summary = _fetch(ws)
    assert get_source(ws, a)["url"] == http.url_for("/a.xml")
    assert any("moved permanently" in w and "b.xml" in w for w in summary.warnings)


def test_wrong_content_type(ws, http):
    http.expect_request("/pic").respond_with_data(b"\x89PNG....", content_type="image/png")
    http.expect_request("/page").respond_with_data(
        "<!doctype html><html><head><title>x</title></head><body>hi</body></html>",
        content_type="text/html",
    )
    pic = _add(ws, http.url_for("/pic"))
    page = _add(ws, http.url_for("/page"))
    _fetch(ws)
    assert get_source(ws, pic)["last_error"] == "the address returned image/png, not a feed"
    assert "web page, not a feed" in get_source(ws, page)["last_error"]


def test_non_utf8_encodings(ws, http):
    latin = rss([("urn:l1", "Café crème à Zürich")], encoding="iso-8859-1")
    cp = rss([("urn:c1", "“Smart” quotes — in cp1252")], encoding="windows-1252")
    # The second declares nothing in XML; only the HTTP header names the charset.
    cp_no_decl = cp.replace(b' encoding="windows-1252"', b"")
    http.expect_request("/latin.xml").respond_with_data(latin, content_type="text/xml")
    http.expect_request("/cp.xml").respond_with_data(
        cp_no_decl, content_type="application/rss+xml; charset=windows-1252"
    )
    _add(ws, http.url_for("/latin.xml"))
    _add(ws, http.url_for("/cp.xml"))
    summary = _fetch(ws)
    assert summary.ok == 2
    texts = {r["item_key"]: r["text"] for r in _mentions(ws)}
    assert texts["urn:l1"] == "Café crème à Zürich"
    assert texts["urn:c1"] == "“Smart” quotes — in cp1252"


def test_malformed_xml_keeps_what_is_recoverable(ws, http):
    good = rss([("urn:m1", "first one"), ("urn:m2", "second one")])
    truncated = good[: good.index(b"<item>", good.index(b"urn:m1"))] + b"<item><title>cut"
    http.expect_request("/cut.xml").respond_with_data(truncated, content_type="text/xml")
    http.expect_request("/junk.xml").respond_with_data("{this is not xml", content_type="text/xml")
    cut = _add(ws, http.url_for("/cut.xml"))
    junk = _add(ws, http.url_for("/junk.xml"))
    summary = _fetch(ws)
    assert [r["item_key"] for r in _mentions(ws)] == ["urn:m1"]
    assert get_source(ws, cut)["last_error"] is None
    assert get_source(ws, junk)["last_error"].startswith("not a readable feed")
    assert len(summary.failed) == 1


def test_duplicates_across_feeds_and_runs_are_one_mention(ws, http):
    shared = ("https://news.example/story-1", "Nimbus outage in Berlin")
    http.expect_request("/one.xml").respond_with_data(rss([shared, ("urn:only1", "one")]))
    http.expect_request("/two.xml").respond_with_data(rss([shared, ("urn:only2", "two")]))
    _add(ws, http.url_for("/one.xml"))
    _add(ws, http.url_for("/two.xml"))
    assert _fetch(ws).new_mentions == 3
    assert _fetch(ws).new_mentions == 0
    assert ws.scalar("SELECT count(*) FROM mentions WHERE item_key = ?", [shared[0]]) == 1


def test_only_matches_are_kept_unless_keep_all(ws, http):
    http.expect_request("/mixed.xml").respond_with_data(
        rss(
            [
                ("urn:1", "My Nimbus router needs a refund"),
                ("urn:2", "Nothing to see here"),
                ("urn:3", "Orbit is cheaper than Nimbus"),
            ]
        )
    )
    _add(ws, http.url_for("/mixed.xml"), keep_all=False)
    brand = add_watch_query(ws, "Nimbus", "nimbus", "Nimbus", "brand")
    rival = add_watch_query(ws, "Orbit", "orbit", "Orbit", "competitor")
    hooked: list[list[int]] = []
    from engage_desktop.enrich import hooks

    def plugin(_ws, ids, _state):
        hooked.append(list(ids))

    hooks.register_after_insert(plugin)
    try:
        summary = _fetch(ws)
    finally:
        hooks.unregister_after_insert(plugin)
    rows = {r["item_key"]: r for r in _mentions(ws)}
    assert set(rows) == {"urn:1", "urn:3"}
    assert rows["urn:3"]["topics"] == ["Nimbus", "Orbit"]
    assert rows["urn:3"]["matched_queries"] == [brand, rival]
    assert rows["urn:1"]["matched_queries"] == [brand]
    assert sorted(hooked[0]) == sorted(summary.new_ids) and len(hooked[0]) == 2


def _status(sid: int, text: str) -> dict:
    return {
        "id": str(sid),
        "uri": f"https://m.example/users/ann/statuses/{sid}",
        "url": f"https://m.example/@ann/{sid}",
        # Recent: a catch-up reads back to the cursor only within the last day.
        "created_at": (datetime.now(UTC) - timedelta(minutes=1400 - sid % 1000))
        .isoformat()
        .replace("+00:00", "Z"),
        "content": f"<p>{text}</p>",
        "language": "en",
        "in_reply_to_id": None,
        "favourites_count": 3,
        "reblogs_count": 1,
        "replies_count": 2,
        "account": {
            "acct": "ann",
            "display_name": "Ann",
            "url": "https://m.example/@ann",
            "followers_count": 1200,
        },
    }


class MastodonTimeline:
    """A hashtag timeline answering like Mastodon: newest first, limit (max 40),
    max_id / since_id, and a Link header to the next (older) page."""

    def __init__(self, ids: range) -> None:
        self.ids = list(ids)
        self.calls: list[dict] = []

    def __call__(self, request: Request) -> Response:
        args = dict(request.args)
        self.calls.append(args)
        limit = min(int(args.get("limit", 20)), 40)
        found = sorted(self.ids, reverse=True)
        if "max_id" in args:
            found = [i for i in found if i < int(args["max_id"])]
        if "since_id" in args:
            found = [i for i in found if i > int(args["since_id"])]
        page = found[:limit]
        headers = {}
        if page:
            headers["Link"] = f'<{request.base_url}?max_id={page[-1]}>; rel="next"'
        body = json.dumps([_status(i, f"#nimbus post {i}") for i in page])
        return Response(body, content_type="application/json", headers=headers)


def test_mastodon_api(ws, http):
    timeline = MastodonTimeline(range(1001, 1231))  # 230 statuses
    http.expect_request("/api/v1/timelines/tag/nimbus").respond_with_handler(timeline)
    sid = add_source(
        ws,
        kind="mastodon",
        url=http.url_for("/tags/nimbus"),
        name="#nimbus",
        channel="mastodon",
        keep_all=True,
    )
    # The first fetch reads five pages of history, newest first.
    assert _fetch(ws).new_mentions == 200
    assert get_source(ws, sid)["cursor"] == "1230"
    assert [c.get("max_id") for c in timeline.calls] == [None, "1191", "1151", "1111", "1071"]
    assert ws.scalar("SELECT min(remote_id::INT) FROM mentions") == 1031
    # 85 new statuses arrive: the next fetch pages back to the cursor and loses none.
    timeline.ids.extend(range(1231, 1316))
    timeline.calls.clear()
    assert _fetch(ws).new_mentions == 85
    assert all(c["since_id"] == "1230" for c in timeline.calls) and len(timeline.calls) == 3
    assert get_source(ws, sid)["cursor"] == "1315"
    assert _fetch(ws).new_mentions == 0
    row = _mentions(ws, "remote_id = '1300'")[0]
    assert row["url"] == "https://m.example/@ann/1300"
    assert row["followers"] == 1200 and row["likes"] == 3 and row["replies"] == 2
    assert row["author_handle"] == "ann@127.0.0.1"
    author = ws.scalar("SELECT mention_count FROM authors WHERE handle = 'ann@127.0.0.1'")
    assert author == 285


def test_hacker_news_algolia(ws, http):
    calls: list[dict] = []

    def search(request: Request) -> Response:
        calls.append(dict(request.args))
        hits = [
            {
                "objectID": "9001",
                "created_at_i": 1790000000,
                "title": "Nimbus launches X2",
                "url": "https://nimbus.example/x2",
                "author": "pg",
                "points": 120,
                "num_comments": 40,
                "story_text": None,
                "_tags": ["story"],
            },
            {
                "objectID": "9002",
                "created_at_i": 1790000100,
                "comment_text": "<p>My Nimbus died</p>",
                "story_title": "Nimbus launches X2",
                "author": "dang",
                "story_id": 9001,
                "parent_id": 9001,
                "_tags": ["comment"],
            },
        ]
        return Response(json.dumps({"hits": hits, "nbPages": 1}), content_type="application/json")

    http.expect_request("/api/v1/search_by_date").respond_with_handler(search)
    add_source(
        ws, kind="hn", url=http.url_for("/?q=nimbus"), name="HN", channel="hn", keep_all=True
    )
    assert _fetch(ws).new_mentions == 2
    _fetch(ws)
    assert calls[0]["tags"] == "(story,comment)" and calls[0]["query"] == "nimbus"
    assert calls[1]["numericFilters"] == "created_at_i>1790000100"
    rows = {r["remote_id"]: r for r in _mentions(ws)}
    assert rows["9001"]["score"] == 120 and rows["9001"]["url"] == "https://nimbus.example/x2"
    assert rows["9002"]["thread_id"] == "9001" and rows["9002"]["text"] == "My Nimbus died"
    assert rows["9002"]["title"] == "Re: Nimbus launches X2"


def test_bluesky_search_with_app_password(ws, http):
    from engage_desktop.sources import bluesky
    from engage_desktop.workspace.secrets import fallback_path as _fallback_path
    from engage_desktop.workspace.secrets import set_secret, uses_keyring

    set_secret("bluesky:ann.bsky.social", "app-pass-1234")
    bluesky._sessions.clear()

    def session(request: Request) -> Response:
        body = json.loads(request.data)
        if body != {"identifier": "ann.bsky.social", "password": "app-pass-1234"}:
            return Response("{}", status=401)
        return Response(json.dumps({"accessJwt": "tok-1"}), content_type="application/json")

    def search(request: Request) -> Response:
        if request.headers.get("Authorization") != "Bearer tok-1":
            return Response("{}", status=401)
        post = {
            "uri": "at://did:plc:abc/app.bsky.feed.post/3kxyz",
            "cid": "bafycid",
            "author": {"did": "did:plc:abc", "handle": "bob.bsky.social", "displayName": "Bob"},
            "record": {
                "text": "nimbus support is slow",
                "createdAt": "2026-10-01T09:00:00Z",
                "langs": ["en"],
            },
            "likeCount": 4,
            "replyCount": 1,
            "repostCount": 0,
            "indexedAt": "2026-10-01T09:00:01Z",
        }
        return Response(json.dumps({"posts": [post]}), content_type="application/json")

    http.expect_request("/xrpc/com.atproto.server.createSession").respond_with_handler(session)
    http.expect_request("/xrpc/app.bsky.feed.searchPosts").respond_with_handler(search)
    add_source(
        ws,
        kind="bluesky",
        url="https://bsky.app/search?q=nimbus",
        name="bsky",
        channel="bluesky",
        keep_all=True,
        config={"handle": "ann.bsky.social", "service": http.url_for("").rstrip("/")},
    )
    try:
        assert _fetch(ws).new_mentions == 1
    finally:
        bluesky._sessions.clear()
    row = _mentions(ws)[0]
    assert row["remote_id"] == "at://did:plc:abc/app.bsky.feed.post/3kxyz"
    assert row["remote_cid"] == "bafycid"
    assert row["url"] == "https://bsky.app/profile/bob.bsky.social/post/3kxyz"
    if not uses_keyring():  # no backend here: the fallback file is private
        assert _fallback_path().stat().st_mode & 0o777 == 0o600
    # The secret never lands in the workspace.
    assert "app-pass" not in json.dumps([str(v) for v in get_source(ws, 1).values()])


_SCORED_COLUMNS = (
    "item_key, language, model_sentiment, model_label, sentiment, sentiment_label, "
    "sentiment_pos, sentiment_neu, sentiment_neg, scorer_version, intents, priority"
)


def _scored(ws: Workspace) -> list[tuple]:
    cur = ws.cursor()
    try:
        return cur.execute(f"SELECT {_SCORED_COLUMNS} FROM mentions ORDER BY item_key").fetchall()
    finally:
        cur.close()


def _feed_of_moods() -> bytes:
    return rss(
        [
            ("urn:happy", "I love my Nimbus router, setup was great!"),
            ("urn:angry", "Nimbus support is terrible, I want a refund and will cancel"),
            ("urn:flat", "The Nimbus router arrived on Tuesday"),
            ("urn:de", "Der Nimbus Router ist leider sehr langsam und schlecht"),
        ]
    ).replace(b"<language>en-us</language>", b"")


def test_fetched_mentions_arrive_scored_as_enrichment_would_score_them(ws, http, tmp_path):
    from engage_desktop.enrich.pipeline import enrich
    from engage_desktop.enrich.store import set_lexicon_adjustment

    http.expect_request("/moods.xml").respond_with_data(_feed_of_moods())
    set_lexicon_adjustment(ws, "tuesday", 2.5)  # the workspace's own lexicon counts
    _add(ws, http.url_for("/moods.xml"))
    summary = _fetch(ws)
    assert summary.new_mentions == 4
    fetched = _scored(ws)
    labels = {r[0]: r[3] for r in fetched}
    assert labels["urn:happy"] == "positive" and labels["urn:angry"] == "negative"
    assert labels["urn:flat"] == "positive"  # only through the adjustment
    assert labels["urn:de"] == "unscored" and {r[0]: r[1] for r in fetched}["urn:de"] == "de"
    assert all(r[9] is not None for r in fetched)  # scorer version stored
    # Re-scoring from scratch with the enrichment pipeline changes nothing.
    assert enrich(ws, rescore=True).done == 4
    assert _scored(ws) == fetched
    angry = next(r for r in fetched if r[0] == "urn:angry")
    assert "complaint" in angry[10] and angry[11] > 0
    # Author profiles follow the scored mentions.
    assert ws.scalar("SELECT count(*) FROM authors WHERE avg_sentiment IS NOT NULL") == 3


def test_process_pool_parsing_stores_what_threads_store(tmp_path, http):
    feeds = [
        rss([(f"urn:{n}:{i}", f"Nimbus post {i} of feed {n}, love it") for i in range(5)])
        for n in range(3)
    ]
    for n, body in enumerate(feeds):
        http.expect_request(f"/f{n}.xml").respond_with_data(body)
    results = []
    for mode in ("thread", "process"):
        with new_workspace(tmp_path / f"{mode}.engage") as w:
            for n in range(3):
                _add(w, http.url_for(f"/f{n}.xml"))
            options = FetchOptions(limits=FAST.limits, parse=mode, parse_workers=2)
            summary = run_fetch(PlainState(), w, force=True, options=options)
            assert summary.new_mentions == 15 and not summary.failed
            results.append(_scored(w))
    assert results[0] == results[1]
    _assert_roomy_pool()


def _assert_roomy_pool() -> None:
    """The pool queues documents ahead and (on Linux) its pipes hold 1 MiB."""
    import concurrent.futures.process as executor

    from engage_desktop.listen import pool as parse

    assert executor.EXTRA_QUEUED_CALLS == 1  # the executor's own default is left alone
    queue_size = parse._pool._call_queue._maxsize  # private, but it is what is tuned
    assert queue_size == 2 + parse.QUEUED_AHEAD
    try:
        import fcntl

        size = fcntl.fcntl(parse._pool._result_queue._reader.fileno(), fcntl.F_GETPIPE_SZ)
    except (ImportError, AttributeError):  # not Linux: nothing to check
        return
    limit = int(Path("/proc/sys/fs/pipe-max-size").read_text())
    assert size == parse.PIPE_BYTES or limit < parse.PIPE_BYTES


def test_languages_are_detected_in_the_parse_workers_as_enrichment_detects_them(
    tmp_path, http, monkeypatch
):
    """Items without a declared language get it in the workers, the same as enrich's."""
    from engage_desktop.enrich import language
    from engage_desktop.enrich.pipeline import enrich
    from engage_desktop.enrich.sentiment.columns import text_to_score

    http.expect_request("/moods.xml").respond_with_data(_feed_of_moods())
    monkeypatch.setattr(language, "_identifier", None)  # this process's model: unloaded
    with new_workspace(tmp_path / "langs.engage") as w:
        _add(w, http.url_for("/moods.xml"))
        options = FetchOptions(limits=FAST.limits, parse="process", parse_workers=2)
        assert run_fetch(PlainState(), w, force=True, options=options).new_mentions == 4
        assert language._identifier is None  # detected in the workers, not here
        stored = {r[0]: r for r in _scored(w)}
        texts = w.tuples("SELECT item_key, title, text FROM mentions")
        for key, title, text in texts:
            assert stored[key][1] == language.detect_language(text_to_score(title, text))
        assert stored["urn:de"][1] == "de" and stored["urn:happy"][1] == "en"
        assert enrich(w, rescore=True).done == 4
        assert {r[0]: r for r in _scored(w)} == stored  # enrichment finds nothing to change


def test_lang_queries_match_items_whose_language_the_workers_detect(ws, http):
    """A feed that declares no language: ``lang:de`` still finds the German post."""
    http.expect_request("/moods.xml").respond_with_data(_feed_of_moods())
    add_watch_query(ws, "german", "nimbus lang:de", "German")
    _add(ws, http.url_for("/moods.xml"), keep_all=False)
    assert _fetch(ws).new_mentions == 1
    (row,) = _mentions(ws)
    assert row["item_key"] == "urn:de" and row["language"] == "de"
    assert row["topics"] == ["German"]


def test_a_batch_with_a_repeated_key_keeps_the_first_and_known_keys_are_skipped(ws):
    from engage_desktop.listen.store import load_matchers, store_rows
    from engage_desktop.listen.worker import RowSource, prepare_rows
    from engage_desktop.sources.item import FeedItem

    now = datetime(2026, 10, 1, tzinfo=UTC)

    def item(key: str, text: str) -> FeedItem:
        return FeedItem(key, f"https://b.example/{key}", None, text, None, now)

    config, _ = load_matchers(ws)
    source = RowSource(1, "blog", "blog", True)
    first = prepare_rows(
        [item("k1", "first"), item("k2", "two"), item("k1", "again")], source, config
    )
    assert len(store_rows(ws, first)) == 2
    assert ws.scalar("SELECT text FROM mentions WHERE item_key = 'k1'") == "first"
    again = prepare_rows([item("k2", "two"), item("k3", "three")], source, config)
    assert len(store_rows(ws, again)) == 1
    assert ws.scalar("SELECT count(*) FROM mentions") == 3


def test_an_author_in_two_stored_batches_is_one_author_with_both_mentions(ws):
    from engage_desktop.listen.store import load_matchers, store_rows
    from engage_desktop.listen.worker import RowSource, prepare_rows
    from engage_desktop.sources.item import FeedItem

    def item(key: str, day: int, followers: int | None, url: str | None) -> FeedItem:
        when = datetime(2026, 10, day, tzinfo=UTC)
        return FeedItem(key, f"https://b.example/{key}", None, "nimbus", None, when,
                        author_name="Ann", author_url=url, followers=followers,
                        language="en")  # fmt: skip

    config, _ = load_matchers(ws)
    source = RowSource(1, "blog", "blog", True)
    first = [item("k1", 3, 10, "https://b.example/ann"), item("k2", 5, None, None)]
    assert len(store_rows(ws, prepare_rows(first, source, config))) == 2
    later = [item("k3", 1, 40, None), item("k1", 9, 99, None)]  # k1 is known: not counted
    assert len(store_rows(ws, prepare_rows(later, source, config))) == 1
    author = ws.tuples(
        "SELECT mention_count, followers, profile_url, first_seen::DATE::VARCHAR, "
        "last_seen::DATE::VARCHAR FROM authors"
    )
    assert author == [(3, 40, "https://b.example/ann", "2026-10-01", "2026-10-05")]
    assert ws.scalar("SELECT count(DISTINCT author_id) FROM mentions") == 1
    assert ws.scalar("SELECT count(*) FROM mentions WHERE author_id IS NULL") == 0


def test_lone_surrogates_from_a_json_api_are_stored_replaced_not_fatal(ws):
    """json.loads turns "\\ud800" into a str that is not UTF-8: the row still goes in."""
    from engage_desktop.listen.store import load_matchers, store_rows
    from engage_desktop.listen.worker import RowSource, prepare_rows
    from engage_desktop.sources.item import FeedItem

    text = json.loads('"caf\\u00e9 \\ud800 nimbus"')
    when = datetime(2026, 10, 1, tzinfo=UTC)
    items = [
        FeedItem("k\ud800", "https://b.example/1", "t\udfff", text, None, when),
        FeedItem("fine", "https://b.example/2", None, "café nimbus", None, when),
    ]
    config, _ = load_matchers(ws)
    rows = prepare_rows(items, RowSource(1, "blog", "blog", True), config)
    assert len(store_rows(ws, rows)) == 2
    stored = dict(ws.tuples("SELECT item_key, text FROM mentions"))
    assert stored == {"k?": "café ? nimbus", "fine": "café nimbus"}


def test_odd_counts_from_a_server_are_stored_as_numbers_not_fatal(ws):
    """Counts that are strings, floats or beyond INTEGER do not fail the stored batch."""
    from engage_desktop.listen.store import load_matchers, store_rows
    from engage_desktop.listen.worker import RowSource, prepare_rows
    from engage_desktop.sources.item import FeedItem

    when = datetime(2026, 10, 1, tzinfo=UTC)
    odd = [("12", 3.0), ("many", 10**12), (None, -(10**15))]
    items = [
        FeedItem(f"k{i}", f"https://b.example/{i}", None, "nimbus", None, when,
                 followers=followers, likes=likes)  # type: ignore[arg-type]
        for i, (followers, likes) in enumerate(odd)
    ]  # fmt: skip
    config, _ = load_matchers(ws)
    assert len(store_rows(ws, prepare_rows(items, RowSource(1, "b", "blog", True), config))) == 3
    got = ws.tuples("SELECT followers, likes FROM mentions ORDER BY item_key")
    assert got == [(12, 3), (None, 2**31 - 1), (None, -(2**31 - 1))]


FORKED_FETCH = """
import gc, os, sys, threading
from engage_desktop.listen import pool as listen
from engage_desktop.listen.fetch import FetchOptions, run_fetch
from engage_desktop.listen.pool import fork_parse_pool
from engage_desktop.core.progress import PlainState
from engage_desktop.sources.http import HttpLimits
from engage_desktop.workspace.database import Workspace

assert fork_parse_pool(2)  # one thread so far: the workers are forked
assert listen._pool._mp_context.get_start_method() == "fork"
# What the workers inherit was frozen before the fork: their collections skip it.
assert gc.get_freeze_count() > 1000 and listen._pool.submit(gc.get_freeze_count).result() > 1000
limits = HttpLimits(read_timeout=10.0, deadline=30.0, host_delay=0.0)
with Workspace.open(sys.argv[1]) as ws:
    options = FetchOptions(limits=limits, parse="process", parse_workers=2)
    summary = run_fetch(PlainState(), ws, force=True, options=options)
    assert summary.new_mentions == 15 and not summary.failed, summary.line()
from engage_desktop.core import timeline  # on (see the test): each job's span came back
assert sum(len(jobs) for jobs in timeline.SPANS.values()) == 3, timeline.SPANS
workers = list(listen._pool._processes)
assert set(timeline.SPANS) <= {f"pid {pid}" for pid in workers}, timeline.SPANS
listen.shutdown_parse_pool(wait=False)  # told to stop (as fetch does before its close)
listen.shutdown_parse_pool(wait=True)  # ... and waited for: reaped, none left running
for pid in workers:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        continue
    raise AssertionError(f"parse worker {pid} outlived shutdown_parse_pool(wait=True)")
stop = threading.Event()
threading.Thread(target=stop.wait).start()
assert not fork_parse_pool(2)  # another thread runs: never fork
stop.set()
"""


def test_forked_parse_workers_store_what_threads_store(tmp_path, http):
    """`engage-desktop fetch` forks its workers before any thread: same rows."""
    import os
    import subprocess
    import sys

    for n in range(3):
        body = rss([(f"urn:{n}:{i}", f"Nimbus post {i} of feed {n}, love it") for i in range(5)])
        http.expect_request(f"/f{n}.xml").respond_with_data(body)
    paths = {}
    for mode in ("thread", "fork"):
        with new_workspace(tmp_path / f"{mode}.engage") as w:
            for n in range(3):
                _add(w, http.url_for(f"/f{n}.xml"))
            if mode == "thread":
                options = FetchOptions(limits=FAST.limits, parse="thread")
                assert run_fetch(PlainState(), w, force=True, options=options).new_mentions == 15
        paths[mode] = w.path
    code = subprocess.run(
        [sys.executable, "-c", FORKED_FETCH, str(paths["fork"])],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "ENGAGE_DESKTOP_TIMELINE": "1"},  # the workers' spans too
    )
    assert code.returncode == 0, code.stderr[-2000:]
    scored = []
    for mode in ("thread", "fork"):
        with Workspace.open(paths[mode], read_only=True) as w:
            scored.append(_scored(w))
    assert scored[0] == scored[1] and len(scored[0]) == 15


class _Crash(BaseException):
    """Stands for the process dying (not an Exception: nothing in a fetch catches it)."""


def test_a_crash_between_transactions_loses_nothing(ws, http, monkeypatch):
    """Rows committed before a crash stay; nothing else was marked fetched, so the
    next run stores the rest, each item once. The last rows and the health share one
    transaction, so no source keeps a new ETag without its rows."""
    from engage_desktop.enrich.hooks import register_after_insert, unregister_after_insert
    from engage_desktop.listen import fetch

    for n in range(3):
        body = rss([(f"urn:{n}:{i}", f"Nimbus post {i} of feed {n}") for i in range(5)])
        http.expect_request(f"/c{n}.xml").respond_with_data(body, headers={"ETag": f'"e{n}"'})
        _add(ws, http.url_for(f"/c{n}.xml"))
    monkeypatch.setattr(fetch, "STORE_BATCH", 5)  # a transaction per feed while others come

    def crash(_ws, ids, _state):
        raise _Crash  # just after the first batch committed

    register_after_insert(crash)
    try:
        with pytest.raises(_Crash):
            _fetch(ws)
    finally:
        unregister_after_insert(crash)
    assert ws.scalar("SELECT count(*) FROM mentions") == 5  # the committed batch
    assert ws.scalar("SELECT count(*) FROM sources WHERE etag IS NOT NULL") == 0
    summary = _fetch(ws)
    assert summary.new_mentions == 10 and not summary.failed
    assert ws.scalar("SELECT count(DISTINCT item_key) FROM mentions") == 15
    assert ws.scalar("SELECT count(*) FROM mentions") == 15
    assert ws.scalar("SELECT count(*) FROM sources WHERE etag IS NOT NULL") == 3


def _awkward_items() -> list:
    """Items whose values a JSON round trip could change if it were careless."""
    from engage_desktop.sources.item import FeedItem

    when = datetime(2026, 10, 1, 12, 30, 15, 123456, tzinfo=UTC)
    return [
        FeedItem("k1", "https://b.example/1", "Nimbus: \"quoted\" \\ back",
                 "nimbus love 😀 é ß 漢字", "<p>nimbus <b>love</b></p>", when,
                 author_name="Ann \u2028 Lee",
                 author_url="https://b.example/ann", followers=2**40, likes=3, language="en"),
        FeedItem("k2", None, None, "nimbus terrible, refund? \t tab\nline", None,
                 when - timedelta(days=3), author_handle="bob@b.example", followers=None,
                 language=None),
        FeedItem("k3", "https://b.example/3", "", "nimbus", "", when, remote_id="42",
                 score=-5, replies=0, language="de"),
    ]  # fmt: skip


def test_rows_a_worker_encodes_are_stored_as_the_plain_columns_are(tmp_path):
    """The fetch's JSON path (workers' text parsed by DuckDB) stores what columns store."""
    from engage_desktop.listen.store import (
        MentionBatch,
        insert_fetched,
        insert_rules,
        load_matchers,
    )
    from engage_desktop.listen.worker import RowSource, encode_rows, prepare_rows

    stored = {}
    for way in ("columns", "json"):
        with Workspace.create(tmp_path / f"{way}.engage") as w:
            add_watch_query(w, "nimbus", "nimbus", "Nimbus")
            config, _ = load_matchers(w)
            rows = prepare_rows(_awkward_items(), RowSource(1, "blog", "blog", True), config)
            assert rows is not None and rows["model_label"][0] is not None  # scored
            if way == "json":
                batch = MentionBatch(config)
                assert batch.add_rows(1, encode_rows(rows)) == 3
                rows = batch.take()
            with w.write() as cur:
                assert len(insert_fetched(cur, rows, insert_rules(w))) == 3
            stored[way] = w.tuples(
                "SELECT * EXCLUDE (id, fetched_at, scored_at, author_id), "
                "(SELECT handle || followers FROM authors a WHERE a.id = m.author_id) "
                "FROM mentions m ORDER BY item_key"
            )
    assert stored["json"] == stored["columns"]
    assert stored["json"][0][stored["json"][0].index("nimbus love 😀 é ß 漢字")]


def test_a_repeated_key_in_encoded_rows_keeps_the_first(ws):
    from engage_desktop.listen.store import (
        MentionBatch,
        insert_fetched,
        insert_rules,
        load_matchers,
    )
    from engage_desktop.listen.worker import RowSource, encode_rows, prepare_rows

    config, _ = load_matchers(ws)
    source = RowSource(1, "blog", "blog", True)
    items = _awkward_items()
    batch = MentionBatch(config)
    assert batch.add_rows(1, encode_rows(prepare_rows(items[:2], source, config))) == 2
    again = prepare_rows([items[1], items[2], items[2]], source, config)  # k2 seen, k3 twice
    assert batch.add_rows(1, encode_rows(again)) == 1
    assert batch.kept_by_source == {1: 3}
    with ws.write() as cur:
        assert len(insert_fetched(cur, batch.take(), insert_rules(ws))) == 3
    assert ws.values("SELECT item_key FROM mentions ORDER BY item_key") == ["k1", "k2", "k3"]


WRITER_WITHOUT_NUMPY = """
import json, sys
from engage_desktop.listen.fetch import _store, FetchSummary
from engage_desktop.listen.store import Health, MentionBatch, insert_rules, load_matchers
from engage_desktop.listen.worker import EncodedRows
from engage_desktop.workspace.database import Workspace
from datetime import UTC, datetime

ws = Workspace.open(sys.argv[1])
config, _ = load_matchers(ws)
now = datetime(2026, 10, 1, tzinfo=UTC)
batch = MentionBatch(config)
batch.add_rows(1, EncodedRows(*json.loads(sys.argv[2])))  # as a parse worker sends them
state = {1: {"interval_s": 900, "failures": 0, "config": {}, "name": "blog", "url": "u"}}
summary = FetchSummary()
health = [Health(1, "blog", ok=True, items_found=3, etag='"e"')]
assert _store(ws, batch, summary, insert_rules(ws), (health, state, now)), summary
assert len(summary.new_ids) == 3 and not summary.warnings, summary
ws.close()
print("numpy" in sys.modules)
"""


def test_a_fetch_stores_its_rows_and_health_without_loading_numpy(tmp_path):
    """numpy costs a one-shot fetch ~0.1 s of CPU to import; its writer needs none."""
    import subprocess
    import sys

    from engage_desktop.listen.store import load_matchers
    from engage_desktop.listen.worker import RowSource, encode_rows, prepare_rows
    from engage_desktop.sources.item import FeedItem

    now = datetime(2026, 10, 1, tzinfo=UTC)
    items = [
        FeedItem(f"k{i}", None, None, "nimbus", None, now, author_name="Ann") for i in range(3)
    ]
    with Workspace.create(tmp_path / "lean.engage") as w:
        add_watch_query(w, "nimbus", "nimbus", "Nimbus")
        add_source(w, kind="rss", url="http://127.0.0.1:9/f.xml", name="blog", channel="blog")
        config, _ = load_matchers(w)
    sent = encode_rows(prepare_rows(items, RowSource(1, "blog", "blog", True), config))
    path = tmp_path / "lean.engage"
    run = subprocess.run(
        [sys.executable, "-c", WRITER_WITHOUT_NUMPY, str(path), json.dumps([sent.keys, sent.text])],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip() == "False"
    with Workspace.open(path, read_only=True) as w:
        assert w.scalar("SELECT count(*) FROM mentions WHERE author_id IS NOT NULL") == 3
        got = w.tuples("SELECT etag, items_last_run, next_run_at FROM sources")
        assert got == [('"e"', 3, datetime(2026, 10, 1, 0, 15, tzinfo=UTC))]  # now + interval


def test_a_run_folds_the_log_while_documents_still_come(ws, http, monkeypatch):
    """A run that stores mid-run folds DuckDB's log right after such a store (once it
    is past a share of the threshold), while documents still come, not only after its
    last commit: the fold overlaps the parsing still going on."""
    import os

    from engage_desktop.listen import fetch

    for n in range(3):
        body = rss([(f"urn:w{n}:{i}", f"Nimbus post {i} of feed {n} " * 40) for i in range(5)])
        http.expect_request(f"/w{n}.xml").respond_with_data(body)
        _add(ws, http.url_for(f"/w{n}.xml"))
    monkeypatch.setattr(fetch, "STORE_BATCH", 5)  # a transaction per feed while others come
    # A share of DuckDB's 16 MiB threshold that one small batch passes (a test's
    # threshold of a few KiB would make DuckDB fold at every commit by itself).
    monkeypatch.setattr(fetch, "MID_RUN_FOLD", 0.0001)
    cur = ws.cursor()
    cur.execute("CHECKPOINT")  # the log holds only what the run writes
    cur.close()
    wal = f"{ws.path}.wal"
    logged: list[int] = []  # the log's size as each store starts
    store = fetch.insert_fetched

    def measured(cur, table, rules):  # the real store, the log's size noted first
        logged.append(os.path.getsize(wal) if os.path.exists(wal) else 0)
        return store(cur, table, rules)

    monkeypatch.setattr(fetch, "insert_fetched", measured)
    # One fetch thread: the feeds come one after the other.
    summary = run_fetch(PlainState(), ws, force=True, options=replace(FAST, workers=1))
    assert summary.new_mentions == 15 and not summary.failed
    assert ws.scalar("SELECT count(*) FROM mentions") == 15
    assert len(logged) == 3  # two mid-run stores, then the last rows with the health
    # Each mid-run store's rows were folded before the next store began (without the
    # mid-run fold the log grows store by store: [0, ~19 KB, ~38 KB] here).
    assert logged == [0, 0, 0], logged


PRESTART = """
import sys
from engage_desktop.listen.fetch import FetchOptions, prestart_parse_pool
from engage_desktop.listen.pool import shutdown_parse_pool
from engage_desktop.workspace.database import Workspace

STORE_PATH = ("numpy", "engage_desktop.core.query", "engage_desktop.enrich.sentiment",
              "engage_desktop.enrich.pipeline")
assert not [m for m in STORE_PATH if m in sys.modules], "imported before the prestart"
with Workspace.open(sys.argv[1]) as ws:
    assert prestart_parse_pool(ws, FetchOptions(parse="process", parse_workers=1))
missing = [m for m in STORE_PATH if m not in sys.modules]
assert not missing, missing
shutdown_parse_pool()
"""


def test_the_prestart_imports_what_storing_needs(tmp_path):
    """The window's prestart (off the GUI thread, once the window is up) also imports
    the store path, so its first scheduled fetch does not import ~120 modules while
    it stores its first batch (numpy, the query language, the after-insert hooks)."""
    import subprocess
    import sys

    Workspace.create(tmp_path / "prestart.engage").close()
    code = subprocess.run(
        [sys.executable, "-c", PRESTART, str(tmp_path / "prestart.engage")],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert code.returncode == 0, code.stderr[-2000:]


def _fetch_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if re.fullmatch(r"fetch_\d+", t.name)}


def test_runs_reuse_the_fetch_threads_and_a_cancelled_run_leaves_none_busy(ws, http):
    from engage_desktop.listen.pool import borrow_fetch_threads, return_fetch_threads

    http.expect_request("/a.xml").respond_with_data(
        rss([("https://example.org/a", "hello")]), content_type="application/rss+xml"
    )
    for n in range(3):
        _add(ws, http.url_for("/a.xml") + f"?n={n}")
    options = replace(FAST, workers=4)
    assert not run_fetch(PlainState(), ws, force=True, options=options).failed
    first = _fetch_threads()
    assert 1 <= len(first) <= 3  # started on demand, at most one per source; kept alive
    assert not run_fetch(PlainState(), ws, force=True, options=options).failed
    # The next run borrows the same pool: its threads are still there (the executor may
    # add one when a task comes before a thread has said it is idle), never over four.
    assert first <= _fetch_threads() and len(_fetch_threads()) <= 4

    class Cancelled(PlainState):
        def is_cancelled(self) -> bool:
            return True

    assert run_fetch(Cancelled(), ws, force=True, options=options).cancelled
    # What the run gave back is idle: all four threads can be busy at once now.
    pool = borrow_fetch_threads(4)
    try:
        started = threading.Barrier(5, timeout=30)
        jobs = [pool.submit(started.wait) for _ in range(4)]
        started.wait()
        assert all(job.result(timeout=30) is not None for job in jobs)
    finally:
        return_fetch_threads(pool)


def test_two_runs_at_once_borrow_two_sets_of_fetch_threads():
    from engage_desktop.listen.pool import borrow_fetch_threads, return_fetch_threads

    one, two = borrow_fetch_threads(3), borrow_fetch_threads(3)
    assert one is not two
    return_fetch_threads(one)
    return_fetch_threads(two)
    again, other = borrow_fetch_threads(3), borrow_fetch_threads(5)
    assert again in (one, two)
    assert other not in (one, two)  # another size is another pool
    return_fetch_threads(again)
    return_fetch_threads(other)


def test_the_prestart_starts_a_fetch_thread_per_source_up_to_the_runs_threads(ws):
    from engage_desktop.listen.fetch import prestart_parse_pool

    for n in range(3):
        _add(ws, f"http://127.0.0.1:9/{n}.xml")
    prestart_parse_pool(ws, FetchOptions(workers=8, parse="thread"))
    assert len(_fetch_threads()) == 3  # three sources: three threads, not eight
    for n in range(3, 12):
        _add(ws, f"http://127.0.0.1:9/{n}.xml")
    prestart_parse_pool(ws, FetchOptions(workers=8, parse="thread"))
    assert len(_fetch_threads()) == 8  # the run's own limit
