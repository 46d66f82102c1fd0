"""E-mail replies over SMTP with STARTTLS (or implicit TLS on port 465).

Used for mentions that came with an address. The Message-ID is derived from the
reply's idempotency key, so a receiving system that deduplicates by Message-ID sees
a retried reply as the same message. SMTP itself has no idempotency: a crash after
the server accepted the message but before the outbox recorded it can repeat it.

Each send or check runs under one overall deadline (``sources/deadline.py``): a
server that trickles its greeting or replies a byte at a time stays inside every
read timeout, and the deadline's watchdog shuts its socket down. That includes the
TLS handshake: the socket is wrapped without a handshake, put under the watchdog, and
only then shaken hands on (``wrap_socket`` detaches the plain socket, so a watchdog
holding that one could not cut a stalled handshake short).
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import unquote, urlsplit

from engage_desktop.outbox.channels.base import (
    REQUEST_DEADLINE_S,
    AuthFailed,
    Rejected,
    ReplyRequest,
    SendResult,
    TemporaryFailure,
)
from engage_desktop.sources.deadline import deadline, watch_socket

DEFAULT_PORT = 587


def parse_smtp_url(url: str) -> tuple[str, int, str | None]:
    """``smtp://user@host:port`` → (host, port, user)."""
    parts = urlsplit(url if "://" in url else f"smtp://{url}")
    if not parts.hostname:
        raise ValueError(f"{url!r} names no SMTP server; use smtp://user@host:587")
    return parts.hostname, parts.port or DEFAULT_PORT, unquote(parts.username or "") or None


class EmailChannel:
    """Replies by e-mail through one SMTP account.

    Args:
        smtp_url: ``smtp://user@host:port`` (the user logs in; none means no login).
        sender: The From address.
        password: The SMTP password (None when the server needs no login).
        ssl_context: TLS settings (default: the system's trusted certificates).
        timeout: Seconds per network operation.
        deadline: Seconds one send or check may take in all.
    """

    name = "email"

    def __init__(
        self,
        smtp_url: str,
        sender: str,
        password: str | None,
        *,
        ssl_context: ssl.SSLContext | None = None,
        timeout: float = 30.0,
        deadline: float = REQUEST_DEADLINE_S,
    ) -> None:
        self.host, self.port, self.user = parse_smtp_url(smtp_url)
        self.sender = sender
        self._password = password
        self._context = _WatchedTLS(ssl_context or ssl.create_default_context())
        self._timeout = timeout
        self.deadline = deadline

    def close(self) -> None:
        """Nothing stays open between sends."""

    def __enter__(self) -> EmailChannel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _connect(self) -> smtplib.SMTP:
        if self.port == 465:
            smtp: smtplib.SMTP = _WatchedSMTPSSL(
                self.host, self.port, timeout=self._timeout, context=self._context
            )
        else:
            smtp = _WatchedSMTP(self.host, self.port, timeout=self._timeout)
        try:
            if self.port != 465:
                smtp.ehlo()
                if not smtp.has_extn("starttls"):
                    raise Rejected(
                        f"{self.host} does not offer STARTTLS; the password would travel "
                        "unencrypted, so nothing was sent — use the server's TLS port"
                    )
                smtp.starttls(context=self._context)
                smtp.ehlo()
            if self.user:
                smtp.login(self.user, self._password or "")
        except BaseException:
            smtp.close()  # a refused login or handshake must not leave the socket open
            raise
        return smtp

    def verify(self) -> dict[str, str]:
        """Connect, secure the connection and log in, then hang up."""
        self._guarded(lambda: self._connect().quit())
        return {"handle": self.sender}

    def send(self, request: ReplyRequest) -> SendResult:
        """Send the reply to the author's address."""
        target = request.target
        if not target.author_email:
            raise Rejected("this mention has no e-mail address to reply to")
        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = target.author_email
        subject = (target.title or "your message").strip()
        msg["Subject"] = subject if subject.lower().startswith("re:") else f"Re: {subject}"
        msg["Date"] = formatdate(localtime=False, usegmt=True)
        domain = self.sender.rsplit("@", 1)[-1] if "@" in self.sender else "engage-desktop"
        msg["Message-ID"] = f"<{request.idempotency_key}@{domain}>"
        if target.remote_id and target.remote_id.startswith("<"):
            msg["In-Reply-To"] = target.remote_id
            msg["References"] = target.remote_id
        msg.set_content(request.body)

        def deliver() -> None:
            smtp = self._connect()
            try:
                smtp.send_message(msg)
            finally:
                with contextlib.suppress(smtplib.SMTPException):
                    smtp.quit()

        self._guarded(deliver)
        return SendResult(msg["Message-ID"], None)

    def _guarded(self, action) -> None:
        with deadline(self.deadline) as exchange:
            try:
                self._explained(action)
            except (TemporaryFailure, Rejected):
                if not exchange.expired:
                    raise
                # Cut off by the watchdog: what broke is the deadline's doing.
                raise TemporaryFailure(
                    f"{self.host} took longer than {self.deadline:g} s to answer; gave up; "
                    "the reply will be retried"
                ) from None

    def _explained(self, action) -> None:
        try:
            action()
        except smtplib.SMTPAuthenticationError as exc:
            raise AuthFailed(
                f"{self.host} refused the login ({exc.smtp_code}: {_words(exc.smtp_error)}); "
                "reconnect the account in Accounts"
            ) from None
        except smtplib.SMTPRecipientsRefused as exc:
            code, words = next(iter(exc.recipients.values()))
            raise Rejected(f"{self.host} refused the address ({code}: {_words(words)})") from None
        except smtplib.SMTPResponseException as exc:
            text = f"{self.host} said {exc.smtp_code}: {_words(exc.smtp_error)}"
            if 400 <= exc.smtp_code < 500:
                raise TemporaryFailure(text + "; the reply will be retried") from None
            raise Rejected(text) from None
        except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError) as exc:
            raise TemporaryFailure(
                f"{self.host} hung up ({exc}); the reply will be retried"
            ) from None
        except ssl.SSLError as exc:
            raise Rejected(
                f"TLS with {self.host} failed ({exc.reason}); check the server"
            ) from None
        except (TimeoutError, ConnectionError, OSError) as exc:
            raise TemporaryFailure(
                f"could not reach {self.host}:{self.port} ({exc}); the reply will be retried"
            ) from None


class _WatchedTLS:
    """An SSL context whose sockets are under the deadline during their handshake too."""

    def __init__(self, context: ssl.SSLContext) -> None:
        self.context = context

    def wrap_socket(self, sock, server_hostname=None, **_ignored) -> ssl.SSLSocket:
        tls = self.context.wrap_socket(
            sock, server_hostname=server_hostname, do_handshake_on_connect=False
        )
        watch_socket(tls)
        try:
            tls.do_handshake()
        except BaseException:
            tls.close()
            raise
        return tls


class _WatchedSMTP(smtplib.SMTP):
    """SMTP whose sockets are under the deadline of the exchange on this thread."""

    def connect(self, *args, **kwargs):
        """Connect and read the greeting; a failure closes the socket (smtplib's does not)."""
        try:
            return super().connect(*args, **kwargs)
        except BaseException:
            self.close()
            raise

    def _get_socket(self, host, port, timeout):
        sock = super()._get_socket(host, port, timeout)
        watch_socket(sock)
        return sock


class _WatchedSMTPSSL(smtplib.SMTP_SSL, _WatchedSMTP):
    """Implicit TLS (port 465): the plain socket, then the TLS one, are watched."""


def _words(raw: bytes | str) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
