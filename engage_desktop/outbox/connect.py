"""Connecting reply accounts: check the credentials with the server, then store them.

A token is checked before anything is saved (Mastodon's ``verify_credentials``,
Bluesky's ``createSession``, an SMTP login), so a typo never becomes an account that
fails at the first reply. The account row goes to the workspace; the secret to the
OS keyring (:mod:`engage_desktop.workspace.secrets`). These calls use the network:
the GUI runs them on a worker thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from engage_desktop.core.errors import EngageError
from engage_desktop.outbox.accounts import Account, add_account, remove_account
from engage_desktop.outbox.channels.base import ChannelError
from engage_desktop.workspace import secrets
from engage_desktop.workspace import settings as S
from engage_desktop.workspace.database import Workspace


@dataclass(frozen=True)
class Connected:
    """A connected account and where its secret went."""

    account: Account
    secret_note: str
    detail: str = ""


def _fail(what: str, exc: ChannelError) -> EngageError:
    return EngageError(f"could not connect {what}: {exc}")


def connect_mastodon(ws: Workspace, instance: str, token: str) -> Connected:
    """Check a Mastodon token, read the instance's limit, save the account.

    Raises:
        EngageError: The token is empty or refused, or the server cannot be reached.
    """
    from engage_desktop.outbox.channels.mastodon import MastodonChannel, normalize_instance

    token = token.strip()
    if not token:
        raise EngageError(
            "the access token is empty; paste the token from Preferences › Development"
        )
    url = normalize_instance(instance)
    with MastodonChannel(url, token) as channel:
        try:
            me = channel.verify()
        except ChannelError as exc:
            raise _fail(url, exc) from None
        limit = channel.max_characters()
    acct = str(me.get("acct") or me.get("username") or "")
    host = urlsplit(url).hostname or url
    handle = acct if "@" in acct else f"{acct}@{host}"
    name = str(me.get("display_name") or acct)
    secrets.set_secret(secrets.secret_name("mastodon", url, handle), token)
    account = add_account(ws, "mastodon", name, handle, url)
    if limit:
        S.put(ws, S.ACCOUNT_MAX_CHARACTERS, limit, account.id)
    detail = f"instance limit {limit} characters" if limit else "instance limit unknown (500 used)"
    return Connected(account, secrets.storage_note(), detail)


def connect_bluesky(
    ws: Workspace, handle: str, app_password: str, service: str | None = None
) -> Connected:
    """Check a Bluesky app password by opening a session, save the account.

    Raises:
        EngageError: The password is empty or refused, or the server cannot be reached.
    """
    from engage_desktop.outbox.channels.bluesky import DEFAULT_SERVICE, BlueskyChannel

    if not app_password.strip():
        raise EngageError(
            "the app password is empty; create one in Bluesky's Settings › App passwords"
        )
    handle = handle.strip().lstrip("@")
    if not handle:
        raise EngageError("give the account's handle, e.g. nimbus.bsky.social")
    service = (service or DEFAULT_SERVICE).rstrip("/")
    with BlueskyChannel(handle, app_password.strip(), service=service) as channel:
        try:
            session = channel.verify()
        except ChannelError as exc:
            raise _fail(handle, exc) from None
    real_handle = str(session.get("handle") or handle)
    secrets.set_secret(secrets.secret_name("bluesky", service, real_handle), app_password.strip())
    account = add_account(ws, "bluesky", real_handle, real_handle, service)
    return Connected(account, secrets.storage_note(), f"did {session.get('did', '?')}")


def connect_email(ws: Workspace, smtp_url: str, sender: str, password: str | None) -> Connected:
    """Check an SMTP login (with STARTTLS), save the account.

    Raises:
        EngageError: The server, the login or TLS failed.
    """
    from engage_desktop.outbox.channels.email import EmailChannel, parse_smtp_url

    try:
        parse_smtp_url(smtp_url)
    except ValueError as exc:
        raise EngageError(str(exc)) from None
    if "@" not in sender:
        raise EngageError("give the From address, e.g. support@example.com")
    channel = EmailChannel(smtp_url, sender, password)
    try:
        channel.verify()
    except ChannelError as exc:
        raise _fail(smtp_url, exc) from None
    if password:
        secrets.set_secret(secrets.secret_name("email", smtp_url, sender), password)
    account = add_account(ws, "email", sender, sender, smtp_url)
    return Connected(account, secrets.storage_note())


def disconnect(ws: Workspace, account_id: int, *, forget_secret: bool = True) -> Account:
    """Remove an account (and, unless told otherwise, its stored secret).

    Raises:
        EngageError: There is no such account.
    """
    account = remove_account(ws, account_id)
    if account is None:
        raise EngageError(f"there is no account {account_id}; see 'accounts list'")
    if forget_secret:
        secrets.delete_secret(
            secrets.secret_name(account.channel, account.instance_url, account.handle)
        )
    return account


def has_secret(account: Account) -> bool:
    """True when this machine holds the account's token or password."""
    return bool(
        secrets.get_secret(
            secrets.secret_name(account.channel, account.instance_url, account.handle)
        )
    )


def secret_storage_note() -> str:
    """Where account secrets are kept (the OS keyring or a private file), in words."""
    return secrets.storage_note()
