"""Write the demo workspace's offline feeds (resources/demo/*.xml).

The demo sources point at these files (``resource://demo/NAME.xml``), so a fetch
works with no network. RSS 2.0 for most channels, Atom for Mastodon and Bluesky, and
a little hostile HTML (a script, an event handler, a tracking pixel) so the
sanitizer has something to do. Run ``python -m engage_desktop.demo.feeds``
to regenerate them.
"""

from __future__ import annotations

import random
import sys
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

from engage_desktop.demo import text as T
from engage_desktop.demo.build import CHANNELS, SOURCE_NAMES

ITEMS_PER_FEED = 12
ATOM_CHANNELS = ("mastodon", "bluesky")


def _items(rng: random.Random, channel: str, end: datetime) -> list[dict[str, str]]:
    pools = (T.POSITIVE, T.NEGATIVE, T.NEUTRAL, T.COMPETITOR)
    items = []
    for i in range(ITEMS_PER_FEED):
        template = rng.choice(rng.choice(pools))
        values = {
            "brand": T.BRAND,
            "product": rng.choice(T.PRODUCTS),
            "feature": rng.choice(T.FEATURES),
            "city": rng.choice(T.CITIES),
            "isp": rng.choice(T.ISPS),
            "duration": rng.choice(T.DURATIONS),
            "n": str(rng.randint(2, 90)),
            "competitor": rng.choice(T.COMPETITORS),
        }
        first, last = rng.choice(T.FIRST_NAMES), rng.choice(T.LAST_NAMES)
        handle = f"{first}{last}".lower().encode("ascii", "ignore").decode()
        host = CHANNELS[channel][1]
        published = end - timedelta(minutes=37 * i + rng.randint(0, 30))
        body = template.format(**values)
        html = f"<p>{escape(body)}</p>"
        if i == 2:
            html += (
                '<p><img src="https://tracker.example/pixel.gif" width="1" height="1">'
                '<script>alert("x")</script><a href="javascript:alert(1)" '
                'onclick="steal()">details</a></p>'
            )
        items.append(
            {
                "id": f"https://{host}/@{handle}/{700000 + i}",
                "title": body.split(".")[0][:80],
                "author": f"{first} {last}",
                "handle": handle,
                "published": published,
                "html": html,
            }
        )
    return items


def rss(channel: str, items: list[dict]) -> str:
    host = CHANNELS[channel][1]
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">',
        f"<channel><title>{escape(SOURCE_NAMES[channel])}</title>",
        f"<link>https://{host}/</link><description>Demo feed</description>",
    ]
    for it in items:
        parts.append(
            f"<item><title>{escape(it['title'])}</title><link>{escape(it['id'])}</link>"
            f'<guid isPermaLink="true">{escape(it["id"])}</guid>'
            f"<dc:creator>{escape(it['author'])}</dc:creator>"
            f"<pubDate>{format_datetime(it['published'])}</pubDate>"
            f"<description>{escape(it['html'])}</description></item>"
        )
    parts.append("</channel></rss>")
    return "\n".join(parts) + "\n"


def atom(channel: str, items: list[dict]) -> str:
    host = CHANNELS[channel][1]
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"<title>{escape(SOURCE_NAMES[channel])}</title>",
        f"<id>https://{host}/tags/nimbus</id>",
        f"<updated>{items[0]['published'].isoformat()}</updated>",
    ]
    for it in items:
        parts.append(
            f"<entry><id>{escape(it['id'])}</id><title>{escape(it['title'])}</title>"
            f'<link href="{escape(it["id"])}"/>'
            f"<author><name>{escape(it['author'])}</name>"
            f"<uri>https://{host}/@{it['handle']}</uri></author>"
            f"<published>{it['published'].isoformat()}</published>"
            f"<updated>{it['published'].isoformat()}</updated>"
            f'<content type="html">{escape(it["html"])}</content></entry>'
        )
    parts.append("</feed>")
    return "\n".join(parts) + "\n"


def write_demo_feeds(
    folder: Path, seed: int = 7, end: datetime = datetime(2026, 11, 20, 12, tzinfo=UTC)
) -> list[Path]:
    """Write one feed file per demo channel into ``folder``."""
    rng = random.Random(seed)
    written = []
    for channel in CHANNELS:
        items = _items(rng, channel, end)
        text = atom(channel, items) if channel in ATOM_CHANNELS else rss(channel, items)
        path = folder / f"{channel}.xml"
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("resources/demo")
    for p in write_demo_feeds(target):
        print(p)
