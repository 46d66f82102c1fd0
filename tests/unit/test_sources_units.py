"""Small pure pieces of listening: keys, sanitizing, back-off, Retry-After, guessing."""

from __future__ import annotations

import pytest

from engage_desktop.listen.store import backoff_seconds
from engage_desktop.sources.http import parse_retry_after
from engage_desktop.sources.item import item_key
from engage_desktop.sources.registry import discover_feeds, guess_kind
from engage_desktop.sources.sanitize import clean_html, html_to_text, sanitize_body, show_images


@pytest.mark.parametrize(
    ("guid", "link", "expected"),
    [
        ("https://a/1", "https://a/x", "https://a/1"),
        ("42", "https://a/x", "https://feed/x.xml#42"),
        (None, "https://a/x", "https://a/x"),
    ],
)
def test_item_key_prefers_guid_then_link(guid, link, expected):
    assert item_key(guid, link, "https://feed/x.xml", "t") == expected


def test_item_key_falls_back_to_a_stable_content_hash():
    a = item_key(None, None, "f", "title", "text", "me")
    assert a.startswith("sha1:") and a == item_key(None, None, "g", "title", "text", "me")


def test_sanitizer_removes_active_content_and_defers_images():
    dirty = (
        '<p onclick="x()">Hi<script>alert(1)</script><style>p{}</style>'
        '<a href="javascript:alert(1)">j</a><a href="https://ok.example">ok</a>'
        '<iframe src="https://evil"></iframe><img src="https://t.example/p.gif" alt="p"></p>'
    )
    clean = clean_html(dirty)
    for bad in ("script", "onclick", "javascript:", "iframe", "style", " src="):
        assert bad not in clean
    assert 'href="https://ok.example"' in clean and 'data-src="https://t.example/p.gif"' in clean
    assert 'src="https://t.example/p.gif"' in show_images(clean)
    assert html_to_text(dirty) == "Hijok"


@pytest.mark.parametrize(
    "raw",
    [
        "<p>Hi<script>alert(1)</script></p><p>second&nbsp;line &amp; more</p>",
        "<div>one</div>\n\n<div>  two\t three </div><br><li>four</li>",
        "plain text,   no tags",
        "<h2>Head</h2><ul><li>a</li><li>b &lt;c&gt;</li></ul><style>p{}</style>tail",
        "<pre>code\n  indented</pre><hr><blockquote>quoted</blockquote>",
        "",
    ],
)
def test_sanitize_body_gives_the_text_html_to_text_gives(raw):
    html, text = sanitize_body(raw)
    assert text == html_to_text(raw)
    assert html == clean_html(raw)
    assert "script" not in text and "alert" not in text and "p{}" not in text


def test_plain_text_keeps_lines_and_collapses_spaces():
    raw = "<p>a\u00a0\u00a0b</p>\n<p> </p><p>c   d</p>"
    assert html_to_text(raw) == "a b\nc d"
    assert sanitize_body(raw)[1] == "a b\nc d"


def test_backoff_doubles_caps_and_honours_retry_after():
    assert backoff_seconds(900, 1, None) == 900
    assert backoff_seconds(900, 3, None) == 3600
    assert backoff_seconds(900, 30, None) == 6 * 3600
    assert backoff_seconds(900, 1, 5000) == 5000


def test_retry_after_seconds_and_http_date():
    assert parse_retry_after("120") == 120
    assert parse_retry_after("Thu, 01 Jan 1970 00:02:00 GMT", now=0) == 120
    assert parse_retry_after("soon") is None


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://mastodon.social/tags/nimbus", "mastodon"),
        ("https://bsky.app/search?q=nimbus", "bluesky"),
        ("https://hn.algolia.com/?q=nimbus", "hn"),
        # Reddit's feeds go to the Reddit adapter: its limits, paging and cursor.
        ("https://www.reddit.com/search.rss?q=nimbus", "reddit"),
        ("https://www.reddit.com/r/wifi", "reddit"),
        ("https://superuser.com/search?q=nimbus", "stackexchange"),
        ("news:nimbus outage", "news"),
        ("https://news.google.com/rss/search?q=nimbus", "news"),
        ("https://mastodon.social/tags/nimbus.rss", "rss"),
        ("resource://demo/blog.xml", "rss"),
    ],
)
def test_guess_kind(url, kind):
    assert guess_kind(url) == kind


def test_discovery_reads_link_alternate_and_resolves_relative():
    page = (
        '<html><head><link rel="stylesheet" href="s.css">'
        '<link rel="alternate" type="application/atom+xml" href="/atom.xml" title="A">'
        '<link rel="alternate" type="application/rss+xml" href="https://x.example/rss">'
        "</head></html>"
    )
    assert discover_feeds(page, "https://x.example/blog/") == [
        ("https://x.example/atom.xml", "A"),
        ("https://x.example/rss", ""),
    ]
