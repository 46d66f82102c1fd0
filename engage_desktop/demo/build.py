"""Build the demo workspace: a deterministic, realistic brand-listening history.

The same ``seed``, ``mentions`` and ``end`` give the same workspace. Generation is
vectorised with numpy and written through one insert of numpy columns, so a million mentions
take well under a minute (see benchmarks/demo.py).

What it holds: the fictional brand Nimbus (home Wi-Fi), three products and two
competitors; 180 days of mentions over blogs, forums, review sites, Mastodon, Bluesky,
Hacker News and Reddit; authors with follower counts, a few prolific advocates and
detractors; reply threads; an outage spike at 14:00 UTC five weeks before ``end``;
and a share of mentions already answered, with response times that improve over time.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from engage_desktop.core.text import fold
from engage_desktop.crm.identity import link_all
from engage_desktop.crm.records import update_value_ranks
from engage_desktop.demo import text as T
from engage_desktop.demo.customers import plan_customers, write_customers
from engage_desktop.demo.places import SITE_URLS, place_urls
from engage_desktop.workspace.columns import ColumnTable, json_lists, list_sql
from engage_desktop.workspace.database import Workspace

Progress = Callable[[int, int], None]

# channel -> (share of authors, domain, source kind, has titles)
CHANNELS: dict[str, tuple[float, str, bool]] = {
    "mastodon": (0.22, "mastodon.example", False),
    "bluesky": (0.17, "bsky.example", False),
    "reddit": (0.18, "reddit.example", True),
    "hn": (0.07, "news.ycombinator.example", True),
    "forum": (0.13, "community.nimbus.example", True),
    "blog": (0.08, "blogs.example", True),
    "review": (0.15, "reviews.example", True),
}
SOURCE_NAMES = {
    "mastodon": "Mastodon #nimbus (demo)",
    "bluesky": "Bluesky search: nimbus (demo)",
    "reddit": "r/HomeNetworking search (demo)",
    "hn": "Hacker News: nimbus (demo)",
    "forum": "Nimbus Community forum (demo)",
    "blog": "Home-tech blogs (demo)",
    "review": "Router reviews (demo)",
}
CLASSES = ("positive", "negative", "neutral", "competitor", "foreign", "outage")
_TEMPLATES = {
    "positive": T.POSITIVE,
    "negative": T.NEGATIVE,
    "neutral": T.NEUTRAL,
    "competitor": T.COMPETITOR,
    "foreign": tuple(t for _, t in T.FOREIGN),
    "outage": T.OUTAGE,
}
# Class mix per persona: regular, advocate, detractor (outage is only in the spike).
_PERSONA_MIX = np.array(
    [
        [0.30, 0.26, 0.29, 0.11, 0.04, 0.0],
        [0.85, 0.03, 0.09, 0.03, 0.0, 0.0],
        [0.03, 0.85, 0.09, 0.03, 0.0, 0.0],
    ]
)
_ANSWER_P = {
    "positive": 0.15,
    "negative": 0.62,
    "neutral": 0.5,
    "competitor": 0.02,
    "foreign": 0.3,
    "outage": 0.75,
}
DAYS = 180
INCIDENT_DAYS_BEFORE_END = 38


@dataclass(frozen=True)
class DemoSummary:
    """What :func:`build_demo` wrote."""

    path: Path
    mentions: int
    authors: int
    replies: int
    seconds: float


def default_end() -> datetime:
    """The demo history ends at the next UTC midnight, so it always looks current."""
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today + timedelta(days=1)


def _write_views(ws: Workspace) -> None:
    """The generic views, one per competitor, and the demo's incident view (story 2)."""
    from engage_desktop.inbox.filters import InboxFilter
    from engage_desktop.inbox.saved_views import save_view, seed_default_views

    seed_default_views(ws)
    save_view(ws, "Outage", InboxFilter(topics=("Outage",)))


def build_demo(
    path: str | Path,
    mentions: int = 20_000,
    seed: int = 7,
    end: datetime | None = None,
    *,
    overwrite: bool = False,
    progress: Progress | None = None,
    enrich: bool = True,
    processes: int | None = None,
) -> DemoSummary:
    """Create a demo workspace at ``path``.

    Args:
        path: The workspace file to create.
        mentions: How many mentions to generate.
        seed: Random seed; the same seed gives the same data.
        end: End of the 180-day history (UTC); defaults to the next midnight.
        overwrite: Replace an existing file.
        progress: Called with (done, total) steps.
        enrich: Run the enrichment pipeline (sentiment through the process pool,
            intents, priority, author profiles) so the demo arrives scored; False
            leaves it for the backfill.
        processes: Scoring processes (None: a pool on all cores for big demos).

    Returns:
        Counts of what was written.
    """
    import time

    started = time.perf_counter()
    if mentions < 1:
        raise ValueError("mentions must be at least 1")
    end = (end or default_end()).astimezone(UTC)
    report = progress or (lambda done, total: None)
    steps = 5 if enrich else 4
    report(0, steps)
    data = _generate(mentions, seed, end)
    report(1, steps)
    scores = None
    if enrich:
        from engage_desktop.enrich.pipeline import score_new_rows

        rows = data["rows"]
        scores = score_new_rows(rows["title"], rows["text"], rows["language"], processes=processes)
        report(2, steps)
    plan = plan_customers(data["authors"], seed, end)
    data["authors"]["email"] = plan["author_email"]
    _build_then_replace(
        Path(path), overwrite, lambda ws: _fill(ws, data, scores, plan, report, steps)
    )
    report(steps, steps)
    return DemoSummary(
        Path(path),
        mentions,
        len(data["authors"]["handle"]),
        len(data["replies"]["mention_id"]),
        time.perf_counter() - started,
    )


def _fill(ws: Workspace, data: dict, scores: Any, plan: dict, report: Progress, steps: int) -> None:
    _write_setup(ws, data["source_ids"])
    report(steps - 2, steps)
    _write_rows(ws, data, scores)
    with ws.write() as cur:
        write_customers(cur, plan)
        update_value_ranks(cur)
        _advance_sequence(cur, "customer_ids", len(plan["customers"]["external_id"]))
    link_all(ws)
    _write_views(ws)
    if scores is not None:
        from engage_desktop.enrich.learned.teach import refresh_teaching_queue

        refresh_teaching_queue(ws)
    report(steps - 1, steps)
    ws.cursor().execute("CHECKPOINT")


def _build_then_replace(path: Path, overwrite: bool, fill: Callable[[Workspace], None]) -> None:
    """Build the workspace in a temporary file beside ``path``, then rename it over.

    The old workspace stays whole until the new one is complete: a full disk or an
    interrupted build leaves it as it was (``demo --force`` used to delete it first).

    Raises:
        WorkspaceError: ``path`` exists and ``overwrite`` is false, or the disk
            or folder refused the write (in words).
    """
    from engage_desktop.core.errors import WorkspaceError
    from engage_desktop.workspace.faults import explain_fault

    if path.exists() and not overwrite:
        raise WorkspaceError(f"{path} already exists; choose another name or use --force", path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.building-{os.getpid()}")
    leftovers = (tmp, tmp.with_name(tmp.name + ".wal"))
    for file in leftovers:
        file.unlink(missing_ok=True)
    try:
        ws = Workspace.create(tmp)
        try:
            fill(ws)
        finally:
            ws.close()
        # The old file's log belongs to the old file: it must not replay into the new.
        path.with_name(path.name + ".wal").unlink(missing_ok=True)
        os.replace(tmp, path)
    except BaseException as exc:
        for file in leftovers:
            file.unlink(missing_ok=True)
        fault = explain_fault(exc, path) if isinstance(exc, Exception) else None
        if fault is not None:
            raise WorkspaceError(fault, path) from None
        raise


# -- generation ---------------------------------------------------------------------


def _authors(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    names = list(CHANNELS)
    shares = np.array([CHANNELS[c][0] for c in names])
    channel = rng.choice(len(names), size=n, p=shares / shares.sum())
    persona = rng.choice(3, size=n, p=[0.94, 0.03, 0.03])
    # Heavy-tailed but capped: the busiest regular posts ~1% of all mentions, not 6%.
    activity = np.minimum(rng.pareto(1.3, size=n) + 1.0, 10.0)
    activity[persona > 0] *= 4.0  # advocates and detractors are prolific
    followers = np.clip(rng.lognormal(np.log(320), 1.7, size=n), 3, 2_500_000).astype(np.int64)
    first = rng.integers(len(T.FIRST_NAMES), size=n)
    last = rng.integers(len(T.LAST_NAMES), size=n)
    display, handle = [], []
    for i in range(n):
        f, la = T.FIRST_NAMES[first[i]], T.LAST_NAMES[last[i]]
        display.append(f"{f} {la}")
        handle.append(f"{fold(f)}{fold(la)[:4]}{i}".replace(" ", ""))
    return {
        "channel": np.array(names, dtype=object)[channel],
        "persona": persona,
        "activity": activity,
        "followers": followers,
        "name": np.array(display, dtype=object),
        "handle": np.array(handle, dtype=object),
    }


def _timestamps(rng: np.random.Generator, n: int, end: datetime) -> np.ndarray:
    """Epoch seconds over DAYS days: a growth trend, quieter weekends, a daily rhythm."""
    start = end - timedelta(days=DAYS)
    day = np.arange(DAYS)
    weekday = np.array([(start + timedelta(days=int(d))).weekday() for d in day])
    weight = (1.0 + 0.5 * day / DAYS) * np.where(weekday >= 5, 0.75, 1.0)
    weight *= rng.gamma(12.0, 1 / 12.0, size=DAYS)
    days = rng.choice(DAYS, size=n, p=weight / weight.sum())
    hour_w = np.array(
        [2, 1, 1, 1, 1, 2, 4, 7, 9, 10, 10, 10, 11, 11, 10, 10, 10, 10, 11, 12, 12, 10, 7, 4],
        dtype=float,
    )
    hours = rng.choice(24, size=n, p=hour_w / hour_w.sum())
    secs = rng.integers(0, 3600, size=n)
    return start.timestamp() + days * 86400.0 + hours * 3600.0 + secs


def _generate(n: int, seed: int, end: datetime) -> dict:
    rng = np.random.default_rng(seed)
    authors = _authors(rng, max(60, n // 20))
    n_spike = round(n * 0.015) if n >= 200 else 0
    n_base = n - n_spike

    who = rng.choice(
        len(authors["handle"]), size=n, p=authors["activity"] / authors["activity"].sum()
    )
    persona = authors["persona"][who]
    u = rng.random(n)
    cum = np.cumsum(_PERSONA_MIX, axis=1)[persona]
    cls = (u[:, None] > cum).sum(axis=1)
    ts = _timestamps(rng, n, end)
    if n_spike:
        incident = (end - timedelta(days=INCIDENT_DAYS_BEFORE_END)).replace(hour=14)
        regular = np.flatnonzero(authors["persona"] == 0)
        who[n_base:] = rng.choice(regular, size=n_spike)
        cls[n_base:] = CLASSES.index("outage")
        ts[n_base:] = incident.timestamp() + np.clip(
            rng.exponential(2.5 * 3600, n_spike), 0, 10 * 3600
        )

    order = np.argsort(ts, kind="stable")
    who, cls, ts = who[order], cls[order], ts[order]
    channel = authors["channel"][who]
    pick = {
        "template": rng.random(n),
        "title": rng.random(n),
        "product": rng.integers(3, size=n),
        "feature": rng.integers(len(T.FEATURES), size=n),
        "city": rng.integers(len(T.CITIES), size=n),
        "isp": rng.integers(len(T.ISPS), size=n),
        "duration": rng.integers(len(T.DURATIONS), size=n),
        "n": rng.integers(2, 95, size=n),
        "competitor": rng.integers(2, size=n),
    }
    rows = _texts(n, cls, channel, pick)
    rows.update(_threads(rng, n, channel))
    replies = _engagement(rng, n, cls, ts, end, rows)
    likes = rng.poisson(1.0 + np.sqrt(authors["followers"][who]) / 12.0)
    return {
        "authors": authors,
        "who": who,
        "ts": ts,
        "cls": cls,
        "channel": channel,
        "rows": rows,
        "likes": likes,
        "reposts": rng.poisson(likes / 6.0),
        "reply_count": rng.poisson(0.8, size=n),
        "replies": replies,
        "source_ids": {c: i + 1 for i, c in enumerate(CHANNELS)},
        "seed": seed,
        "end_s": end.timestamp(),
    }


def _texts(n: int, cls: np.ndarray, channel: np.ndarray, pick: dict) -> dict[str, list]:
    """Fill templates; the folded search text is built from folded parts (no re-folding)."""
    raw = {c: _TEMPLATES[c] for c in CLASSES}
    folded = {c: tuple(fold(t) for t in raw[c]) for c in CLASSES}
    titles = {c: T.TITLES[c] for c in CLASSES}
    ftitles = {c: tuple(fold(t) for t in titles[c]) for c in CLASSES}
    langs = tuple(lang for lang, _ in T.FOREIGN)
    slot_values = {
        "product": T.PRODUCTS,
        "feature": T.FEATURES,
        "city": T.CITIES,
        "isp": T.ISPS,
        "duration": T.DURATIONS,
        "competitor": T.COMPETITORS,
    }
    fslot = {k: tuple(fold(v) for v in vals) for k, vals in slot_values.items()}
    has_title = {c: CHANNELS[c][2] for c in CHANNELS}
    text, norm, title, lang = [], [], [], []
    fbrand = fold(T.BRAND)
    for i in range(n):
        c = CLASSES[cls[i]]
        k = int(pick["template"][i] * len(raw[c]))
        vals = {key: slot_values[key][pick[key][i]] for key in slot_values}
        fvals = {key: fslot[key][pick[key][i]] for key in fslot}
        num = str(pick["n"][i])
        body = raw[c][k].format(brand=T.BRAND, n=num, **vals)
        fbody = folded[c][k].format(brand=fbrand, n=num, **fvals)
        text.append(body)
        lang.append(langs[k] if c == "foreign" else "en")
        if has_title[channel[i]]:
            j = int(pick["title"][i] * len(titles[c]))
            head = titles[c][j].format(brand=T.BRAND, n=num, **vals)
            title.append(head)
            norm.append(ftitles[c][j].format(brand=fbrand, n=num, **fvals) + "\n" + fbody)
        else:
            title.append(None)
            norm.append(fbody)
    return {"text": text, "text_norm": norm, "title": title, "language": lang}


def _threads(rng: np.random.Generator, n: int, channel: np.ndarray) -> dict[str, list]:
    """About a fifth of conversational posts answer a recent post on the same channel."""
    remote = [f"{100000000 + i}" for i in range(n)]
    thread: list[str | None] = [None] * n
    parent: list[str | None] = [None] * n
    last_seen: dict[str, list[int]] = {}
    threaded = {"mastodon", "reddit", "hn", "forum", "bluesky"}
    u = rng.random(n)
    back = rng.integers(0, 25, size=n)
    for i in range(n):
        c = channel[i]
        recent = last_seen.setdefault(c, [])
        if c in threaded and recent and u[i] < 0.2:
            p = recent[-1 - min(int(back[i]), len(recent) - 1)]
            parent[i] = remote[p]
            thread[i] = thread[p] or remote[p]
        recent.append(i)
        if len(recent) > 50:
            del recent[:25]
    return {"remote_id": remote, "thread_id": thread, "parent_id": parent}


def _engagement(
    rng: np.random.Generator, n: int, cls: np.ndarray, ts: np.ndarray, end: datetime, rows: dict
) -> dict[str, list]:
    """Replies with response times, statuses, owners and tags."""
    end_s = end.timestamp()
    p_answer = np.array([_ANSWER_P[c] for c in CLASSES])[cls]
    answered = rng.random(n) < p_answer
    # Response times improve over the half year as the team gets faster.
    age = (end_s - ts) / (DAYS * 86400.0)
    median = np.where(cls == CLASSES.index("outage"), 2400.0, 9000.0) * (0.6 + 0.8 * age)
    rt = np.clip(rng.lognormal(np.log(median), 1.0), 120, 6 * 86400)
    answered &= ts + rt < end_s - 600
    status = np.empty(n, dtype=object)
    u = rng.random(n)
    recent = end_s - ts < 2 * 86400
    status[answered] = np.where(u[answered] < 0.65, "resolved", "pending")
    un = ~answered
    status[un & recent] = np.where(u[un & recent] < 0.7, "new", "open")
    old_un = un & ~recent
    status[old_un] = np.select([u[old_un] < 0.25, u[old_un] < 0.6], ["open", "resolved"], "ignored")
    status[rng.random(n) < 0.004] = "spam"
    agents = np.array([a.split(" ")[0] for a in T.AGENTS], dtype=object)
    owner = agents[rng.integers(len(agents), size=n)]
    owner[status == "new"] = None
    outage = cls == CLASSES.index("outage")
    tags: list[list[str]] = [[] for _ in range(n)]
    for i in np.flatnonzero(outage & answered):
        tags[i] = ["outage-" + datetime.fromtimestamp(ts[i], UTC).strftime("%m%d")]
    rows.update(
        status=list(status),
        owner=list(owner),
        tags=tags,
        unread=list(status == "new"),
        first_reply_at=[ts[i] + rt[i] if answered[i] else None for i in range(n)],
    )
    idx = np.flatnonzero(answered)
    pick = rng.random(len(idx))
    bodies, agent_names = [], []
    for j, i in enumerate(idx):
        c = CLASSES[cls[i]]
        key = c if c in T.REPLIES else ("negative" if c == "foreign" else "neutral")
        options = T.REPLIES[key]
        agent = T.AGENTS[int(pick[j] * 997) % len(T.AGENTS)]
        bodies.append(
            options[int(pick[j] * len(options))].format(
                first_name="there", product=T.PRODUCTS[0], agent=agent.split(" (")[0]
            )
        )
        agent_names.append(agent.split(" ")[0])
    return {
        "mention_id": (idx + 1).tolist(),
        "sent_at": (ts[idx] + rt[idx]).tolist(),
        "response_time_s": rt[idx].tolist(),
        "body": bodies,
        "sent_by": agent_names,
    }


# -- writing ------------------------------------------------------------------------


def _write_setup(ws: Workspace, source_ids: dict[str, int]) -> None:
    with ws.write() as cur:
        for key, value in (
            ("workspace.name", "Nimbus (demo)"),
            ("brand.name", T.BRAND),
            ("brand.handle", T.BRAND_HANDLE),
            ("demo", True),
            ("sla.first_response_hours", 4),
            ("approval.required", False),
        ):
            cur.execute("INSERT INTO settings (key, value) VALUES (?, ?)", [key, json.dumps(value)])
        for channel, sid in source_ids.items():
            cur.execute(
                "INSERT INTO sources (id, kind, url, name, channel, keep_all, interval_s, tags, "
                "config) VALUES (?, 'rss', ?, ?, ?, true, 1800, ?, ?)",
                [
                    sid,
                    f"resource://demo/{channel}.xml",
                    SOURCE_NAMES[channel],
                    channel,
                    ["demo", channel],
                    # Where the offline feed stands in for: "Where they talk" knows
                    # these places are listened to.
                    json.dumps({"site_url": SITE_URLS[channel]}),
                ],
            )
        for i, (topic, kind, query) in enumerate(T.WATCH_QUERIES, start=1):
            cur.execute("INSERT INTO topics (name, kind) VALUES (?, ?)", [topic, kind])
            cur.execute(
                "INSERT INTO watch_queries (id, name, topic, query) VALUES (?, ?, ?, ?)",
                [i, topic, topic, query],
            )
        for key, options in T.REPLIES.items():
            for j, body in enumerate(options, start=1):
                cur.execute(
                    "INSERT INTO saved_replies (name, body) VALUES (?, ?)",
                    [f"{key.title()} {j}", body.replace("{agent}", "{agent}")],
                )


def _topic_columns() -> tuple[str, str]:
    """SQL for the topics and matched_queries of each row, from the demo's queries.

    Demo text is ASCII-folded, so word-bounded regular expressions on ``text_norm``
    decide the same as the watch queries do.
    """
    patterns = [
        r"(^|\W)(nimbus|@nimbushq)(\W|$)",
        r"(^|\W)(router x2|nimbus x2)(\W|$)",
        r"(^|\W)mesh pro(\W|$)",
        r"(^|\W)nimbus app(\W|$)",
        r"(^|\W)orbit(\W|$)",
        r"(^|\W)skylink(\W|$)",
        r"(^|\W)(outages?|no internet|is down)(\W|$)",
    ]
    topics = [t for t, _, _ in T.WATCH_QUERIES]
    tests = [f"regexp_matches(text_norm, '{p}')" for p in patterns]
    topic_sql = (
        "list_filter(["
        + ", ".join(
            f"CASE WHEN {t} THEN '{name}' END" for t, name in zip(tests, topics, strict=True)
        )
        + "], lambda x: x IS NOT NULL)"
    )
    ids_sql = (
        "list_filter(["
        + ", ".join(f"CASE WHEN {t} THEN {i} END" for i, t in enumerate(tests, start=1))
        + "], lambda x: x IS NOT NULL)"
    )
    return topic_sql, ids_sql


def generated_mention_columns(data: dict) -> dict[str, Any]:
    """The mention columns every generated row has, from :func:`_generate`'s data.

    The demo adds its own ids, keys, links and threads; the scale benchmark uses the
    same columns for its archive. Numpy columns for a :class:`ColumnTable`; ``tags``
    is JSON text (read it with :func:`~engage_desktop.workspace.columns.list_sql`).
    """
    rows, who, channel, a = data["rows"], data["who"], data["channel"], data["authors"]
    ts = (data["ts"] * 1e6).astype("int64").astype("datetime64[us]")  # UTC
    replied = np.array(
        [np.nan if v is None else v for v in rows["first_reply_at"]], dtype=np.float64
    )
    first_reply = np.full(len(replied), np.datetime64("NaT"), dtype="datetime64[us]")
    answered = ~np.isnan(replied)
    first_reply[answered] = (replied[answered] * 1e6).astype("int64").astype("datetime64[us]")
    return {
        "source_name": [SOURCE_NAMES[c] for c in channel],
        "channel": channel.tolist(),
        "remote_id": rows["remote_id"],
        "author_id": who + 1,
        "author_name": a["name"][who].tolist(),
        "author_handle": a["handle"][who].tolist(),
        "title": rows["title"],
        "text": rows["text"],
        "text_norm": rows["text_norm"],
        "published": ts,
        "fetched_at": ts,
        "language": rows["language"],
        "followers": a["followers"][who],
        "likes": data["likes"],
        "status": rows["status"],
        "owner": rows["owner"],
        "unread": np.array(rows["unread"], dtype=bool),
        "tags": json_lists(rows["tags"], len(rows["tags"])),
        "first_reply_at": first_reply,
    }


def _write_rows(ws: Workspace, data: dict, scores: dict | None = None) -> None:
    """Insert authors, mentions and replies; with ``scores``, enriched as well."""
    a = data["authors"]
    n_auth = len(a["handle"])
    domains = {c: CHANNELS[c][1] for c in CHANNELS}
    author_tbl = ColumnTable(
        {
            "id": np.arange(1, n_auth + 1),
            "channel": a["channel"].tolist(),
            "handle": a["handle"].tolist(),
            "name": a["name"].tolist(),
            "profile_url": [
                f"https://{domains[c]}/@{h}" for c, h in zip(a["channel"], a["handle"], strict=True)
            ],
            "followers": a["followers"],
            "email": a.get("email") or [None] * n_auth,
        }
    )
    rows, who, channel = data["rows"], data["who"], data["channel"]
    n = len(who)
    ids = np.arange(1, n + 1)
    urls, html = place_urls(
        data["seed"], channel, data["cls"], data["ts"], a["handle"][who].tolist(),
        rows["remote_id"], rows["text"],
        (CLASSES.index("negative"), CLASSES.index("outage")), data["end_s"],
    )  # fmt: skip
    keys = [hashlib.blake2b(u.encode(), digest_size=12).hexdigest() for u in urls]
    mention_tbl = ColumnTable(
        {
            "id": ids,
            "item_key": keys,
            "source_id": [data["source_ids"][c] for c in channel],
            "url": urls,
            **generated_mention_columns(data),
            "html": html,
            "thread_id": rows["thread_id"],
            "parent_id": rows["parent_id"],
            "reposts": data["reposts"],
            "replies": data["reply_count"],
            **(scores or {}),
        }
    )
    r = data["replies"]
    reply_tbl = ColumnTable(
        {
            "id": np.arange(1, len(r["mention_id"]) + 1),
            "mention_id": r["mention_id"],
            "channel": [channel[i - 1] for i in r["mention_id"]],
            "body": r["body"],
            "sent_by": r["sent_by"],
            "sent_at": (np.array(r["sent_at"], dtype=np.float64) * 1e6)
            .astype("int64")
            .astype("datetime64[us]"),
            "response_time_s": r["response_time_s"],
        }
    )
    from engage_desktop.listen.insert import InsertRules, insert_mentions

    # Intents and priority (and the scorer version of scored rows) go in with the
    # rows, as for a fetch or an import, rather than updating a million rows later.
    rules = InsertRules.of(ws, match=False)
    topic_sql, ids_sql = _topic_columns()
    with ws.write() as cur:
        cur.register("demo_authors", author_tbl)
        cur.register("demo_mentions", mention_tbl)
        cur.register("demo_replies", reply_tbl)
        cur.execute("INSERT INTO authors BY NAME SELECT * FROM demo_authors")
        # The rows as DuckDB reads them: lists decoded, topics matched in the same pass.
        mentions = cur.sql(
            f"SELECT * REPLACE ({list_sql('tags')} AS tags), {topic_sql} AS topics, "
            f"{ids_sql} AS matched_queries FROM demo_mentions"
        )
        insert_mentions(cur, mentions, rules, return_ids=False)
        del mentions
        cur.execute("INSERT INTO replies BY NAME SELECT * FROM demo_replies")
        cur.execute(
            "UPDATE authors SET mention_count = s.n, first_seen = s.f, last_seen = s.l "
            "FROM (SELECT author_id, count(*) AS n, min(published) AS f, max(published) AS l "
            "FROM mentions GROUP BY author_id) s WHERE authors.id = s.author_id"
        )
        if scores is not None:
            from engage_desktop.enrich.store import refresh_authors

            refresh_authors(cur)
        # Keep the sequences ahead of the explicit ids written above.
        for seq, table in (
            ("mention_ids", "mentions"),
            ("author_ids", "authors"),
            ("reply_ids", "replies"),
            ("source_ids", "sources"),
            ("watch_query_ids", "watch_queries"),
        ):
            top = cur.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0]
            _advance_sequence(cur, seq, int(top))
        for name in ("demo_authors", "demo_mentions", "demo_replies"):
            cur.unregister(name)


def _advance_sequence(cur, name: str, value: int) -> None:
    """DuckDB has no setval: recreate the sequence to start after ``value``."""
    # Sequences used as column defaults cannot be dropped or reset; draw them forward.
    if value > 0:
        cur.execute(f"SELECT max(nextval('{name}')) FROM range({value})").fetchall()
