"""The period report: the dashboard's numbers laid out in the order an executive reads.

:func:`build_report` turns :class:`~.numbers.ReportNumbers` into a
:class:`~.document.Document` (headline figures and their change, volume with the
spikes named, sentiment, share of voice, responses against the SLA, authors,
channels and sources, rising terms, incidents with sample posts, the method).
:func:`write_html` writes it as HTML here; the PDF painter lives in ``ui/share``
(Qt) and is called by the command line and the window.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from engage_desktop.core.errors import EngageError, InvalidInput
from engage_desktop.dashboard.analytics import LABELS
from engage_desktop.dashboard.share import svg
from engage_desktop.dashboard.share.document import (
    Chart,
    Document,
    Figure,
    Figures,
    Heading,
    Para,
    Quote,
    Table,
    to_html,
)
from engage_desktop.dashboard.share.method import METHOD
from engage_desktop.dashboard.share.numbers import ReportNumbers, compute, day_index
from engage_desktop.dashboard.share.people import ReportPeople
from engage_desktop.dashboard.spikes import episode_query
from engage_desktop.dashboard.terms import describe_lift
from engage_desktop.workspace.database import Workspace

STEPS = 7
MAX_INCIDENTS = 6
SAMPLES = 3


@dataclass(frozen=True)
class ReportOptions:
    """What to report on.

    Attributes:
        start: First day (UTC midnight), or None: 30 days before ``end``.
        end: The midnight after the last day, or None: after the newest mention.
        topics: At most one topic (the dashboard's selector follows one).
        title: The report's title (default: the workspace's name and "report").
        pseudonymize: Authors as "Author 4821", @handles in quoted posts too.
        page: ``a4`` or ``letter`` (PDF only).
    """

    start: datetime | None = None
    end: datetime | None = None
    topics: tuple[str, ...] = ()
    title: str | None = None
    pseudonymize: bool = False
    page: str = "a4"

    @property
    def topic(self) -> str | None:
        """The one topic, or None for all."""
        if len(self.topics) > 1:
            raise InvalidInput("a report follows one topic, like the dashboard; pass --topic once")
        return self.topics[0] if self.topics else None


@dataclass(frozen=True)
class ReportSummary:
    """What was written."""

    path: Path
    pages: int | None
    seconds: float
    period: str

    def line(self) -> str:
        """The one-line summary the CLI prints and the window shows."""
        pages = f", {self.pages} pages" if self.pages else ""
        return f"wrote the report for {self.period} to {self.path}{pages} in {self.seconds:.1f} s"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}%"


def _change(now: float | None, before: float | None, *, points: bool, good_up: bool | None):
    """The change text and tone: relative for counts, in points for percentages."""
    if now is None or before is None:
        return "no earlier figure", "neutral"
    diff = now - before
    if points:
        text = f"{diff:+.1f} pts vs previous period"
    elif before:
        text = f"{diff / before * 100:+.0f}% vs previous period"
    else:
        return "new this period" if now else "none before either", "neutral"
    if good_up is None or abs(diff) < 1e-9:
        return text, "neutral"
    return text, "good" if (diff > 0) == good_up else "bad"


def period_text(n: ReportNumbers) -> str:
    """The period in words, e.g. ``1 Oct – 31 Oct 2026``."""
    start, end = n.filter.start, n.filter.end - timedelta(days=1)
    return f"{start:%d %b} – {end:%d %b %Y}"


def build_report(ws: Workspace, n: ReportNumbers, options: ReportOptions) -> Document:
    """The report's blocks (see the module docstring)."""
    people = ReportPeople(ws, options.pseudonymize)
    name = ws.name
    title = " ".join((options.title or f"{name}: engagement report").split())[:160]
    topic = f" · topic {n.filter.topic}" if n.filter.topic else ""
    generated = datetime.now(UTC)
    subtitle = (
        f"{period_text(n)}{topic} · compared with the {(n.filter.end - n.filter.start).days} "
        f"days before · generated {generated:%d %b %Y %H:%M} UTC"
    )
    blocks: list = []
    blocks += _headline(n)
    blocks += _volume(n)
    blocks += _sentiment(n)
    blocks += _share_of_voice(n)
    blocks += _responses(n)
    blocks += _authors(n, people)
    blocks += _channels(n)
    blocks += _terms(n)
    blocks += _incidents(ws, n, people)
    blocks.append(Heading("Appendix: method", new_page=True))
    for heading, text in METHOD:
        blocks.append(Heading(heading, 2))
        blocks.append(Para(text))
    if options.pseudonymize:
        blocks.append(Para("Authors are shown as pseudonyms, stable within this report.", True))
    return Document(title, subtitle, f"{title} · {period_text(n)}", tuple(blocks))


def _headline(n: ReportNumbers) -> list:
    now, before = n.now, n.before
    items = [
        Figure(
            "Mentions",
            f"{now.mentions:,}",
            *_change(now.mentions, before.mentions, points=False, good_up=None),
        ),
        Figure(
            "Net sentiment",
            "–" if now.net_sentiment is None else f"{now.net_sentiment:+.1f}",
            *_change(now.net_sentiment, before.net_sentiment, points=True, good_up=True),
        ),
        Figure(
            "Negative share",
            _pct(now.negative_share),
            *_change(now.negative_share, before.negative_share, points=True, good_up=False),
        ),
    ]
    if now.brand_share is not None:
        items.append(
            Figure(
                f"Share of voice ({n.brand})",
                _pct(now.brand_share),
                *_change(now.brand_share, before.brand_share, points=True, good_up=True),
            )
        )
    items.append(
        Figure(
            "Answered within SLA",
            _pct(now.sla_share),
            *_change(now.sla_share, before.sla_share, points=True, good_up=True),
        )
    )
    items.append(
        Figure(
            "Awaiting a reply at the end",
            f"{now.backlog_end:,}",
            *_change(now.backlog_end, before.backlog_end, points=False, good_up=False),
        )
    )
    return [Heading("The period at a glance"), Figures(tuple(items))]


def _volume(n: ReportNumbers) -> list:
    vol = n.charts.volume
    marked = [ep for ep in n.episodes if ep.topic == n.filter.topic][:9]
    marks = [
        (
            day_index(vol.days, ep.start),
            day_index(vol.days, ep.end - timedelta(seconds=1)),
            str(i + 1),
        )
        for i, ep in enumerate(marked)
    ]
    series = [
        (lab, vol.counts[lab], svg.SENTIMENT[lab])
        for lab in LABELS
        if lab != "unscored" or vol.counts[lab].sum() > 0
    ]
    blocks: list = [
        Heading("Volume by sentiment"),
        Chart(
            svg.stacked_columns(vol.days, series, marks=marks),
            680,
            240,
            "Mentions per UTC day, stacked by sentiment; shaded bands are spikes.",
        ),
    ]
    if marked:
        for i, ep in enumerate(marked):
            blocks.append(Para(f"Spike {i + 1}: {ep.describe()}."))
    else:
        blocks.append(Para("No spike in this period: volume stayed within its usual range."))
    return blocks


def _sentiment(n: ReportNumbers) -> list:
    s = n.charts.sentiment
    chart = svg.line_chart(
        s.days,
        [
            ("net sentiment per day", s.net, svg.ACCENT),
            (f"{s.window}-day mean", n.net_rolling, "#d97706"),
        ],
        lo=-100,
        hi=100,
        zero_line=True,
        y_title="positive % minus negative %",
        unit="",
    )
    return [
        Heading("Sentiment trend"),
        Chart(
            chart,
            680,
            200,
            "Net sentiment: the share of positive minus the share of negative scored mentions.",
        ),
    ]


def _share_of_voice(n: ReportNumbers) -> list:
    sov = n.charts.share_of_voice
    if not len(sov.entities):
        return [
            Heading("Share of voice"),
            Para("No competitor topics: add the brand and its competitors as topics."),
        ]
    shares = sov.shares
    rows = [
        (
            e,
            float(shares[i]),
            f"{shares[i]:.1f}% · {int(sov.totals[i]):,}",
            svg.SERIES[i % len(svg.SERIES)],
        )
        for i, e in enumerate(sov.entities)
    ]
    return [
        Heading("Share of voice"),
        Chart(
            svg.hbars(rows, max_value=100),
            680,
            len(rows) * 22 + 6,
            "Share of the mentions of the brand and its competitors in the period.",
        ),
    ]


def _responses(n: ReportNumbers) -> list:
    r = n.charts.response
    hours = r.sla_s / 3600
    rows = [
        (label, float(count), f"{int(count):,}", svg.ACCENT)
        for label, count in zip(r.bins, r.bin_counts, strict=True)
    ]
    within = _pct(r.sla_share)
    text = (
        f"{r.answered:,} mentions answered; {within} within the SLA of {hours:g} business "
        f"hours ({r.hours}). {n.now.backlog_end:,} mentions were awaiting a first reply at "
        "the end of the period."
    )
    return [
        Heading("Response performance"),
        Para(text),
        Chart(
            svg.hbars(rows, label_w=90),
            680,
            len(rows) * 22 + 6,
            "Answered mentions by time to the first reply (wall-clock time).",
        ),
        Chart(
            svg.line_chart(
                r.days, [("awaiting a first reply", r.backlog, "#d64545")], y_title="mentions"
            ),
            680,
            180,
            "Backlog: mentions awaiting a first reply at the end of each day.",
        ),
    ]


def _author_table(rows, people: ReportPeople, *, reach: bool) -> Table:
    """Authors with their mentions (and followers, for the reach ranking)."""
    body = []
    for row in rows:
        sent = "–" if row.sentiment is None else f"{row.sentiment:+.2f}"
        cells = [people.label(row.key, row.label), f"{row.mentions:,}"]
        cells += [f"{row.followers:,}", sent] if reach else [sent]
        body.append(tuple(cells))
    if reach:
        return Table(
            ("Author", "Mentions", "Followers", "Mean sentiment"),
            tuple(body),
            numeric=(1, 2, 3),
            widths=(0.52, 0.14, 0.16, 0.18),
        )
    return Table(
        ("Author", "Mentions", "Mean sentiment"),
        tuple(body),
        numeric=(1, 2),
        widths=(0.6, 0.2, 0.2),
    )


def _authors(n: ReportNumbers, people: ReportPeople) -> list:
    a = n.ranks.authors
    blocks: list = [Heading("Authors"), Heading("Top authors by reach × mentions", 2)]
    blocks.append(_author_table(a.top, people, reach=True) if a.top else Para("None.", True))
    for title, rows in (("Advocates", a.advocates), ("Detractors", a.detractors)):
        blocks.append(Heading(title, 2))
        blocks.append(
            _author_table(rows, people, reach=False)
            if rows
            else Para(
                f"No author with at least {a.min_mentions} scored mentions averaging "
                f"{'above +' if title == 'Advocates' else 'below -'}{a.threshold:.2f}.",
                True,
            )
        )
    return blocks


def _channels(n: ReportNumbers) -> list:
    def table(rows, head: str) -> Table:
        body = tuple(
            (r.label, f"{r.mentions:,}", "–" if r.sentiment is None else f"{r.sentiment:+.2f}")
            for r in rows
        )
        return Table(
            (head, "Mentions", "Mean sentiment"), body, numeric=(1, 2), widths=(0.6, 0.2, 0.2)
        )

    return [
        Heading("Channels and sources"),
        Heading("Channels", 2),
        table(n.ranks.channels[:8], "Channel"),
        Heading("Top sources", 2),
        table(n.ranks.sources, "Source"),
    ]


def _terms(n: ReportNumbers) -> list:
    blocks: list = [Heading("Rising terms")]
    rows = n.terms.terms if n.terms is not None else []
    if not rows:
        return [*blocks, Para("No term rose against the previous period.", True)]
    body = tuple(
        (t.term, f"{t.current:,.0f}", f"{t.previous:,.0f}", describe_lift(t.lift))
        for t in rows[:12]
    )
    return [
        *blocks,
        Table(
            ("Term", "Mentions now", "Before", "Lift"),
            body,
            numeric=(1, 2, 3),
            widths=(0.46, 0.18, 0.18, 0.18),
        ),
    ]


def _incidents(ws: Workspace, n: ReportNumbers, people: ReportPeople) -> list:
    blocks: list = [Heading("Incidents")]
    episodes = sorted(n.episodes, key=lambda e: (-e.mentions, e.start))[:MAX_INCIDENTS]
    if not episodes:
        return [*blocks, Para("No alert fired in this period.", True)]
    if len(n.episodes) > len(episodes):
        blocks.append(Para(f"The {len(episodes)} largest of {len(n.episodes)} alerts.", True))
    quoted: set[int] = set()  # one outage fires several rules: quote other posts each time
    for ep in sorted(episodes, key=lambda e: e.start):
        blocks.append(Heading(ep.describe(), 2))
        q = episode_query(ep)
        cur = ws.cursor()
        try:
            rows = cur.execute(
                "SELECT id, author_id, channel, author_name, author_handle, published, title, "
                f"text, sentiment_label FROM mentions WHERE {q.where} "
                f"ORDER BY coalesce(followers, 0) DESC, id LIMIT {SAMPLES * 8}",
                list(q.params),
            ).fetchall()
        finally:
            cur.close()
        fresh = [r for r in rows if r[0] not in quoted]
        picked = (fresh + [r for r in rows if r[0] in quoted])[:SAMPLES]
        quoted.update(r[0] for r in picked)
        for _, author_id, channel, name, handle, published, title, text, label in picked:
            body = " ".join(str(text or title or "").split())
            body = body if len(body) <= 300 else body[:299] + "…"
            blocks.append(
                Quote(
                    people.mention_author(author_id, channel, name, handle),
                    f"{published:%d %b %Y %H:%M} UTC",
                    people.text(body),
                    label or "",
                )
            )
    return blocks


def prepare(state: Any, ws: Workspace, options: ReportOptions) -> tuple[Document, str]:
    """Compute the numbers and lay them out; returns the document and its period."""
    topic = options.topic

    def tick(step: int) -> None:
        if state is not None:
            if state.is_cancelled():
                raise EngageError("report cancelled; no file was written")
            state.progress(step, STEPS)

    numbers = compute(ws, options.start, options.end, topic, state, tick)
    doc = build_report(ws, numbers, options)
    tick(6)
    return doc, period_text(numbers)


def write_html(state: Any, ws: Workspace, out: Path, options: ReportOptions) -> ReportSummary:
    """Write the report as one self-contained HTML file."""
    started = time.perf_counter()
    doc, period = prepare(state, ws, options)
    partial = out.with_name(out.name + ".partial")
    try:
        partial.write_text(to_html(doc), encoding="utf-8")
        partial.replace(out)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise EngageError(f"cannot write {out}: {exc.strerror}; choose another folder") from None
    return ReportSummary(out, None, time.perf_counter() - started, period)


def report_kind(out: str | Path) -> str:
    """``html`` or ``pdf`` by the file's suffix.

    Raises:
        InvalidInput: Any other suffix.
    """
    suffix = Path(out).suffix.lower()
    if suffix in (".html", ".htm"):
        return "html"
    if suffix == ".pdf":
        return "pdf"
    raise InvalidInput(f"{Path(out).name}: a report is OUT.pdf or OUT.html")
