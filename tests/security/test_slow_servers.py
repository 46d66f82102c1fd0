"""Servers that trickle within every read timeout are cut off at the exchange deadline.

Each attack of tests/security/slow_server.py would hold a fetch forever; the
deadline ends it, the source's health says so in one line, and the other sources
of the same run (on the same host too) are fetched normally.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
import time
from pathlib import Path

import pytest

from engage_desktop.cli import main
from engage_desktop.core.errors import EngageError
from engage_desktop.core.progress import PlainState
from engage_desktop.listen.fetch import FetchOptions, fetch_options, run_fetch
from engage_desktop.listen.source_store import add_source, get_source
from engage_desktop.outbox.channels.base import ReplyRequest, ReplyTarget, TemporaryFailure
from engage_desktop.outbox.channels.email import EmailChannel
from engage_desktop.outbox.channels.mastodon import MastodonChannel
from engage_desktop.sources.deadline import deadline, watch_socket
from engage_desktop.sources.http import FetchError, HttpClient, HttpLimits
from engage_desktop.workspace import settings
from tests.conftest import new_workspace
from tests.security.slow_server import SlowServer

ATTACKS = ("headers", "continue", "redirect", "trailer")
#: Read timeouts far above the deadline: only the deadline can end these fetches.
LIMITS = HttpLimits(read_timeout=20.0, deadline=0.4, host_delay=0.0)
GAVE_UP = "the response took longer than 0.4 s; gave up"


@pytest.fixture
def slow():
    with SlowServer() as server:
        yield server


def test_each_trickle_is_cut_off_and_the_others_are_fetched(tmp_path: Path):
    with (
        SlowServer() as host_a,
        SlowServer() as host_b,
        SlowServer() as host_c,
        new_workspace(tmp_path / "slow.engage") as ws,
    ):
        hosts = (host_a, host_a, host_b, host_b)
        attacks = [
            add_source(ws, kind="rss", url=server.url(f"/attack/{attack}"), name=attack,
                       channel="blog", keep_all=True)
            for server, attack in zip(hosts, ATTACKS, strict=True)
        ]  # fmt: skip
        # A feed on a host whose two connections are both held by attacks, and
        # one elsewhere; four fetch threads for the seven sources.
        same_host = add_source(
            ws, kind="rss", url=host_a.url("/feed"), name="a", channel="blog", keep_all=True
        )
        other = add_source(
            ws, kind="rss", url=host_c.url("/feed"), name="c", channel="blog", keep_all=True
        )
        # A server that said its status before trickling: its words are kept.
        throttled = add_source(
            ws, kind="rss", url=host_c.url("/attack/throttled"), name="t", channel="blog"
        )
        options = FetchOptions(limits=LIMITS, workers=4, parse="thread")
        started = time.monotonic()
        summary = run_fetch(PlainState(), ws, force=True, options=options)
        assert time.monotonic() - started < LIMITS.read_timeout  # the deadline ended it
        # Each attack was still sending when its fetch gave up.
        assert host_a.wait_hangups(2) and host_b.wait_hangups(2) and host_c.wait_hangups(1)
        assert summary.ok == 2 and len(summary.failed) == 5, summary.failed
        for source_id in attacks:
            error = get_source(ws, source_id)["last_error"]
            assert error.startswith(GAVE_UP) and "\n" not in error
        for source_id in (same_host, other):
            assert get_source(ws, source_id)["last_error"] is None
        assert get_source(ws, throttled)["last_error"] == (
            "the server says we ask too often (429); it asked us to wait 2 min"
        )
        assert summary.items_seen == 4  # both feeds read whole (the items are the same)


def test_the_cli_prints_one_line_and_exits_0(tmp_path: Path, slow, capsys):
    path = tmp_path / "cli.engage"
    with new_workspace(path) as ws:
        add_source(
            ws, kind="rss", url=slow.url("/attack/continue"), name="Stalling blog", channel="blog"
        )
        add_source(ws, kind="rss", url=slow.url("/feed"), name="Good blog", channel="blog")
    w = ["-w", str(path)]
    assert main([*w, "settings", "set", "listen.response_deadline", "1"]) == 0
    capsys.readouterr()
    assert main([*w, "fetch", "--force", "--quiet"]) == 0  # the run completed
    out = capsys.readouterr()
    failed = [line for line in out.out.splitlines() if line.startswith("failed:")]
    assert failed == [
        "failed: Stalling blog: the response took longer than 1 s; gave up (the server is "
        "too slow or stalls on purpose: it is tried again next run; raise "
        "listen.response_deadline in Settings if it is only slow)"
    ]
    assert "1 sources ok" in out.out
    assert "Traceback" not in out.err
    assert main([*w, "settings", "set", "listen.response_deadline", "0.5"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_the_deadline_setting_is_bounded_and_read_safely(tmp_path: Path):
    with new_workspace(tmp_path / "s.engage") as ws:
        assert fetch_options(ws).limits.deadline == 60.0
        with pytest.raises(Exception, match="out of range; use 1 to 3600"):
            settings.put(ws, settings.RESPONSE_DEADLINE, "0")
        settings.put(ws, settings.RESPONSE_DEADLINE, "90")
        assert fetch_options(ws).limits.deadline == 90.0
        # A file from someone else may hold anything: the default, not a stalled fetch.
        ws.set_setting(settings.RESPONSE_DEADLINE.key, -5)
        assert fetch_options(ws).limits.deadline == 60.0


def test_a_plain_http_client_exchange_is_cut_off_too(slow):
    connection = http.client.HTTPConnection("127.0.0.1", slow.port, timeout=20.0)
    # http.client takes headers cut off by the end of the connection for the whole
    # answer: the caller must ask the exchange, as sources/http.py does.
    with deadline(0.4) as exchange, contextlib.suppress(OSError, http.client.HTTPException):
        connection.connect()
        watch_socket(connection.sock)
        connection.request("GET", "/attack/headers")
        connection.getresponse().read()
    connection.close()
    assert exchange.expired
    assert slow.wait_hangups(1)


def test_a_reply_to_a_stalling_server_fails_in_words(slow):
    request = ReplyRequest("hello", ReplyTarget(remote_id="1"), idempotency_key="k1")
    with (
        MastodonChannel(slow.url(""), "token", deadline=0.4) as channel,
        pytest.raises(TemporaryFailure, match=r"took longer than 0\.4 s to answer; gave up; the"),
    ):
        channel.send(request)


def test_a_redirect_with_an_endless_body_is_refused_past_1_mb(slow):
    with (
        HttpClient(LIMITS) as http,
        pytest.raises(FetchError, match=r"^the server's redirect came with more than 1 MB"),
    ):
        http.get(slow.url("/attack/fat-redirect"))
    assert slow.wait_hangups(1)


def test_adding_a_stalling_feed_says_to_try_later_not_the_fetch_setting(slow, monkeypatch):
    from dataclasses import replace

    from engage_desktop.listen import subscriptions

    fast = replace(subscriptions.CHECK_LIMITS, deadline=0.4)
    monkeypatch.setattr(subscriptions, "CHECK_LIMITS", fast)
    with pytest.raises(EngageError) as refused:
        subscriptions.resolve_feed(slow.url("/attack/headers"))
    message = str(refused.value)
    assert GAVE_UP in message and "try adding it again later" in message
    assert "listen.response_deadline" not in message  # a fetch setting: not this check's


def test_an_smtp_server_that_trickles_its_greeting_is_cut_off():
    """Continuation lines of a greeting, forever: each inside the 20 s read timeout."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop, hung_up = threading.Event(), threading.Event()

    def greet_forever() -> None:
        conn, _ = listener.accept()
        with conn:
            try:
                while not stop.wait(0.05):
                    conn.sendall(b"220-still here\r\n")
            except OSError:
                hung_up.set()

    server = threading.Thread(target=greet_forever)
    server.start()
    port = listener.getsockname()[1]
    channel = EmailChannel(
        f"smtp://support@127.0.0.1:{port}", "support@example.com", "pw",
        timeout=20.0, deadline=0.4,
    )  # fmt: skip
    try:
        with pytest.raises(
            TemporaryFailure, match=r"took longer than 0\.4 s to answer; gave up; the reply"
        ):
            channel.verify()
        assert hung_up.wait(10)  # the socket was shut, not left to trickle
    finally:
        stop.set()
        server.join()
        listener.close()


def test_an_smtp_server_that_stalls_the_tls_handshake_is_cut_off():
    """STARTTLS accepted, then silence: the handshake waits inside a 60 s read timeout."""
    listener = socket.create_server(("127.0.0.1", 0))
    hung_up = threading.Event()

    def stall_the_handshake() -> None:
        conn, _ = listener.accept()
        with conn:
            reader = conn.makefile("rb")
            conn.sendall(b"220 mail.example ready\r\n")
            reader.readline()  # EHLO
            conn.sendall(b"250-mail.example\r\n250 STARTTLS\r\n")
            reader.readline()  # STARTTLS
            conn.sendall(b"220 go ahead\r\n")
            conn.settimeout(30.0)
            with contextlib.suppress(OSError):
                while conn.recv(4096):  # the ClientHello, then nothing until the hangup
                    pass
            hung_up.set()

    server = threading.Thread(target=stall_the_handshake)
    server.start()
    port = listener.getsockname()[1]
    channel = EmailChannel(
        f"smtp://support@127.0.0.1:{port}", "support@example.com", "pw",
        timeout=60.0, deadline=0.4,
    )  # fmt: skip
    outcome: list[BaseException] = []

    def verify() -> None:
        try:
            channel.verify()
        except BaseException as exc:
            outcome.append(exc)

    client = threading.Thread(target=verify, daemon=True)
    client.start()
    try:
        # Before the fix the watchdog held the plain socket that wrap_socket had
        # detached, and the handshake waited out the whole 60 s read timeout.
        assert hung_up.wait(15), "the stalled handshake was not cut off at the deadline"
        client.join(15)
        assert not client.is_alive()
        assert len(outcome) == 1 and isinstance(outcome[0], TemporaryFailure)
        assert "took longer than 0.4 s to answer; gave up; the reply" in str(outcome[0])
    finally:
        server.join(35)
        listener.close()
