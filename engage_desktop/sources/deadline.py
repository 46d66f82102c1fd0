"""An overall deadline for each HTTP exchange, kept by one shared watchdog thread.

Read timeouts bound each wait for the *next* bytes, and a size cap bounds the body,
but neither bounds the whole exchange: a server that trickles its headers one byte
at a time, sends ``100 Continue`` forever, trickles a redirect's body or an endless
chunked trailer stays inside every read timeout and holds the fetch for good.

The fix is a deadline per exchange. Code doing HTTP runs inside :func:`deadline`;
every socket the exchange reads or writes is registered with it (by
:class:`WatchedBackend` for httpx, by :func:`watch_socket` for a plain socket or
``http.client``). When the deadline passes, the watchdog shuts the socket down, so
a read blocked in the kernel returns at once, and :attr:`Exchange.expired` tells
the caller why its exchange failed.

Cheap by design: arming is one heap push under a lock, a read one thread-local
lookup. One thread serves every exchange of the process (no thread or timer per
request) and wakes only for the earliest live deadline; it exits when no exchange
is armed, so an idle process (or a test) keeps no thread.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import socket
import ssl
import threading
import time
from collections.abc import Iterable, Iterator
from typing import Any

import httpcore

from engage_desktop.core.lean_imports import refusing

with refusing("httpx._main"):  # as in sources/http.py: not the httpx command line
    import httpx


class Exchange:
    """One HTTP exchange under a deadline.

    Attributes:
        seconds: The time it was given.
        at: When it ends, on the ``time.monotonic`` clock.
        expired: Set by the watchdog when the deadline passed before the exchange
            ended; the exchange's sockets were shut down then.
    """

    __slots__ = ("at", "done", "expired", "seconds", "sock")

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds
        self.expired = False
        self.done = False  # disarmed: the watchdog leaves its sockets alone
        self.sock: socket.socket | None = None  # the socket in use now

    def watch(self, sock: socket.socket) -> None:
        """Make ``sock`` the socket the watchdog shuts down at the deadline.

        Called before each blocking use of the socket. The order (store, then check)
        pairs with the watchdog's (mark expired, then read the socket): whichever
        comes second sees the other, so no read blocks past the deadline.
        """
        self.sock = sock
        if self.expired:
            _shut(sock)


class Watchdog:
    """A heap of deadlines served by one thread that starts and ends on demand."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._heap: list[tuple[float, int, Exchange]] = []
        self._order = itertools.count()  # ties never compare two exchanges
        self._live = 0  # armed, not yet disarmed
        self._thread: threading.Thread | None = None

    def arm(self, seconds: float) -> Exchange:
        """Start an exchange that ends in ``seconds``."""
        exchange = Exchange(seconds)
        with self._lock:
            heapq.heappush(self._heap, (exchange.at, next(self._order), exchange))
            self._live += 1
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="http-deadlines", daemon=True
                )
                self._thread.start()
            elif self._heap[0][2] is exchange:  # earlier than the one it sleeps for
                self._wake.notify()
        return exchange

    def disarm(self, exchange: Exchange) -> None:
        """End ``exchange``: from now on its sockets are never touched."""
        with self._lock:
            if exchange.done:
                return
            exchange.done = True
            self._live -= 1
            if not self._live:
                self._heap.clear()  # finished entries only: let the thread end now
                self._wake.notify()

    def _run(self) -> None:
        with self._lock:
            while self._live:
                heap = self._heap
                while heap and heap[0][2].done:  # finished in time: dropped lazily
                    heapq.heappop(heap)
                if not heap:  # every live exchange already expired
                    self._wake.wait()
                    continue
                wait = heap[0][0] - time.monotonic()
                if wait > 0:
                    self._wake.wait(wait)
                    continue
                exchange = heapq.heappop(heap)[2]
                exchange.expired = True
                if exchange.sock is not None:
                    _shut(exchange.sock)
            self._thread = None


WATCHDOG = Watchdog()
_current = threading.local()


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[Exchange]:
    """Run the HTTP exchange in the ``with`` block under a deadline of ``seconds``.

    Sockets used on this thread inside the block (through :class:`WatchedBackend`
    or :func:`watch_socket`) are shut down when the deadline passes; the failure
    that follows is the caller's to explain, with :attr:`Exchange.expired`.
    """
    exchange = WATCHDOG.arm(seconds)
    outer = getattr(_current, "exchange", None)
    _current.exchange = exchange
    try:
        yield exchange
    finally:
        _current.exchange = outer
        WATCHDOG.disarm(exchange)


def watch_socket(sock: socket.socket) -> None:
    """Put ``sock`` under the deadline of the exchange running on this thread, if any.

    For plain-socket and ``http.client`` code: call it after connecting (for
    ``http.client``, with ``connection.sock``) and after wrapping in TLS.
    """
    exchange = getattr(_current, "exchange", None)
    if exchange is not None:
        exchange.watch(sock)


def _shut(sock: socket.socket) -> None:
    """Shut ``sock`` down in both directions: a blocked ``recv`` returns at once.

    ``close`` from another thread would not wake the reader (and would free the
    descriptor for reuse under it); ``shutdown`` does, and leaves closing to the
    owner. The plain socket method is called even for a TLS socket: the TLS
    layer's own ``shutdown`` would drop its state under the reading thread.
    """
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _WatchedStream(httpcore.NetworkStream):
    """An httpcore stream that puts its socket under the current exchange's deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner
        self._sock: socket.socket | None = inner.get_extra_info("socket")

    def _watch(self) -> None:
        exchange = getattr(_current, "exchange", None)
        if exchange is not None and self._sock is not None:
            exchange.watch(self._sock)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        self._watch()
        return self._inner.read(max_bytes, timeout)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._watch()
        self._inner.write(buffer, timeout)

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        exchange = getattr(_current, "exchange", None)
        if exchange is None or self._sock is None:
            return _WatchedStream(self._inner.start_tls(ssl_context, server_hostname, timeout))
        # Wrapping moves the descriptor to the new TLS socket before the handshake,
        # so the watchdog gets a duplicate: shutting it down ends the same connection
        # (a slow handshake is a trickle too), and it is ours to close afterwards.
        spare = self._sock.dup()
        try:
            exchange.watch(spare)
            stream = _WatchedStream(self._inner.start_tls(ssl_context, server_hostname, timeout))
            stream._watch()
        finally:
            spare.close()
        return stream

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class WatchedBackend(httpcore.NetworkBackend):
    """httpcore's blocking backend with every connection under the exchange deadline."""

    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = _WatchedStream(
            self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        )
        stream._watch()  # past the deadline already: shut at once
        return stream

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = _WatchedStream(self._inner.connect_unix_socket(path, timeout, socket_options))
        stream._watch()
        return stream

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class WatchedTransport(httpx.HTTPTransport):
    """httpx's own transport over :class:`WatchedBackend`.

    httpx takes no network backend, so the connection pool it builds is replaced
    by the same pool with the watched backend (``_pool`` is the one attribute its
    transport uses; tests/security/test_slow_servers.py fails if that changes).

    Args:
        verify: As for ``httpx.HTTPTransport`` (an ``ssl.SSLContext`` is used as is).
        limits: Connections kept per pool.
    """

    def __init__(
        self, verify: ssl.SSLContext | bool = True, limits: httpx.Limits | None = None
    ) -> None:
        limits = limits or httpx.Limits()
        context = verify if isinstance(verify, ssl.SSLContext) else httpx.create_ssl_context(verify)
        super().__init__(verify=context, limits=limits)
        self._pool = httpcore.ConnectionPool(
            ssl_context=context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=WatchedBackend(),
        )
