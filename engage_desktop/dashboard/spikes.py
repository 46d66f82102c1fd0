"""Spike alerts: rules, detection, back-tests and stored firings.

Method (also in the README): each rule counts mentions per bucket (hour or day) —
all mentions for ``volume_spike``, negative ones for ``negative_spike`` — for one
topic or, with no topic, for the whole workspace (``negative_spike`` without a topic
runs once per topic). A bucket's *baseline* is the mean of the previous ``window``
comparable buckets: the same hour on the previous ``window`` days for hourly rules
(so the evening peak is not a spike), the previous ``window`` days for daily rules.
Its score is ``z = (count - mean) / max(sd, sqrt(mean), 1)``: the rolling standard
deviation, floored by the Poisson standard deviation so a flat, quiet baseline does
not turn every small bump into a spike. A bucket spikes when ``z >= z`` (default 6),
the count is at least ``min_count`` and at least ``min_ratio`` times the baseline
(default 3: a busy day at twice the usual volume is news, not an incident).
Buckets that spiked are left out of later baselines (an incident does not raise its
own bar), and spiking buckets at most six quiet hours (or one quiet day) apart
form one *episode*: one alert, one notification, not forty.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from engage_desktop.archive.views import mention_source
from engage_desktop.core.errors import Conflict, InvalidInput, NotFound
from engage_desktop.dashboard.analytics import DAY_S, data_days
from engage_desktop.dashboard.spike_screen import phase_candidates
from engage_desktop.inbox.pager import MentionQuery
from engage_desktop.workspace.database import Workspace

KINDS = ("volume_spike", "negative_spike")
BUCKETS = {"hour": 3600, "day": 86400}
MIN_HISTORY = 7
# How far back a back-test looks at most (see backtest).
MAX_HISTORY = timedelta(days=3 * 366)
DEFAULT_RULES = (
    ("Volume spike", "volume_spike", {"bucket": "hour", "min_count": 10}),
    ("Negative spike per topic", "negative_spike", {"bucket": "hour", "min_count": 5}),
)


@dataclass(frozen=True)
class AlertRule:
    """A stored spike rule.

    Attributes:
        id: Row id in ``alert_rules`` (0 for a rule not stored).
        name: Unique name.
        kind: ``volume_spike`` or ``negative_spike``.
        topic: Only this topic; None: the whole workspace (per topic for negatives).
        bucket: ``hour`` or ``day``.
        window: Comparable buckets in the baseline.
        z: Score threshold.
        min_count: Smallest count that can spike.
        min_ratio: Smallest count as a multiple of the baseline that can spike.
        enabled: Whether checks run it.
    """

    id: int
    name: str
    kind: str
    topic: str | None = None
    bucket: str = "hour"
    window: int = 14
    z: float = 6.0
    min_count: int = 10
    min_ratio: float = 3.0
    enabled: bool = True

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise InvalidInput(f"unknown alert kind {self.kind!r}; use one of {', '.join(KINDS)}")
        if self.bucket not in BUCKETS:
            raise InvalidInput(f"unknown bucket {self.bucket!r}; use hour or day")
        if self.window < 3 or self.z <= 0 or self.min_count < 1 or self.min_ratio < 1:
            raise InvalidInput(
                "alert rules need window >= 3, z > 0, min-count >= 1 and min-ratio >= 1"
            )

    @property
    def params(self) -> dict[str, Any]:
        """What is stored in ``alert_rules.params``."""
        return {
            "topic": self.topic,
            "bucket": self.bucket,
            "window": self.window,
            "z": self.z,
            "min_count": self.min_count,
            "min_ratio": self.min_ratio,
        }


@dataclass(frozen=True)
class Spike:
    """One bucket that spiked."""

    index: int
    value: float
    baseline: float
    z: float


@dataclass(frozen=True)
class Episode:
    """Consecutive spiking buckets: one alert.

    Attributes:
        rule: The rule's name.
        kind: The rule's kind.
        topic: The topic counted, or None for the whole workspace.
        start: First bucket start (UTC).
        end: End of the last bucket (exclusive).
        mentions: Mentions counted in the episode's buckets (the drill-down count).
        peak: The largest bucket count.
        baseline: That bucket's baseline.
        z: That bucket's score.
    """

    rule: str
    kind: str
    topic: str | None
    start: datetime
    end: datetime
    mentions: int
    peak: float
    baseline: float
    z: float
    rule_id: int = 0
    detail: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        """One line for notifications and lists."""
        what = "negative mentions" if self.kind == "negative_spike" else "mentions"
        where = f" about {self.topic}" if self.topic else ""
        factor = self.peak / self.baseline if self.baseline >= 0.5 else float("inf")
        times = f"{factor:.0f}× the usual" if math.isfinite(factor) else "far above the usual"
        return (
            f"{self.mentions:,} {what}{where} from {self.start:%d %b %H:%M} UTC, "
            f"peak {self.peak:,.0f} ({times})"
        )


def detect_spikes(
    values: np.ndarray,
    window: int,
    z: float,
    min_count: float,
    season: int = 1,
    min_ratio: float = 1.0,
) -> list[Spike]:
    """Spiking buckets of a count series (see the module docstring).

    Args:
        values: Counts per bucket, oldest first.
        window: Comparable earlier buckets in each baseline.
        z: Score threshold.
        min_count: Smallest count that can spike.
        season: Distance between comparable buckets (24 for hourly series).
        min_ratio: Smallest count, as a multiple of the baseline, that can spike.

    Returns:
        The spiking buckets, in order. Buckets with fewer than ``MIN_HISTORY``
        comparable earlier buckets are never flagged (no baseline yet).
    """
    values = np.asarray(values, dtype=float)
    usable = np.ones(len(values), dtype=bool)
    out: list[Spike] = []
    need = min(window, MIN_HISTORY)
    # Baselines only look at the same phase (hour of day), so each phase is screened
    # on its own; a bucket near the thresholds is then scored exactly, in order, and a
    # spike found changes the later baselines of its phase, which are screened again.
    for phase in range(min(season, len(values))):
        x = values[phase::season]
        start = 0
        while start < len(x):
            for j in phase_candidates(
                x, usable[phase::season], start, window, need, z, min_count, min_ratio
            ):
                spike = _exact_score(values, usable, phase + int(j) * season, window, season)
                start = int(j) + 1
                if (
                    spike is not None
                    and spike.z >= z
                    and spike.value >= max(min_count, min_ratio * spike.baseline)
                ):
                    out.append(spike)
                    usable[spike.index] = False
                    break  # the later baselines of this phase change: screen again
            else:
                break
    out.sort(key=lambda s: s.index)
    return out


def _exact_score(
    values: np.ndarray, usable: np.ndarray, i: int, window: int, season: int
) -> Spike | None:
    """Bucket ``i`` scored against its usable comparable buckets (None: no baseline)."""
    earlier = np.arange(i - season, max(-1, i - season * (window + 1)), -season)
    earlier = earlier[earlier >= 0][:window]
    earlier = earlier[usable[earlier]]
    if len(earlier) < min(window, MIN_HISTORY):
        return None
    history = values[earlier]
    mean = float(history.mean())
    scale = max(float(history.std()), math.sqrt(mean), 1.0)
    return Spike(i, float(values[i]), mean, float((values[i] - mean) / scale))


def group_episodes(spikes: list[Spike], gap: int = 6) -> list[list[Spike]]:
    """Spiking buckets at most ``gap`` quiet buckets apart, grouped together."""
    groups: list[list[Spike]] = []
    for spike in spikes:
        if groups and spike.index <= groups[-1][-1].index + 1 + gap:
            groups[-1].append(spike)
        else:
            groups.append([spike])
    return groups


# -- rules in the workspace ---------------------------------------------------------------


def list_rules(ws: Workspace, *, enabled_only: bool = False) -> list[AlertRule]:
    """The stored spike rules, by name."""
    cur = ws.cursor()
    try:
        # The table also holds other kinds of rules (mention_match: services/mention_alerts).
        rows = cur.execute(
            "SELECT id, name, kind, params, enabled FROM alert_rules "
            "WHERE kind IN ('volume_spike', 'negative_spike') "
            + ("AND enabled " if enabled_only else "")
            + "ORDER BY name"
        ).fetchall()
    finally:
        cur.close()
    rules = []
    for ident, name, kind, params, enabled in rows:
        p = json.loads(params) if isinstance(params, str) else dict(params or {})
        rules.append(
            AlertRule(
                int(ident),
                name,
                kind,
                p.get("topic"),
                p.get("bucket", "hour"),
                int(p.get("window", 14)),
                float(p.get("z", 6.0)),
                int(p.get("min_count", 10)),
                float(p.get("min_ratio", 3.0)),
                bool(enabled),
            )
        )
    return rules


def default_rules() -> list[AlertRule]:
    """The rules a workspace starts with (used unstored in read-only workspaces)."""
    return [AlertRule(0, name, kind, **params) for name, kind, params in DEFAULT_RULES]


def ensure_default_rules(ws: Workspace) -> list[AlertRule]:
    """Store the default rules when the workspace has none; return the rules."""
    rules = list_rules(ws)
    if rules or ws.read_only:
        return rules or default_rules()
    for rule in default_rules():
        add_rule(ws, rule)
    return list_rules(ws)


def add_rule(ws: Workspace, rule: AlertRule) -> AlertRule:
    """Store ``rule`` (its id is ignored) and return it with its id.

    The first rule stored in a workspace brings the default rules with it, so
    adding a rule never silently switches the defaults off.
    """
    from engage_desktop.workspace.database import log_event

    if not list_rules(ws) and rule.name not in {name for name, _, _ in DEFAULT_RULES}:
        ensure_default_rules(ws)
    with ws.write() as cur:
        if cur.execute("SELECT count(*) FROM alert_rules WHERE name = ?", [rule.name]).fetchone()[
            0
        ]:
            raise Conflict(f"an alert rule named {rule.name!r} exists; choose another name")
        if rule.topic is not None:
            known = cur.execute("SELECT count(*) FROM topics WHERE name = ?", [rule.topic])
            if not known.fetchone()[0]:
                raise NotFound(f"no topic named {rule.topic!r}; see 'engage-desktop watch list'")
        ident = cur.execute(
            "INSERT INTO alert_rules (name, kind, params, enabled) VALUES (?, ?, ?, ?) "
            "RETURNING id",
            [rule.name, rule.kind, json.dumps(rule.params), rule.enabled],
        ).fetchone()[0]
        log_event(cur, ws.actor, "alert_rule", str(ident), "create", None, rule.name, rule.params)
    return AlertRule(int(ident), **{k: v for k, v in rule.__dict__.items() if k != "id"})


def remove_rule(ws: Workspace, name: str) -> None:
    """Delete a rule and its firings."""
    from engage_desktop.workspace.database import log_event

    with ws.write() as cur:
        row = cur.execute("SELECT id FROM alert_rules WHERE name = ?", [name]).fetchone()
        if row is None:
            raise NotFound(f"no alert rule named {name!r}; see 'engage-desktop alerts rules'")
        cur.execute("DELETE FROM alerts WHERE rule_id = ?", [row[0]])
        cur.execute("DELETE FROM alert_rules WHERE id = ?", [row[0]])
        log_event(cur, ws.actor, "alert_rule", str(row[0]), "delete", name, None, None)


# -- evaluation -----------------------------------------------------------------------------


def _topics_of(ws: Workspace, rule: AlertRule) -> list[str | None]:
    if rule.topic is not None or rule.kind == "volume_spike":
        return [rule.topic]
    cur = ws.cursor()
    try:
        return [r[0] for r in cur.execute("SELECT name FROM topics ORDER BY name").fetchall()]
    finally:
        cur.close()


def counts_per_bucket(
    ws: Workspace, rule: AlertRule, topic: str | None, start: datetime, end: datetime
) -> np.ndarray:
    """The rule's counts per bucket from ``start`` to ``end`` (bucket-aligned)."""
    width = BUCKETS[rule.bucket]
    parts, params = ["published >= ?", "published < ?"], [start, end]
    if topic is not None:
        parts.append("list_contains(topics, ?)")
        params.append(topic)
    if rule.kind == "negative_spike":
        parts.append("sentiment_label = 'negative'")
    first = int(start.timestamp()) // width
    n = int((end.timestamp() - start.timestamp()) // width)
    # The workspace and an attached archive's files of these dates: a baseline over
    # archived history counts the same as over the same rows in the workspace.
    src = mention_source(ws, start, end).sql
    cur = ws.cursor()
    try:
        rows = cur.execute(
            f"SELECT epoch_us(published) // {width * 1_000_000} - {first} AS b, count(*) "
            f"FROM {src} WHERE {' AND '.join(parts)} GROUP BY b",
            params,
        ).fetchall()
    finally:
        cur.close()
    out = np.zeros(max(n, 0))
    for b, c in rows:
        if 0 <= b < n:
            out[int(b)] = c
    return out


def _history_bounds(ws: Workspace) -> tuple[datetime, datetime] | None:
    """The first day with mentions and the day after the last (UTC midnights).

    Only dates a post can have count (a workspace from elsewhere may hold year 1 or
    9999, which would overflow); an attached archive's span comes from its manifest.
    """
    bounds = data_days(ws)
    if bounds is None:
        return None
    return (
        datetime.fromtimestamp(bounds[0] * DAY_S, UTC),
        datetime.fromtimestamp((bounds[1] + 1) * DAY_S, UTC),
    )


def backtest(
    ws: Workspace, rule: AlertRule, start: datetime | None = None, end: datetime | None = None
) -> list[Episode]:
    """When ``rule`` would have fired over the stored history (nothing is written).

    The baseline needs history, so the counts start ``window`` comparable buckets
    before ``start``; episodes are reported from ``start`` on.
    """
    bounds = _history_bounds(ws)
    if bounds is None:
        return []
    start = start or bounds[0]
    end = end or bounds[1]
    width = BUCKETS[rule.bucket]
    season = 24 if rule.bucket == "hour" else 1
    lead = timedelta(seconds=width * season * (rule.window + 1))
    # The detector walks every bucket in Python: a file with an absurd date (a
    # crafted shared copy, a feed dated 2100) would make "all time" decades of hours.
    origin = max(start - lead, bounds[0], end - MAX_HISTORY)
    episodes: list[Episode] = []
    for topic in _topics_of(ws, rule):
        values = counts_per_bucket(ws, rule, topic, origin, end)
        spikes = detect_spikes(values, rule.window, rule.z, rule.min_count, season, rule.min_ratio)
        # An incident's tail can dip under the bar for a few hours: six quiet hours (or
        # one quiet day) still belong to the same episode.
        for group in group_episodes(spikes, gap=6 if rule.bucket == "hour" else 1):
            first, last = group[0].index, group[-1].index
            ep_start = origin + timedelta(seconds=width * first)
            if ep_start < start:
                continue
            peak = max(group, key=lambda s: s.value)
            episodes.append(
                Episode(
                    rule.name,
                    rule.kind,
                    topic,
                    ep_start,
                    origin + timedelta(seconds=width * (last + 1)),
                    int(sum(s.value for s in group)),
                    peak.value,
                    peak.baseline,
                    peak.z,
                    rule.id,
                )
            )
    episodes.sort(key=lambda e: (e.start, e.rule, e.topic or ""))
    return episodes


def range_episodes(
    ws: Workspace,
    start: datetime | None,
    end: datetime | None,
    topic: str | None = None,
    state: Any = None,
) -> list[Episode] | None:
    """Episodes of the enabled rules (the defaults when none is stored) in a range.

    With ``topic``, only the rules and episodes that count that topic. This is what
    the dashboard marks and lists, and what reports name as incidents.

    Returns:
        The episodes, or None when ``state`` was cancelled.
    """
    rules = [r for r in list_rules(ws) if r.enabled] or default_rules()
    episodes: list[Episode] = []
    for rule in rules:
        if rule.topic is not None and topic is not None and rule.topic != topic:
            continue
        for ep in backtest(ws, rule, start, end):
            if topic is None or ep.topic == topic:
                episodes.append(ep)
        if state is not None and state.is_cancelled():
            return None
    return episodes


def check_alerts(ws: Workspace, days: int = 3) -> list[Episode]:
    """Run the enabled rules over the last ``days`` of data and store new firings.

    An episode already stored (same rule, topic and start) is updated, not repeated,
    so running the check after every fetch notifies each incident once.

    Returns:
        The episodes that were not stored before (to notify about).
    """
    bounds = _history_bounds(ws)
    if bounds is None or ws.read_only:
        return []
    # Default rules are stored only when one of them fires: looking is not writing.
    rules = [r for r in (list_rules(ws) or default_rules()) if r.enabled]
    since = max(bounds[0], bounds[1] - timedelta(days=days))
    found = [(rule, ep) for rule in rules for ep in backtest(ws, rule, since, bounds[1])]
    if any(rule.id == 0 for rule, _ in found):
        ids = {r.name: r.id for r in ensure_default_rules(ws)}
        found = [(rule, replace(ep, rule_id=ids[rule.name])) for rule, ep in found]
    new: list[Episode] = []
    for _rule, ep in found:
        with ws.write() as cur:
            stored = cur.execute(
                "SELECT id FROM alerts WHERE rule_id = ? AND window_start = ? "
                "AND coalesce(topic, '') = coalesce(?, '')",
                [ep.rule_id, ep.start, ep.topic],
            ).fetchone()
            detail = json.dumps({"peak": ep.peak, "z": ep.z, "kind": ep.kind})
            if stored:
                cur.execute(
                    "UPDATE alerts SET window_end = ?, value = ?, baseline = ?, detail = ? "
                    "WHERE id = ?",
                    [ep.end, ep.mentions, ep.baseline, detail, stored[0]],
                )
                continue
            cur.execute(
                "INSERT INTO alerts (rule_id, window_start, window_end, topic, value, "
                "baseline, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [ep.rule_id, ep.start, ep.end, ep.topic, ep.mentions, ep.baseline, detail],
            )
        new.append(ep)
    return new


def list_alerts(ws: Workspace, limit: int = 50) -> list[dict[str, Any]]:
    """Stored firings, newest first, with their rule's name and kind."""
    cur = ws.cursor()
    try:
        res = cur.execute(
            "SELECT a.id, r.name AS rule, r.kind, a.topic, a.window_start, a.window_end, "
            "a.value, a.baseline, a.fired_at, a.acknowledged FROM alerts a "
            "JOIN alert_rules r ON r.id = a.rule_id "
            f"ORDER BY coalesce(a.window_start, a.fired_at) DESC LIMIT {int(limit)}"
        )
        names = [d[0] for d in res.description]
        return [dict(zip(names, row, strict=True)) for row in res.fetchall()]
    finally:
        cur.close()


def episode_query(ep: Episode) -> MentionQuery:
    """The inbox query for an episode's mentions (its count is ``ep.mentions``)."""
    parts, params = ["published >= ?", "published < ?"], [ep.start, ep.end]
    if ep.topic is not None:
        parts.append("list_contains(topics, ?)")
        params.append(ep.topic)
    if ep.kind == "negative_spike":
        parts.append("sentiment_label = 'negative'")
    return MentionQuery(" AND ".join(parts), tuple(params))
