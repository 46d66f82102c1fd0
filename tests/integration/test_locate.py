"""Locate: places ranked from stored mentions and their links; adding one back-tests it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from engage_desktop.cli import main
from engage_desktop.listen.locate import (
    LocateError,
    add_place,
    backtest_place,
    find_place,
    locate,
)
from engage_desktop.listen.places import place_of
from engage_desktop.listen.source_store import add_source, list_sources
from engage_desktop.workspace import settings
from engage_desktop.workspace.database import Workspace
from tests.conftest import new_workspace

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
FORUM = "https://forum.routerfans.example"


def _mention(i: int, url: str, days_ago: float, label: str, *, html=None, matched=True):
    return (
        f"k{i}", url, html, f"Nimbus post {i}", "nimbus post", NOW - timedelta(days=days_ago),
        label, [1] if matched else [],
    )  # fmt: skip


@pytest.fixture
def ws(tmp_path: Path):
    rows = []
    n = 0

    def add(count, url_of, days_of, label_of, **kw):
        nonlocal n
        for j in range(count):
            rows.append(_mention(n, url_of(n), days_of(j), label_of(j), **kw))
            n += 1

    # A watched blog with the most volume, mostly content.
    add(
        60,
        lambda i: f"https://blog.nimbus.example/posts/{i}",
        lambda j: j % 28,
        lambda j: "neutral",
    )
    # An unwatched Discourse forum: fewer posts, most of them negative, growing.
    add(
        30,
        lambda i: f"{FORUM}/t/x2-drops/{i}",
        lambda j: j % 20,
        lambda j: "negative" if j % 5 else "positive",
    )
    add(5, lambda i: f"{FORUM}/t/old/{i}", lambda j: 40 + j, lambda j: "negative")
    # A subreddit, positive; and a post that only links to the forum.
    add(
        25,
        lambda i: f"https://www.reddit.com/r/HomeNetworking/comments/{i}/",
        lambda j: j,
        lambda j: "positive",
    )
    add(
        1,
        lambda i: f"https://blog.nimbus.example/posts/{i}",
        lambda j: 2,
        lambda j: "negative",
        html=f'<p>see <a href="{FORUM}/t/x2-drops/999">this thread</a></p>',
    )
    # Forum posts no watch query matched: a search for the brand would not bring them.
    add(4, lambda i: f"{FORUM}/t/offtopic/{i}", lambda j: 3, lambda j: "negative", matched=False)
    # Older than both windows: not counted by locate, but part of the back-test.
    add(2, lambda i: f"{FORUM}/t/ancient/{i}", lambda j: 200, lambda j: "negative")
    with new_workspace(tmp_path / "loc.engage") as w:
        with w.write() as cur:
            cur.executemany(
                "INSERT INTO mentions (item_key, channel, url, html, text, text_norm, published, "
                "sentiment_label, matched_queries) VALUES (?, 'web', ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
        settings.put(w, settings.BRAND_NAME, "Nimbus")
        add_source(
            w, kind="rss", url="https://blog.nimbus.example/feed.xml", name="Blog", channel="blog"
        )
        yield w


def test_an_unwatched_forum_with_many_negatives_ranks_first_and_adding_back_tests_it(ws):
    found = locate(ws, 30, now=NOW)
    first = found.places[0]
    assert first.key == "discourse|forum.routerfans.example|"
    assert first.name == "forum.routerfans.example" and not first.watched
    # 30 posts in the window, 4 unmatched (a mention counts wherever it is) and 1 link.
    assert first.volume == 35 and first.linked == 1
    assert first.negative == 24 + 4 + 1
    assert first.earlier == 5 and first.growth_words() == "+600%"
    assert first.suggestion.kind == "discourse"
    assert first.suggestion.url == f"{FORUM}/search?q=Nimbus"
    blog = next(p for p in found.places if p.key == "site|blog.nimbus.example|")
    assert blog.watched_by == "Blog" and blog.volume == 61
    assert found.places[-1] is blog  # listened-to places come after the others
    reddit = next(p for p in found.places if p.kind == "reddit")
    assert reddit.name == "r/homenetworking" and reddit.share_negative == 0
    assert reddit.suggestion.url.startswith("https://www.reddit.com/r/homenetworking/search?")

    test = backtest_place(ws, first)
    # Every matched mention ever stored there: 30 + 5 + the link + 2 ancient; not the 4
    # that no watch query matched.
    assert test.matched == 38 and test.negative == 24 + 5 + 1 + 2
    assert test.first == NOW - timedelta(days=200) and len(test.samples) == 5
    result = add_place(ws, first, check=False)
    assert result.kind == "discourse" and result.url == f"{FORUM}/search?q=Nimbus"
    again = locate(ws, 30, now=NOW)
    forum = next(p for p in again.places if p.key == first.key)
    assert forum.watched and forum.suggestion is None
    with pytest.raises(LocateError, match="already listened to"):
        add_place(ws, forum)


def test_places_of_addresses_agree_with_the_sql(ws):
    cases = {
        "https://old.reddit.com/r/Wifi/comments/1/": "reddit|old.reddit.com|wifi",
        "https://superuser.com/questions/1/x": "stackexchange|superuser.com|",
        "https://mastodon.social/@ann/1234": "mastodon|mastodon.social|",
        "https://mastodon.social/tags/Nimbus": "mastodon|mastodon.social|nimbus",
        "https://lemmy.world/post/77": "lemmy|lemmy.world|",
        "https://www.theverge.com/2026/1/1/x": "news|theverge.com|",
        "https://bsky.app/profile/a/post/b": "bluesky||",
        "https://news.ycombinator.com/item?id=1": "hn||",
        "http://127.0.0.1:8080/t/slug/12/3": "discourse|127.0.0.1:8080|",
        "https://example.com/blog/1": "site|example.com|",
        "https://user@www.Example.com/x?y=/t/a/1#z": "site|example.com|",
        "https://forum.example.com/t/slug/12?page=2": "discourse|forum.example.com|",
        "https://mastodon.social/@ann/12/extra": "site|mastodon.social|",
        "example.com/no-scheme": None,
    }
    from engage_desktop.listen.places import channel_sql, classify, shape_sql

    for url, key in cases.items():
        ref = place_of(url)
        assert (ref.key if ref else None) == key, url
        sql = f"SELECT {channel_sql('NULL')}, h, shape FROM (SELECT {shape_sql('?')})"
        found = classify(*ws.cursor().execute(sql, [url]).fetchone())
        assert (found.key if found else None) == key, url


def test_cli_lists_and_adds_with_the_back_test_first(ws, capsys):
    path = str(ws.path)
    ws.close()
    assert main(["-w", path, "locate", "--days", "3650"]) == 0
    text = capsys.readouterr().out
    assert "forum.routerfans.example" in text.splitlines()[2]
    assert "add: Discourse forum search for “Nimbus”" in text
    assert main(["-w", path, "locate", "add", "1", "--days", "3650", "--dry-run"]) == 0
    text = capsys.readouterr().out
    assert "would have matched 38 stored mentions" in text and "nothing added" in text
    assert main(["-w", path, "locate", "add", "1", "--days", "3650"]) == 0
    assert "added source 2: forum.routerfans.example search: Nimbus" in capsys.readouterr().out
    assert main(["-w", path, "locate", "--days", "0"]) == 2
    assert main(["-w", path, "locate", "add", "77", "--days", "3650"]) == 2
    assert "no place '77'" in capsys.readouterr().err
    with Workspace.open(path) as w:
        assert [s["kind"] for s in list_sources(w)] == ["rss", "discourse"]
        assert find_place(locate(w, 3650), "forum.routerfans.example").watched


def test_without_a_brand_places_are_ranked_and_only_site_feeds_offered(tmp_path):
    with new_workspace(tmp_path / "bare.engage") as w:
        with w.write() as cur:
            cur.executemany(
                "INSERT INTO mentions (item_key, channel, url, text, text_norm, published, "
                "sentiment_label) VALUES (?, 'web', ?, 'x', 'x', ?, 'negative')",
                [(f"k{i}", url, NOW) for i, url in enumerate(
                    [f"{FORUM}/t/a/1", "https://blog.example/p/1", "https://blog.example/p/2"]
                )],
            )  # fmt: skip
        found = locate(w, 7, now=NOW)
        assert found.words == ""
        by_name = {p.name: p for p in found.places}
        assert by_name["blog.example"].suggestion.url == "https://blog.example/"
        forum = by_name["forum.routerfans.example"]
        assert forum.suggestion is None
        with pytest.raises(LocateError, match="needs the brand's name"):
            add_place(w, forum)
