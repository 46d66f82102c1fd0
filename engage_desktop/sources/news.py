"""News search feeds: a query becomes a news search engine's RSS address.

``news:WORDS`` (or ``news:bing:WORDS``) is turned into the engine's search feed when
the source is added; fetching is then an ordinary conditional GET of that RSS
(the parse pool reads it like any feed). Engines:

- Google News: ``https://news.google.com/rss/search?q=WORDS&hl=en-US&gl=US&ceid=US:en``
  (about 100 newest articles per query; no key; poll gently, every 30 minutes);
- Bing News: ``https://www.bing.com/news/search?q=WORDS&format=rss`` (no key).
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

ENGINES = ("google", "bing")
DEFAULT_INTERVAL_S = 1800


def search_url(
    words: str, engine: str = "google", *, language: str = "en", country: str = "US"
) -> str:
    """The RSS address of a news search for ``words``.

    Raises:
        ValueError: No words, or an engine we do not know.
    """
    words = words.strip()
    if not words:
        raise ValueError("a news search needs words; use news:WORDS")
    if engine == "google":
        query = urlencode(
            {
                "q": words,
                "hl": f"{language}-{country}",
                "gl": country,
                "ceid": f"{country}:{language}",
            }
        )
        return f"https://news.google.com/rss/search?{query}"
    if engine == "bing":
        return f"https://www.bing.com/news/search?{urlencode({'q': words, 'format': 'rss'})}"
    raise ValueError(f"unknown news engine {engine!r}; use one of {', '.join(ENGINES)}")


def from_shorthand(text: str) -> str:
    """``news:WORDS`` or ``news:ENGINE:WORDS`` as the engine's feed address."""
    rest = text.split(":", 1)[1] if ":" in text else text
    engine, _, words = rest.partition(":")
    if engine.lower() in ENGINES and words:
        return search_url(words, engine.lower())
    return search_url(rest)


def is_news_search(url: str) -> bool:
    """Whether an address is a news search feed this module builds."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host == "news.google.com" and parts.path.startswith("/rss/search"):
        return True
    query = parse_qs(parts.query)
    return (
        host.endswith("bing.com")
        and parts.path == "/news/search"
        and query.get("format") == ["rss"]
    )


def words_of(url: str) -> str:
    """The search words of a news search feed (for its display name)."""
    return (parse_qs(urlsplit(url).query).get("q") or [""])[0]
