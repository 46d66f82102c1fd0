"""Which column of another tool's export is which field of a mention (pure, no I/O).

Exports from listening tools name the same things differently: Brandwatch says
"Full Text" and "Resource Id", Meltwater "Hit Sentence" and "Tweet Id", Talkwalker
"content" and "published", our own export "text" and "id". :func:`auto_map` finds
each field's column from :data:`ALIASES` (first alias present wins, so a richer
column beats a shorter one: full text before snippet), comparing header names
with case, spacing, underscores, dots and camelCase ignored. ``--map FIELD=HEADER``
(:func:`parse_map`) overrides any of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from engage_desktop.core.errors import InvalidInput

#: Fields an import fills, each with the header names that mean it, best first.
ALIASES: dict[str, tuple[str, ...]] = {
    "text": (
        "text", "full text", "fulltext", "message", "content", "body", "post text",
        "message text", "mention", "mention text", "post", "tweet text", "hit sentence",
        "opening text", "snippet", "content snippet", "description",
    ),
    "title": ("title", "headline", "subject"),
    "author": (
        "author", "screen name", "username", "user name", "author name", "author handle",
        "handle", "from", "influencer", "twitter screen name", "extra author attributes name",
        "extra author attributes short name", "profile name", "posted by", "user",
    ),
    "published": (
        "published", "date", "created at", "created", "published at", "publish date",
        "publication date", "date published", "post date", "timestamp", "time", "datetime",
        "created time", "sent date", "date sent",
    ),
    "url": (
        "url", "link", "permalink", "post url", "post link", "message link", "original url",
        "source url",
    ),
    "id": (
        "id", "resource id", "post id", "mention id", "message id", "tweet id", "document id",
        "guid", "status id",
    ),
    # Our own export carries both: ``id`` (ours, kept when free) and the first tool's id.
    "external_id": ("external id",),
    "sentiment": ("sentiment", "tone", "sentiment score", "polarity"),
    "sentiment_label": ("sentiment label", "sentiment_label"),
    "source": (
        "source", "source name", "site", "domain", "network", "platform", "page type",
        "source type", "media type", "channel",
    ),
    "status": ("status",),
    "tags": ("tags", "tag", "labels", "document tags", "categories"),
    "language": ("language", "lang", "languages"),
    "followers": ("followers", "follower count", "author followers", "twitter followers"),
}  # fmt: skip

#: The fields in the order the mapping preview shows them.
FIELDS = tuple(ALIASES)
REQUIRED = ("text",)


def normalize_header(name: object) -> str:
    """``"Full_Text "`` / ``"fullText"`` / ``"FULL TEXT"`` -> ``"full text"``."""
    text = str(name or "")
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", text)  # camelCase -> camel Case
    text = re.sub(r"[\s_.\-/()\[\]:]+", " ", text)
    return text.strip().lower()


@dataclass(frozen=True)
class ColumnMap:
    """Field -> header of the file (the header as written in the file).

    Attributes:
        fields: Each mapped field with its column's header.
        unused: Headers no field reads, in file order.
    """

    fields: Mapping[str, str]
    unused: tuple[str, ...] = ()

    def get(self, field: str) -> str | None:
        """The header mapped to ``field``, or None."""
        return self.fields.get(field)

    def describe(self) -> str:
        """``text ← Full Text, author ← Author, ...`` for the summary and the preview."""
        return ", ".join(f"{f} ← {h}" for f, h in self.fields.items())


def auto_map(headers: Sequence[object], overrides: Mapping[str, str] | None = None) -> ColumnMap:
    """Map each field to a column of ``headers``; ``overrides`` win.

    Args:
        headers: The file's column names, in order.
        overrides: ``{field: header}`` from ``--map`` or the preview dialog; an
            empty header unmaps the field.

    Raises:
        InvalidInput: An override names an unknown field or a header not in the file.
    """
    names = [str(h) for h in headers]
    by_norm: dict[str, str] = {}
    for name in names:
        by_norm.setdefault(normalize_header(name), name)
    chosen: dict[str, str] = {}
    taken: set[str] = set()
    overrides = dict(overrides or {})
    for field, header in overrides.items():
        if field not in ALIASES:
            raise InvalidInput(f"--map: {field!r} is not a field; fields are: {', '.join(FIELDS)}")
        if not header:
            continue
        found = header if header in names else by_norm.get(normalize_header(header))
        if found is None:
            raise InvalidInput(
                f"--map {field}={header}: the file has no column {header!r}; "
                f"its columns are: {', '.join(names) or 'none'}"
            )
        chosen[field] = found
        taken.add(found)
    for field, aliases in ALIASES.items():
        if field in overrides:
            continue
        for alias in aliases:
            found = by_norm.get(normalize_header(alias))
            if found is not None and found not in taken:
                chosen[field] = found
                taken.add(found)
                break
    ordered = {f: chosen[f] for f in FIELDS if f in chosen}
    return ColumnMap(ordered, tuple(n for n in names if n not in taken))


def parse_map(values: Iterable[str]) -> dict[str, str]:
    """``["text=Full Text,author=Screen Name", "id=Post Id"]`` -> a dict.

    Raises:
        InvalidInput: A part is not ``FIELD=HEADER``.
    """
    mapping: dict[str, str] = {}
    for value in values:
        for part in value.split(","):
            if not part.strip():
                continue
            field, sep, header = part.partition("=")
            field = field.strip().lower()
            if not sep or not field:
                raise InvalidInput(
                    f"--map {part.strip()!r}: write FIELD=HEADER, e.g. --map 'text=Full Text'"
                )
            mapping[field] = header.strip()
    return mapping


def score_header_row(cells: Sequence[object]) -> int:
    """How many fields a row would map if it were the header (0 when no text column).

    Used to skip the report lines some tools write above the header (Brandwatch
    puts the report's name, dates and query there).
    """
    mapping = auto_map([c for c in cells if c not in (None, "")])
    return len(mapping.fields) if "text" in mapping.fields else 0
