"""The outbox against a fake Bluesky PDS on 127.0.0.1."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from engage_desktop.composer.compose import queue_reply
from engage_desktop.core.errors import EngageError
from engage_desktop.outbox.channels.bluesky import link_facets
from engage_desktop.outbox.connect import connect_bluesky
from engage_desktop.outbox.send import send_due
from engage_desktop.outbox.store import get_outbox_row
from engage_desktop.workspace.database import Workspace
from tests.fakes.bluesky import FakeBluesky
from tests.integration.engage_helpers import make_bluesky_mention

TEXT = "Hi Chloé, sorry about that! Firmware 4.2 fixes it: https://nimbus.example/fw 🙏🏽"


@pytest.fixture
def bluesky():
    with FakeBluesky() as fake:
        yield fake


@pytest.fixture
def ws(demo_path):
    from engage_desktop.outbox.channels import bluesky as adapter

    adapter._sessions.clear()  # sessions are cached per process; start each test fresh
    with Workspace.open(demo_path) as ws:
        yield ws


def _queue(ws, fake, text=TEXT):
    account = connect_bluesky(ws, "nimbus.test", "app-pass-1234", service=fake.url).account
    mention_id = make_bluesky_mention(ws, fake)
    return mention_id, queue_reply(ws, mention_id, text, channel="bluesky", account_id=account.id)


def _creates(fake):
    return [r for r in fake.requests if r[1].endswith("createRecord")]


def test_success_replies_with_root_and_parent_refs(ws, bluesky):
    mention_id, outbox_id = _queue(ws, bluesky)
    assert send_due(ws).sent == 1
    [post] = bluesky.created
    parent = {
        "uri": "at://did:plc:customer/app.bsky.feed.post/3kcustomer1",
        "cid": bluesky.posts["at://did:plc:customer/app.bsky.feed.post/3kcustomer1"]["cid"],
    }
    assert post["value"]["reply"] == {"root": parent, "parent": parent}
    assert post["value"]["text"] == TEXT
    [facet] = post["value"]["facets"]
    start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
    assert TEXT.encode()[start:end] == b"https://nimbus.example/fw"
    row = get_outbox_row(ws, outbox_id)
    assert post["uri"].endswith("/" + row.idempotency_key)  # the key is the record key
    assert row.state == "sent" and row.remote_id == post["uri"]
    assert row.remote_url == f"https://bsky.app/profile/nimbus.test/post/{row.idempotency_key}"
    assert ws.scalar("SELECT first_reply_at IS NOT NULL FROM mentions WHERE id = ?", [mention_id])


def test_root_comes_from_the_thread_when_the_parent_is_a_reply(ws, bluesky):
    root_uri = "at://did:plc:someone/app.bsky.feed.post/3kroot"
    root_cid = bluesky.add_post(root_uri, "is the outage over?")
    account = connect_bluesky(ws, "nimbus.test", "app-pass-1234", service=bluesky.url).account
    mention_id = make_bluesky_mention(ws, bluesky)
    with ws.write() as cur:  # our mention answers the root post, which we also have
        cur.execute("UPDATE mentions SET thread_id = ? WHERE id = ?", [root_uri, mention_id])
        cur.execute(
            "UPDATE mentions SET remote_id = ?, remote_cid = ? WHERE id = "
            "(SELECT min(id) FROM mentions WHERE channel = 'bluesky' AND id > ?)",
            [root_uri, root_cid, mention_id],
        )
    queue_reply(ws, mention_id, "Hi, yes it is.", channel="bluesky", account_id=account.id)
    assert send_due(ws).sent == 1
    reply = bluesky.created[0]["value"]["reply"]
    assert reply["root"] == {"uri": root_uri, "cid": root_cid}
    assert reply["parent"]["uri"].endswith("3kcustomer1")


def test_wrong_app_password_asks_to_reconnect(ws, bluesky):
    with pytest.raises(EngageError, match="reconnect the account"):
        connect_bluesky(ws, "nimbus.test", "wrong", service=bluesky.url)
    _, outbox_id = _queue(ws, bluesky)
    from engage_desktop.outbox.channels import bluesky as adapter

    adapter._sessions.clear()
    bluesky.password = "changed"  # the app password was revoked
    assert send_due(ws).failed == 1
    row = get_outbox_row(ws, outbox_id)
    assert "reconnect the account" in row.last_error and "Invalid identifier" in row.last_error


def test_too_long_shows_the_servers_words(ws, bluesky):
    account = connect_bluesky(ws, "nimbus.test", "app-pass-1234", service=bluesky.url).account
    mention_id = make_bluesky_mention(ws, bluesky)
    # 300 flags are 600 code points but 300 graphemes: allowed.
    queue_reply(ws, mention_id, "🇫🇷" * 300, channel="bluesky", account_id=account.id)
    assert send_due(ws).sent == 1
    with pytest.raises(EngageError, match="301 graphemes long; Bluesky allows 300"):
        queue_reply(ws, mention_id, "é" * 301, channel="bluesky", account_id=account.id)
    # The server has the last word: its refusal is shown as it said it.
    outbox_id = queue_reply(ws, mention_id, "ok", channel="bluesky", account_id=account.id)
    with ws.write() as cur:
        cur.execute("UPDATE outbox SET body = ? WHERE id = ?", ["z" * 301, outbox_id])
    send_due(ws)
    assert "must not be longer than 300 graphemes" in get_outbox_row(ws, outbox_id).last_error


def test_429_then_success(ws, bluesky):
    _, outbox_id = _queue(ws, bluesky)
    bluesky.script("/xrpc/com.atproto.repo.createRecord", ("429", 5))
    now = datetime.now(UTC)
    assert send_due(ws).retrying == 1
    assert get_outbox_row(ws, outbox_id).next_attempt_at >= now + timedelta(seconds=4)
    assert send_due(ws, now=now + timedelta(seconds=6)).sent == 1
    assert len(bluesky.created) == 1


def test_5xx_then_success_leaves_one_post(ws, bluesky):
    _queue(ws, bluesky)
    bluesky.script("/xrpc/com.atproto.repo.createRecord", "502", "503")
    send_due(ws)
    send_due(ws, ignore_backoff=True)
    assert send_due(ws, ignore_backoff=True).sent == 1
    assert len(bluesky.created) == 1 and len(_creates(bluesky)) == 3


def test_lost_answer_does_not_post_twice(ws, bluesky):
    _, outbox_id = _queue(ws, bluesky)
    bluesky.script("/xrpc/com.atproto.repo.createRecord", "drop")
    assert send_due(ws).retrying == 1
    assert len(bluesky.created) == 1
    assert send_due(ws, ignore_backoff=True).sent == 1
    assert len(bluesky.created) == 1
    # The retry asked getRecord and found the post: no second createRecord at all.
    assert len(_creates(bluesky)) == 1
    assert get_outbox_row(ws, outbox_id).remote_id == bluesky.created[0]["uri"]


def test_expired_session_is_renewed_once(ws, bluesky):
    _queue(ws, bluesky)
    bluesky.jwts.clear()  # every access token expired
    assert send_due(ws).sent == 1
    sessions = [r for r in bluesky.requests if r[1].endswith("createSession")]
    assert len(sessions) == 2  # one when connecting, one renewal


def test_mention_without_at_uri_is_refused_in_words(ws, bluesky):
    account = connect_bluesky(ws, "nimbus.test", "app-pass-1234", service=bluesky.url).account
    mention_id = int(ws.scalar("SELECT max(id) FROM mentions WHERE channel = 'bluesky'"))
    outbox_id = queue_reply(ws, mention_id, "Hi!", channel="bluesky", account_id=account.id)
    send_due(ws)
    assert "no Bluesky post address" in get_outbox_row(ws, outbox_id).last_error


def test_link_facets_count_utf8_bytes():
    text = "é https://a.example/x."
    [facet] = link_facets(text)
    assert text.encode()[facet["index"]["byteStart"] : facet["index"]["byteEnd"]] == (
        b"https://a.example/x"
    )
