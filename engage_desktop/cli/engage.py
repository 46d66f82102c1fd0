"""``reply`` and ``outbox``: answer a mention, and send what is waiting."""

from __future__ import annotations

import argparse
from datetime import datetime

from engage_desktop.cli.common import ProgressLine, err, open_workspace, out
from engage_desktop.cli.errors import UsageError
from engage_desktop.core.errors import EngageError


def register(sub: argparse._SubParsersAction, parent: argparse.ArgumentParser) -> None:
    """Add ``reply`` and ``outbox list|send|retry|discard``."""
    reply = sub.add_parser(
        "reply",
        parents=[parent],
        help="draft (or send) a reply to a mention",
        description="Without --send the reply is saved as the mention's draft (the "
        "composer opens it). With --send it goes to the outbox and is sent at once; a "
        "failed attempt stays in the outbox for 'outbox send'.",
    )
    reply.add_argument("mention", metavar="MENTION_ID", help="our id or an imported external id")
    reply.add_argument("text", nargs="?", default="", metavar="TEXT", help="the reply")
    reply.add_argument("--template", metavar="NAME", help="start with this saved reply")
    reply.add_argument("--send", action="store_true", help="queue the reply and send it now")
    reply.add_argument(
        "--via",
        choices=("mastodon", "bluesky", "email", "manual"),
        help="reply channel (default: the mention's own; manual marks it as posted by hand)",
    )
    reply.add_argument("--account", type=int, metavar="ID", help="account to send from")
    reply.add_argument(
        "--visibility",
        choices=("public", "unlisted", "private", "direct"),
        default="public",
        help="Mastodon visibility (default: public)",
    )
    reply.add_argument(
        "--at",
        metavar="TIME",
        help="send later, e.g. 2026-06-12T09:00+02:00 (the app or 'outbox send' must run then)",
    )
    reply.set_defaults(func=cmd_reply)

    outbox = sub.add_parser("outbox", parents=[parent], help="replies waiting to be sent")
    verbs = outbox.add_subparsers(dest="verb", metavar="VERB", required=True)
    listing = verbs.add_parser("list", parents=[parent], help="list the outbox")
    listing.add_argument(
        "--state", choices=("pending", "sent", "failed", "discarded"), help="only this state"
    )
    listing.set_defaults(func=cmd_outbox_list)
    send = verbs.add_parser(
        "send", parents=[parent], help="send every pending reply now (scheduled ones when due)"
    )
    send.set_defaults(func=cmd_outbox_send)
    retry = verbs.add_parser("retry", parents=[parent], help="put a failed reply back in line")
    retry.add_argument("outbox_id", type=int, metavar="ID")
    retry.set_defaults(func=cmd_outbox_retry)
    discard = verbs.add_parser("discard", parents=[parent], help="never send this reply")
    discard.add_argument("outbox_id", type=int, metavar="ID")
    discard.set_defaults(func=cmd_outbox_discard)


def _parse_time(value: str) -> datetime:
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--at {value!r} is not a time; use e.g. 2026-06-12T09:00+02:00") from None
    if when.tzinfo is None:
        raise UsageError("--at needs a time zone, e.g. 2026-06-12T09:00+02:00 or ...Z")
    return when


def _compose(ws, mention: dict, args: argparse.Namespace, channel: str) -> str:
    from engage_desktop.composer.compose import fill_saved_reply
    from engage_desktop.composer.reply_rules import handle_prefix
    from engage_desktop.composer.saved_replies import find_saved_reply, list_saved_replies

    parts = []
    if args.template:
        saved = find_saved_reply(ws, args.template)
        if saved is None:
            names = ", ".join(repr(s.name) for s in list_saved_replies(ws)[:8]) or "none yet"
            raise UsageError(f"there is no saved reply {args.template!r}; saved replies: {names}")
        rendered = fill_saved_reply(ws, mention, saved.body)
        if rendered.missing:
            err(f"note: no value for {', '.join('{' + m + '}' for m in rendered.missing)}")
        parts.append(rendered.text)
    if args.text.strip():
        parts.append(args.text.strip())
    if not parts:
        raise UsageError("give the reply TEXT, or --template NAME, or both")
    body = "\n\n".join(parts)
    prefix = handle_prefix(channel, mention.get("author_handle"), mention.get("url"))
    if prefix and prefix.strip().lower() not in body.lower():
        body = prefix + body
    return body


def _account_for(ws, channel: str, wanted: int | None) -> int | None:
    from engage_desktop.outbox.accounts import get_account, list_accounts

    if channel == "manual":
        return None
    if wanted is not None:
        account = get_account(ws, wanted)
        if account is None or account.channel != channel:
            raise UsageError(f"account {wanted} is not a {channel} account; see 'accounts list'")
        return account.id
    accounts = list_accounts(ws, channel)
    if not accounts:
        raise UsageError(f"no {channel} account; add one with 'accounts add {channel}'")
    if len(accounts) > 1:
        ids = ", ".join(str(a.id) for a in accounts)
        raise UsageError(f"several {channel} accounts ({ids}); choose one with --account ID")
    return accounts[0].id


def cmd_reply(args: argparse.Namespace) -> int:
    """Save a draft, or queue and send a reply."""
    from engage_desktop.composer.compose import queue_reply
    from engage_desktop.composer.drafts import save_draft
    from engage_desktop.composer.reply_rules import reply_channel_for
    from engage_desktop.composer.tone import check_tone
    from engage_desktop.inbox.pager import get_mention
    from engage_desktop.outbox.send import send_due
    from engage_desktop.outbox.store import get_outbox_row

    when = _parse_time(args.at) if args.at else None
    from engage_desktop.inbox.mention_ref import resolve_mention

    with open_workspace(args, write=True) as ws:
        args.mention_id = resolve_mention(ws, args.mention)
        mention = get_mention(ws, args.mention_id)
        if mention is None:
            raise UsageError(f"there is no mention {args.mention_id}; ids are in 'export mentions'")
        channel = args.via or reply_channel_for(mention["channel"])
        account_id = _account_for(ws, channel, args.account) if args.send else args.account
        body = _compose(ws, mention, args, channel)
        draft_id = save_draft(
            ws,
            args.mention_id,
            body,
            channel,
            account_id=account_id,
            visibility=args.visibility if channel == "mastodon" else None,
        )
        from engage_desktop.core.templates import first_name

        tone = check_tone(
            body, first_name(mention.get("author_name"), mention.get("author_handle"))
        )
        for line in tone.warnings:
            err(f"tone: {line}")
        if not args.send:
            out(f"saved draft {draft_id} for mention {args.mention_id} ({len(body)} characters)")
            return 0
        outbox_id = queue_reply(
            ws,
            args.mention_id,
            body,
            channel=channel,
            account_id=account_id,
            visibility=args.visibility,
            draft_id=draft_id,
            scheduled_at=when,
        )
        if when is not None and when > datetime.now(when.tzinfo):
            out(
                f"scheduled reply {outbox_id} for {when.isoformat()}; the app or 'outbox send' "
                "must run then"
            )
            return 0
        send_due(ws, ids=[outbox_id], ignore_backoff=True)
        row = get_outbox_row(ws, outbox_id)
    if row.state == "sent":
        where = row.remote_url or row.remote_id or "posted by hand"
        out(f"sent reply {outbox_id}: {where}")
        return 0
    if row.state == "failed":
        raise EngageError(f"reply {outbox_id} failed: {row.last_error}")
    raise EngageError(
        f"reply {outbox_id} is queued but not sent yet ({row.last_error}); "
        "'outbox send' retries it with the same idempotency key"
    )


def cmd_outbox_list(args: argparse.Namespace) -> int:
    """Print the outbox."""
    from engage_desktop.outbox.store import list_outbox

    with open_workspace(args) as ws:
        rows = list_outbox(ws, (args.state,) if args.state else None)
    if not rows:
        out("the outbox is empty")
        return 0
    out(f"{'id':>4}  {'state':<9} {'channel':<8} {'mention':>7} {'tries':>5}  when / result")
    for r in rows:
        detail = r.outcome("%Y-%m-%d %H:%M")
        out(f"{r.id:>4}  {r.state:<9} {r.channel:<8} {r.mention_id:>7} {r.attempts:>5}  {detail}")
    return 0


def cmd_outbox_send(args: argparse.Namespace) -> int:
    """Send every pending reply now."""
    from engage_desktop.core.progress import PlainState
    from engage_desktop.outbox.send import send_due

    progress = ProgressLine("sending")

    with open_workspace(args, write=True) as ws:
        summary = send_due(ws, PlainState(progress), ignore_backoff=True)
    for message in summary.messages:
        err(message)
    out(summary.line())
    return 1 if summary.failed else 0


def cmd_outbox_retry(args: argparse.Namespace) -> int:
    """Put a failed reply back in line."""
    from engage_desktop.outbox.send import retry_row

    with open_workspace(args, write=True) as ws:
        retry_row(ws, args.outbox_id)
    out(f"reply {args.outbox_id} is pending again; 'outbox send' sends it")
    return 0


def cmd_outbox_discard(args: argparse.Namespace) -> int:
    """Discard a reply."""
    from engage_desktop.outbox.send import discard_row

    with open_workspace(args, write=True) as ws:
        discard_row(ws, args.outbox_id)
    out(f"discarded reply {args.outbox_id}; it will not be sent")
    return 0
