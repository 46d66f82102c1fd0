"""Reply accounts: which network, which server, which handle. Never the secret.

The token or password of an account lives in the OS keyring (see
:mod:`engage_desktop.workspace.secrets`), named by the account's identity.
"""

from __future__ import annotations

from dataclasses import dataclass

from engage_desktop.workspace.database import Workspace, log_event


@dataclass(frozen=True)
class Account:
    """One account we reply from.

    Attributes:
        id: Row id.
        channel: mastodon, bluesky or email.
        name: What the user sees ("Nimbus Support on mastodon.social").
        handle: acct, Bluesky handle, or the From address for e-mail.
        instance_url: Mastodon server, Bluesky PDS, or ``smtp://user@host:port``.
    """

    id: int
    channel: str
    name: str
    handle: str | None
    instance_url: str | None

    @property
    def label(self) -> str:
        """A one-line description for lists and menus."""
        where = (self.instance_url or "").split("://")[-1]
        who = self.handle or self.name
        return f"{who} ({self.channel}, {where})" if where else f"{who} ({self.channel})"


_COLUMNS = "id, channel, name, handle, instance_url"


def list_accounts(ws: Workspace, channel: str | None = None) -> list[Account]:
    """Accounts, optionally of one channel, oldest first."""
    cur = ws.cursor()
    try:
        if channel:
            rows = cur.execute(
                f"SELECT {_COLUMNS} FROM accounts WHERE channel = ? ORDER BY id", [channel]
            ).fetchall()
        else:
            rows = cur.execute(f"SELECT {_COLUMNS} FROM accounts ORDER BY id").fetchall()
    finally:
        cur.close()
    return [Account(*row) for row in rows]


def get_account(ws: Workspace, account_id: int) -> Account | None:
    """One account, or None."""
    cur = ws.cursor()
    try:
        row = cur.execute(f"SELECT {_COLUMNS} FROM accounts WHERE id = ?", [account_id]).fetchone()
    finally:
        cur.close()
    return Account(*row) if row else None


def add_account(
    ws: Workspace, channel: str, name: str, handle: str | None, instance_url: str | None
) -> Account:
    """Add an account, or update the one with the same channel, server and handle."""
    with ws.write() as cur:
        row = cur.execute(
            "SELECT id FROM accounts WHERE channel = ? AND lower(coalesce(handle, '')) = ? "
            "AND lower(coalesce(instance_url, '')) = ?",
            [channel, (handle or "").lower(), (instance_url or "").lower()],
        ).fetchone()
        if row:
            account_id = int(row[0])
            cur.execute("UPDATE accounts SET name = ? WHERE id = ?", [name, account_id])
            log_event(
                cur, ws.actor, "account", account_id, "reconnect", detail={"channel": channel}
            )
        else:
            account_id = int(
                cur.execute(
                    "INSERT INTO accounts (channel, name, handle, instance_url) "
                    "VALUES (?, ?, ?, ?) RETURNING id",
                    [channel, name, handle, instance_url],
                ).fetchone()[0]
            )
            log_event(cur, ws.actor, "account", account_id, "add", detail={"channel": channel})
    return Account(account_id, channel, name, handle, instance_url)


def remove_account(ws: Workspace, account_id: int) -> Account | None:
    """Remove an account; returns what was removed (None when there was none)."""
    account = get_account(ws, account_id)
    if account is None:
        return None
    with ws.write() as cur:
        cur.execute("DELETE FROM accounts WHERE id = ?", [account_id])
        log_event(cur, ws.actor, "account", account_id, "remove", account.label)
    return account
