"""Composing replies: saved-reply variables, reply routes, length rules, queueing.

Qt-free: the composer and the ``reply`` command both go through here, and sending
goes through :mod:`engage_desktop.outbox.send`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from engage_desktop.composer.drafts import (
    approval_required,
    get_draft,
    get_draft_by_id,
    save_draft,
)
from engage_desktop.composer.reply_rules import LengthRule, reply_channel_for, rule_for
from engage_desktop.core.errors import EngageError
from engage_desktop.core.templates import Rendered, first_name, render
from engage_desktop.crm.profile import customer_template_values
from engage_desktop.inbox.pager import get_mention
from engage_desktop.inbox.people import author_id_of
from engage_desktop.outbox.accounts import Account, get_account, list_accounts
from engage_desktop.outbox.send import agent_name, discard_row
from engage_desktop.outbox.store import get_outbox_row, insert_outbox_row
from engage_desktop.workspace import settings as S
from engage_desktop.workspace.database import Workspace, log_event

CHANNEL_TITLES = {
    "mastodon": "Mastodon",
    "bluesky": "Bluesky",
    "email": "E-mail",
    "manual": "By hand",
}


@dataclass(frozen=True)
class ReplyRoute:
    """One way to answer a mention: a reply channel and the account to use.

    Attributes:
        channel: mastodon, bluesky, email or manual.
        account: The account (None for manual, or when none is set up).
        label: What the user picks from.
        problem: Why this route cannot be used now (None when it can).
    """

    channel: str
    account: Account | None
    label: str
    problem: str | None = None


def template_values(ws: Workspace, mention: dict[str, Any]) -> dict[str, str | None]:
    """Values of the saved-reply variables for one mention."""
    handle = mention.get("author_handle")
    author = mention.get("author_name") or (f"@{handle}" if handle else None)
    brand = S.get(ws, S.BRAND_NAME) or ws.name
    product = None
    topics = list(mention.get("topics") or [])
    if topics:
        cur = ws.cursor()
        try:
            rows = cur.execute(
                "SELECT name FROM topics WHERE kind = 'product' AND list_contains(?, name)",
                [topics],
            ).fetchall()
        finally:
            cur.close()
        products = {r[0] for r in rows}
        product = next((t for t in topics if t in products), None)
    prefix = S.get(ws, S.CASE_PREFIX)
    # Customer fields come last: when a value is both (the author's first name is the
    # customer's), turning a reply back into a template prefers the author's variable.
    return {
        "author": author,
        "first_name": first_name(mention.get("author_name"), handle),
        "brand": str(brand) if brand else None,
        "product": product or (str(brand) if brand else None),
        "agent": agent_name(ws),
        "case_id": f"{prefix}{mention['id']}",
        **customer_template_values(ws, author_id_of(ws, mention)),
    }


def fill_saved_reply(ws: Workspace, mention: dict[str, Any], body: str) -> Rendered:
    """A saved reply with this mention's values filled in."""
    return render(body, template_values(ws, mention))


def reply_routes(ws: Workspace, mention: dict[str, Any]) -> list[ReplyRoute]:
    """The ways to answer a mention, the natural one first.

    The mention's own network comes first (one route per account, or one with a
    problem saying how to add an account), then e-mail when the author left an
    address, then by hand — always possible.
    """
    routes: list[ReplyRoute] = []
    natural = reply_channel_for(mention["channel"])
    channels = [natural] if natural != "manual" else []
    if "email" not in channels and _author_email(ws, mention):
        channels.append("email")
    for channel in channels:
        accounts = list_accounts(ws, channel)
        title = CHANNEL_TITLES[channel]
        if not accounts:
            routes.append(
                ReplyRoute(
                    channel,
                    None,
                    f"{title} — no account",
                    f"add a {title} account (Accounts…) to reply on {title}",
                )
            )
        for account in accounts:
            routes.append(
                ReplyRoute(channel, account, f"{title} as {account.handle or account.name}")
            )
    routes.append(ReplyRoute("manual", None, "By hand — copy, post, mark as sent"))
    return routes


def _author_email(ws: Workspace, mention: dict[str, Any]) -> str | None:
    if mention.get("author_id") is None:
        return None
    return ws.scalar("SELECT email FROM authors WHERE id = ?", [mention["author_id"]])


def length_rule(ws: Workspace, channel: str, account_id: int | None) -> LengthRule:
    """The length rule for a reply channel (Mastodon: the account's instance limit)."""
    limit = None
    if channel == "mastodon" and account_id is not None:
        value = S.get(ws, S.ACCOUNT_MAX_CHARACTERS, account_id)
        limit = int(value) if isinstance(value, int) and value > 0 else None
    return rule_for(channel, limit)


def queue_reply(
    ws: Workspace,
    mention_id: int,
    body: str,
    *,
    channel: str,
    account_id: int | None,
    visibility: str | None = None,
    draft_id: int | None = None,
    scheduled_at: datetime | None = None,
) -> int:
    """Put a reply in the outbox (the row and its key are committed before any send).

    The draft, if given, moves to ``sent`` in the same transaction, so the composer
    cannot queue the same text twice.

    Returns:
        The outbox row id.

    Raises:
        EngageError: Empty or too long, no account, approval missing, or bad schedule.
    """
    body = body.strip()
    if not body:
        raise EngageError("the reply is empty; write something first")
    mention = get_mention(ws, mention_id)
    if mention is None:
        raise EngageError(f"there is no mention {mention_id}; check the id in the inbox or export")
    if channel not in CHANNEL_TITLES:
        raise EngageError(
            f"unknown reply channel {channel!r}; use mastodon, bluesky, email or manual"
        )
    if channel != "manual":
        account = get_account(ws, account_id) if account_id is not None else None
        if account is None or account.channel != channel:
            raise EngageError(
                f"choose a {CHANNEL_TITLES[channel]} account to send from "
                "(add one with 'accounts add' or Accounts…)"
            )
    rule = length_rule(ws, channel, account_id)
    if not rule.fits(body):
        raise EngageError(
            f"the reply is {rule.count(body)} {rule.unit} long; {CHANNEL_TITLES[channel]} "
            f"allows {rule.limit}: shorten it"
        )
    if approval_required(ws):
        draft = get_draft_by_id(ws, draft_id) if draft_id is not None else None
        if draft is None or draft["state"] != "approved" or draft["body"].strip() != body:
            raise EngageError(
                "this workspace requires approval: ask for approval in the composer, and "
                "send once an approver has approved the draft"
            )
    if scheduled_at is not None:
        if scheduled_at.tzinfo is None:
            raise EngageError("give the scheduled time with a time zone")
        if scheduled_at <= datetime.now(UTC):
            scheduled_at = None  # a time already past means "now"
    with ws.write() as cur:
        outbox_id, _key = insert_outbox_row(
            cur,
            ws.actor,
            mention_id=mention_id,
            channel=channel,
            body=body,
            account_id=account_id if channel != "manual" else None,
            visibility=visibility if channel == "mastodon" else None,
            draft_id=draft_id,
            scheduled_at=scheduled_at,
        )
        if draft_id is not None:
            old = cur.execute("SELECT state FROM drafts WHERE id = ?", [draft_id]).fetchone()
            cur.execute(
                "UPDATE drafts SET state = 'sent', body = ?, updated_at = now() WHERE id = ?",
                [body, draft_id],
            )
            log_event(
                cur,
                ws.actor,
                "draft",
                draft_id,
                "queue",
                old[0] if old else None,
                "sent",
                {"mention_id": mention_id, "outbox_id": outbox_id},
            )
    return outbox_id


def take_back_to_draft(ws: Workspace, outbox_id: int) -> int:
    """Take a failed or waiting reply back into the composer as a draft.

    The row is discarded (with the same claim that keeps a sender off it) and its text
    becomes the mention's working draft again.

    Returns:
        The mention id, to open in the composer.
    """
    row = get_outbox_row(ws, outbox_id)
    if row is None:
        raise EngageError(f"there is no outbox entry {outbox_id}; see 'outbox list'")
    discard_row(ws, outbox_id)
    if get_draft(ws, row.mention_id) is None:
        save_draft(
            ws,
            row.mention_id,
            row.body,
            row.channel,
            account_id=row.account_id,
            visibility=row.visibility,
        )
    return row.mention_id
