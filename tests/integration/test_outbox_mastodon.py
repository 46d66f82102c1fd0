"""The outbox against a fake Mastodon on 127.0.0.1: exactly once, failures in words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from engage_desktop.composer.compose import queue_reply
from engage_desktop.core.errors import EngageError
from engage_desktop.outbox.connect import connect_mastodon
from engage_desktop.outbox.send import MAX_ATTEMPTS, send_due
from engage_desktop.outbox.store import failures_for, get_outbox_row
from engage_desktop.workspace.database import Workspace
from tests.fakes.mastodon import FakeMastodon
from tests.integration.engage_helpers import first_mention

TEXT = "Hi Nadia, sorry about the router. We have sent you the steps by DM. Dana"


@pytest.fixture
def mastodon():
    with FakeMastodon() as fake:
        yield fake


@pytest.fixture
def ws(demo_path):
    with Workspace.open(demo_path) as ws:
        yield ws


def _queue(ws, fake, text=TEXT):
    account = connect_mastodon(ws, fake.url, "good-token").account
    mention_id = first_mention(ws, "mastodon")
    outbox_id = queue_reply(
        ws, mention_id, text, channel="mastodon", account_id=account.id, visibility="unlisted"
    )
    return mention_id, outbox_id


def _posts(fake):
    return [r for r in fake.requests if r[1] == "/api/v1/statuses"]


def test_success_threads_the_reply_and_records_the_response_time(ws, mastodon):
    mention_id, outbox_id = _queue(ws, mastodon)
    remote_id = ws.scalar("SELECT remote_id FROM mentions WHERE id = ?", [mention_id])
    summary = send_due(ws)
    assert (summary.sent, summary.failed, summary.retrying) == (1, 0, 0)
    [status] = mastodon.statuses
    assert status["in_reply_to_id"] == remote_id
    assert status["visibility"] == "unlisted"
    assert status["content"] == TEXT
    row = get_outbox_row(ws, outbox_id)
    [(_, _, headers, _)] = _posts(mastodon)
    assert headers["Idempotency-Key"] == row.idempotency_key
    assert headers["Authorization"] == "Bearer good-token"
    assert row.state == "sent" and row.remote_id == status["id"]
    assert row.remote_url == status["url"]
    reply = (
        ws.cursor()
        .execute(
            "SELECT remote_id, remote_url, response_time_s, outbox_id FROM replies "
            "WHERE outbox_id = ?",
            [outbox_id],
        )
        .fetchone()
    )
    assert reply[0] == status["id"] and reply[1] == status["url"] and reply[3] == outbox_id
    assert reply[2] > 0  # the demo mention was published before now
    status_after, first_reply = (
        ws.cursor()
        .execute("SELECT status, first_reply_at FROM mentions WHERE id = ?", [mention_id])
        .fetchone()
    )
    assert status_after == "pending" and first_reply is not None
    actions = [
        r[0]
        for r in ws.cursor()
        .execute(
            "SELECT action FROM events WHERE entity = 'outbox' AND entity_id = ? ORDER BY id",
            [str(outbox_id)],
        )
        .fetchall()
    ]
    assert actions == ["queue", "sent"]
    # Sending again finds nothing: the row is done.
    assert send_due(ws, ignore_backoff=True).attempted == 0
    assert len(mastodon.statuses) == 1


def test_resolved_after_send_when_the_setting_says_so(ws, mastodon):
    ws.set_setting("reply.status_after_send", "resolved")
    mention_id, _ = _queue(ws, mastodon)
    send_due(ws)
    assert ws.scalar("SELECT status FROM mentions WHERE id = ?", [mention_id]) == "resolved"


def test_401_asks_to_reconnect_the_account_and_is_not_retried(ws, mastodon):
    mention_id, outbox_id = _queue(ws, mastodon)
    mastodon.tokens.clear()  # the token was revoked on the server
    summary = send_due(ws)
    assert summary.failed == 1 and not mastodon.statuses
    row = get_outbox_row(ws, outbox_id)
    assert row.state == "failed"
    assert "reconnect the account" in row.last_error and "401" in row.last_error
    assert [r.id for r in failures_for(ws, mention_id)] == [outbox_id]
    assert send_due(ws, ignore_backoff=True).attempted == 0


def test_422_shows_the_servers_own_words(ws, mastodon):
    _, outbox_id = _queue(ws, mastodon, "x" * 120)
    mastodon.max_characters = 100  # the admin lowered the limit after we connected
    send_due(ws)
    row = get_outbox_row(ws, outbox_id)
    assert row.state == "failed"
    assert "Validation failed: Text character limit of 100 exceeded" in row.last_error
    assert not mastodon.statuses


def test_too_long_for_the_instance_is_refused_before_queueing(ws, mastodon):
    account = connect_mastodon(ws, mastodon.url, "good-token").account
    mention_id = first_mention(ws, "mastodon")
    with pytest.raises(EngageError, match="501 characters long; Mastodon allows 500"):
        queue_reply(ws, mention_id, "y" * 501, channel="mastodon", account_id=account.id)
    assert ws.scalar("SELECT count(*) FROM outbox") == 0


def test_429_waits_for_retry_after_then_sends_once(ws, mastodon):
    _, outbox_id = _queue(ws, mastodon)
    mastodon.script("/api/v1/statuses", ("429", 7))
    before = datetime.now(UTC)
    assert send_due(ws).retrying == 1
    row = get_outbox_row(ws, outbox_id)
    assert row.state == "pending" and "429" in row.last_error
    wait = (row.next_attempt_at - before).total_seconds()
    assert 6 <= wait <= 60
    assert send_due(ws).attempted == 0  # not yet due
    assert send_due(ws, now=before + timedelta(seconds=8)).sent == 1
    assert len(mastodon.statuses) == 1


def test_5xx_then_success_leaves_exactly_one_post(ws, mastodon):
    _, outbox_id = _queue(ws, mastodon)
    mastodon.script("/api/v1/statuses", "500", "503")
    assert send_due(ws).retrying == 1
    first = get_outbox_row(ws, outbox_id)
    assert first.next_attempt_at > datetime.now(UTC)  # backing off
    assert send_due(ws, ignore_backoff=True).retrying == 1
    assert send_due(ws, ignore_backoff=True).sent == 1
    assert len(mastodon.statuses) == 1
    keys = {h["Idempotency-Key"] for _, _, h, _ in _posts(mastodon)}
    assert keys == {first.idempotency_key} and len(_posts(mastodon)) == 3
    assert get_outbox_row(ws, outbox_id).attempts == 3


def test_lost_answer_does_not_post_twice(ws, mastodon):
    """The server creates the status, the connection drops before the answer."""
    _, outbox_id = _queue(ws, mastodon)
    mastodon.script("/api/v1/statuses", "drop")
    assert send_due(ws).retrying == 1
    assert len(mastodon.statuses) == 1  # it did get through
    assert get_outbox_row(ws, outbox_id).state == "pending"
    assert send_due(ws, ignore_backoff=True).sent == 1
    assert len(mastodon.statuses) == 1  # the key made the retry return the same status
    assert get_outbox_row(ws, outbox_id).remote_id == mastodon.statuses[0]["id"]
    assert ws.scalar("SELECT count(*) FROM replies WHERE outbox_id = ?", [outbox_id]) == 1


def test_gives_up_after_max_attempts(ws, mastodon):
    _, outbox_id = _queue(ws, mastodon)
    mastodon.script("/api/v1/statuses", *["503"] * MAX_ATTEMPTS)
    for _ in range(MAX_ATTEMPTS):
        send_due(ws, ignore_backoff=True)
    row = get_outbox_row(ws, outbox_id)
    assert row.state == "failed" and f"gave up after {MAX_ATTEMPTS} attempts" in row.last_error
    assert not mastodon.statuses


def test_a_post_fetched_from_another_instance_is_looked_up_on_ours(ws, mastodon):
    """Status ids are per server: the reply resolves the post's URL on the account's."""
    mention_id, outbox_id = _queue(ws, mastodon)
    url = ws.scalar("SELECT url FROM mentions WHERE id = ?", [mention_id])
    with ws.write() as cur:  # the mention came from a hashtag timeline on another server
        cur.execute(
            "UPDATE sources SET url = 'https://other.example/tags/nimbus' WHERE id = "
            "(SELECT source_id FROM mentions WHERE id = ?)",
            [mention_id],
        )
    mastodon.federated[url] = "424242"
    assert send_due(ws).sent == 1
    assert mastodon.statuses[0]["in_reply_to_id"] == "424242"
    # Not federated: refused in words, nothing posted.
    mention2 = int(
        ws.scalar(
            "SELECT min(id) FROM mentions WHERE channel = 'mastodon' AND id > ?", [mention_id]
        )
    )
    account_id = get_outbox_row(ws, outbox_id).account_id
    second = queue_reply(ws, mention2, "Hi!", channel="mastodon", account_id=account_id)
    send_due(ws)
    assert "could not find the post you answer" in get_outbox_row(ws, second).last_error
    assert len(mastodon.statuses) == 1
