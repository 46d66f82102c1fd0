"""Polite, defensive HTTP for every source: one client, per-host limits, hard caps.

Politeness: at most ``per_host`` requests in flight per host (host and port), request
starts at least ``host_delay`` seconds apart per host, conditional GET with the
stored validators, a User-Agent naming the app, Retry-After read on 429/503.

Defence against bad servers: connect and read timeouts plus an overall deadline per
exchange (kept by :mod:`engage_desktop.sources.deadline`: at the deadline the
socket is shut down, whatever the server was trickling: headers, ``100 Continue``
answers, a redirect's body, a chunked trailer), a size cap on the *decoded* body (a
compressed body is inflated here in bounded steps, so a gzip or deflate bomb is
refused before it fills memory), a redirect limit, and errors turned into one human
sentence (:class:`FetchError`).
"""

from __future__ import annotations

import email.utils
import re
import ssl
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from engage_desktop import __version__
from engage_desktop.core.lean_imports import refusing
from engage_desktop.sources.deadline import WatchedTransport, deadline

# Without httpx's command-line client: it imports click, rich and pygments (~0.05 s
# of every fetch process's start-up) and nothing here runs it. Only that one module
# is refused, so imports on other threads are not affected.
with refusing("httpx._main"):
    import httpx

USER_AGENT = (
    f"engage-desktop/{__version__} (offline-first social listening; "
    "+https://github.com/engage-desktop/engage-desktop)"
)
MB = 1024 * 1024
#: The longest wait a server can impose: a larger Retry-After (10 years, 10^20 s)
#: would freeze a source for good or overflow a date.
MAX_RETRY_AFTER_S = 24 * 3600.0
#: How much of an error answer is kept for the adapter to read (APIs explain there).
ERROR_BODY_BYTES = 16 * 1024
#: The largest body of a redirect (a short page saying "moved"; it is thrown away).
REDIRECT_BODY_BYTES = 1 * MB


@dataclass(frozen=True)
class HttpLimits:
    """Limits and politeness settings of the shared client.

    Attributes:
        connect_timeout: Seconds to wait for a connection.
        read_timeout: Seconds to wait for the next bytes of a response.
        deadline: Seconds one exchange (request, redirects, whole answer) may take in
            total: a server trickling within the read timeout is cut off there.
        max_bytes: Largest decoded body accepted.
        max_redirects: Redirects followed before giving up.
        per_host: Requests in flight per host at most.
        host_delay: Seconds between the starts of two requests to one host.
        max_ratio: Largest decoded/compressed ratio accepted for big bodies.
        deadline_advice: What the user can do when the deadline cut an exchange off.
    """

    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    deadline: float = 60.0
    max_bytes: int = 10 * MB
    max_redirects: int = 5
    per_host: int = 2
    host_delay: float = 0.1
    max_ratio: int = 200
    deadline_advice: str = (
        "it is tried again next run; raise listen.response_deadline in Settings if it is only slow"
    )


class FetchError(Exception):
    """A fetch that failed, with a message for the source's health column.

    Attributes:
        retry_after: Seconds the server asked us to wait, if it said.
        status: The HTTP status, when there was a response.
        headers: The error response's headers (lower-case names), for adapters that
            read a service's own limit headers (``x-ratelimit-*``).
        body: The first bytes (at most :data:`ERROR_BODY_BYTES`) of the error
            response: APIs explain their refusals there (Stack Exchange's
            ``error_name``, Lemmy's ``error``).
    """

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        status: int | None = None,
        headers: dict[str, str] | None = None,
        body: bytes = b"",
    ) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.status = status
        self.headers = headers or {}
        self.body = body


@dataclass(frozen=True)
class Response:
    """A successful (2xx) or not-modified (304) response, body decoded."""

    status: int
    url: str
    content: bytes
    headers: dict[str, str] = field(default_factory=dict)
    moved_to: str | None = None  # the new address, when every redirect was permanent

    @property
    def not_modified(self) -> bool:
        """True for a 304: nothing changed since the validators were stored."""
        return self.status == 304

    @property
    def content_type(self) -> str:
        """The media type without parameters, lower case."""
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def etag(self) -> str | None:
        """The ETag validator to send next time."""
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        """The Last-Modified validator to send next time."""
        return self.headers.get("last-modified")


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date).

    The wait is capped at :data:`MAX_RETRY_AFTER_S` (a day).
    """
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        # Compare digit counts first: float("1" * 400) would be inf.
        return MAX_RETRY_AFTER_S if len(value) > 6 else min(float(value), MAX_RETRY_AFTER_S)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now_ts = time.time() if now is None else now
    return min(max(0.0, when.timestamp() - now_ts), MAX_RETRY_AFTER_S)


_DEFAULT_PORTS = {"http": 80, "https": 443}
#: A plain host (a name or an IPv4 address, or an IPv6 address in brackets) and port.
_PLAIN_NETLOC = re.compile(r"([a-z0-9](?:[a-z0-9.-]*[a-z0-9])?|\[[0-9a-f:.]+\])(?::(\d{1,5}))?")


def host_key(url: str) -> str:
    """The host (and port, when not the scheme's default) whose politeness ``url`` obeys.

    The same key ``httpx.URL(url).netloc`` gives, ~100 times cheaper for the plain
    addresses nearly every feed has (``httpx.URL`` parses and validates the whole
    address: 35 us, and the request parses it again); anything unusual (a user name,
    a non-ASCII host, escapes) still goes through ``httpx.URL``.
    """
    scheme, sep, rest = url.partition("://")
    netloc = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0].lower()
    plain = _PLAIN_NETLOC.fullmatch(netloc) if sep and netloc.isascii() else None
    default = _DEFAULT_PORTS.get(scheme.lower())
    if plain is not None and default is not None:
        host, port = plain.group(1), plain.group(2)
        if port is None or int(port) == default:
            return host
        if int(port) <= 65535:
            return f"{host}:{int(port)}"
    try:
        return httpx.URL(url).netloc.decode("ascii", "replace")
    except (httpx.InvalidURL, ValueError, TypeError):
        return netloc  # the request itself fails, in words


class _HostGate:
    """Per-host concurrency and spacing."""

    def __init__(self, per_host: int, delay: float) -> None:
        self.slots = threading.BoundedSemaphore(per_host)
        self.lock = threading.Lock()
        self.next_start = 0.0
        self.delay = delay

    def __enter__(self) -> None:
        self.slots.acquire()
        with self.lock:
            now = time.monotonic()
            start = max(now, self.next_start)
            self.next_start = start + self.delay
        if start > now:
            time.sleep(start - now)

    def __exit__(self, *exc: object) -> None:
        self.slots.release()


class _Inflater:
    """Bounded decoding of a gzip or deflate body (no bomb gets past max_bytes)."""

    def __init__(self, encoding: str, limit: int) -> None:
        self.limit = limit
        self.raw_deflate = False
        self.consumed = 0  # compressed bytes actually inflated so far
        if encoding in ("gzip", "x-gzip"):
            self.obj = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self.obj = zlib.decompressobj(zlib.MAX_WBITS)
        else:
            raise FetchError(f"the server used an unsupported compression ({encoding})")

    def feed(self, chunk: bytes, out: bytearray) -> None:
        data = chunk
        self.consumed += len(chunk)
        while data:
            room = self.limit - len(out) + 1
            try:
                piece = self.obj.decompress(data, room)
            except zlib.error:
                if self.raw_deflate or out:
                    raise FetchError("the compressed response is corrupt") from None
                # Some servers send raw deflate without the zlib header.
                self.raw_deflate = True
                self.obj = zlib.decompressobj(-zlib.MAX_WBITS)
                continue
            out += piece
            data = self.obj.unconsumed_tail
            if len(out) > self.limit:
                self.consumed -= len(data)
                return


class _PerHostTransport(httpx.BaseTransport):
    """One small connection pool per host, created on first use.

    httpcore's pool scans every pooled connection for every request under one lock,
    so with one shared pool a run over a few hundred hosts spent ~7 ms a request
    just choosing a connection (measured: 200 requests to 100 hosts, 1.5 s of
    pool bookkeeping). A pool per host holds at most ``per_host`` connections,
    which is also the politeness limit. The TLS context is built once and shared,
    and only when an https host is first asked: loading the CA store costs ~40 ms.
    """

    def __init__(self, per_host: int) -> None:
        self._limits = httpx.Limits(
            max_connections=per_host, max_keepalive_connections=per_host, keepalive_expiry=30
        )
        self._ssl: ssl.SSLContext | None = None
        self._plain: ssl.SSLContext | None = None
        self._pools: dict[tuple[bytes, bytes, int | None], WatchedTransport] = {}
        self._lock = threading.Lock()
        self._closed = False

    def _pool(self, url: httpx.URL) -> WatchedTransport:
        key = (url.raw_scheme, url.raw_host, url.port)
        pool = self._pools.get(key)
        if pool is None:
            with self._lock:
                if self._closed:
                    raise httpx.TransportError("the client was closed")
                pool = self._pools.get(key)
                if pool is None:
                    pool = self._pools[key] = WatchedTransport(
                        verify=self._context(url.raw_scheme), limits=self._limits
                    )
        return pool

    def _context(self, scheme: bytes) -> ssl.SSLContext:
        """The TLS context of a new pool (called under the lock).

        A plain-http pool never speaks TLS: it gets an empty context (verification on,
        no CA loaded), so a run over http feeds does not load the CA store at all.
        """
        if scheme != b"https":
            if self._plain is None:
                self._plain = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            return self._plain
        if self._ssl is None:
            self._ssl = httpx.create_ssl_context()
        return self._ssl

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` over its host's pool."""
        return self._pool(request.url).handle_request(request)

    def close(self) -> None:
        """Close every pool (requests in flight fail, which is how a cancel aborts)."""
        with self._lock:
            self._closed = True
            pools = list(self._pools.values())
        for pool in pools:
            pool.close()


class HttpClient:
    """A thread-safe client shared by every fetch of a run."""

    def __init__(self, limits: HttpLimits | None = None) -> None:
        self.limits = limits or HttpLimits()
        lim = self.limits
        self._client = httpx.Client(
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(lim.read_timeout, connect=lim.connect_timeout, pool=lim.deadline),
            follow_redirects=True,
            max_redirects=lim.max_redirects,
            transport=_PerHostTransport(lim.per_host),
            event_hooks={"response": [_check_redirect]},
        )
        self._gates: dict[str, _HostGate] = {}
        self._gates_lock = threading.Lock()

    def close(self) -> None:
        """Close pooled connections."""
        self._client.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _gate(self, url: str) -> _HostGate:
        host = host_key(url)
        with self._gates_lock:
            gate = self._gates.get(host)
            if gate is None:
                gate = _HostGate(self.limits.per_host, self.limits.host_delay)
                self._gates[host] = gate
            return gate

    def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str | None = None,
        headers: dict[str, str] | None = None,
        params: dict[str, Any] | None = None,
    ) -> Response:
        """GET ``url`` conditionally; a 304 comes back as ``Response.not_modified``.

        Raises:
            FetchError: Anything but a 2xx or 304, in words.
        """
        sent: dict[str, str] = dict(headers or {})
        if etag:
            sent["If-None-Match"] = etag
        if last_modified:
            sent["If-Modified-Since"] = last_modified
        if accept:
            sent["Accept"] = accept
        return self._send("GET", url, sent, params=params)

    def post_json(
        self, url: str, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> Response:
        """POST a JSON body (Bluesky sessions)."""
        return self._send("POST", url, dict(headers or {}), json_body=body)

    def _send(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        *,
        params: dict[str, Any] | None = None,
        json_body: dict[str, Any] | None = None,
    ) -> Response:
        # The deadline starts once the host's turn has come: waiting for politeness
        # is not the server's fault.
        with self._gate(url), deadline(self.limits.deadline) as exchange:
            try:
                return self._exchange(method, url, headers, params, json_body)
            except FetchError as exc:
                # Cut by the watchdog: whatever broke, that is why; unless the server
                # had said its status (a 429 whose body trickled still says 429).
                if exchange.expired and exc.status is None:
                    raise deadline_error(
                        self.limits.deadline, self.limits.deadline_advice
                    ) from None
                raise

    def _exchange(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        params: dict[str, Any] | None,
        json_body: dict[str, Any] | None,
    ) -> Response:
        try:
            request = self._client.build_request(
                method, url, headers=headers, params=params, json=json_body
            )
            response = self._client.send(request, stream=True)
        except httpx.TooManyRedirects:
            raise FetchError(
                f"too many redirects (more than {self.limits.max_redirects}; a redirect loop?)"
            ) from None
        except httpx.ConnectTimeout:
            raise FetchError("the server did not accept a connection in time") from None
        except httpx.TimeoutException:
            raise FetchError(
                f"the server did not answer within {self.limits.read_timeout:g} s"
            ) from None
        except httpx.ConnectError as exc:
            raise FetchError(f"cannot connect: {_short(exc)}") from None
        except httpx.UnsupportedProtocol:
            raise FetchError(
                f"{_short_url(url)} is not a web address; only http:// and https:// are fetched"
            ) from None
        except httpx.InvalidURL as exc:
            raise FetchError(f"the address is not valid ({_short(exc)}); check it") from None
        except (httpx.HTTPError, ValueError) as exc:
            raise FetchError(f"request failed: {_short(exc)}") from None
        try:
            return self._read(response)
        finally:
            response.close()

    def _read(self, response: httpx.Response) -> Response:
        status = response.status_code
        headers = {k.lower(): v for k, v in response.headers.items()}
        final_url = str(response.url)
        # Feed readers follow a permanent move (301, 308) for good; a temporary one
        # (302, 303, 307) anywhere in the chain keeps the address the user gave.
        history = response.history
        moved = final_url if history and all(r.status_code in (301, 308) for r in history) else None
        if status == 304:
            # A 304 has no body (h11 reads none whatever the headers say), but the
            # exchange only ends once it is read: closed unread, the connection was
            # dropped, and the host's next request opened a new one (and on https
            # shook hands again). A 304 that announces a body (a length, chunks) may
            # be followed by one that h11 would take for the next answer: that
            # connection is still dropped. tests/integration/test_http_connections.py.
            if headers.get("content-length", "0").strip() == "0" and (
                "transfer-encoding" not in headers
            ):
                for _ in response.iter_raw():
                    pass
            return Response(304, final_url, b"", headers, moved)
        if status >= 400 or status < 200 or status >= 300:
            error = _status_error(status, headers)
            error.headers = headers
            error.body = _error_body(response)
            raise error
        lim = self.limits
        encoding = headers.get("content-encoding", "identity").strip().lower()
        length = headers.get("content-length", "")
        if encoding in ("", "identity") and length.isdigit() and int(length) > lim.max_bytes:
            raise _too_big(lim.max_bytes)
        inflater = None if encoding in ("", "identity") else _Inflater(encoding, lim.max_bytes)
        body = bytearray()
        try:
            for chunk in response.iter_raw():
                if inflater is None:
                    body += chunk
                else:
                    inflater.feed(chunk, body)
                if len(body) > lim.max_bytes:
                    packed = max(inflater.consumed, 1) if inflater is not None else 0
                    if inflater is not None and len(body) > lim.max_ratio * packed:
                        raise FetchError(
                            f"refused a compressed response that inflates past "
                            f"{lim.max_bytes // MB} MB from {packed:,} bytes "
                            "(a compression bomb)"
                        )
                    raise _too_big(lim.max_bytes)
        except httpx.TimeoutException:
            raise FetchError(
                f"the server stopped sending for {lim.read_timeout:g} s; gave up"
            ) from None
        except httpx.HTTPError as exc:
            raise FetchError(f"the connection broke while reading: {_short(exc)}") from None
        return Response(status, final_url, bytes(body), headers, moved)


def _error_body(response: httpx.Response) -> bytes:
    """The start of an error answer, decoded, never more than ERROR_BODY_BYTES."""
    body = bytearray()
    try:
        for chunk in response.iter_bytes():
            body += chunk[: ERROR_BODY_BYTES - len(body)]
            if len(body) >= ERROR_BODY_BYTES:
                break
    except (httpx.HTTPError, ValueError, OSError):
        pass  # the status alone still says what happened
    return bytes(body)


def sends_secret_in_clear(url: str) -> bool:
    """Whether a token sent to ``url`` would cross the network unencrypted.

    Plain ``http://`` is fine only to this machine (a local test or relay server);
    to any other host a token or password must go over https.
    """
    import ipaddress
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
    except ValueError:
        return True
    if parts.scheme.lower() != "http":
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True


def insecure_secret_words(url: str, secret: str) -> str:
    """The refusal to send ``secret`` to a plain-http address, in one sentence."""
    return (
        f"refused to send {secret} to {_short_url(url)}: plain http:// to another machine "
        "would expose it on the network; use the https:// address"
    )


def _check_redirect(response: httpx.Response) -> None:
    """Follow redirects to web addresses only (never ``javascript:``, ``file:``...).

    Raises:
        FetchError: The server redirects somewhere that is not http(s), in words.
    """
    if not response.is_redirect:
        return
    location = response.headers.get("location", "").strip()
    scheme = location.split(":", 1)[0].lower() if ":" in location.split("/", 1)[0] else ""
    if scheme and scheme not in ("http", "https"):
        raise FetchError(
            f"the server redirected to a {scheme[:20]}: address; only web addresses "
            "(http, https) are followed"
        )
    try:
        response.url.join(location)
    except (httpx.InvalidURL, ValueError):
        raise FetchError(
            "the server redirected to an address that is not valid; check the feed's URL"
        ) from None
    # httpx reads a redirect's whole body before following it, past our size cap.
    response.stream = _CappedBody(response.stream)


class _CappedBody(httpx.SyncByteStream):
    """A redirect's body, refused past :data:`REDIRECT_BODY_BYTES` (nobody reads it)."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __iter__(self) -> Iterator[bytes]:
        seen = 0
        for chunk in self._inner:
            seen += len(chunk)
            if seen > REDIRECT_BODY_BYTES:
                raise FetchError(
                    f"the server's redirect came with more than {REDIRECT_BODY_BYTES // MB} MB "
                    "of text; refused (a broken or hostile server)"
                )
            yield chunk

    def close(self) -> None:
        self._inner.close()


def _short_url(url: str) -> str:
    return url if len(url) <= 80 else url[:77] + "..."


def deadline_error(seconds: float, advice: str = HttpLimits.deadline_advice) -> FetchError:
    """The failure of an exchange cut off at its deadline, in one line."""
    return FetchError(
        f"the response took longer than {seconds:g} s; gave up (the server is too slow "
        f"or stalls on purpose: {advice})"
    )


def _too_big(limit: int) -> FetchError:
    return FetchError(f"the response is larger than {limit // MB} MB; not a feed we can read")


def _status_error(status: int, headers: dict[str, str]) -> FetchError:
    retry = parse_retry_after(headers.get("retry-after"))
    words = {
        401: "the server wants a login (401)",
        403: "the server refused access (403)",
        404: "the address was not found (404); check the URL",
        410: "the feed is gone for good (410); remove the source",
        429: "the server says we ask too often (429)",
        503: "the server is unavailable (503)",
    }
    text = words.get(status) or (
        f"the server had an error ({status})" if status >= 500 else f"HTTP error {status}"
    )
    if retry is not None:
        text += f"; it asked us to wait {wait_words(retry)}"
    return FetchError(text, retry_after=retry, status=status)


def wait_words(seconds: float) -> str:
    """A wait in words: ``40 s``, ``12 min``, ``3.5 h``."""
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]


def now_utc() -> datetime:
    """The current time, UTC-aware (one place, so tests can reason about it)."""
    return datetime.now(UTC)
