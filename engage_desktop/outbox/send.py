"""The outbox: sends each queued reply exactly once, off the GUI thread.

The rules that make "exactly once" hold:

1. A reply becomes an outbox row — with its idempotency key — in a committed
   transaction *before* any network call (:func:`engage_desktop.composer.compose.queue_reply`).
2. Each attempt first commits ``attempts + 1``, then calls the channel. A crash or a
   network failure leaves the row ``pending``; the next attempt carries the same key,
   so a post the server created before the answer was lost is not created again
   (Mastodon's ``Idempotency-Key``; Bluesky's record key, checked with ``getRecord``).
3. Only one thread of this process works on a row at a time; another process cannot
   open the workspace at all (DuckDB's lock).
4. Success is recorded in one transaction: the outbox row, the reply log with the
   response time, the mention's first reply time and status.

Retries back off exponentially (30 s, 1 min, 2 min … up to an hour); a 429 waits
as long as the server asks. After :data:`MAX_ATTEMPTS` temporary failures, or at
once for a refused token (401) or a rejected reply (422), the row is ``failed`` with
the reason in words, for the user to retry, edit or discard.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from engage_desktop.core.errors import EngageError
from engage_desktop.inbox.pager import get_mention
from engage_desktop.outbox.accounts import Account, get_account
from engage_desktop.outbox.channels.base import (
    AuthFailed,
    ChannelError,
    RateLimited,
    Rejected,
    ReplyChannel,
    ReplyRequest,
    ReplyTarget,
    SendResult,
)
from engage_desktop.outbox.store import OutboxRow, due_rows, set_row_state
from engage_desktop.workspace import secrets
from engage_desktop.workspace import settings as S
from engage_desktop.workspace.database import Workspace, log_event

MAX_ATTEMPTS = 8
BASE_BACKOFF_S = 30.0
MAX_BACKOFF_S = 3600.0

_inflight: set[tuple[str, int]] = set()
_inflight_lock = threading.Lock()


@dataclass
class SendSummary:
    """What one pass over the outbox did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0
    messages: list[str] = field(default_factory=list)

    @property
    def attempted(self) -> int:
        """Rows tried in this pass."""
        return self.sent + self.retrying + self.failed

    def line(self) -> str:
        """A one-line summary."""
        if not self.attempted:
            return "nothing to send"
        parts = [f"{self.sent} sent"]
        if self.retrying:
            parts.append(f"{self.retrying} will be retried")
        if self.failed:
            parts.append(f"{self.failed} failed")
        return ", ".join(parts)


def backoff_seconds(attempts: int) -> float:
    """Wait before attempt ``attempts + 1`` after a temporary failure."""
    return min(BASE_BACKOFF_S * 2 ** max(0, attempts - 1), MAX_BACKOFF_S)


def agent_name(ws: Workspace) -> str:
    """The name replies are signed and logged with."""
    return str(S.get(ws, S.AGENT_NAME) or ws.actor)


@contextmanager
def _claim(ws: Workspace, outbox_id: int) -> Iterator[bool]:
    key = (str(ws.path), outbox_id)
    with _inflight_lock:
        taken = key in _inflight
        if not taken:
            _inflight.add(key)
    try:
        yield not taken
    finally:
        if not taken:
            with _inflight_lock:
                _inflight.discard(key)


# -- building requests ---------------------------------------------------------------


def reply_target(ws: Workspace, mention: dict[str, Any]) -> ReplyTarget:
    """What a channel needs to know about the mention it answers."""
    root_cid = None
    thread_id = mention.get("thread_id")
    email = source_host = None
    cur = ws.cursor()
    try:
        if thread_id and thread_id != mention.get("remote_id"):
            row = cur.execute(
                "SELECT remote_cid FROM mentions WHERE remote_id = ? AND channel = ? LIMIT 1",
                [thread_id, mention["channel"]],
            ).fetchone()
            root_cid = row[0] if row else None
        if mention.get("author_id") is not None:
            row = cur.execute(
                "SELECT email FROM authors WHERE id = ?", [mention["author_id"]]
            ).fetchone()
            email = row[0] if row else None
        if mention.get("source_id") is not None:
            row = cur.execute(
                "SELECT url FROM sources WHERE id = ?", [mention["source_id"]]
            ).fetchone()
            parts = urlsplit(row[0]) if row and row[0] else None
            # Only a web address names a server (not resource://, file://, ...).
            source_host = parts.hostname if parts and parts.scheme in ("http", "https") else None
    finally:
        cur.close()
    return ReplyTarget(
        remote_id=mention.get("remote_id"),
        remote_cid=mention.get("remote_cid"),
        thread_id=thread_id,
        root_cid=root_cid,
        url=mention.get("url"),
        author_handle=mention.get("author_handle"),
        author_email=email,
        title=mention.get("title"),
        source_host=source_host,
    )


def open_channel(account: Account | None, channel: str) -> ReplyChannel:
    """The adapter for a row's channel and account, with the account's secret.

    Raises:
        AuthFailed: The account was removed or its secret is missing on this machine.
    """
    if channel == "manual":
        from engage_desktop.outbox.channels.manual import ManualChannel

        return ManualChannel()
    if account is None:
        raise AuthFailed("the account of this reply was removed; edit the reply to pick another")
    secret = secrets.get_secret(
        secrets.secret_name(account.channel, account.instance_url, account.handle)
    )
    if channel == "email":
        from engage_desktop.outbox.channels.email import EmailChannel, parse_smtp_url

        # An SMTP relay without a login needs no secret.
        if secret or parse_smtp_url(account.instance_url or "")[2] is None:
            return EmailChannel(account.instance_url or "", account.handle or "", secret)
    if not secret:
        raise AuthFailed(
            f"no token or password for {account.label} is stored on this machine; "
            "reconnect the account in Accounts"
        )
    if channel == "mastodon":
        from engage_desktop.outbox.channels.mastodon import MastodonChannel

        return MastodonChannel(account.instance_url or "", secret)
    if channel == "bluesky":
        from engage_desktop.outbox.channels.bluesky import DEFAULT_SERVICE, BlueskyChannel

        return BlueskyChannel(
            account.handle or "", secret, service=account.instance_url or DEFAULT_SERVICE
        )
    raise AuthFailed(f"replies on {channel} are not supported; answer it by hand")


# -- sending -----------------------------------------------------------------------


def send_due(
    ws: Workspace,
    state: Any = None,
    *,
    now: datetime | None = None,
    ignore_backoff: bool = False,
    ids: list[int] | None = None,
    channel_opener: Callable[[Account | None, str], ReplyChannel] = open_channel,
) -> SendSummary:
    """Send every pending reply whose time has come. Runs on a worker thread.

    Args:
        ws: The workspace.
        state: A task state (``progress``, ``is_cancelled``) or None.
        now: The current time (tests).
        ignore_backoff: Retry rows waiting for their back-off now (``outbox send``).
        ids: Only these rows.
        channel_opener: Builds the adapter for a row (tests use a different TLS setup).
    """
    now = now or datetime.now(UTC)
    rows = due_rows(ws, now, ignore_backoff=ignore_backoff)
    if ids is not None:
        rows = [r for r in rows if r.id in set(ids)]
    summary = SendSummary()
    adapters: dict[tuple[str, int | None], Any] = {}
    after = _after_send_settings(ws)  # read once per pass, not once per reply
    try:
        for done, row in enumerate(rows):
            if state is not None and state.is_cancelled():
                break
            key = (row.channel, row.account_id)
            adapter = adapters.get(key)
            if adapter is None:
                try:
                    adapter = channel_opener(
                        get_account(ws, row.account_id) if row.account_id else None, row.channel
                    )
                except ChannelError as exc:
                    adapter = exc  # every row of this account fails the same way
                adapters[key] = adapter
            outcome, message = send_row(ws, row, adapter, after)
            setattr(summary, outcome, getattr(summary, outcome) + 1)
            if message:
                summary.messages.append(f"#{row.id}: {message}")
            if state is not None:
                state.progress(done + 1, len(rows))
    finally:
        for adapter in adapters.values():
            close = getattr(adapter, "close", None)
            if close is not None:
                close()
    return summary


def _after_send_settings(ws: Workspace) -> tuple[str, str]:
    status = S.get(ws, S.STATUS_AFTER_SEND)
    return (status if status in ("pending", "resolved") else "pending"), agent_name(ws)


def send_row(
    ws: Workspace, row: OutboxRow, adapter: Any, after: tuple[str, str] | None = None
) -> tuple[str, str | None]:
    """One attempt at one row. Returns ("sent" | "retrying" | "failed" | "skipped", message).

    Args:
        ws: The workspace.
        row: The outbox row (re-read under the claim; a row no longer pending is skipped).
        adapter: The channel adapter, or the :class:`ChannelError` opening it raised.
        after: The mention status after a send and the sender's name (read if None).
    """
    with _claim(ws, row.id) as mine:
        if not mine:
            return "skipped", None
        with ws.write() as cur:
            current = cur.execute(
                "SELECT state, attempts FROM outbox WHERE id = ?", [row.id]
            ).fetchone()
            if current is None or current[0] != "pending":
                return "skipped", None
            attempt = int(current[1]) + 1
            # Committed before the call: a crash from here on leaves a pending row
            # whose next attempt knows it may already have been posted.
            cur.execute("UPDATE outbox SET attempts = ? WHERE id = ?", [attempt, row.id])
        if isinstance(adapter, ChannelError):
            return _failed(ws, row, attempt, str(adapter))
        mention = get_mention(ws, row.mention_id)
        if mention is None:
            return _failed(ws, row, attempt, "the mention was deleted from the workspace")
        request = ReplyRequest(
            body=row.body,
            target=reply_target(ws, mention),
            idempotency_key=row.idempotency_key,
            visibility=row.visibility,
            attempt=attempt,
        )
        try:
            result = adapter.send(request)
        except RateLimited as exc:
            return _later(ws, row, attempt, str(exc), exc.retry_after)
        except (AuthFailed, Rejected) as exc:
            return _failed(ws, row, attempt, str(exc))
        except ChannelError as exc:  # temporary: the server or the network failed
            if attempt >= MAX_ATTEMPTS:
                return _failed(ws, row, attempt, f"gave up after {attempt} attempts: {exc}")
            return _later(ws, row, attempt, str(exc), backoff_seconds(attempt))
        except Exception as exc:  # a bug in an adapter must not lose the reply
            message = f"unexpected error: {type(exc).__name__}: {exc}"
            return _later(ws, row, attempt, message, backoff_seconds(attempt))
        record_sent(ws, row, result, after)
        return "sent", None


def _later(
    ws: Workspace, row: OutboxRow, attempt: int, message: str, wait_s: float
) -> tuple[str, str]:
    when = datetime.now(UTC) + timedelta(seconds=wait_s)
    with ws.write() as cur:
        cur.execute(
            "UPDATE outbox SET last_error = ?, next_attempt_at = ? "
            "WHERE id = ? AND state = 'pending'",
            [message, when, row.id],
        )
        log_event(
            cur,
            ws.actor,
            "outbox",
            row.id,
            "retry_later",
            None,
            None,
            {"attempt": attempt, "error": message, "next_attempt_at": when.isoformat()},
        )
    return "retrying", message


def _failed(ws: Workspace, row: OutboxRow, attempt: int, message: str) -> tuple[str, str]:
    with ws.write() as cur:
        cur.execute(
            "UPDATE outbox SET state = 'failed', last_error = ?, next_attempt_at = NULL "
            "WHERE id = ? AND state = 'pending'",
            [message, row.id],
        )
        log_event(
            cur,
            ws.actor,
            "outbox",
            row.id,
            "fail",
            "pending",
            "failed",
            {"attempt": attempt, "error": message},
        )
    return "failed", message


def record_sent(
    ws: Workspace, row: OutboxRow, result: SendResult, after: tuple[str, str] | None = None
) -> None:
    """Record a successful send: outbox, reply log, first response, mention status."""
    now = datetime.now(UTC)
    new_status, sender = after or _after_send_settings(ws)
    with ws.write() as cur:
        mention = cur.execute(
            "SELECT published, first_reply_at, status FROM mentions WHERE id = ?", [row.mention_id]
        ).fetchone()
        published, first_reply_at, old_status = mention if mention else (None, None, None)
        response_time = None
        if mention is not None and first_reply_at is None and published is not None:
            response_time = max(0.0, (now - published).total_seconds())
        cur.execute(
            "UPDATE outbox SET state = 'sent', remote_id = ?, remote_url = ?, sent_at = ?, "
            "last_error = NULL, next_attempt_at = NULL WHERE id = ?",
            [result.remote_id, result.remote_url, now, row.id],
        )
        cur.execute(
            "INSERT INTO replies (mention_id, outbox_id, channel, body, remote_id, remote_url, "
            "sent_by, sent_at, response_time_s) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                row.mention_id,
                row.id,
                row.channel,
                row.body,
                result.remote_id,
                result.remote_url,
                sender,
                now,
                response_time,
            ],
        )
        if mention is not None:
            cur.execute(
                "UPDATE mentions SET first_reply_at = coalesce(first_reply_at, ?), status = ?, "
                "unread = false WHERE id = ?",
                [now, new_status, row.mention_id],
            )
            if old_status != new_status:
                log_event(
                    cur,
                    ws.actor,
                    "mention",
                    row.mention_id,
                    "status",
                    old_status,
                    new_status,
                    {"reason": "reply sent"},
                )
        log_event(
            cur,
            ws.actor,
            "outbox",
            row.id,
            "sent",
            "pending",
            "sent",
            {
                "remote_id": result.remote_id,
                "remote_url": result.remote_url,
                "response_time_s": response_time,
            },
        )


# -- the user's hand ------------------------------------------------------------------


def retry_row(ws: Workspace, outbox_id: int) -> OutboxRow:
    """Put a failed (or waiting) row back in line for the next pass, at once."""
    return set_row_state(ws, outbox_id, ("failed", "pending"), "pending", "retry")


def discard_row(ws: Workspace, outbox_id: int) -> OutboxRow:
    """Throw a pending or failed reply away; it will never be sent."""
    with _claim(ws, outbox_id) as mine:
        if not mine:
            raise EngageError(f"outbox entry {outbox_id} is being sent right now; try again")
        return set_row_state(ws, outbox_id, ("failed", "pending"), "discarded", "discard")
