"""Text fidelity: Windows-1252 bytes in "Latin-1" feeds, and base64 content, on both
parser paths (the strict fast path and feedparser)."""

from __future__ import annotations

import base64

import pytest

from engage_desktop.sources.charset import as_utf8
from engage_desktop.sources.feed import parse_feed

SMART = (
    b'<rss version="2.0"><channel><title>T</title><item><title>Nimbus \x93smart\x94 '
    b"quotes \x96 caf\xe9 \x80 5</title><link>https://a.example/1</link>"
    b"<description>It\x92s fine \x85</description></item></channel></rss>"
)


@pytest.mark.parametrize("fast", [True, False])
@pytest.mark.parametrize(
    ("declaration", "content_type"),
    [
        (b'<?xml version="1.0" encoding="ISO-8859-1"?>', "application/rss+xml"),
        (b"", "text/xml; charset=iso-8859-1"),
        (b"<?xml version='1.0' encoding='us-ascii'?>", None),
        (b'<?xml version="1.0" encoding="windows-1252"?>', "application/xml"),
    ],
)
def test_windows_1252_in_a_latin1_feed_becomes_the_right_characters(
    declaration, content_type, fast
):
    feed = parse_feed(
        declaration + SMART, "https://a.example/f", content_type, force_feedparser=not fast
    )
    [item] = feed.items
    assert item.title == "Nimbus “smart” quotes – café € 5"
    assert item.text == "It’s fine …"  # U+0085 would have been stripped as a line end


def test_true_latin1_and_utf8_feeds_are_left_alone():
    latin = b'<?xml version="1.0" encoding="ISO-8859-1"?><x>caf\xe9</x>'
    assert as_utf8(latin, None) == (latin, None)  # no byte in 0x80-0x9F: nothing to fix
    utf8 = '<?xml version="1.0" encoding="utf-8"?><x>“</x>'.encode()
    assert as_utf8(utf8, "text/xml; charset=utf-8") == (utf8, "text/xml; charset=utf-8")
    body, ctype = as_utf8(b"<x>\x81\x93</x>", "text/xml; charset=ISO-8859-1")
    # The five bytes Windows-1252 leaves undefined keep their Latin-1 meaning.
    assert body.decode("utf-8") == "<x>\x81“</x>" and ctype == "text/xml; charset=utf-8"


def _atom(content: str, version: str = "1.0") -> bytes:
    ns = "http://www.w3.org/2005/Atom" if version == "1.0" else "http://purl.org/atom/ns#"
    return (
        f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="{ns}"><title>T</title>'
        "<id>urn:f</id><updated>2026-01-01T00:00:00Z</updated><entry><id>urn:1</id>"
        "<title>t</title><updated>2026-01-01T00:00:00Z</updated><issued>2026-01-01T00:00:00Z"
        '</issued><link rel="alternate" type="text/html" href="https://a.example/1"/>'
        f"{content}</entry></feed>"
    ).encode()


B64 = base64.b64encode("<p>Nimbus café “ok”</p>".encode()).decode()


@pytest.mark.parametrize("fast", [True, False])
@pytest.mark.parametrize(
    "doc",
    [
        _atom(f'<content type="text/html" mode="base64">{B64}</content>'),
        _atom(f'<content type="text/html" mode="base64">{B64}</content>', version="0.3"),
        _atom(
            f'<content type="text/html">{B64}</content>'.replace(
                B64, "&lt;p&gt;Nimbus café “ok”&lt;/p&gt;"
            )
        ),
    ],
)
def test_base64_content_is_decoded_as_feedparser_does(doc, fast):
    [item] = parse_feed(doc, "https://a.example/f", None, force_feedparser=not fast).items
    assert item.text == "Nimbus café “ok”"
    assert item.html == "<p>Nimbus café “ok”</p>"
