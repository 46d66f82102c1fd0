"""Feeds that say Latin-1 but mean Windows-1252, read the way browsers read them.

Many feeds declare ``ISO-8859-1`` (in the XML declaration or the HTTP charset) and
are really written in Windows-1252: bytes 0x80-0x9F are its "smart" quotes, dashes,
ellipsis and euro sign, which in true Latin-1 are invisible C1 control characters.
Browsers (the WHATWG Encoding Standard) read every Latin-1 and ASCII label as
Windows-1252. :func:`as_utf8` does the same before parsing: it decodes such a
document as Windows-1252, re-encodes it as UTF-8 and says so in the declaration,
so both parsers (the fast path and feedparser) read the right characters; a C1
control character would otherwise be dropped (U+0085 even counts as a line end
that ``str.strip`` removes: a trailing "…" vanished).
"""

from __future__ import annotations

import codecs
import re

_LATIN_LABELS = frozenset({
    "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1", "cp819",
    "ibm819", "us-ascii", "ascii", "windows-1252", "cp1252", "x-cp1252",
})  # fmt: skip
_DECL = re.compile(rb"^(\s*<\?xml[^>]*?encoding\s*=\s*[\"'])([A-Za-z0-9_.:-]+)([\"'])")
_C1 = re.compile(rb"[\x80-\x9f]")


def _charset(content_type: str | None) -> str | None:
    if not content_type or "charset=" not in content_type.lower():
        return None
    return content_type.lower().split("charset=")[1].split(";")[0].strip(" \"'") or None


def as_utf8(content: bytes, content_type: str | None) -> tuple[bytes, str | None]:
    """The document re-encoded as UTF-8 when it is Latin-1/ASCII-labelled with
    Windows-1252 bytes in it; otherwise exactly as given.

    Returns:
        The bytes and the Content-Type to parse them with.
    """
    if content.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return content, content_type  # a byte order mark decides
    header = _charset(content_type)
    m = _DECL.match(content[:300])
    declared = m.group(2).decode("ascii").lower() if m else None
    label = header or declared
    if label not in _LATIN_LABELS or not _C1.search(content):
        return content, content_type
    body = _decode_1252(content).encode("utf-8")
    if m:
        body = _DECL.sub(rb"\g<1>utf-8\g<3>", body, count=1)
    if header and content_type:
        content_type = re.sub(r"(?i)charset=[^;]*", "charset=utf-8", content_type)
    return body, content_type


def _decode_1252(content: bytes) -> str:
    """Windows-1252, with its five undefined bytes (0x81, 0x8D, 0x8F, 0x90, 0x9D) read
    as Latin-1, as browsers do: never an error."""
    return content.decode("cp1252", errors="latin1_fallback")


def _latin1_fallback(error: UnicodeDecodeError) -> tuple[str, int]:
    bad = error.object[error.start : error.end]
    return bytes(bad).decode("latin-1"), error.end


codecs.register_error("latin1_fallback", _latin1_fallback)
