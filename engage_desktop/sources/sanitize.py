"""Sanitizing feed HTML before it is stored or shown, and deriving plain text.

nh3 (Rust ammonia) keeps a safe subset: no script or style, no event handlers, no
``javascript:`` URLs. Remote images are never loaded until the user asks: every
``<img src>`` becomes ``data-src`` (tracking pixels stay inert), and the detail view
swaps them back on request. feedparser's own sanitizer is switched off
(``sanitize_html=False``) because this is several times faster (benchmarks/ingest.py
prints both).
"""

from __future__ import annotations

import html as html_lib
import re

import nh3

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "details", "dd", "div", "dl",
    "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small", "span",
    "strong", "sub", "summary", "sup", "table", "tbody", "td", "th", "thead", "tr",
    "u", "ul",
}  # fmt: skip
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"data-src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "abbr": {"title"},
}
_SCHEMES = {"http", "https", "mailto"}
# src (and srcset) on <img> would load a remote resource the moment the HTML is shown.
_IMG_SRC = re.compile(r"(<img\b[^>]*?[\s/])src(\s*=)", re.IGNORECASE)
_BLOCK_END = re.compile(r"<\s*(br|/p|/div|/li|/h[1-6]|/blockquote|/tr|/pre|hr)\b[^>]*>", re.I)
_TAG = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\s*\n\s*")


def clean_html(raw: str | None) -> str | None:
    """Return ``raw`` HTML made safe to store and show, or None when empty.

    Images keep their address in ``data-src`` so nothing remote loads until asked.
    """
    if not raw or not raw.strip():
        return None
    deferred = _IMG_SRC.sub(r"\1data-src\2", raw)
    cleaned = nh3.clean(
        deferred,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return cleaned.strip() or None


def html_to_text(raw: str | None) -> str:
    """Plain text of an HTML fragment: tags dropped, entities decoded, lines kept."""
    if not raw:
        return ""
    if "<" not in raw and "&" not in raw:
        return _SPACES.sub(" ", raw).strip()
    # Strip script/style bodies with nh3 first; a regex cannot parse those safely.
    safe = nh3.clean(raw, tags={"p", "br", "div", "li", "h1", "h2", "h3", "blockquote"})
    text = _BLOCK_END.sub("\n", safe)
    text = html_lib.unescape(_TAG.sub("", text))
    text = _SPACES.sub(" ", text)
    return _BLANK_LINES.sub("\n", text).strip()


def show_images(cleaned: str) -> str:
    """The stored HTML with images enabled (the user asked to load them)."""
    return cleaned.replace("<img data-src=", "<img src=").replace(" data-src=", " src=")
