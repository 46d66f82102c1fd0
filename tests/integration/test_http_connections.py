"""Connections a refresh opens: a 304 leaves its connection for the next request.

An unchanged refresh is mostly 304s. Each one that closed its connection made the
next request to that host open a new one (a TCP handshake, and a TLS handshake on
https), so a refresh of four feeds on one blog opened four connections instead of
one. A loopback server that counts the connections it accepts tells.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from engage_desktop.sources.http import HttpClient, HttpLimits

FAST = HttpLimits(host_delay=0.0, read_timeout=30.0, connect_timeout=30.0)  # loopback, busy CPU
ETAG = '"v1"'


class _Feed(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        if self.headers.get("If-None-Match") == ETAG:
            self.send_response(304)
            self.send_header("ETag", ETAG)
            self.end_headers()
            return
        body = b"<rss version='2.0'><channel><title>t</title></channel></rss>"
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("ETag", ETAG)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _CountingServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(("127.0.0.1", 0), handler)
        self.accepted = 0
        self._lock = threading.Lock()

    def get_request(self) -> Any:
        pair = super().get_request()
        with self._lock:
            self.accepted += 1
        return pair


@contextlib.contextmanager
def _serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[_CountingServer]:
    srv = _CountingServer(handler)
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield srv
    finally:
        srv.shutdown()
        srv.server_close()
        thread.join()


@pytest.fixture
def server():
    with _serving(_Feed) as srv:
        yield srv


def test_unchanged_feeds_on_one_host_share_one_connection(server):
    base = f"http://127.0.0.1:{server.server_address[1]}"
    with HttpClient(FAST) as http:
        answers = [http.get(f"{base}/feed{n}.xml", etag=ETAG) for n in range(4)]
    assert all(a.not_modified for a in answers)
    assert server.accepted == 1


class _JunkAfter304(_Feed):
    """A broken server: its 304 announces a body and sends one, which h11 would read
    as the start of the next answer on a kept connection."""

    def do_GET(self) -> None:
        if self.headers.get("If-None-Match") == ETAG:
            self.wfile.write(
                b'HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\nContent-Length: 12\r\n\r\n'
                b"JUNK JUNK!!\n"
            )
            return
        super().do_GET()


@pytest.mark.parametrize(
    ("handler", "connections"),
    [(_Feed, 1), (_JunkAfter304, 2)],
    ids=["clean 304s keep the connection", "a 304 with a body costs only its own"],
)
def test_a_changed_feed_among_unchanged_ones(handler, connections):
    with _serving(handler) as srv:
        base = f"http://127.0.0.1:{srv.server_address[1]}"
        with HttpClient(FAST) as http:
            assert http.get(f"{base}/a.xml", etag=ETAG).not_modified
            changed = http.get(f"{base}/b.xml", etag='"old"')
            assert http.get(f"{base}/c.xml", etag=ETAG).not_modified
        assert changed.status == 200 and changed.content.startswith(b"<rss")
        assert srv.accepted == connections  # the broken server's 200 reuses no poisoned one
