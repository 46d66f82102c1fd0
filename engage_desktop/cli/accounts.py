"""``accounts``: connect, list and remove the accounts replies are sent from."""

from __future__ import annotations

import argparse
import os
import sys

from engage_desktop.cli.common import err, open_workspace, out
from engage_desktop.cli.errors import UsageError


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    """Add ``accounts add|list|remove``."""
    accounts = sub.add_parser(
        "accounts",
        parents=[parent],
        help="the accounts replies are sent from",
        description="Connect Mastodon, Bluesky and e-mail accounts. Tokens and passwords "
        "go to the OS keyring (or, on a machine without one, to a file only you can "
        "read), never into the workspace.",
    )
    verbs = accounts.add_subparsers(dest="verb", metavar="VERB", required=True)

    add = verbs.add_parser("add", parents=[parent], help="connect an account")
    kinds = add.add_subparsers(dest="kind", metavar="KIND", required=True)
    mastodon = kinds.add_parser(
        "mastodon",
        parents=[parent],
        help="a Mastodon account (access token)",
        description="Checks the token with /api/v1/accounts/verify_credentials before "
        "saving, and reads the instance's length limit.",
    )
    mastodon.add_argument("--instance", required=True, metavar="URL", help="e.g. mastodon.social")
    mastodon.add_argument(
        "--token-env",
        metavar="VAR",
        help="environment variable holding the token (default: read it from stdin)",
    )
    mastodon.set_defaults(func=cmd_add_mastodon)

    bluesky = kinds.add_parser(
        "bluesky",
        parents=[parent],
        help="a Bluesky account (app password)",
        description="Checks the app password by opening a session before saving.",
    )
    bluesky.add_argument("--handle", required=True, metavar="H", help="e.g. nimbus.bsky.social")
    bluesky.add_argument(
        "--password-env",
        metavar="VAR",
        help="environment variable holding the app password (default: stdin)",
    )
    bluesky.add_argument(
        "--service", metavar="URL", default=None, help="the account's PDS (default bsky.social)"
    )
    bluesky.set_defaults(func=cmd_add_bluesky)

    email = kinds.add_parser(
        "email",
        parents=[parent],
        help="an SMTP account for e-mail replies",
        description="Logs in with STARTTLS before saving.",
    )
    email.add_argument(
        "--smtp", required=True, metavar="URL", help="smtp://user@host:587 (no user: no login)"
    )
    email.add_argument("--from", dest="sender", required=True, metavar="ADDRESS")
    email.add_argument(
        "--password-env", metavar="VAR", help="environment variable (default: stdin)"
    )
    email.set_defaults(func=cmd_add_email)

    listing = verbs.add_parser("list", parents=[parent], help="list the accounts")
    listing.set_defaults(func=cmd_list)

    remove = verbs.add_parser("remove", parents=[parent], help="remove an account")
    remove.add_argument("account_id", type=int, metavar="ID")
    remove.add_argument(
        "--keep-secret",
        action="store_true",
        help="keep the stored token (another workspace uses the same account)",
    )
    remove.set_defaults(func=cmd_remove)


def read_secret(env_var: str | None, what: str) -> str:
    """A secret from an environment variable, else the first line of stdin.

    Raises:
        UsageError: The variable is unset or empty, or stdin gave nothing.
    """
    if env_var:
        value = os.environ.get(env_var, "")
        if not value.strip():
            raise UsageError(f"${env_var} is empty or not set; export the {what} in it first")
        return value.strip()
    if sys.stdin is None or sys.stdin.closed:
        raise UsageError(f"no {what} given; pass it through an environment variable")
    if sys.stdin.isatty():
        import getpass

        value = getpass.getpass(f"{what}: ")
    else:
        value = sys.stdin.readline()
    if not value.strip():
        raise UsageError(f"no {what} on stdin; pipe it in, or use an environment variable")
    return value.strip()


def _report(connected) -> None:
    account = connected.account
    extra = f"; {connected.detail}" if connected.detail else ""
    out(f"connected account {account.id}: {account.label}{extra}")
    err(connected.secret_note)


def cmd_add_mastodon(args: argparse.Namespace) -> int:
    """Connect a Mastodon account."""
    from engage_desktop.outbox.connect import connect_mastodon

    token = read_secret(args.token_env, "access token")
    with open_workspace(args, write=True) as ws:
        _report(connect_mastodon(ws, args.instance, token))
    return 0


def cmd_add_bluesky(args: argparse.Namespace) -> int:
    """Connect a Bluesky account."""
    from engage_desktop.outbox.connect import connect_bluesky

    password = read_secret(args.password_env, "app password")
    with open_workspace(args, write=True) as ws:
        _report(connect_bluesky(ws, args.handle, password, args.service))
    return 0


def cmd_add_email(args: argparse.Namespace) -> int:
    """Connect an SMTP account."""
    from engage_desktop.outbox.channels.email import parse_smtp_url
    from engage_desktop.outbox.connect import connect_email

    try:
        needs_login = parse_smtp_url(args.smtp)[2] is not None
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    password = read_secret(args.password_env, "SMTP password") if needs_login else None
    with open_workspace(args, write=True) as ws:
        _report(connect_email(ws, args.smtp, args.sender, password))
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    """Print the accounts, and whether this machine holds their secret."""
    from engage_desktop.outbox.accounts import list_accounts
    from engage_desktop.outbox.connect import has_secret
    from engage_desktop.workspace.secrets import storage_note

    with open_workspace(args) as ws:
        accounts = list_accounts(ws)
        if not accounts:
            out("no accounts; add one with 'accounts add mastodon|bluesky|email'")
            return 0
        out(f"{'id':>3}  {'channel':<9} {'handle':<32} {'server':<32} secret")
        for a in accounts:
            secret = "stored" if has_secret(a) else "MISSING (reconnect)"
            out(
                f"{a.id:>3}  {a.channel:<9} {a.handle or '':<32} "
                f"{a.instance_url or '':<32} {secret}"
            )
    err(storage_note())
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    """Remove an account."""
    from engage_desktop.outbox.connect import disconnect

    with open_workspace(args, write=True) as ws:
        account = disconnect(ws, args.account_id, forget_secret=not args.keep_secret)
    out(f"removed account {account.id}: {account.label}")
    return 0
