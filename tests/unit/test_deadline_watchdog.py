"""The shared watchdog: deadlines fire in time order, finished exchanges are left alone.

Sockets here are a local socket pair; a shut-down socket reads as the end of the
stream at once, which is how a blocked HTTP read is released. Every blocking read
has a long timeout, so a broken watchdog fails the test instead of hanging it.
"""

from __future__ import annotations

import socket

from engage_desktop.sources.deadline import WATCHDOG, deadline, watch_socket


def test_a_shorter_deadline_armed_later_fires_first():
    later = WATCHDOG.arm(60)  # the thread now sleeps for this one
    a, b = socket.socketpair()
    try:
        a.settimeout(30)
        with deadline(0.2) as short:
            watch_socket(a)
            assert a.recv(1) == b""  # released by the watchdog, not by the peer
        assert short.expired and not later.expired
    finally:
        WATCHDOG.disarm(later)
        a.close()
        b.close()


def test_an_exchange_that_ended_in_time_keeps_its_socket():
    kept, kept_peer = socket.socketpair()
    cut, cut_peer = socket.socketpair()
    try:
        with deadline(0.1) as finished:
            watch_socket(kept)
        cut.settimeout(30)
        with deadline(0.2) as late:  # ends after the first one's deadline has passed
            watch_socket(cut)
            assert cut.recv(1) == b""
        assert late.expired and not finished.expired
        kept_peer.sendall(b"x")
        assert kept.recv(1) == b"x"  # never shut down
    finally:
        for s in (kept, kept_peer, cut, cut_peer):
            s.close()
