"""``accounts``, ``reply`` and ``outbox`` on the command line, and crash safety."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
import time

import pytest

from engage_desktop.cli import main
from engage_desktop.outbox.send import send_due
from engage_desktop.outbox.store import list_outbox
from engage_desktop.workspace.database import Workspace
from engage_desktop.workspace.secrets import fallback_path
from tests.fakes.bluesky import FakeBluesky
from tests.fakes.mastodon import FakeMastodon
from tests.integration.engage_helpers import first_mention

SECRET = "s3cret-token-for-the-grep-test"


@pytest.fixture
def mastodon():
    with FakeMastodon(token=SECRET) as fake:
        yield fake


def _add_account(demo_path, fake, monkeypatch, capsys) -> None:
    monkeypatch.setenv("MASTO_TOKEN", SECRET)
    code = main(
        [
            "-w",
            str(demo_path),
            "accounts",
            "add",
            "mastodon",
            "--instance",
            fake.url,
            "--token-env",
            "MASTO_TOKEN",
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "connected account 1: nimbushq@127.0.0.1" in captured.out
    assert "no OS keyring is available" in captured.err  # this test machine is headless


def _mention(demo_path) -> tuple[int, str]:
    with Workspace.open(demo_path) as ws:
        mention_id = first_mention(ws, "mastodon")
        return mention_id, ws.scalar("SELECT remote_id FROM mentions WHERE id = ?", [mention_id])


def test_accounts_add_checks_the_token_and_keeps_it_out_of_the_workspace(
    demo_path, mastodon, monkeypatch, capsys
):
    _add_account(demo_path, mastodon, monkeypatch, capsys)
    assert ("GET", "/api/v1/accounts/verify_credentials") in [r[:2] for r in mastodon.requests]
    assert main(["-w", str(demo_path), "accounts", "list"]) == 0
    listing = capsys.readouterr().out
    assert "nimbushq@127.0.0.1" in listing and "stored" in listing
    # The secret is in the 0600 fallback file, and nowhere in the workspace or its WAL.
    path = fallback_path()
    assert SECRET in path.read_text()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for file in (demo_path, demo_path.with_name(demo_path.name + ".wal")):
        if file.exists():
            assert SECRET.encode() not in file.read_bytes()
    with Workspace.open(demo_path) as ws:
        assert ws.get_setting("account.1.max_characters") == 500
    assert main(["-w", str(demo_path), "accounts", "remove", "1"]) == 0
    assert SECRET not in path.read_text()


def test_a_refused_token_saves_nothing(demo_path, mastodon, monkeypatch, capsys):
    monkeypatch.setenv("BAD", "wrong-token")
    code = main(
        [
            "-w",
            str(demo_path),
            "accounts",
            "add",
            "mastodon",
            "--instance",
            mastodon.url,
            "--token-env",
            "BAD",
        ]
    )
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1
    assert "reconnect the account" in err and "access token is invalid" in err
    with Workspace.open(demo_path) as ws:
        assert ws.scalar("SELECT count(*) FROM accounts") == 0
    assert (
        main(
            [
                "-w",
                str(demo_path),
                "accounts",
                "add",
                "mastodon",
                "--instance",
                mastodon.url,
                "--token-env",
                "UNSET_VAR",
            ]
        )
        == 2
    )


def test_token_from_stdin(demo_path, mastodon):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "engage_desktop",
            "-w",
            str(demo_path),
            "accounts",
            "add",
            "mastodon",
            "--instance",
            mastodon.url,
        ],
        input=SECRET + "\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "connected account 1" in result.stdout


def test_bluesky_account(demo_path, monkeypatch, capsys):
    with FakeBluesky() as fake:
        monkeypatch.setenv("BSKY_PW", "app-pass-1234")
        code = main(
            [
                "-w",
                str(demo_path),
                "accounts",
                "add",
                "bluesky",
                "--handle",
                "nimbus.test",
                "--password-env",
                "BSKY_PW",
                "--service",
                fake.url,
            ]
        )
        assert code == 0, capsys.readouterr().err
    assert "nimbus.test (bluesky" in capsys.readouterr().out


def test_reply_drafts_then_sends(demo_path, mastodon, monkeypatch, capsys):
    _add_account(demo_path, mastodon, monkeypatch, capsys)
    mention_id, remote_id = _mention(demo_path)
    args = [
        "-w",
        str(demo_path),
        "reply",
        str(mention_id),
        "Tell us your order number.",
        "--template",
        "negative 1",
    ]
    assert main(args) == 0
    assert "saved draft" in capsys.readouterr().out
    assert not mastodon.statuses
    assert main([*args, "--send", "--visibility", "unlisted"]) == 0
    assert "sent reply 1: http" in capsys.readouterr().out
    [status] = mastodon.statuses
    assert status["in_reply_to_id"] == remote_id and status["visibility"] == "unlisted"
    text = status["content"]
    with Workspace.open(demo_path) as ws:
        name, handle = (
            ws.cursor()
            .execute("SELECT author_name, author_handle FROM mentions WHERE id = ?", [mention_id])
            .fetchone()
        )
    first = name.split()[0]
    assert text.startswith(f"@{handle}@mastodon.example Hi {first}, sorry about the trouble")
    assert text.endswith("Tell us your order number.")
    assert main(["-w", str(demo_path), "outbox", "list"]) == 0
    assert "sent" in capsys.readouterr().out


def test_reply_failures_are_one_line_and_stay_in_the_outbox(
    demo_path, mastodon, monkeypatch, capsys
):
    _add_account(demo_path, mastodon, monkeypatch, capsys)
    mention_id, _ = _mention(demo_path)
    mastodon.script("/api/v1/statuses", "503")
    assert main(["-w", str(demo_path), "reply", str(mention_id), "Hi Nadia!", "--send"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "queued but not sent yet" in err
    assert main(["-w", str(demo_path), "outbox", "send"]) == 0
    assert "1 sent" in capsys.readouterr().out
    assert len(mastodon.statuses) == 1
    assert main(["-w", str(demo_path), "reply", "999999", "x"]) == 2
    assert main(["-w", str(demo_path), "reply", str(mention_id), "x", "--template", "nope"]) == 2
    assert main(["-w", str(demo_path), "outbox", "discard", "1"]) == 1  # already sent


def test_approval_required_refuses_to_send_unapproved(demo_path, mastodon, monkeypatch, capsys):
    _add_account(demo_path, mastodon, monkeypatch, capsys)
    with Workspace.open(demo_path) as ws:
        ws.set_setting("approval.required", True)
    mention_id, _ = _mention(demo_path)
    assert main(["-w", str(demo_path), "reply", str(mention_id), "Hi Nadia", "--send"]) == 1
    assert "requires approval" in capsys.readouterr().err
    assert not mastodon.statuses


def _python(code: str, env_extra: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env_extra or {})},
    )


def test_killed_after_the_outbox_write_sends_exactly_once_on_restart(
    demo_path, mastodon, monkeypatch, capsys
):
    """The process dies right after committing the outbox row, before any network call."""
    _add_account(demo_path, mastodon, monkeypatch, capsys)
    mention_id, _ = _mention(demo_path)
    proc = _python(f"""
        import os, signal
        from engage_desktop.workspace.database import Workspace
        from engage_desktop.composer.compose import queue_reply
        ws = Workspace.open({str(demo_path)!r})
        queue_reply(ws, {mention_id}, "Hi Nadia, we are on it.", channel="mastodon",
                    account_id=1)
        os.kill(os.getpid(), signal.SIGKILL)  # no close, no checkpoint: a crash
    """)
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert not mastodon.statuses
    with Workspace.open(demo_path) as ws:
        [row] = list_outbox(ws)
        assert row.state == "pending" and row.attempts == 0
    assert main(["-w", str(demo_path), "outbox", "send"]) == 0
    assert main(["-w", str(demo_path), "outbox", "send"]) == 0
    assert len(mastodon.statuses) == 1


def test_killed_while_the_server_holds_the_answer_sends_exactly_once(
    demo_path, mastodon, monkeypatch, capsys
):
    """The server created the status; the app is killed before it heard back."""
    _add_account(demo_path, mastodon, monkeypatch, capsys)
    mention_id, _ = _mention(demo_path)
    mastodon.script("/api/v1/statuses", "hang")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "engage_desktop",
            "-w",
            str(demo_path),
            "reply",
            str(mention_id),
            "Hi Nadia, a replacement is on its way.",
            "--send",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not mastodon.statuses and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(mastodon.statuses) == 1
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    with Workspace.open(demo_path) as ws:
        [row] = list_outbox(ws)
        assert row.state == "pending" and row.attempts == 1  # the attempt was recorded first
        summary = send_due(ws, ignore_backoff=True)
        assert summary.sent == 1
        [row] = list_outbox(ws)
        assert row.state == "sent" and row.remote_id == mastodon.statuses[0]["id"]
        assert ws.scalar("SELECT count(*) FROM replies WHERE outbox_id = ?", [row.id]) == 1
    assert len(mastodon.statuses) == 1
