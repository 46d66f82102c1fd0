"""The outbox's result column, in words, for the window and the CLI alike."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from engage_desktop.cli.errors import USAGE_ERRORS, UsageError, exit_status
from engage_desktop.core.errors import Conflict, EngageError, InvalidInput, NotFound
from engage_desktop.outbox.store import OutboxRow

AT = datetime(2026, 3, 2, 9, 15, tzinfo=UTC)
ROW = OutboxRow(
    id=1, mention_id=7, draft_id=None, account_id=2, channel="mastodon", body="Hi",
    visibility="public", idempotency_key="k", state="pending", attempts=0,
    next_attempt_at=None, scheduled_at=None, last_error=None, remote_id=None,
    remote_url=None, created_at=AT, sent_at=None,
)  # fmt: skip


def test_each_state_reads_as_words():
    assert ROW.outcome() == "waiting to be sent"
    assert replace(ROW, scheduled_at=AT).outcome() == "scheduled for 02 Mar 2026 09:15 UTC"
    failed = replace(ROW, state="failed", attempts=3, last_error="the server said 503")
    assert failed.outcome() == "the server said 503"
    retry = replace(failed, state="pending", next_attempt_at=AT)
    assert retry.outcome() == "retry at 09:15:00 — the server said 503"
    sent = replace(ROW, state="sent", sent_at=AT, remote_url="https://m.example/@a/1")
    assert sent.outcome("%Y-%m-%d %H:%M") == "sent 2026-03-02 09:15 https://m.example/@a/1"


def test_errors_named_for_what_went_wrong_are_usage_errors_in_the_cli():
    for kind in (UsageError, InvalidInput, NotFound, Conflict):
        assert issubclass(kind, USAGE_ERRORS) and exit_status(kind("x")) == 2
    assert exit_status(EngageError("disk full")) == 1
