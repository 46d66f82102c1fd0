"""A small threaded HTTP server with a script of failures, for the fake networks.

Each fake queues *actions* for a path: ``"500"``/``"503"`` (fail before doing
anything), ``("429", seconds)`` (rate-limit), ``"drop"`` (do the work, then close the
connection without an answer — the lost-answer case), ``"hang"`` (do the work, then
hold the answer until the server stops — the app gets killed meanwhile).
"""

from __future__ import annotations

import json
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


class Reply(Exception):
    """Raised by a route to answer with a status and a JSON body."""

    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.status, self.body, self.headers = status, body, headers or {}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out as separate writes; without TCP_NODELAY, Nagle plus the
    # client's delayed ACK add ~40 ms to every keep-alive request.
    disable_nagle_algorithm = True

    def log_message(self, *args: Any) -> None:  # keep test output clean
        pass

    def _handle(self) -> None:
        fake: FakeServer = self.server.fake  # type: ignore[attr-defined]
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = json.loads(raw) if raw and "json" in (self.headers.get("Content-Type") or "") else {}
        query = {k: v if len(v) > 1 else v[0] for k, v in parse_qs(parts.query).items()}
        with fake.lock:
            fake.requests.append((self.command, parts.path, dict(self.headers), body))
            action = fake.take_action(parts.path)
        if action in ("500", "502", "503"):
            return self._send(int(action), {"error": "InternalServerError", "message": "boom"})
        if isinstance(action, tuple) and action[0] == "429":
            return self._send(
                429,
                {"error": "RateLimitExceeded", "message": "Too many requests"},
                {"Retry-After": str(action[1])},
            )
        try:
            status, result, headers = (
                200,
                fake.route(self.command, parts.path, self.headers, body, query),
                {},
            )
        except Reply as reply:
            status, result, headers = reply.status, reply.body, reply.headers
        if action == "drop":
            self.close_connection = True
            return  # the work is done, the answer is lost
        if action == "hang":
            fake.release.wait(30)
            self.close_connection = True
            return
        self._send(status, result, headers)

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        # Bytes go out as they are (a web page where JSON was expected).
        raw = isinstance(body, bytes)
        data = body if raw else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html" if raw else "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _handle


class FakeServer:
    """Base of the fakes: start, stop, the script, the request log."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.requests: list[tuple[str, str, dict, Any]] = []
        self.actions: dict[str, deque] = {}
        self.release = threading.Event()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.fake = self  # type: ignore[attr-defined]
        # shutdown() waits for the loop's next look at its flag: every 0.05 s, not 0.5.
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, args=(0.05,), name="fake-server"
        )

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(10)

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def script(self, path: str, *actions: Any) -> None:
        """Queue actions for the next requests to ``path``."""
        with self.lock:
            self.actions.setdefault(path, deque()).extend(actions)

    def take_action(self, path: str) -> Any:
        queue = self.actions.get(path)
        return queue.popleft() if queue else None

    def route(self, method: str, path: str, headers: Any, body: Any, query: dict) -> Any:
        raise Reply(404, {"error": "not found"})
