"""Per-item work of a fetch: quick link checks, clean items kept as they are, hosts in turn."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engage_desktop.core.untrusted import _checked_link, _plain_web_link, safe_link
from engage_desktop.listen.worker import harden_item
from engage_desktop.sources.item import FeedItem

# Pieces links are made of, tricky ones included (user info, ports, IPv6, controls).
_PIECES = st.sampled_from([
    "http://", "https://", "HTTP://", "javascript:", "//", "h", "example.org", ".", "-",
    "@", ":", ":80", "[::1]", "/", "?", "#", "q=1", " ", "\t", "\n", "\x00", "\x85",
    "é", "%41", "\\", "a-b", "user:pw@",
])  # fmt: skip
LINKS = st.lists(_PIECES, max_size=8).map("".join) | st.text(max_size=40)


@settings(database=None, max_examples=150, deadline=None)
@given(LINKS)
def test_the_quick_path_only_answers_what_the_full_check_answers_alike(url):
    if _plain_web_link(url):
        assert _checked_link(url, None, False) == url
        assert _checked_link(url, "https://base.example/", True) == url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://a.example/p/1?x=1#f", "https://a.example/p/1?x=1#f"),
        ("http://", None),
        ("https:///path", None),
        ("http://:80/", None),
        ("javascript:alert(1)", None),
        ("https://h.example/\x00x", "https://h.example/x"),
        (" https://h.example/ ", "https://h.example/"),
        ("http://user@h.example/", "http://user@h.example/"),
        ("http://[::1]/", "http://[::1]/"),
    ],
)
def test_safe_link_answers(url, expected):
    assert safe_link(url) == expected


def _item(**changes) -> FeedItem:
    fields = {
        "item_key": "urn:1", "url": "https://blog.example/p/1", "title": "Nimbus",
        "text": "Nimbus is fine", "published": datetime(2026, 10, 1, tzinfo=UTC),
        "html": '<p>Nimbus is <a href="https://blog.example/x">fine</a></p>',
        "author_name": "Ann", "language": "en",
    }  # fmt: skip
    return FeedItem(**{**fields, **changes})


def test_a_clean_item_is_kept_as_it_is():
    now = datetime(2026, 10, 2, tzinfo=UTC)
    item = _item()
    hardened, note = harden_item(item, now)
    assert hardened is item and note is None


def test_a_dirty_item_is_cleaned_field_by_field():
    now = datetime(2026, 10, 2, tzinfo=UTC)
    item = _item(
        url="javascript:alert(1)",
        title="Nim\x1bbus",
        html='<p><a href="/etc/passwd">x</a></p>',
        published=now + timedelta(days=400),
        text="",
    )
    hardened, note = harden_item(item, now)
    assert hardened.url is None and hardened.title == "Nimbus"
    assert 'href="/etc' not in (hardened.html or "") and "<a>" in (hardened.html or "")
    assert hardened.published == now and note and "shown at the fetch time" in note
    assert hardened.author_name == "Ann" and hardened.html is not None
    empty, _note = harden_item(_item(html=""), now)
    assert empty.html is None  # an empty body is no body


def test_a_run_takes_one_source_from_each_host_in_turn():
    from engage_desktop.listen.fetch import across_hosts
    from engage_desktop.sources.base import SourceSpec

    urls = [
        "https://a.example/1", "https://a.example/2", "https://a.example/3",
        "https://b.example/1", "http://a.example:8080/1", "https://B.example/2", "not a url",
    ]  # fmt: skip
    specs = [SourceSpec(i, "rss", u, u, "blog") for i, u in enumerate(urls)]
    order = [s.id for s in across_hosts(specs)]
    assert order == [0, 3, 4, 6, 1, 5, 2]
    assert sorted(order) == list(range(len(urls)))  # every source once


@settings(database=None, max_examples=200, deadline=None)
@given(st.sampled_from(["http://", "https://"]), LINKS)
def test_the_politeness_key_is_the_host_httpx_would_connect_to(scheme, rest):
    import httpx

    from engage_desktop.sources.http import host_key

    url = scheme + rest
    try:
        expected = httpx.URL(url).netloc.decode("ascii", "replace")
    except (httpx.InvalidURL, ValueError, TypeError):
        return  # never fetched: the request itself fails in words
    if expected:
        assert host_key(url) == expected


def test_the_politeness_key_drops_a_default_port_whatever_the_scheme_s_case():
    from engage_desktop.sources.http import host_key

    keys = {
        host_key(u) for u in ("http://h.example/a", "HTTP://H.example:80/b", "http://h.example:080")
    }
    assert keys == {"h.example"}
    assert host_key("https://h.example:8443/x") == "h.example:8443"
