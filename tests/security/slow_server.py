"""A raw-socket web server on 127.0.0.1 that holds a client forever, politely.

Every attack keeps sending a little before any read timeout can fire, so only an
overall deadline ends it:

- ``/attack/headers``: a status line, then one header byte at a time;
- ``/attack/continue``: ``100 Continue`` answers, one after another, forever;
- ``/attack/redirect``: a redirect whose (announced) body comes a byte at a time;
- ``/attack/trailer``: a whole chunked feed, then a trailer that never ends;
- ``/attack/throttled``: a 429 with Retry-After whose body comes a byte at a time;
- ``/attack/fat-redirect``: a redirect with an endless body, as fast as it goes.

``/feed`` answers an ordinary RSS feed at once. Any other path gets the server's
``default`` attack (for clients whose paths are fixed, like a Mastodon channel).
"""

from __future__ import annotations

import socket
import threading

from tests.integration.listen_helpers import rss

FEED = rss([("slow:1", "nimbus is fine here"), ("slow:2", "nimbus works")])


class SlowServer:
    """One port; each connection is served on its own thread.

    Attributes:
        hangups: Clients that went away while an attack was still sending.
    """

    def __init__(self, default: str = "headers", step: float = 0.05) -> None:
        self.default = default
        self.step = step
        self.hangups = 0
        self._hung_up = threading.Condition()
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._threads: list[threading.Thread] = []
        self._acceptor = threading.Thread(target=self._accept, name="slow-accept")

    def wait_hangups(self, count: int, timeout: float = 10.0) -> bool:
        """Wait until ``count`` clients have hung up on an attack."""
        with self._hung_up:
            return self._hung_up.wait_for(lambda: self.hangups >= count, timeout)

    def url(self, path: str) -> str:
        """The address of ``path`` on this server."""
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> SlowServer:
        self._acceptor.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        # A connection to ourselves wakes accept(); closing would not.
        with socket.create_connection(("127.0.0.1", self.port)):
            pass
        self._acceptor.join()
        self._listener.close()
        for thread in self._threads:
            thread.join()

    def _accept(self) -> None:
        while True:
            conn, _ = self._listener.accept()
            if self._stop.is_set():
                conn.close()
                return
            thread = threading.Thread(target=self._serve, args=(conn,), name="slow-conn")
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            head = b""
            while b"\r\n\r\n" not in head:
                data = conn.recv(4096)
                if not data:
                    return
                head += data
            path = head.split(b" ", 2)[1].decode()
            try:
                if path == "/feed":
                    conn.sendall(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
                        b"Connection: close\r\nContent-Length: %d\r\n\r\n" % len(FEED) + FEED
                    )
                    return
                attack = path.removeprefix("/attack/") if path.startswith("/attack/") else ""
                self._attack(conn, attack or self.default)
            except OSError:  # the client hung up: what a deadline does
                with self._hung_up:
                    self.hangups += 1
                    self._hung_up.notify_all()

    def _attack(self, conn: socket.socket, attack: str) -> None:
        if attack == "headers":
            opening, piece = b"HTTP/1.1 200 OK\r\nX-Slow: ", b"a"
        elif attack == "continue":
            opening, piece = b"", b"HTTP/1.1 100 Continue\r\n\r\n"
        elif attack == "redirect":
            opening = b"HTTP/1.1 302 Found\r\nLocation: /feed\r\nContent-Length: 100000\r\n\r\n"
            piece = b"a"
        elif attack == "throttled":
            opening = b"HTTP/1.1 429 Too Many\r\nRetry-After: 120\r\nContent-Length: 9999\r\n\r\n"
            piece = b"a"
        elif attack == "fat-redirect":
            opening = b"HTTP/1.1 302 Found\r\nLocation: /feed\r\nTransfer-Encoding: chunked\r\n\r\n"
            piece = b"10000\r\n" + b"a" * 0x10000 + b"\r\n"
            conn.sendall(opening)
            while not self._stop.is_set():
                conn.sendall(piece)
            return
        elif attack == "trailer":
            opening = (
                b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n"
                + b"%x\r\n" % len(FEED) + FEED + b"\r\n0\r\nX-Slow: "
            )  # fmt: skip
            piece = b"a"
        else:
            raise ValueError(attack)
        conn.sendall(opening)
        while not self._stop.wait(self.step):
            conn.sendall(piece)
