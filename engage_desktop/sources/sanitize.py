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
from collections.abc import Callable
from functools import cache, partial

import nh3

from engage_desktop.core.untrusted import safe_link

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
# _IMG_SRC's start alone: a search for it is 3x cheaper than the substitution.
_IMG_OPEN = re.compile(r"<img", re.IGNORECASE)
# Tags that end a line in HTML nh3 wrote: it writes tag names in lower case right
# after "<" (and escapes every "<" of text), so no case folding or spaces to allow for.
_BLOCK_END = re.compile(r"<(?:br|hr|/(?:p|div|li|h[1-6]|blockquote|tr|pre))\b[^>]*>")
_TAG = re.compile(r"<[^>]*>")
# nh3 writes every attribute as name="value" and escapes every "<" in text, so a
# link attribute is found inside a tag without parsing (text saying href="..." is not).
_LINK_ATTR = re.compile(r'(<[a-z][^<>]*?\s)(href|data-src)="([^"]*)"')
_ABSOLUTE = ("https://", "http://", "mailto:")
# A link attribute whose value does not start as an absolute link: only bodies with
# one need the per-link pass (feeds nearly always write absolute links).
_NOT_ABSOLUTE = re.compile(r'(?:href|data-src)="(?!https://|http://|mailto:)')


@cache
def _html_cleaner() -> Callable[[str], str]:
    # A reusable nh3.Cleaner builds ammonia's rule set once: 4x faster than passing
    # the sets to nh3.clean on every call (benchmarks/ingest.py cleans 10,000 bodies).
    options = {
        "tags": _TAGS,
        "attributes": _ATTRIBUTES,
        "url_schemes": _SCHEMES,
        "link_rel": "noopener noreferrer nofollow",
    }
    cleaner = getattr(nh3, "Cleaner", None)
    return cleaner(**options).clean if cleaner else partial(nh3.clean, **options)


@cache
def _text_cleaner() -> Callable[[str], str]:
    # Only the tags that end a line survive (script and style lose their content).
    tags = {"p", "br", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr"}
    options = {"tags": tags | {"pre", "hr", "table", "tbody"}}
    cleaner = getattr(nh3, "Cleaner", None)
    return cleaner(**options).clean if cleaner else partial(nh3.clean, **options)


def clean_html(raw: str | None) -> str | None:
    """Return ``raw`` HTML made safe to store and show, or None when empty.

    Images keep their address in ``data-src`` so nothing remote loads until asked.
    """
    if not raw or not raw.strip():
        return None
    if _IMG_OPEN.search(raw) is not None:  # most bodies have no image
        raw = _IMG_SRC.sub(r"\1data-src\2", raw)
    cleaned = _html_cleaner()(raw)
    return cleaned.strip() or None


def sanitize_body(raw: str | None, base: str | None = None) -> tuple[str | None, str]:
    """The safe HTML and the plain text of a body, sanitizing it once.

    The text comes from the cleaned HTML (no script or style left in it), so the
    fetcher pays for one nh3 pass per item instead of two.

    Args:
        raw: The body as the feed gave it.
        base: The item's address: relative links resolve against it when it is
            http(s), and are dropped otherwise (see :func:`resolve_links`).
    """
    cleaned = clean_html(raw)
    if cleaned is None:
        return None, ""
    return resolve_links(cleaned, base), _plain_text(cleaned)


def resolve_links(cleaned: str, base: str | None) -> str:
    """Cleaned HTML whose relative links are made absolute against ``base`` or dropped.

    nh3 already refuses ``javascript:``, ``file:`` and other schemes, but keeps
    relative links as written; shown in a text browser, ``href="/etc/passwd"``
    would resolve to a local file. Only http(s) and mailto survive.
    """
    if _all_absolute(cleaned) or _NOT_ABSOLUTE.search(cleaned) is None:
        return cleaned

    def fix(match: re.Match[str]) -> str:
        value = html_lib.unescape(match.group(3))
        if value.startswith(_ABSOLUTE):
            return match.group(0)
        absolute = safe_link(value, base, mailto=True)
        if absolute is None:
            return match.group(1).rstrip()
        return f'{match.group(1)}{match.group(2)}="{html_lib.escape(absolute, quote=True)}"'

    return _LINK_ATTR.sub(fix, cleaned)


def _all_absolute(cleaned: str) -> bool:
    """Whether every ``href="`` and ``data-src="`` is followed by an absolute link.

    Counted with ``str.count`` (C, several times faster than the regex search it
    spares, twice per item): when as many attributes start with an absolute prefix
    as there are attributes, :data:`_NOT_ABSOLUTE` cannot match. Unequal counts
    only mean the regex decides.
    """
    links = cleaned.count('href="')
    images = cleaned.count('data-src="')
    if links:
        links -= cleaned.count('href="https://') + cleaned.count('href="http://')
        links -= cleaned.count('href="mailto:')
    if images:
        images -= cleaned.count('data-src="https://') + cleaned.count('data-src="http://')
        images -= cleaned.count('data-src="mailto:')
    return links == 0 and images == 0


def html_to_text(raw: str | None) -> str:
    """Plain text of an HTML fragment: tags dropped, entities decoded, lines kept."""
    if not raw:
        return ""
    if "<" not in raw and "&" not in raw:
        return _collapse_spaces(raw)
    # Strip script/style bodies with nh3 first; a regex cannot parse those safely.
    return _plain_text(_text_cleaner()(raw))


def _plain_text(safe: str) -> str:
    """Text of HTML that nh3 already cleaned (no script or style bodies left)."""
    text = _TAG.sub("", _BLOCK_END.sub("\n", safe))
    if "&" in text:
        text = html_lib.unescape(text)
    return _collapse_spaces(text)


def _collapse_spaces(text: str) -> str:
    """Runs of whitespace become one space; lines are kept, blank lines dropped.

    str.split() is C and treats every Unicode space (no-break space included) as a
    separator: 2-3x faster than substituting each run with a regex.
    """
    if "\n" not in text:
        return " ".join(text.split())
    # Line by line, all in C: split each line into words, join them, drop empty lines.
    return "\n".join(filter(None, map(" ".join, map(str.split, text.split("\n")))))


def show_images(cleaned: str) -> str:
    """The stored HTML with images enabled (the user asked to load them)."""
    return cleaned.replace("<img data-src=", "<img src=").replace(" data-src=", " src=")
