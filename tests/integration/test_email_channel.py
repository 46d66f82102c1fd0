"""E-mail replies over STARTTLS to a local aiosmtpd server."""

from __future__ import annotations

import pytest

from engage_desktop.composer.compose import queue_reply, reply_routes
from engage_desktop.core.errors import EngageError
from engage_desktop.inbox.pager import get_mention
from engage_desktop.outbox.connect import connect_email
from engage_desktop.outbox.send import send_due
from engage_desktop.outbox.store import get_outbox_row
from engage_desktop.workspace.database import Workspace
from tests.fakes.smtp import FakeSMTP


@pytest.fixture
def smtp(tmp_path, monkeypatch):
    with FakeSMTP(tmp_path) as server:
        # The system's trust store plus our test certificate, the way a user would.
        monkeypatch.setenv("SSL_CERT_FILE", str(server.cert_path))
        yield server


@pytest.fixture
def ws(demo_path):
    with Workspace.open(demo_path) as ws:
        yield ws


def _review_mention_with_address(ws) -> int:
    mention_id = int(ws.scalar("SELECT min(id) FROM mentions WHERE channel = 'review'"))
    with ws.write() as cur:
        cur.execute(
            "UPDATE authors SET email = 'aisha@example.org' WHERE id = "
            "(SELECT author_id FROM mentions WHERE id = ?)",
            [mention_id],
        )
    return mention_id


def test_email_reply_over_starttls(ws, smtp):
    url = f"smtp://support@127.0.0.1:{smtp.port}"
    with pytest.raises(EngageError, match="refused the login"):
        connect_email(ws, url, "support@nimbus.example", "wrong")
    account = connect_email(ws, url, "support@nimbus.example", "mail-pass").account
    mention_id = _review_mention_with_address(ws)
    routes = reply_routes(ws, get_mention(ws, mention_id))
    assert [r.channel for r in routes] == ["email", "manual"]
    outbox_id = queue_reply(
        ws, mention_id, "Hi Aisha, thanks for the review.", channel="email", account_id=account.id
    )
    assert send_due(ws).sent == 1
    [msg] = smtp.messages
    row = get_outbox_row(ws, outbox_id)
    assert msg["To"] == "aisha@example.org" and msg["From"] == "support@nimbus.example"
    assert msg["Subject"].startswith("Re: ")
    assert msg["Message-ID"] == f"<{row.idempotency_key}@nimbus.example>"
    assert msg.get_payload().strip() == "Hi Aisha, thanks for the review."
    assert row.state == "sent" and row.remote_id == msg["Message-ID"]


def test_mention_without_address_is_refused(ws, smtp):
    url = f"smtp://support@127.0.0.1:{smtp.port}"
    account = connect_email(ws, url, "support@nimbus.example", "mail-pass").account
    mention_id = int(ws.scalar("SELECT min(id) FROM mentions WHERE channel = 'forum'"))
    outbox_id = queue_reply(ws, mention_id, "Hi!", channel="email", account_id=account.id)
    send_due(ws)
    assert "no e-mail address" in get_outbox_row(ws, outbox_id).last_error
    assert not smtp.messages
