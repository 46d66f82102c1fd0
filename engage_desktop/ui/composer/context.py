"""The HTML above a draft: the post, its thread, the author's history, internal notes.

Every piece of text from the workspace is escaped; colours come from the theme.
"""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any

from engage_desktop.ui.theme import SENTIMENT_COLORS, STATUS_COLORS
from engage_desktop.ui.widgets.mention_html import mention_html

_MUTED = "#6b7280"


def _when(value: datetime | None) -> str:
    return f"{value:%d %b %Y, %H:%M}" if value else ""


def _clip(text: str | None, limit: int = 220) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _section(title: str, body: str) -> str:
    return (
        f"<h4 style='margin:14px 0 4px 0;color:#111827'>{html.escape(title)}</h4>"
        f"<div style='font-size:12px'>{body}</div>"
    )


def thread_html(items: list[dict[str, Any]], current_id: int) -> str:
    """The conversation, oldest first; our replies indented in blue."""
    if not items:
        return f"<p style='color:{_MUTED}'>Not part of a conversation we have.</p>"
    rows = []
    for item in items:
        who = html.escape(item.get("who") or "")
        text = html.escape(_clip(item.get("text"), 260))
        when = _when(item.get("at"))
        if item["kind"] == "reply":
            rows.append(
                f"<p style='margin:3px 0 3px 18px;color:#1e40af'>↳ <b>{who}</b> "
                f"<span style='color:{_MUTED}'>{when}</span><br>{text}</p>"
            )
        else:
            mark = " style='background:#fef9c3'" if item.get("id") == current_id else ""
            rows.append(
                f"<p{mark} style='margin:3px 0'><b>{who}</b> "
                f"<span style='color:{_MUTED}'>{when}</span><br>{text}</p>"
            )
    return "".join(rows)


def history_html(items: list[dict[str, Any]], profile: dict[str, Any] | None) -> str:
    """The author's latest other mentions, each with how we answered."""
    head = ""
    if profile:
        facts = [f"{profile.get('mention_count') or 0} mentions"]
        if profile.get("followers"):
            facts.append(f"{profile['followers']:,} followers")
        if profile.get("avg_sentiment") is not None:
            facts.append(f"average sentiment {profile['avg_sentiment']:+.2f}")
        if profile.get("flag"):
            facts.append(html.escape(str(profile["flag"])))
        if profile.get("email"):
            facts.append(html.escape(str(profile["email"])))
        head = f"<p style='color:{_MUTED};margin:2px 0 6px 0'>{' · '.join(facts)}</p>"
    if not items:
        return head + f"<p style='color:{_MUTED}'>No earlier mentions from this author.</p>"
    rows = []
    for item in items:
        label = item.get("sentiment_label")
        dot = (
            f"<span style='color:{SENTIMENT_COLORS.get(label, '#b8bec9')}'>●</span> "
            if label
            else ""
        )
        status = item.get("status") or ""
        status_html = (
            f"<span style='color:{STATUS_COLORS.get(status, '#374151')}'>"
            f"{html.escape(status)}</span>"
        )
        reply = ""
        if item.get("reply"):
            reply = (
                f"<br><span style='color:#1e40af'>↳ {html.escape(item.get('sent_by') or 'we')}: "
                f"{html.escape(_clip(item['reply'], 160))}</span>"
            )
        rows.append(
            f"<p style='margin:4px 0'>{dot}<span style='color:{_MUTED}'>"
            f"{_when(item.get('published'))} · {html.escape(item.get('channel') or '')} · "
            f"</span>{status_html}<br>{html.escape(_clip(item.get('text'), 200))}{reply}</p>"
        )
    return head + "".join(rows)


def notes_html(items: list[dict[str, Any]]) -> str:
    """Internal notes (never sent), oldest first."""
    if not items:
        return (
            f"<p style='color:{_MUTED}'>No internal notes. Notes are for the team and are "
            "never sent.</p>"
        )
    return "".join(
        "<p style='margin:3px 0;background:#fffbeb'>✎ "
        f"<b>{html.escape(n.get('created_by') or '')}</b>"
        f" <span style='color:{_MUTED}'>{_when(n.get('created_at'))}</span><br>"
        f"{html.escape(n['body'])}</p>"
        for n in items
    )


def context_html(
    mention: dict[str, Any],
    thread: list[dict[str, Any]],
    history: list[dict[str, Any]],
    profile: dict[str, Any] | None,
    notes: list[dict[str, Any]],
    customer: Any = None,
) -> str:
    """Everything shown above the draft, as one HTML document.

    ``customer`` is the author's customer record (``engage_desktop.crm.profile``),
    shown with its plan, value, customer since and open tickets when there is one.
    """
    from engage_desktop.ui.widgets.customer_card import card_html

    who = "" if customer is None else _section("Customer", card_html(customer))
    return (
        mention_html(mention)
        + who
        + _section("Thread", thread_html(thread, mention["id"]))
        + _section(
            "The author's last interactions with us, on every linked channel",
            history_html(history, profile),
        )
        + _section("Internal notes", notes_html(notes))
    )
