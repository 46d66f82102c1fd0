"""The workspace schema: ordered migrations, versioned from the first one.

Each migration is applied once, in order, inside a transaction, and recorded in
``schema_version``. Never edit a released migration: add a new one. Version 1 is the
first schema; tests open a file written by it and migrate it forward.

The README's "Workspace schema" section documents these tables for agencies that
query the file with SQL.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from engage_desktop import __version__


@dataclass(frozen=True)
class Migration:
    """One step of the schema.

    Attributes:
        version: Position in the order; the workspace records the highest applied.
        name: What the step does, for the version table.
        apply: SQL script, or a callable that takes the connection.
    """

    version: int
    name: str
    apply: str | Callable[[duckdb.DuckDBPyConnection], None]


V1_INITIAL = r"""
CREATE TABLE schema_version (
    version     INTEGER PRIMARY KEY,
    name        VARCHAR NOT NULL,
    applied_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    app_version VARCHAR
);

-- Workspace settings: one JSON value per key (brand name, SLA, approval, ...).
CREATE TABLE settings (
    key        VARCHAR PRIMARY KEY,
    value      JSON NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE SEQUENCE source_ids START 1;
CREATE TABLE sources (
    id              INTEGER PRIMARY KEY DEFAULT nextval('source_ids'),
    kind            VARCHAR NOT NULL,          -- rss, mastodon, bluesky, hn, reddit, file
    url             VARCHAR NOT NULL UNIQUE,
    name            VARCHAR NOT NULL,
    channel         VARCHAR NOT NULL,          -- blog, forum, news, review, mastodon, ...
    tags            VARCHAR[] NOT NULL DEFAULT [],
    keep_all        BOOLEAN NOT NULL DEFAULT false,
    paused          BOOLEAN NOT NULL DEFAULT false,
    interval_s      INTEGER NOT NULL DEFAULT 900,
    config          JSON,                      -- adapter options; never secrets
    etag            VARCHAR,
    last_modified   VARCHAR,
    cursor          VARCHAR,                   -- since_id or similar paging state
    last_fetch_at   TIMESTAMPTZ,
    last_success_at TIMESTAMPTZ,
    last_error      VARCHAR,
    failures        INTEGER NOT NULL DEFAULT 0,
    items_last_run  INTEGER,
    next_run_at     TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Topics group watch queries: the brand, each product, each competitor.
CREATE TABLE topics (
    name  VARCHAR PRIMARY KEY,
    kind  VARCHAR NOT NULL DEFAULT 'brand',    -- brand, product, competitor, other
    color VARCHAR
);

CREATE SEQUENCE watch_query_ids START 1;
CREATE TABLE watch_queries (
    id         INTEGER PRIMARY KEY DEFAULT nextval('watch_query_ids'),
    name       VARCHAR NOT NULL UNIQUE,
    topic      VARCHAR NOT NULL,
    query      VARCHAR NOT NULL,
    enabled    BOOLEAN NOT NULL DEFAULT true,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE SEQUENCE author_ids START 1;
CREATE TABLE authors (
    id            BIGINT PRIMARY KEY DEFAULT nextval('author_ids'),
    channel       VARCHAR NOT NULL,
    handle        VARCHAR NOT NULL,
    name          VARCHAR,
    profile_url   VARCHAR,
    email         VARCHAR,
    followers     INTEGER,
    first_seen    TIMESTAMPTZ,
    last_seen     TIMESTAMPTZ,
    mention_count INTEGER NOT NULL DEFAULT 0,
    avg_sentiment DOUBLE,
    flag          VARCHAR,                     -- advocate, detractor or NULL
    tags          VARCHAR[] NOT NULL DEFAULT [],
    notes         VARCHAR,
    UNIQUE (channel, handle)
);

CREATE SEQUENCE mention_ids START 1;
CREATE TABLE mentions (
    id              BIGINT PRIMARY KEY DEFAULT nextval('mention_ids'),
    item_key        VARCHAR NOT NULL UNIQUE,   -- dedupe key: guid, else link, else content hash
    source_id       INTEGER,
    source_name     VARCHAR,
    channel         VARCHAR NOT NULL,
    remote_id       VARCHAR,                   -- the channel's own id (status id, at:// uri)
    remote_cid      VARCHAR,                   -- Bluesky record cid, needed to reply
    url             VARCHAR,
    author_id       BIGINT,
    author_name     VARCHAR,
    author_handle   VARCHAR,
    title           VARCHAR,
    text            VARCHAR NOT NULL,          -- plain text
    html            VARCHAR,                   -- sanitized HTML
    text_norm       VARCHAR NOT NULL,          -- folded title + text, for search
    published       TIMESTAMPTZ NOT NULL,
    fetched_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    language        VARCHAR,
    thread_id       VARCHAR,
    parent_id       VARCHAR,
    followers       INTEGER,
    likes           INTEGER,
    reposts         INTEGER,
    replies         INTEGER,
    score           INTEGER,
    topics          VARCHAR[] NOT NULL DEFAULT [],
    matched_queries INTEGER[] NOT NULL DEFAULT [],
    status          VARCHAR NOT NULL DEFAULT 'new',  -- new, open, pending, resolved, ignored, spam
    owner           VARCHAR,
    starred         BOOLEAN NOT NULL DEFAULT false,
    unread          BOOLEAN NOT NULL DEFAULT true,
    priority        DOUBLE,
    tags            VARCHAR[] NOT NULL DEFAULT [],   -- the user's tags
    intents         VARCHAR[] NOT NULL DEFAULT [],   -- rule-based intent tags
    sentiment       DOUBLE,                    -- effective compound: correction wins
    sentiment_label VARCHAR,                   -- positive, neutral, negative, unscored
    sentiment_pos   DOUBLE,
    sentiment_neu   DOUBLE,
    sentiment_neg   DOUBLE,
    model_sentiment DOUBLE,
    model_label     VARCHAR,
    scorer_version  VARCHAR,
    scored_at       TIMESTAMPTZ,
    first_reply_at  TIMESTAMPTZ
);

CREATE TABLE sentiment_corrections (
    mention_id   BIGINT PRIMARY KEY,
    label        VARCHAR NOT NULL,
    compound     DOUBLE,
    corrected_by VARCHAR,
    corrected_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE lexicon_adjustments (
    word     VARCHAR PRIMARY KEY,
    valence  DOUBLE NOT NULL,
    added_by VARCHAR,
    added_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE intent_rules (
    name    VARCHAR PRIMARY KEY,
    pattern VARCHAR NOT NULL,                  -- a watch query
    enabled BOOLEAN NOT NULL DEFAULT true
);

CREATE SEQUENCE note_ids START 1;
CREATE TABLE notes (
    id         BIGINT PRIMARY KEY DEFAULT nextval('note_ids'),
    mention_id BIGINT,
    author_id  BIGINT,
    body       VARCHAR NOT NULL,
    created_by VARCHAR,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Reply accounts. Tokens and passwords live in the OS keyring, never here.
CREATE SEQUENCE account_ids START 1;
CREATE TABLE accounts (
    id           INTEGER PRIMARY KEY DEFAULT nextval('account_ids'),
    channel      VARCHAR NOT NULL,
    name         VARCHAR NOT NULL,
    handle       VARCHAR,
    instance_url VARCHAR,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE SEQUENCE saved_reply_ids START 1;
CREATE TABLE saved_replies (
    id         INTEGER PRIMARY KEY DEFAULT nextval('saved_reply_ids'),
    name       VARCHAR NOT NULL UNIQUE,
    body       VARCHAR NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE SEQUENCE draft_ids START 1;
CREATE TABLE drafts (
    id             BIGINT PRIMARY KEY DEFAULT nextval('draft_ids'),
    mention_id     BIGINT NOT NULL,
    account_id     INTEGER,
    channel        VARCHAR,
    body           VARCHAR NOT NULL,
    visibility     VARCHAR,
    state          VARCHAR NOT NULL DEFAULT 'draft',  -- draft, needs_approval, approved, rejected
    review_comment VARCHAR,
    created_by     VARCHAR,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE SEQUENCE outbox_ids START 1;
CREATE TABLE outbox (
    id              BIGINT PRIMARY KEY DEFAULT nextval('outbox_ids'),
    mention_id      BIGINT NOT NULL,
    draft_id        BIGINT,
    account_id      INTEGER,
    channel         VARCHAR NOT NULL,
    body            VARCHAR NOT NULL,
    visibility      VARCHAR,
    idempotency_key VARCHAR NOT NULL UNIQUE,
    state           VARCHAR NOT NULL DEFAULT 'pending',  -- pending, sent, failed, discarded
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ,
    scheduled_at    TIMESTAMPTZ,
    last_error      VARCHAR,
    remote_id       VARCHAR,
    remote_url      VARCHAR,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    sent_at         TIMESTAMPTZ
);

-- The reply log: what we said, where, and how long the customer waited.
CREATE SEQUENCE reply_ids START 1;
CREATE TABLE replies (
    id              BIGINT PRIMARY KEY DEFAULT nextval('reply_ids'),
    mention_id      BIGINT NOT NULL,
    outbox_id       BIGINT,
    channel         VARCHAR NOT NULL,
    body            VARCHAR NOT NULL,
    remote_id       VARCHAR,
    remote_url      VARCHAR,
    sent_by         VARCHAR,
    sent_at         TIMESTAMPTZ NOT NULL,
    response_time_s DOUBLE
);

-- The audit log: who changed what, and when.
CREATE SEQUENCE event_ids START 1;
CREATE TABLE events (
    id        BIGINT PRIMARY KEY DEFAULT nextval('event_ids'),
    occurred_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    actor     VARCHAR NOT NULL,
    entity    VARCHAR NOT NULL,                -- mention, draft, source, setting, ...
    entity_id VARCHAR,
    action    VARCHAR NOT NULL,
    old_value VARCHAR,
    new_value VARCHAR,
    detail    JSON
);

CREATE SEQUENCE saved_view_ids START 1;
CREATE TABLE saved_views (
    id       INTEGER PRIMARY KEY DEFAULT nextval('saved_view_ids'),
    name     VARCHAR NOT NULL UNIQUE,
    filters  JSON NOT NULL,
    position INTEGER NOT NULL DEFAULT 0
);

CREATE SEQUENCE alert_rule_ids START 1;
CREATE TABLE alert_rules (
    id         INTEGER PRIMARY KEY DEFAULT nextval('alert_rule_ids'),
    name       VARCHAR NOT NULL UNIQUE,
    kind       VARCHAR NOT NULL,               -- volume_spike, negative_spike, mention_match
    params     JSON NOT NULL,
    enabled    BOOLEAN NOT NULL DEFAULT true,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE SEQUENCE alert_ids START 1;
CREATE TABLE alerts (
    id           BIGINT PRIMARY KEY DEFAULT nextval('alert_ids'),
    rule_id      INTEGER NOT NULL,
    fired_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    window_start TIMESTAMPTZ,
    window_end   TIMESTAMPTZ,
    topic        VARCHAR,
    value        DOUBLE,
    baseline     DOUBLE,
    detail       JSON,
    acknowledged BOOLEAN NOT NULL DEFAULT false
);
"""


def _v2_default_intent_rules(con: duckdb.DuckDBPyConnection) -> None:
    """Ship the default intent rules; a workspace's own rules of the same name stay."""
    from engage_desktop.core.intents import DEFAULT_RULES

    for name, pattern in DEFAULT_RULES:
        con.execute(
            "INSERT OR IGNORE INTO intent_rules (name, pattern, enabled) VALUES (?, ?, true)",
            [name, pattern],
        )


V3_CUSTOMERS = r"""
-- Customer records from a CRM export (engage_desktop.crm). external_id is the CRM's
-- own id: re-importing the same id updates the record, never duplicates it.
CREATE SEQUENCE customer_ids START 1;
CREATE TABLE customers (
    id           BIGINT PRIMARY KEY DEFAULT nextval('customer_ids'),
    external_id  VARCHAR NOT NULL UNIQUE,
    name         VARCHAR,
    tier         VARCHAR,
    value        DOUBLE,                       -- lifetime value, in the CRM's currency
    since        DATE,                         -- customer since
    open_tickets INTEGER,
    extra        JSON,                         -- every other column, kept as it was
    value_rank   DOUBLE,                       -- percent rank of value among customers, 0..1
    imported_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- Identifiers of a customer, normalised (lower case, no leading @) for exact joins.
CREATE TABLE customer_emails (
    customer_id BIGINT NOT NULL,
    email       VARCHAR NOT NULL
);
CREATE TABLE customer_handles (
    customer_id BIGINT NOT NULL,
    channel     VARCHAR NOT NULL,              -- a channel name, or 'url' for a profile URL
    handle      VARCHAR NOT NULL
);
-- Which person (customer) an author account belongs to, and the rule that said so.
CREATE TABLE customer_links (
    author_id   BIGINT PRIMARY KEY,
    customer_id BIGINT NOT NULL,
    rule        VARCHAR NOT NULL,              -- email, handle, manual, confirmed ...
    evidence    VARCHAR,
    linked_by   VARCHAR,
    linked_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- Links from weaker evidence, waiting for a person; rejected pairs are never re-made.
CREATE TABLE customer_suggestions (
    author_id   BIGINT NOT NULL,
    customer_id BIGINT NOT NULL,
    rule        VARCHAR NOT NULL,
    evidence    VARCHAR,
    state       VARCHAR NOT NULL DEFAULT 'pending',  -- pending, confirmed, rejected
    decided_by  VARCHAR,
    decided_at  TIMESTAMPTZ,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (author_id, customer_id)
);
-- The author's customer on each mention, kept in step by engage_desktop.crm.segments:
-- segment filters are then plain column tests that DuckDB prunes as it scans (a join
-- in the WHERE clause stops the newest-first page from skipping row groups: 20x slower).
ALTER TABLE mentions ADD COLUMN customer_id BIGINT;
ALTER TABLE mentions ADD COLUMN customer_tier VARCHAR;
ALTER TABLE mentions ADD COLUMN customer_value DOUBLE;
ALTER TABLE mentions ADD COLUMN customer_rank DOUBLE;
ALTER TABLE mentions ADD COLUMN customer_top BOOLEAN;
"""


def _v3_customers(con: duckdb.DuckDBPyConnection) -> None:
    """Customer tables, and the segment view for workspaces whose views were seeded."""
    con.execute(V3_CUSTOMERS)
    seeded = con.execute(
        "SELECT count(*) FROM settings WHERE key = 'inbox.views_seeded'"
    ).fetchone()
    if seeded and seeded[0]:
        # Written out here (not imported) so this migration never changes meaning.
        name = "Negative, unanswered, top-tier customers"
        flt = {"sentiments": ["negative"], "has_reply": False, "customer_tiers": ["@top"]}
        con.execute(
            "INSERT INTO saved_views (name, filters, position) "
            "SELECT ?, ?, coalesce(max(position) + 1, 0) FROM saved_views "
            "WHERE NOT EXISTS (SELECT 1 FROM saved_views WHERE name = ?)",
            [name, json.dumps(flt), name],
        )


def _v4_published_note(con: duckdb.DuckDBPyConnection) -> None:
    """Note why a mention's date is not its source's, and fix the impossible ones.

    ``published_note`` says what the source claimed when the date was outside 1990 ..
    now + 2 days and was replaced (by the fetch or import time, from now on). Dates
    stored before this check existed are replaced here by the upgrade time, so a post
    "from the year 9999" no longer sits on top of the inbox forever.
    """
    con.execute("ALTER TABLE mentions ADD COLUMN published_note VARCHAR")
    con.execute(
        """
        UPDATE mentions SET
            published_note = 'the source dated it '
                || strftime(published, '%Y-%m-%dT%H:%M:%SZ')
                || '; shown at the time the workspace was upgraded',
            published = now()
        WHERE published < TIMESTAMPTZ '1990-01-01 00:00:00+00'
           OR published > now() + INTERVAL 2 DAY
        """
    )


# The learned sentiment model (issue 14): the fitted models, versioned, and the
# model's label, confidence and version beside VADER's scores on every mention.
# ``sentiment``/``sentiment_label`` stay the effective values: correction, else the
# learned model, else VADER. ``teaching_queue`` holds the mentions whose correction
# would teach the model most, in the order the "Teach the model" view shows them.
V5_LEARNED_MODEL = r"""
CREATE SEQUENCE sentiment_model_ids START 1;
CREATE TABLE sentiment_models (
    id          INTEGER PRIMARY KEY DEFAULT nextval('sentiment_model_ids'),
    domain      VARCHAR,                   -- a topic, or NULL for the whole workspace
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    created_by  VARCHAR,
    corrections INTEGER NOT NULL,          -- corrections it was trained on
    format      INTEGER NOT NULL,          -- of the weights blob
    weights     BLOB NOT NULL,             -- numpy npz: vocabulary and weights
    card        JSON NOT NULL,             -- the model card: F1s, agreement, top terms
    active      BOOLEAN NOT NULL DEFAULT true
);
ALTER TABLE mentions ADD COLUMN learned_sentiment DOUBLE;   -- P(positive) - P(negative)
ALTER TABLE mentions ADD COLUMN learned_label VARCHAR;
ALTER TABLE mentions ADD COLUMN learned_confidence DOUBLE;  -- probability of that label
ALTER TABLE mentions ADD COLUMN learned_version VARCHAR;    -- 'learned.<model id>'
CREATE TABLE teaching_queue (
    mention_id BIGINT PRIMARY KEY,
    rank       INTEGER NOT NULL
);
"""

#: Imports from other tools: their id of any type, and their sentiment kept apart.
#: Mentions imported before keep their old id, which was stored as ``remote_id``
#: when it could not become ours, or was ours when it could.
V6_EXTERNAL_IDS = r"""
ALTER TABLE mentions ADD COLUMN external_id VARCHAR;
ALTER TABLE mentions ADD COLUMN their_sentiment DOUBLE;
ALTER TABLE mentions ADD COLUMN their_label VARCHAR;
UPDATE mentions SET external_id = remote_id WHERE channel = 'import' AND remote_id IS NOT NULL;
"""


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "initial schema", V1_INITIAL),
    Migration(2, "default intent rules", _v2_default_intent_rules),
    Migration(3, "customer records and identity links", _v3_customers),
    Migration(4, "note on replaced mention dates", _v4_published_note),
    Migration(5, "learned sentiment model", V5_LEARNED_MODEL),
    Migration(6, "external ids and other tools' sentiment", V6_EXTERNAL_IDS),
)

LATEST_VERSION = MIGRATIONS[-1].version


def current_version(con: duckdb.DuckDBPyConnection) -> int | None:
    """The highest applied migration, or None when the file has no version table.

    Results are read to their end (``fetchall``): a result left open keeps its read
    transaction open on ``con``, the workspace's connection for the whole session,
    and DuckDB then can neither fold its log into the file (no automatic checkpoint,
    ``CHECKPOINT`` refused: "other write transactions active") nor drop the old
    versions of updated rows until the workspace is closed. ``duckdb_tables()``, not
    ``information_schema.tables`` (a view over it and more): 1.2 ms instead of 2.6 as
    a connection's first query, and every opening asks.
    """
    found = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'schema_version' "
        "AND schema_name = 'main' AND database_name = current_database()"
    ).fetchall()
    if not found or not found[0][0]:
        return None
    rows = con.execute("SELECT max(version) FROM schema_version").fetchall()
    return int(rows[0][0]) if rows and rows[0][0] is not None else 0


def migrate(
    con: duckdb.DuckDBPyConnection,
    target: int = LATEST_VERSION,
    before_step: Callable[[], None] | None = None,
) -> list[int]:
    """Apply every migration above the current version, up to ``target``.

    Each migration runs in its own transaction, so a failure leaves the workspace at
    the last good version. ``before_step`` is called before each one; it stops the
    migration by raising (a window closed while its workspace opened).

    Returns:
        The versions applied, in order.
    """
    have = current_version(con) or 0
    applied: list[int] = []
    for step in MIGRATIONS:
        if step.version <= have or step.version > target:
            continue
        if before_step is not None:
            before_step()
        con.execute("BEGIN TRANSACTION")
        try:
            if callable(step.apply):
                step.apply(con)
            else:
                con.execute(step.apply)
            con.execute(
                "INSERT INTO schema_version (version, name, app_version) VALUES (?, ?, ?)",
                [step.version, step.name, __version__],
            )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        applied.append(step.version)
    return applied
