"""Where the demo's mentions were posted: addresses shaped like each network's, and
places worth finding with ``locate``.

The demo listens on seven sources; its history also holds places nobody listens to
yet, so "Where they talk" has something to find:

- ``forum.routerfans.example``, a Discourse forum that opened about 100 days ago and
  grows, where unhappy owners go (negative mentions land there far more often);
- ``r/techsupport`` and ``r/wifi`` beside the watched ``r/HomeNetworking``;
- ``fosstodon.example``, a Mastodon instance that joined about 90 days ago, its
  posts tagged ``#homelab``;
- news sites that posts link to (``news.homegadget.example``,
  ``techpulse-news.example``) and a review blog (``wirelessweekly.example``).

The draws use their own random generator, so the rest of the demo (texts,
authors, times, sentiment) is the same as before for the same seed. The oldest
mentions of every channel stay where they were (the places above are recent).
"""

from __future__ import annotations

from html import escape

import numpy as np

from engage_desktop.demo.text import BRAND

#: Where each demo source listens (its ``site_url``), so ``locate`` knows.
SITE_URLS = {
    "mastodon": "https://mastodon.example/tags/nimbus",
    "bluesky": "https://bsky.app/search?q=nimbus",
    "reddit": "https://reddit.example/r/HomeNetworking/search?q=nimbus&restrict_sr=1",
    "hn": "https://hn.algolia.com/?q=nimbus",
    "forum": "https://community.nimbus.example/search?q=nimbus",
    "blog": "https://blogs.example/",
    "review": "https://reviews.example/",
}
NEW_FORUM = "forum.routerfans.example"
NEW_INSTANCE = "fosstodon.example"
SUBREDDITS = ("HomeNetworking", "techsupport", "wifi")
NEWS_LINKS = (
    ("https://news.homegadget.example/2026/mesh-routers-tested", "HomeGadget News"),
    ("https://techpulse-news.example/articles/nimbus-x2-review", "TechPulse News"),
    ("https://wirelessweekly.example/reviews/nimbus-mesh-pro", "Wireless Weekly"),
)
_SLUGS = ("x2-keeps-dropping", "mesh-pro-setup", "firmware-update", "app-login", "speed-issues")


def place_urls(
    seed: int,
    channel: np.ndarray,
    cls: np.ndarray,
    ts: np.ndarray,
    handles: list[str],
    remote: list[str],
    texts: list[str],
    negative: tuple[int, ...],
    end_s: float,
) -> tuple[list[str], list[str | None]]:
    """Each mention's address, and the sanitized HTML of those that carry links.

    Args:
        seed: The demo's seed (a generator of its own is made from it).
        channel: Each mention's channel.
        cls: Each mention's class index (see ``build.CLASSES``).
        ts: Epoch seconds of each mention.
        handles: Each mention's author handle.
        remote: Each mention's remote id.
        texts: Each mention's text (the HTML of linked posts repeats it).
        negative: The class indexes counted as unhappy.
        end_s: The end of the history, epoch seconds.
    """
    rng = np.random.default_rng([seed, 7919])
    n = len(channel)
    u, pick = rng.random(n), rng.random(n)
    age_days = (end_s - ts) / 86400.0
    unhappy = np.isin(cls, negative)
    urls: list[str] = []
    html: list[str | None] = [None] * n
    for i in range(n):
        c, h, r = channel[i], handles[i], remote[i]
        if c == "forum":
            # The new forum opened ~100 days ago and draws more of the unhappy each week.
            growth = max(0.0, 1.0 - age_days[i] / 100.0)
            share = (0.95 if unhappy[i] else 0.15) * (0.5 + 0.5 * growth)
            host = NEW_FORUM if age_days[i] < 100 and u[i] < share else "community.nimbus.example"
            slug = _SLUGS[int(pick[i] * len(_SLUGS))]
            urls.append(f"https://{host}/t/{slug}/{r}")
        elif c == "reddit":
            sub = SUBREDDITS[0] if u[i] < 0.6 else SUBREDDITS[1 + int(pick[i] * 2)]
            urls.append(f"https://reddit.example/r/{sub}/comments/{r}/")
        elif c == "mastodon" and age_days[i] < 90 and u[i] < 0.2:
            urls.append(f"https://{NEW_INSTANCE}/@{h}/{r}")
            html[i] = (
                f"<p>{escape(texts[i])} "
                f'<a href="https://{NEW_INSTANCE}/tags/homelab">#homelab</a></p>'
            )
        elif c == "mastodon":
            urls.append(f"https://mastodon.example/@{h}/{r}")
        elif c == "bluesky":
            urls.append(f"https://bsky.example/@{h}/{r}")
        elif c == "hn":
            urls.append(f"https://news.ycombinator.example/item?id={r}")
        elif c == "review":
            urls.append(f"https://reviews.example/{BRAND.lower()}/review-{r}")
        else:
            urls.append(f"https://blogs.example/posts/{r}")
        if c in ("blog", "review", "hn", "reddit") and age_days[i] < 120 and u[i] > 0.955:
            link, name = NEWS_LINKS[int(pick[i] * len(NEWS_LINKS))]
            html[i] = (
                f'<p>{escape(texts[i])}</p><p>Reported by <a href="{link}">{escape(name)}</a></p>'
            )
    return urls, html
