"""Rules for text, links and dates that come from outside (feeds, files, servers).

Everything here is pure and cheap, because the fetcher applies it to every item:

* :func:`strip_controls` removes C0 and C1 control characters (tab and newline stay),
  so a feed cannot store NUL, BEL or terminal escape sequences that a terminal would
  obey when ``inbox list`` prints them.
* :func:`safe_link` keeps only ``http``/``https`` (and ``mailto`` where asked) links;
  a relative link is resolved against the item's own http(s) address or dropped.
* :func:`cell_text` turns a cell of a client's XLSX, Parquet or JSON file into the
  text a CSV would hold, so every import reads one kind of value.
* :func:`clamp_date` keeps a date inside a sane window (1990 to now + 2 days); one
  outside it is replaced by the fetch time and reported, so a post "from the year
  9999" can neither sit on top of the inbox forever nor overflow a chart.
"""

from __future__ import annotations

import csv
import re
import sys
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urljoin, urlsplit

#: C0 controls except tab (09) and newline (0A), DEL, and the C1 block.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
#: Carriage returns become newlines first, so "a\r\nb" keeps its line break.
_CRLF = re.compile("\r\n?")
WEB_SCHEMES = ("http", "https")
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
#: Characters a stored text field keeps; a post of a million characters is not a post
#: (a 50 MB record once froze the inbox for 40 s).
MAX_FIELD_CHARS = 1_000_000
TRUNCATED = "… [cut by engage-desktop: the field had {n:,} characters]"
FUTURE_SLACK = timedelta(days=2)


def strip_controls(text: str) -> str:
    """``text`` without control characters; tab and newline are kept.

    A carriage return becomes a newline (Windows and old Mac line ends).
    """
    if text.isprintable():  # the common case, one C call
        return text
    if "\n" in text and text.replace("\n", "").isprintable():
        return text  # lines of plain text (every control is non-printable): two C calls
    if "\r" in text:
        text = _CRLF.sub("\n", text)
    return _CONTROLS.sub("", text)


def strip_controls_opt(text: str | None) -> str | None:
    """:func:`strip_controls` for optional values (None stays None)."""
    return None if text is None else strip_controls(text)


def printable_line(text: object) -> str:
    """A value made safe to print on a terminal: no control characters at all.

    Newlines and tabs become spaces too, so one value cannot forge another line.
    """
    value = strip_controls(str(text))
    return value.replace("\n", " ").replace("\t", " ") if "\n" in value or "\t" in value else value


def link_scheme(url: str) -> str:
    """The lower-case scheme of ``url`` ('' for a relative link)."""
    try:
        return urlsplit(url.strip()).scheme.lower()
    except ValueError:  # e.g. an invalid IPv6 literal
        return "invalid"


def safe_link(url: str | None, base: str | None = None, *, mailto: bool = False) -> str | None:
    """``url`` if it may be a link: http(s) (and mailto when asked), else None.

    Args:
        url: The link as found (absolute or relative).
        base: The item's own address, to resolve a relative link against; used
            only when it is itself http(s).
        mailto: Accept ``mailto:`` links (bodies of posts, not item addresses).

    Returns:
        The absolute link, or None when it is not a web address (``javascript:``,
        ``file:``, ``data:``, ``smb:``...) or is relative with no web base.
    """
    if not url:
        return None
    if _plain_web_link(url):
        return url
    return _checked_link(url, base, mailto)


def _checked_link(url: str, base: str | None, mailto: bool) -> str | None:
    """:func:`safe_link` the long way: controls and spaces out, scheme and host checked."""
    url = strip_controls(url).strip()
    if not url:
        return None
    scheme = link_scheme(url)
    if scheme in WEB_SCHEMES:
        return url if _has_host(url) else None
    if scheme == "mailto":
        return url if mailto else None
    if scheme or (url.startswith("//") and not base):
        return None
    if not base or link_scheme(base) not in WEB_SCHEMES:
        return None
    try:
        joined = urljoin(base, url)
    except ValueError:
        return None
    return joined if link_scheme(joined) in WEB_SCHEMES and _has_host(joined) else None


#: A host made only of letters, digits, dots and hyphens (nothing urlsplit reinterprets).
_PLAIN_HOST = re.compile(r"[A-Za-z0-9.-]+")
_HOST_END = re.compile(r"[/?#]")


def _plain_web_link(url: str) -> bool:
    """Whether ``url`` is plainly an http(s) link with a host (what most links are).

    The quick answer of :func:`safe_link` for a fetch's 10,000 items: printable
    ASCII without spaces, a lower-case ``http://`` or ``https://`` and a host of
    letters, digits, dots and hyphens (no user, port or IPv6 literal) is a link as
    it stands. Anything else takes the full path through ``urlsplit``.
    """
    if not url.startswith(("https://", "http://")) or not url.isascii():
        return False
    if not url.isprintable() or " " in url:
        return False
    rest = url[8:] if url[4] == "s" else url[7:]
    end = _HOST_END.search(rest)
    host = rest[: end.start()] if end else rest
    return _PLAIN_HOST.fullmatch(host) is not None


def _has_host(url: str) -> bool:
    try:
        return bool(urlsplit(url).hostname)
    except ValueError:
        return False


def is_web_url(url: str | None) -> bool:
    """Whether ``url`` is an absolute http(s) address with a host."""
    return bool(url) and link_scheme(url or "") in WEB_SCHEMES and _has_host(url or "")


def date_window(now: datetime) -> tuple[datetime, datetime]:
    """The dates accepted as real: 1990-01-01 to ``now`` + 2 days."""
    return EARLIEST, now + FUTURE_SLACK


def clamp_date(value: datetime | None, now: datetime) -> tuple[datetime, bool]:
    """A date inside the sane window, and whether it had to be replaced.

    Args:
        value: The date as parsed (aware or naive UTC), or None when missing.
        now: The fetch or import time; it replaces a date outside the window.

    Returns:
        ``(date, replaced)``: a missing date becomes ``now`` without being
        flagged (undated items are normal); an out-of-range one is flagged.
    """
    if value is None:
        return now, False
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    low, high = date_window(now)
    if low <= value <= high:
        return value, False
    return now, True


def cap_text(value: str) -> tuple[str, bool]:
    """``value`` cut to :data:`MAX_FIELD_CHARS` with a marker, and whether it was cut."""
    if len(value) <= MAX_FIELD_CHARS:
        return value, False
    return value[:MAX_FIELD_CHARS] + TRUNCATED.format(n=len(value)), True


def allow_long_csv_fields() -> None:
    """Let the csv module read long fields instead of rejecting the whole file.

    Its default limit (131,072 characters) turns one huge cell into an error for
    the entire file; long fields are cut row by row with :func:`cap_text` instead.
    """
    limit = sys.maxsize
    while True:  # sys.maxsize overflows a C long on some platforms
        try:
            csv.field_size_limit(limit)
            return
        except OverflowError:
            limit //= 2


def cell_text(value: Any, list_separator: str = ",") -> str | None:
    """A cell from XLSX, Parquet or JSON as the text a CSV would hold.

    Args:
        value: What the reader gave (str, number, bool, date, list, dict or None).
        list_separator: Joins a list's items (``None`` items are left out).

    Returns:
        The text, or None for an empty cell. A spreadsheet's ``1042.0`` is the id or
        count 1042; a datetime at midnight is the date a spreadsheet typed.
    """
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    if isinstance(value, datetime):
        if value.time() == datetime.min.time() and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return list_separator.join(str(v) for v in value if v is not None)
    if isinstance(value, dict):
        import json

        return json.dumps(value, ensure_ascii=False)
    return str(value)
