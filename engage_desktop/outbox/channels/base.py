"""What every reply channel adapter takes, returns and raises.

An adapter turns one :class:`ReplyRequest` into one post on its network, and says
how an attempt failed in a way the outbox can act on:

- :class:`AuthFailed` — the token or password is wrong or revoked: the user must
  reconnect the account. Not retried.
- :class:`Rejected` — the server refused this reply (too long, deleted parent, …);
  the message is the server's own words. Not retried: the text must change.
- :class:`RateLimited` — try again after ``retry_after`` seconds.
- :class:`TemporaryFailure` — a 5xx, a timeout, a dropped connection: the post may
  or may not exist, so the retry carries the same idempotency key.

Adapters never touch the workspace and never import Qt.
"""

from __future__ import annotations

import email.utils
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from engage_desktop.core.errors import EngageError


@dataclass(frozen=True)
class ReplyTarget:
    """The mention being answered, as the channels need it.

    Attributes:
        remote_id: The channel's id of the post (Mastodon status id, Bluesky at:// uri,
            e-mail Message-ID).
        remote_cid: Bluesky's content id of the post.
        thread_id: The root of the conversation when known (Bluesky: root at:// uri).
        root_cid: Bluesky's cid of the root, when known.
        url: The post's web address.
        author_handle: The author's handle.
        author_email: The author's address (e-mail replies).
        title: The post's title (e-mail subject).
        source_host: The server the post was fetched from (a Mastodon status id is
            only valid there), when known.
    """

    remote_id: str | None
    remote_cid: str | None = None
    thread_id: str | None = None
    root_cid: str | None = None
    url: str | None = None
    author_handle: str | None = None
    author_email: str | None = None
    title: str | None = None
    source_host: str | None = None


@dataclass(frozen=True)
class ReplyRequest:
    """One reply to send.

    Attributes:
        body: The text.
        target: What it answers.
        idempotency_key: The same on every attempt of this reply (see core.ids).
        visibility: Mastodon's public, unlisted, private or direct.
        attempt: 1 on the first attempt; later attempts first look for an earlier
            success where the channel allows it.
    """

    body: str
    target: ReplyTarget
    idempotency_key: str
    visibility: str | None = None
    attempt: int = 1


@dataclass(frozen=True)
class SendResult:
    """Where the reply now lives."""

    remote_id: str | None
    remote_url: str | None


class ChannelError(EngageError):
    """A send attempt failed; the subclass says what the outbox should do."""

    retryable = False


class AuthFailed(ChannelError):
    """The account's token or password was refused: reconnect the account."""


class Rejected(ChannelError):
    """The server refused this reply; the message is its own words."""


class RateLimited(ChannelError):
    """Too many requests; try again after ``retry_after`` seconds."""

    retryable = True

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TemporaryFailure(ChannelError):
    """The server or the network failed; the same reply may be tried again."""

    retryable = True


class ReplyChannel(Protocol):
    """One adapter per reply channel."""

    name: str

    def send(self, request: ReplyRequest) -> SendResult:
        """Post the reply once, or raise a :class:`ChannelError`."""
        ...


def parse_retry_after(value: str | None, default: float = 60.0) -> float:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date)."""
    if not value:
        return default
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def seconds_until_epoch(value: str | None) -> float | None:
    """Seconds from now until a reset time given as epoch seconds (Bluesky's header)."""
    if not value:
        return None
    try:
        return max(0.0, float(value) - time.time())
    except ValueError:
        return None


def server_words(response, fallback: str) -> str:
    """The server's own explanation from a JSON error body, else ``fallback``."""
    try:
        data = response.json()
    except ValueError:
        text = (response.text or "").strip()
        return text[:300] if text and "<html" not in text.lower() else fallback
    if isinstance(data, dict):
        for key in ("error_description", "message", "error"):
            value = data.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
    return fallback


#: The longest one request of a channel may take in all (a server trickling its
#: answer within the read timeout is cut off then).
REQUEST_DEADLINE_S = 60.0


def request_in_time(
    client: Any, server: str, method: str, url: str, deadline_s: float, **kwargs: Any
) -> Any:
    """``client.request(...)`` under an overall deadline; failures in words.

    Args:
        client: An ``httpx.Client`` built with a ``WatchedTransport``.
        server: The server's address, for the message.
        method: The HTTP method.
        url: The address or path.
        deadline_s: Seconds the whole exchange may take.
        **kwargs: Passed to ``client.request``.

    Raises:
        TemporaryFailure: No answer in time, a cut-off or broken connection.
    """
    import httpx

    from engage_desktop.sources.deadline import deadline

    with deadline(deadline_s) as exchange:
        try:
            return client.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            if exchange.expired:
                words = f"{server} took longer than {deadline_s:g} s to answer; gave up"
            elif isinstance(exc, httpx.TimeoutException):
                words = f"{server} did not answer in time"
            else:
                words = f"could not reach {server} ({type(exc).__name__})"
            raise TemporaryFailure(f"{words}; the reply will be retried") from None
