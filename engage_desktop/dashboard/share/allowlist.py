"""What a shared copy keeps: the one explicit allow-list of tables and columns.

A shared copy is a fresh workspace (every migration applied, every table empty) into
which only the tables and columns listed here are copied. A table someone adds
later stays empty in shared copies until it is added here on purpose, and so does
a new column of a listed table (it gets its default). Each column maps to the SQL
expression that fills it, read from the source workspace; ``None`` copies the value
as it is. ``PSEUDONYMIZED`` overrides expressions when authors are to be replaced by
pseudonyms (``p.n`` is the author's pseudonym number; see
:mod:`engage_desktop.dashboard.share.pseudonyms`).

Customer records never travel: the customer tables stay empty. With "keep segments"
(:data:`SEGMENTS`) each mention keeps only its author's segment, aggregated: the
customer's tier and whether that is the top tier; never a name, an e-mail, a value,
a value rank or an id. The learned sentiment model (:data:`SENTIMENT_MODELS`) travels,
so the copy shows the same learned labels and model card.

Left out on purpose (the manifest lists it for the reader too): drafts, the outbox,
approval steps, internal notes on mentions and on people, saved replies, reply
accounts and every trace of them (account ids, our reply links, the reply's remote
ids), the audit log (``events``), who on the team did what (owners, ``sent_by``,
``corrected_by``), saved views, lexicon changes, watch queries, and every setting
not listed in :data:`SETTINGS_KEPT`.
"""

from __future__ import annotations

# Settings an executive's dashboard needs; none of them names the team. A key is
# copied only if the settings registry (workspace/settings.py) also marks it shared.
SETTINGS_KEPT: tuple[str, ...] = (
    "workspace.name",
    "brand.name",
    "sla.first_response_hours",
    "sla.business_hours",
)

# Mentions: in the chosen range and topics, with sentiment, topics, status and tags.
MENTIONS: dict[str, str | None] = {
    "id": None,
    # The dedupe key can be a link or a guid that names the author: replace it.
    "item_key": "'shared:' || m.id",
    "source_id": None,
    "source_name": None,
    "channel": None,
    "url": None,
    "author_id": None,
    "author_name": None,
    "author_handle": None,
    "title": None,
    "text": None,
    "html": None,
    "text_norm": None,
    "published": None,
    "fetched_at": None,
    "language": None,
    "thread_id": None,
    "parent_id": None,
    "followers": None,
    "likes": None,
    "reposts": None,
    "replies": None,
    "score": None,
    "topics": None,
    "status": None,
    "priority": None,
    "tags": None,
    "intents": None,
    "sentiment": None,
    "sentiment_label": None,
    "sentiment_pos": None,
    "sentiment_neu": None,
    "sentiment_neg": None,
    "model_sentiment": None,
    "model_label": None,
    # The learned model's label beside VADER's (issue 14); the label shown says which.
    "learned_sentiment": None,
    "learned_label": None,
    "learned_confidence": None,
    "learned_version": None,
    "scorer_version": None,
    "scored_at": None,
    "first_reply_at": None,
    # The reader has nothing to triage: nothing shows as unread.
    "unread": "false",
}

# Authors of the copied mentions: their public face and aggregates. The counts and
# means are recomputed over the copied mentions (see copy.py), so the author panel
# agrees with the posts the reader can see.
AUTHORS: dict[str, str | None] = {
    "id": None,
    "channel": None,
    "handle": None,
    "name": None,
    "profile_url": None,
    "followers": None,
    "flag": None,
}

# Sources by name: their feed addresses and paging state stay home.
SOURCES: dict[str, str | None] = {
    "id": None,
    "kind": None,
    "url": "'shared:source/' || s.id",
    "name": None,
    "channel": None,
    "paused": "true",
}

TOPICS: dict[str, str | None] = {"name": None, "kind": None, "color": None}

# Our public replies to copied mentions, without who sent them or from which account.
REPLIES: dict[str, str | None] = {
    "id": None,
    "mention_id": None,
    "channel": None,
    "body": None,
    "sent_at": None,
    "response_time_s": None,
}

# Analyst corrections (the sentiment already reflects them), without the analyst.
CORRECTIONS: dict[str, str | None] = {
    "mention_id": None,
    "label": None,
    "compound": None,
    "corrected_at": None,
}

# Spike rules and their firings: the incidents of the dashboard and the report.
ALERT_RULES: dict[str, str | None] = {
    "id": None,
    "name": None,
    "kind": None,
    "params": None,
    "enabled": None,
}
ALERTS: dict[str, str | None] = {
    "id": None,
    "rule_id": None,
    "fired_at": None,
    "window_start": None,
    "window_end": None,
    "topic": None,
    "value": None,
    "baseline": None,
    "detail": None,
    "acknowledged": None,
}

# With --pseudonymize: names and handles become pseudonyms, and everything that
# would name the author again (profile and post links, thread ids made of their
# handles, the feed's HTML with its links) is dropped. Texts are rewritten in
# Python (@handles), see pseudonyms.py.
PSEUDONYMIZED: dict[str, dict[str, str | None]] = {
    "mentions": {
        "url": "NULL",
        "author_name": "CASE WHEN p.n IS NULL THEN NULL ELSE 'Author ' || p.n END",
        "author_handle": "CASE WHEN p.n IS NULL THEN NULL ELSE 'author-' || p.n END",
        "html": "NULL",
        "thread_id": "NULL",
        "parent_id": "NULL",
    },
    "authors": {
        "handle": "'author-' || p.n",
        "name": "'Author ' || p.n",
        "profile_url": "NULL",
    },
}

# With "keep segments": the segment columns of each mention (kept in step with the
# customer links by crm/segments.py). The tier names a plan ("Enterprise"), and the
# flag says whether it is the most valuable one; neither names a person.
SEGMENTS: dict[str, str | None] = {
    "customer_tier": None,
    "customer_top": None,
}

# The learned sentiment model (issue 14): weights, card and version history, without
# who trained it. Under --pseudonymize the words of authors' handles leave its
# vocabulary and card (see learned_copy.py).
SENTIMENT_MODELS: dict[str, str | None] = {
    "id": None,
    "domain": None,
    "created_at": None,
    "corrections": None,
    "format": None,
    "weights": None,
    "card": None,
    "active": None,
}

# Every table copied, with its columns: what the manifest records as kept.
KEPT: dict[str, dict[str, str | None]] = {
    "mentions": MENTIONS,
    "authors": AUTHORS,
    "sources": SOURCES,
    "topics": TOPICS,
    "replies": REPLIES,
    "sentiment_corrections": CORRECTIONS,
    "sentiment_models": SENTIMENT_MODELS,
    "alert_rules": ALERT_RULES,
    "alerts": ALERTS,
    "settings": {"key": None, "value": None, "updated_at": None},
}

LEFT_OUT: tuple[str, ...] = (
    "drafts and their approval steps",
    "the outbox",
    "internal notes on mentions and on people",
    "saved replies",
    "reply accounts and everything about them",
    "the audit log",
    "who on the team owned, sent or corrected what",
    "watch queries, saved views and lexicon changes",
    "feed addresses and source settings",
    "settings other than the brand, the SLA and the dashboard's",
    "mentions outside the range and topics",
    "customer records: names, e-mails, handles, values, ids and their links to authors",
)
LEFT_OUT_SEGMENTS: tuple[str, ...] = (
    "customer segments on mentions (tier and top-tier flag; the sharer did not keep them)",
)
LEFT_OUT_PSEUDONYMIZED: tuple[str, ...] = (
    "authors' names and handles (replaced by pseudonyms, also inside texts)",
    "profile links and links to the original posts",
    "words of authors' handles in the learned model's vocabulary and card",
)


def kept_columns(table: str, segments: bool = False) -> dict[str, str | None]:
    """The columns copied of ``table``: :data:`KEPT`'s, plus the segments when asked."""
    spec = dict(KEPT[table])
    if segments and table == "mentions":
        spec.update(SEGMENTS)
    return spec


def columns_sql(
    table: str, alias: str, pseudonymize: bool, segments: bool = False
) -> tuple[list[str], list[str]]:
    """The destination columns and the source expressions that fill them.

    Args:
        table: A key of :data:`KEPT`.
        alias: The source table's alias in the SELECT.
        pseudonymize: Apply the :data:`PSEUDONYMIZED` overrides.
        segments: Add the customer segment columns of :data:`SEGMENTS` to mentions.
    """
    spec = kept_columns(table, segments)
    if pseudonymize:
        spec.update(PSEUDONYMIZED.get(table, {}))
    names = list(spec)
    exprs = [f"{alias}.{name}" if expr is None else expr for name, expr in spec.items()]
    return names, exprs
