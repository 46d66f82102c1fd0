"""A loopback feed server for benchmarks/ingest.py (run as a separate process).

Serves ``FEEDS`` RSS documents of ``ITEMS`` entries over ``HOSTS`` ports (a port
stands for a host: the client's per-host limits apply per port), with ETag and
Last-Modified, 304 on a match, and HTTP/1.1 keep-alive. asyncio keeps it on one
thread so it costs the measured clients as little CPU as possible.

Usage: python benchmarks/ingest_server.py FEEDS ITEMS HOSTS  (prints one JSON line
with the feed URLs, then serves until stdin closes).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import sys
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape

WORDS = [
    "router",
    "wifi",
    "mesh",
    "signal",
    "firmware",
    "update",
    "support",
    "refund",
    "outage",
    "speed",
    "range",
    "setup",
    "app",
    "latency",
    "fibre",
    "cable",
    "modem",
    "guest",
    "network",
    "parental",
    "controls",
    "reboot",
    "warranty",
    "customer",
    "service",
    "great",
    "terrible",
    "slow",
    "fast",
    "love",
    "hate",
    "works",
    "again",
    "broken",
    "today",
    "week",
    "month",
]
BRANDS = ("Nimbus", "Nimbus Router X2", "Nimbus Mesh Pro", "Orbit", "Skylink", "the ISP")
LAST_MODIFIED = "Sun, 01 Nov 2026 12:00:00 GMT"


def feed_document(n: int, items: int) -> bytes:
    """Feed ``n``: a realistic RSS 2.0 document with HTML descriptions."""
    rng = random.Random(n)
    end = datetime(2026, 11, 1, 12, tzinfo=UTC)
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>',
        f"<title>Bench feed {n}</title><link>https://site{n}.example/</link>"
        "<description>benchmark</description><language>en</language>",
    ]
    for i in range(items):
        brand = rng.choice(BRANDS)
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(25, 70)))
        title = f"{brand}: {' '.join(rng.choice(WORDS) for _ in range(6))}"
        html = (
            f"<p>{escape(brand)} {escape(words)}.</p><p>More at "
            f'<a href="https://site{n}.example/p/{i}">the post</a>.</p>'
        )
        if i % 10 == 3:
            html += '<img src="https://tracker.example/p.gif" width="1"><script>x()</script>'
        when = format_datetime(end - timedelta(minutes=13 * i + n))
        out.append(
            f"<item><title>{escape(title)}</title><link>https://site{n}.example/p/{i}</link>"
            f"<guid>https://site{n}.example/p/{i}</guid><dc:creator>Author {rng.randint(1, 900)}"
            f"</dc:creator><pubDate>{when}</pubDate><description>{escape(html)}</description>"
            "</item>"
        )
    out.append("</channel></rss>")
    return "\n".join(out).encode()


async def main(feeds: int, items: int, hosts: int) -> None:
    docs = {}
    for n in range(feeds):
        body = feed_document(n, items)
        docs[n] = (body, '"' + hashlib.sha1(body).hexdigest()[:16] + '"')
    per_host: dict[int, list[int]] = {h: [] for h in range(hosts)}
    for n in range(feeds):
        per_host[n % hosts].append(n)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                path = lines[0].split(" ")[1]
                headers = {
                    k.lower(): v.strip()
                    for k, _, v in (ln.partition(":") for ln in lines[1:] if ln)
                }
                n = int(path.strip("/").split(".")[0].removeprefix("feed"))
                body, etag = docs[n]
                if headers.get("if-none-match") == etag or (
                    "if-none-match" not in headers
                    and headers.get("if-modified-since") == LAST_MODIFIED
                ):
                    writer.write(
                        f"HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\n"
                        "Content-Length: 0\r\n\r\n".encode()
                    )
                else:
                    writer.write(
                        f"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
                        f"ETag: {etag}\r\nLast-Modified: {LAST_MODIFIED}\r\n"
                        f"Content-Length: {len(body)}\r\n\r\n".encode()
                        + body
                    )
                await writer.drain()
                if headers.get("connection", "").lower() == "close":
                    break
        except (asyncio.IncompleteReadError, ConnectionError, IndexError, ValueError):
            pass
        finally:
            writer.close()

    servers, urls = [], []
    for h in range(hosts):
        server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=256)
        port = server.sockets[0].getsockname()[1]
        servers.append(server)
        urls.extend(f"http://127.0.0.1:{port}/feed{n}.xml" for n in per_host[h])
    sys.stdout.write(json.dumps({"urls": urls}) + "\n")
    sys.stdout.flush()
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)  # until the parent closes stdin
    for server in servers:
        server.close()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])))
