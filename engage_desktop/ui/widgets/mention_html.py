"""A mention as safe HTML: the inbox's detail pane and the composer's context show it.

Feed HTML is untrusted. It is sanitised with nh3 (ammonia) to a small set of tags,
and every remote image becomes a "click to load" link: nothing is fetched from the
network until the user asks (tracking pixels stay dark). ``engage:`` links drive the
app itself (open the parent post, load an image, show the author). Shared by two
stages of the window, so it lives with the shared widgets.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

from engage_desktop.core.untrusted import safe_link
from engage_desktop.ui.theme import SENTIMENT_COLORS, STATUS_COLORS

ALLOWED_TAGS = {
    "a", "b", "blockquote", "br", "code", "em", "i", "img", "li", "ol", "p", "pre",
    "strong", "ul", "h1", "h2", "h3", "h4",
}  # fmt: skip
_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r'(src|alt)="([^"]*)"', re.IGNORECASE)


def sanitize(raw: str, loaded: set[str], base: str | None = None) -> tuple[str, list[str]]:
    """Clean feed HTML; returns the HTML and the remote image URLs it references.

    Images whose URL is in ``loaded`` are kept as ``engage:image/N`` resources the
    caller has put into the document; the others become links to load them.
    Relative links resolve against ``base`` (the mention's web address) or are
    dropped: stored HTML may come from a workspace someone else wrote.
    """
    import nh3

    from engage_desktop.sources.sanitize import resolve_links

    clean = nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}, "img": {"src", "alt"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    clean = resolve_links(clean, safe_link(base))
    images: list[str] = []

    def replace(match: re.Match[str]) -> str:
        attrs = {k.lower(): html.unescape(v) for k, v in _ATTR.findall(match.group(0))}
        src = attrs.get("src", "")
        if not src.startswith(("http://", "https://")):
            return ""
        images.append(src)
        n = len(images) - 1
        alt = html.escape(attrs.get("alt") or "image")
        if src in loaded:
            return f'<img src="engage:image/{n}" alt="{alt}" width="360">'
        return (
            f'<a href="engage:load-image/{n}" style="color:#6b7280">'
            f"[{alt} blocked — click to load]</a>"
        )

    return _IMG.sub(replace, clean), images


def highlighted(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` escaped, with the spans on a yellow mark."""
    out, pos = [], 0
    for start, end in spans:
        out.append(html.escape(text[pos:start]))
        out.append(f"<span style='background:#fde68a'>{html.escape(text[start:end])}</span>")
        pos = end
    out.append(html.escape(text[pos:]))
    return "".join(out).replace("\n", "<br>")


def chip(text: str, color: str) -> str:
    """A coloured label."""
    return (
        f"<span style='background:{color};color:white;font-weight:600'>"
        f"&nbsp;{html.escape(text)}&nbsp;</span>"
    )


def mention_html(
    m: dict[str, Any],
    *,
    context: dict[str, Any] | None = None,
    highlight: Callable[[str], list[tuple[int, int]]] | None = None,
    loaded_images: set[str] | None = None,
    sentences: list[tuple[str, float]] | None = None,
) -> str:
    """The detail pane's HTML for one mention (all text escaped or sanitised).

    Args:
        m: The mention row.
        context: Optional extras: ``thread`` (an ``inbox.threads.Thread``), ``replies``,
            ``notes``, ``queries``.
        highlight: Spans of matched search terms in a text.
        loaded_images: Remote image URLs the user chose to load.
        sentences: Sentence-level sentiment (sentence, compound), when available.
    """
    e = html.escape
    ctx = context or {}
    spans = highlight or (lambda _t: [])
    label = m.get("sentiment_label")
    score = m.get("sentiment")
    sentiment = ""
    if label and label != "unscored":
        text = label if score is None else f"{label} {score:+.2f}"
        sentiment = chip(text, SENTIMENT_COLORS.get(label, "#999")) + " "
    else:
        sentiment = chip("not scored", SENTIMENT_COLORS["unscored"]) + " "
    if m.get("learned_version") and m.get("model_sentiment") is not None:
        # Both scorers stay visible: the learned model's label and VADER's beside it.
        confidence = m.get("learned_confidence") or 0.0
        sentiment += (
            f"<span style='color:#6b7280'>learned model: {e(str(m.get('learned_label')))} "
            f"({confidence:.0%} sure) · VADER: {e(str(m.get('model_label')))} "
            f"{m['model_sentiment']:+.2f}</span> "
        )
    status = m.get("status") or ""
    status_chip = chip(status, STATUS_COLORS.get(status, "#374151"))
    title = ""
    if m.get("title"):
        title = f"<h3 style='margin:4px 0'>{highlighted(m['title'], spans(m['title']))}</h3>"
    if m.get("html"):
        body, _images = sanitize(m["html"], loaded_images or set(), m.get("url"))
    else:
        text = m.get("text") or ""
        body = highlighted(text, spans(text))
    reach = m.get("followers")
    tags = " ".join(chip(t, "#475569") for t in (m.get("tags") or []))
    intents = " ".join(chip(t, "#64748b") for t in (m.get("intents") or []))
    topics = ", ".join(m.get("topics") or []) or "none"
    owner = m.get("owner") or "nobody"
    who = e(m.get("author_name") or m.get("author_handle") or "unknown")
    author_link = (
        f"<a href='engage:author/{m['author_id']}'>{who}</a>"
        if m.get("author_id") is not None
        else f"<b>{who}</b>"
    )
    parts = [
        "<div style='font-size:13px'>",
        f"<p style='color:#374151'>{author_link} "
        f"<span style='color:#6b7280'>@{e(m.get('author_handle') or '')}"
        f"{f' · {reach:,} followers' if reach else ''}</span></p>",
        f"<p style='color:#6b7280'>{e(m['channel'])} · {e(m.get('source_name') or '')} · "
        f"{m['published']:%a %d %b %Y, %H:%M} UTC</p>",
        title,
        f"<div style='font-size:14px'>{body}</div>",
        f"<p>{sentiment}{status_chip} {'★ starred' if m.get('starred') else ''}</p>",
        f"<p style='color:#374151'>Topics: {e(topics)} · Owner: {e(owner)}"
        + (f" · Priority {m['priority']:.0f} of 100" if m.get("priority") is not None else "")
        + "</p>",
    ]
    if intents or tags:
        parts.append(f"<p>{intents} {tags}</p>")
    original = safe_link(m.get("url"))
    if original:
        parts.append(f"<p><a href='{e(original)}'>Open the original ↗</a></p>")
    elif m.get("url"):  # not a web address: shown, never a link
        parts.append(f"<p style='color:#6b7280'>Address: {e(m['url'])}</p>")
    if sentences:
        rows = "".join(
            f"<tr><td style='color:{_score_color(s)};padding-right:8px'>{s:+.2f}</td>"
            f"<td>{e(text)}</td></tr>"
            for text, s in sentences
        )
        parts.append(f"<h4>Sentence by sentence</h4><table>{rows}</table>")
    queries = ctx.get("queries") or []
    if queries:
        items = "".join(f"<li><b>{e(n)}</b>: <code>{e(q)}</code></li>" for n, q in queries)
        parts.append(f"<h4>Matched watch queries</h4><ul>{items}</ul>")
    thread = ctx.get("thread")
    if thread is not None and thread.posts:  # the composer shows the same thread
        parts.append("<h4>Conversation</h4>")
        parent = thread.parent
        for post in thread.others:
            if parent is not None and post["id"] == parent["id"]:
                parts.append("<p style='color:#6b7280'>In reply to:</p>")
            parts.append(_post(post, indent=post in thread.answers))
    replies = ctx.get("replies") or []
    if replies:
        parts.append("<h4>Our replies</h4>")
        for r in replies:
            waited = r.get("response_time_s")
            wait = f" · answered after {_duration(waited)}" if waited else ""
            parts.append(
                f"<p style='background:#eff6ff'><b>{e(r.get('sent_by') or 'us')}</b> "
                f"<span style='color:#6b7280'>{r['sent_at']:%d %b %H:%M}{wait}</span><br>"
                f"{e(r['body'])}</p>"
            )
    notes = ctx.get("notes") or []
    if notes:
        parts.append("<h4>Notes</h4>")
        for n in notes:
            parts.append(
                f"<p style='background:#fefce8'><b>{e(n.get('created_by') or '')}</b> "
                f"<span style='color:#6b7280'>{n['created_at']:%d %b %H:%M}</span><br>"
                f"{e(n['body'])}</p>"
            )
    parts.append("</div>")
    return "".join(parts)


def _post(p: dict[str, Any], indent: bool = False) -> str:
    who = html.escape(p.get("author_name") or p.get("author_handle") or "someone")
    margin = "margin-left:18px;" if indent else ""
    return (
        f"<p style='{margin}border-left:3px solid #e5e7eb;padding-left:6px'>"
        f"<a href='engage:mention/{int(p['id'])}'>{who}</a> "
        f"<span style='color:#6b7280'>{p['published']:%d %b %H:%M}</span><br>"
        f"{html.escape(p.get('snippet') or '')}</p>"
    )


def _duration(seconds: float) -> str:
    if seconds < 3600:
        return f"{round(seconds / 60)} min"
    if seconds < 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def _score_color(score: float) -> str:
    if score <= -0.05:
        return SENTIMENT_COLORS["negative"]
    if score >= 0.05:
        return SENTIMENT_COLORS["positive"]
    return SENTIMENT_COLORS["neutral"]
