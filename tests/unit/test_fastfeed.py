"""The strict fast path must read exactly what feedparser reads, or step aside."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from engage_desktop.resources import resource
from engage_desktop.sources.fastfeed import parse_fast
from engage_desktop.sources.feed import parse_feed
from tests.integration.listen_helpers import atom, rss

NOW = datetime(2026, 11, 1, tzinfo=UTC)
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))


def _documents() -> list[tuple[str, bytes]]:
    from ingest_server import feed_document

    docs = [(f"demo/{p.name}", p.read_bytes()) for p in sorted(resource("demo").glob("*.xml"))]
    docs.append(("rss", rss([("https://e/1", "Café <b>bold</b> &amp; more"), ("7", "bare")])))
    docs.append(("atom", atom([("urn:a:1", "<p>x<script>y</script></p>"), ("urn:a:2", "")])))
    docs.extend((f"bench{n}", feed_document(n, 20)) for n in range(3))
    return docs


@pytest.mark.parametrize(
    ("name", "doc"), _documents(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_fast_path_equals_feedparser(name: str, doc: bytes) -> None:
    assert parse_fast(doc, "https://feed.example/x.xml", None, NOW) is not None, name
    fast = parse_feed(doc, "https://feed.example/x.xml", fetched_at=NOW)
    slow = parse_feed(doc, "https://feed.example/x.xml", fetched_at=NOW, force_feedparser=True)
    assert fast.items == slow.items
    assert fast.title == slow.title


@pytest.mark.parametrize(
    "doc",
    [
        rss([("urn:1", "x")], encoding="iso-8859-1"),
        b'<?xml version="1.0"?><rss version="0.91"><channel><title>t</title></channel></rss>',
        b"<rss version='2.0'><channel><item><title>cut",
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>',
        b'<!DOCTYPE rss [<!ENTITY a "b">]><rss version="2.0"><channel/></rss>',
    ],
)
def test_fast_path_steps_aside(doc: bytes) -> None:
    assert parse_fast(doc, "https://feed.example/", None, NOW) is None


def test_charset_in_header_sends_to_feedparser() -> None:
    doc = rss([("urn:1", "x")])
    assert parse_fast(doc, "u", "text/xml; charset=windows-1252", NOW) is None


@pytest.mark.parametrize(
    "value",
    [
        "Sun, 01 Nov 2026 12:00:00 GMT",
        "Mon, 9 Feb 2026 23:59:59 +0530",
        "01 Nov 2026 12:00:00 -0800",
        "Tue, 29 Feb 2028 00:00:00 UT",
        "Wed, 02 Oct 2002 13:00:00 Z",
        "Sat, 31 Dec 2025 23:30:00 -0130",
        "Thu, 5 Mar 2026 08:15:00 EST",  # not the common shape: the email parser
    ],
)
def test_rfc822_fast_path_agrees_with_the_email_parser(value):
    import email.utils
    from datetime import UTC

    from engage_desktop.sources.fastfeed import _rfc822

    assert _rfc822(value) == email.utils.parsedate_to_datetime(value).astimezone(UTC)
