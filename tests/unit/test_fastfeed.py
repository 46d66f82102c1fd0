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
