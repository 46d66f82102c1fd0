"""What the composer needs about one mention, read in one task off the GUI thread.

Binding the composer used to run a dozen queries on the GUI thread (the mention, its
thread, the author's history, the customer record, the draft, the routes, their
length rules, approval, the outbox); with the composer bound on every inbox
selection that made j/k wait. Now :func:`load_binding` reads all of it in a task
when the composer's page is shown, and typing only uses what it returned.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engage_desktop.composer import drafts as draft_store
from engage_desktop.composer.compose import LengthRule, ReplyRoute, length_rule, reply_routes
from engage_desktop.crm.profile import customer_of_author
from engage_desktop.inbox import conversation, notes, threads
from engage_desktop.inbox.pager import get_mention
from engage_desktop.outbox.store import failures_for, pending_for
from engage_desktop.ui.composer.context import context_html
from engage_desktop.workspace.database import Workspace


@dataclass
class Binding:
    """One mention as the composer shows it.

    Attributes:
        mention: The mention row.
        context_html: The "Replying to" pane (mention, customer, thread, history, notes).
        draft: The saved draft (None when there is none yet).
        routes: The ways to reply, the natural one first.
        rules: The length rule of every route, by (channel, account id).
        approval: The workspace requires approval before sending.
        failures: Outbox rows for this mention that failed or wait to retry.
        pending: Outbox rows waiting to go.
        draft_events: The draft's approval steps (for the banner).
    """

    mention: dict[str, Any]
    context_html: str
    draft: dict[str, Any] | None
    routes: list[ReplyRoute]
    rules: dict[tuple[str, int | None], LengthRule] = field(default_factory=dict)
    approval: bool = False
    failures: list[Any] = field(default_factory=list)
    pending: list[Any] = field(default_factory=list)
    draft_events: list[dict[str, Any]] = field(default_factory=list)

    def rule(self, route: ReplyRoute | None) -> LengthRule:
        """The length rule of ``route`` (by hand when there is none)."""
        if route is None:
            return self.rules[("manual", None)]
        return self.rules[(route.channel, route.account.id if route.account else None)]


def read_context(ws: Workspace, mention: dict[str, Any]) -> str:
    """The "Replying to" pane of one mention, as HTML."""
    author_id = mention.get("author_id")
    return context_html(
        mention,
        threads.thread(ws, mention).items(),
        conversation.author_history(ws, mention),
        conversation.author_profile(ws, author_id),
        notes.mention_notes(ws, mention["id"]),
        customer_of_author(ws, author_id) if author_id else None,
    )


def read_state(ws: Workspace, binding: Binding) -> Binding:
    """Refresh the draft, approval and outbox parts of ``binding`` (after a write)."""
    mention_id = int(binding.mention["id"])
    binding.draft = draft_store.get_draft(ws, mention_id)
    binding.approval = draft_store.approval_required(ws)
    binding.failures = failures_for(ws, mention_id)
    binding.pending = pending_for(ws, mention_id)
    draft = binding.draft
    binding.draft_events = (
        draft_store.draft_events(ws, draft["id"])
        if draft and (draft.get("state") or "draft") != "draft"
        else []
    )
    return binding


def load_binding(_state: Any, ws: Workspace, mention_id: int) -> Binding | None:
    """Everything the composer shows for ``mention_id`` (None when it is gone)."""
    mention = get_mention(ws, mention_id)
    if mention is None:
        return None
    routes = reply_routes(ws, mention)
    rules = {("manual", None): length_rule(ws, "manual", None)}
    for route in routes:
        account_id = route.account.id if route.account else None
        rules[(route.channel, account_id)] = length_rule(ws, route.channel, account_id)
    binding = Binding(mention, read_context(ws, mention), None, routes, rules)
    return read_state(ws, binding)
