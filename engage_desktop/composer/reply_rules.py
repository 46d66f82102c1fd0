"""How long a reply may be on each channel, counted the way each channel counts.

- Mastodon counts characters (code points), but every URL counts as 23 and a
  mention ``@user@domain`` counts only its ``@user`` part — the server's own rule
  (``StatusLengthValidator``), so a reply the counter accepts is one the server
  accepts. The default limit is 500; an instance may announce another one through
  ``/api/v1/instance``.
- Bluesky counts grapheme clusters (what a reader sees as one character: an emoji
  with skin tone, a flag, an accented letter written as two code points). Its limit
  is 300. ``regex``'s ``\\X`` implements Unicode's extended grapheme clusters (UAX #29).
- Email and the manual channels have no limit.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

MASTODON_DEFAULT_LIMIT = 500
BLUESKY_LIMIT = 300
MASTODON_URL_LENGTH = 23  # Mastodon counts every link as this many characters

_GRAPHEME = regex.compile(r"\X")
# Mastodon's own patterns, simplified: a URL is a scheme plus anything up to a space;
# a mention keeps its local part and drops "@domain".
_URL = regex.compile(r"https?://[^\s<>\"]+", regex.IGNORECASE)
_MENTION = regex.compile(r"(?<![\w/])@(\w+(?:[.\-]+\w+)*)@[\w.\-]+\w", regex.UNICODE)

#: The reply channels (adapters) and the mention channels each one answers.
REPLY_CHANNELS = ("mastodon", "bluesky", "email", "manual")


@dataclass(frozen=True)
class LengthRule:
    """The length limit of one reply channel.

    Attributes:
        channel: The reply channel.
        limit: Maximum length, or None for no limit.
        unit: What is counted, in words for the counter ("characters", "graphemes").
    """

    channel: str
    limit: int | None
    unit: str

    def count(self, text: str) -> int:
        """The length of ``text`` as this channel counts it."""
        if self.channel == "mastodon":
            return mastodon_length(text)
        if self.channel == "bluesky":
            return grapheme_count(text)
        return len(text)

    def remaining(self, text: str) -> int | None:
        """How much is left (negative when over), or None without a limit."""
        return None if self.limit is None else self.limit - self.count(text)

    def fits(self, text: str) -> bool:
        """True when ``text`` is within the limit."""
        left = self.remaining(text)
        return left is None or left >= 0


def grapheme_count(text: str) -> int:
    """The number of user-perceived characters (extended grapheme clusters)."""
    return len(_GRAPHEME.findall(text))


def mastodon_length(text: str) -> int:
    """The length Mastodon checks against its limit (URLs 23, mentions without domain)."""
    text = _URL.sub("x" * MASTODON_URL_LENGTH, text)
    text = _MENTION.sub(lambda m: "@" + m.group(1), text)
    return len(text)


def rule_for(channel: str, mastodon_limit: int | None = None) -> LengthRule:
    """The length rule of a reply channel.

    Args:
        channel: One of :data:`REPLY_CHANNELS`.
        mastodon_limit: The instance's own limit, when it announced one.
    """
    if channel == "mastodon":
        return LengthRule("mastodon", mastodon_limit or MASTODON_DEFAULT_LIMIT, "characters")
    if channel == "bluesky":
        return LengthRule("bluesky", BLUESKY_LIMIT, "graphemes")
    return LengthRule(channel, None, "characters")


def reply_channel_for(mention_channel: str) -> str:
    """The adapter that answers a mention from ``mention_channel`` by default.

    Blogs, forums, review sites, Reddit and Hacker News have no reply API we can
    use, so they are answered by hand (copy, open the original, mark as sent).
    """
    if mention_channel in ("mastodon", "bluesky", "email"):
        return mention_channel
    return "manual"


def handle_prefix(reply_channel: str, handle: str | None, url: str | None) -> str:
    """What a new reply starts with so the author is notified, or "".

    Mastodon only notifies people mentioned in the text, so a reply starts with
    ``@user@domain`` (the domain from the post's URL when the handle has none).
    Bluesky notifies the parent's author through the reply reference itself.
    """
    if reply_channel != "mastodon" or not handle:
        return ""
    handle = handle.lstrip("@")
    if "@" not in handle and url:
        from urllib.parse import urlsplit

        host = urlsplit(url).hostname
        if host:
            handle = f"{handle}@{host}"
    return f"@{handle} "
