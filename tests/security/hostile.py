"""A hostile web server of our own on 127.0.0.1, and the payloads it serves.

Used by tests/security and benchmarks/hostile.py. Each route answers the way an
attacker's server or feed would: markup and script in every field, links to
local files and other schemes, control characters, impossible dates, absurd
Retry-After values, redirects to ``javascript:`` and ``file:``, pages announcing a
local file as their feed, and a word that makes backtracking wildcards explode.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

from tests.integration.listen_helpers import BASE_TIME

Route = Callable[[], tuple[int, dict[str, str], bytes]]

#: Markup that must always be shown literally, never rendered or loaded.
MARKUP = '<img src="/dev/zero"><b>bold</b><a href="javascript:alert(1)">x</a>'
ESC = "\x1b]0;pwned\x07\x1b[31m"  # retitles the terminal and turns it red
CONTROLS = "\x00\x07\x1b\x85\x9b"  # NUL, BEL, ESC, C1 NEL, C1 CSI
LONG_WORD = "a" * 200
EVIL_WILDCARD = "a*a*a*a*a*a*a*a*b"


def run_cli(*args: str, prefix: tuple[str, ...] = (), timeout: float = 180, **kw):
    """``engage-desktop ARGS`` as a fresh process (``prefix``: setpriv and the like)."""
    return subprocess.run(
        [*prefix, sys.executable, "-m", "engage_desktop", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        **kw,
    )


def hostile_body() -> str:
    """An entry body with every kind of link an attacker would try."""
    return (
        "<p>nimbus is broken</p>"
        '<a href="javascript:alert(document.cookie)">js</a>'
        '<a href="file:///etc/passwd">passwd</a>'
        '<a href="smb://attacker.example/share">smb</a>'
        '<a href="/etc/shadow">relative root</a>'
        '<a href="../../secret.txt">relative up</a>'
        '<a href="data:text/html,<script>alert(1)</script>">data</a>'
        '<a href="https://safe.example/ok">fine</a>'
        '<img src="file:///etc/passwd"><img src="/dev/zero">'
        "<script>alert(1)</script>"
    )


def hostile_rss(n_plain: int = 0) -> bytes:
    """An RSS feed whose items attack every field; ``n_plain`` ordinary items follow."""
    when = format_datetime(BASE_TIME)
    items = [
        # Markup and a javascript: item link.
        f"<item><title>{escape(MARKUP)} nimbus</title><link>javascript:alert(1)</link>"
        f"<guid>urn:hostile:markup</guid><dc:creator>{escape(MARKUP)}</dc:creator>"
        f"<pubDate>{when}</pubDate><description>{escape(hostile_body())}</description></item>",
        # A relative item link: must resolve against the feed's http address.
        "<item><title>relative nimbus</title><link>/posts/7</link><guid>urn:hostile:rel</guid>"
        f"<pubDate>{when}</pubDate><description>nimbus relative</description></item>",
        # A file: item link.
        "<item><title>file nimbus</title><link>file:///etc/passwd</link>"
        f"<guid>urn:hostile:file</guid><pubDate>{when}</pubDate>"
        "<description>nimbus file</description></item>",
        # Dates no post can have.
        "<item><title>future nimbus</title><guid>urn:hostile:9999</guid>"
        "<pubDate>Fri, 31 Dec 9999 23:59:59 GMT</pubDate>"
        "<description>nimbus from the year 9999</description></item>",
        "<item><title>ancient nimbus</title><guid>urn:hostile:1970</guid>"
        "<pubDate>Thu, 01 Jan 1970 00:00:00 GMT</pubDate>"
        "<description>nimbus from 1970</description></item>",
        # A word that makes a backtracking wildcard take forever.
        f"<item><title>long word nimbus</title><guid>urn:hostile:long</guid>"
        f"<pubDate>{when}</pubDate><description>nimbus {LONG_WORD}</description></item>",
    ]
    for i in range(n_plain):
        items.append(
            f"<item><title>plain {i}</title><guid>urn:plain:{i}</guid>"
            f"<link>https://example.org/p/{i}</link><pubDate>{when}</pubDate>"
            f"<description>nimbus plain item {i}</description></item>"
        )
    doc = (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
        f"<title>{escape(MARKUP)}</title><link>https://example.org/</link>"
        "<description>d</description><language>en</language>" + "".join(items) + "</channel></rss>"
    )
    return doc.encode()


def control_rss() -> bytes:
    """A feed with raw control characters in its title, author and text.

    Raw C0 controls make the XML ill-formed, so this takes feedparser's lenient
    path: the characters must still never be stored.
    """
    when = format_datetime(BASE_TIME)
    doc = (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
        f"<title>Feed{ESC}</title><link>https://example.org/</link><description>d</description>"
        f"<item><title>nimbus{ESC}title{CONTROLS}</title><guid>urn:ctl:1</guid>"
        f"<link>https://example.org/ctl</link><dc:creator>Eve{ESC}</dc:creator>"
        f"<pubDate>{when}</pubDate><description>nimbus body{CONTROLS}{ESC}</description></item>"
        "</channel></rss>"
    )
    return doc.encode()


def page_announcing(href: str) -> bytes:
    """A web page whose only feed is ``href`` (a local file, say)."""
    return (
        "<!doctype html><html><head>"
        f'<link rel="alternate" type="application/rss+xml" href="{escape(href)}" title="x">'
        "</head><body>hi</body></html>"
    ).encode()


def opml(*urls: str) -> bytes:
    """An OPML file listing ``urls`` as feeds."""
    outlines = "".join(
        f'<outline type="rss" text="{escape(u)}" xmlUrl="{escape(u, {chr(34): "&quot;"})}"/>'
        for u in urls
    )
    return (
        '<?xml version="1.0"?><opml version="2.0"><head><title>t</title></head>'
        f"<body>{outlines}</body></opml>"
    ).encode()


def hostile_routes() -> dict[str, Route]:
    """Every hostile answer, by path."""
    xml = {"Content-Type": "application/rss+xml"}
    return {
        "/feed/hostile": lambda: (200, xml, hostile_rss()),
        "/feed/controls": lambda: (200, xml, control_rss()),
        "/retry/huge": lambda: (503, {"Retry-After": "1" + "0" * 20}, b"busy"),
        "/retry/decade": lambda: (429, {"Retry-After": str(10 * 365 * 86400)}, b"slow down"),
        "/redirect/javascript": lambda: (302, {"Location": "javascript:alert(1)"}, b""),
        "/redirect/file": lambda: (301, {"Location": "file:///etc/passwd"}, b""),
        "/redirect/invalid": lambda: (302, {"Location": "http://[::1"}, b""),
        "/page/file-feed": lambda: (
            200,
            {"Content-Type": "text/html"},
            page_announcing("file:///etc/passwd"),
        ),
        "/page/relative-file-feed": lambda: (
            200,
            {"Content-Type": "text/html"},
            page_announcing("/etc/passwd"),
        ),
    }


class HostileServer:
    """A threaded HTTP server on 127.0.0.1 answering from a route table.

    Unknown paths get 404. ``routes`` can be changed while it runs.
    """

    def __init__(self, routes: dict[str, Route] | None = None) -> None:
        self.routes: dict[str, Route] = dict(routes or hostile_routes())
        self.requests: list[str] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                owner.requests.append(self.path)
                route = owner.routes.get(self.path.split("?")[0])
                status, headers, body = route() if route else (404, {}, b"not here")
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        # shutdown() waits for the loop's next look at its flag: every 0.05 s, not 0.5.
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def base(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def url(self, path: str) -> str:
        """The address of ``path`` on this server."""
        return self.base + path

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=60)
