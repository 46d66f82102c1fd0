"""Report charts as plain SVG strings: inline in the HTML report, vectors in the PDF.

Only SVG Tiny features (rect, polyline, line, text, presentation attributes) are
used, so Qt's QSvgRenderer paints the same markup into the PDF as vector paths.
Every label is escaped; every number is checked (a crafted workspace may hold NaN,
infinities or absurd values), so nothing from the data can become markup.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from html import escape

FONT = 'font-family="DejaVu Sans, Arial, sans-serif"'
INK = "#1f2937"
MUTED = "#6b7280"
GRID = "#e5e7eb"
SENTIMENT = {
    "positive": "#2f9e5b",
    "neutral": "#8c96a8",
    "negative": "#d64545",
    "unscored": "#c9a227",
}
ACCENT = "#2563eb"
SERIES = ("#2563eb", "#d97706", "#7c3aed", "#0d9488", "#db2777", "#65a30d", "#475569")


def _num(value: float) -> float:
    """A finite float (NaN and infinities become 0)."""
    try:
        value = float(value)
    except (TypeError, ValueError):
        return 0.0
    return value if math.isfinite(value) else 0.0


def _fmt(value: float) -> str:
    return f"{_num(value):.1f}"


def nice_ticks(top: float, count: int = 4) -> list[float]:
    """Round tick values from 0 to at least ``top``."""
    top = _num(top)
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    n = math.ceil(top / step - 1e-9)
    return [i * step for i in range(n + 1)]


def _tick_label(value: float, unit: str = "") -> str:
    if abs(value) >= 1000:
        text = f"{value / 1000:,.0f}k" if value % 1000 == 0 else f"{value / 1000:,.1f}k"
    elif value == int(value):
        text = f"{int(value):,}"
    else:
        text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text + unit


def _day(epoch_s: float) -> str:
    try:
        return f"{datetime.fromtimestamp(_num(epoch_s), UTC):%d %b}"
    except (OverflowError, ValueError, OSError):
        return "?"


def _open(width: int, height: int) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.2" baseProfile="tiny" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
    ]


def _text(x: float, y: float, text: str, size: int = 11, anchor: str = "start", **kw: str) -> str:
    fill = kw.get("fill", MUTED)
    weight = f' font-weight="{kw["weight"]}"' if "weight" in kw else ""
    return (
        f'<text x="{_fmt(x)}" y="{_fmt(y)}" font-size="{size}" {FONT} fill="{fill}" '
        f'text-anchor="{anchor}"{weight}>{escape(str(text))}</text>'
    )


def _legend(parts: list[str], items: Sequence[tuple[str, str]], right: float, y: float) -> None:
    """A legend that ends at ``right`` (the axis title sits at the left)."""
    x = right - sum(24 + 6.5 * len(name) for name, _ in items)
    for name, color in items:
        parts.append(
            f'<rect x="{_fmt(x)}" y="{_fmt(y - 9)}" width="10" height="10" fill="{color}"/>'
        )
        parts.append(_text(x + 14, y, name, 11, fill=INK))
        x += 24 + 6.5 * len(name)


def _x_ticks(parts: list[str], days: Sequence[float], x0: float, step: float, y: float) -> None:
    n = len(days)
    every = max(1, math.ceil(n / 7))
    for i in range(0, n, every):
        parts.append(_text(x0 + (i + 0.5) * step, y, _day(days[i]), 10, "middle"))


def stacked_columns(
    days: Sequence[float],
    series: Sequence[tuple[str, Sequence[float], str]],
    *,
    marks: Sequence[tuple[int, int, str]] = (),
    width: int = 680,
    height: int = 240,
    y_title: str = "mentions per day",
) -> str:
    """Columns per day stacked by series, with numbered bands over spike episodes.

    Args:
        days: Day starts (epoch seconds).
        series: (name, values per day, colour), bottom first.
        marks: (first day index, last day index, label) bands drawn behind columns.
    """
    left, right, top, bottom = 48, 10, 28, 26
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(1, len(days))
    totals = [sum(_num(s[1][i]) for s in series) for i in range(len(days))]
    ticks = nice_ticks(max(totals, default=0))
    scale = plot_h / ticks[-1]
    step = plot_w / n
    parts = _open(width, height)
    _legend(parts, [(name, color) for name, _, color in series], width - right, 14)
    for first, last, label in marks:
        x = left + max(0, first) * step
        w = max(step, (min(last, n - 1) - max(0, first) + 1) * step)
        parts.append(
            f'<rect x="{_fmt(x)}" y="{top}" width="{_fmt(w)}" height="{plot_h}" fill="#fde68a"/>'
        )
        parts.append(_text(x + w / 2, top + 11, label, 10, "middle", fill=INK, weight="bold"))
    for t in ticks:
        y = top + plot_h - t * scale
        parts.append(
            f'<line x1="{left}" y1="{_fmt(y)}" x2="{width - right}" y2="{_fmt(y)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(_text(left - 6, y + 4, _tick_label(t), 10, "end"))
    gap = 0.15 * step if step > 3 else 0
    for i in range(len(days)):
        base = top + plot_h
        for _, values, color in series:
            h = _num(values[i]) * scale
            if h <= 0:
                continue
            base -= h
            parts.append(
                f'<rect x="{_fmt(left + i * step + gap / 2)}" y="{_fmt(base)}" '
                f'width="{_fmt(max(step - gap, 0.5))}" height="{_fmt(h)}" fill="{color}"/>'
            )
    _x_ticks(parts, days, left, step, height - 8)
    parts.append(_text(4, top - 6, y_title, 10))
    parts.append("</svg>")
    return "".join(parts)


def line_chart(
    days: Sequence[float],
    series: Sequence[tuple[str, Sequence[float], str]],
    *,
    lo: float | None = None,
    hi: float | None = None,
    zero_line: bool = False,
    width: int = 680,
    height: int = 200,
    y_title: str = "",
    unit: str = "",
) -> str:
    """Lines per day (gaps where a value is NaN), on a fixed or fitted y range."""
    left, right, top, bottom = 48, 10, 28, 26
    plot_w, plot_h = width - left - right, height - top - bottom
    finite = [float(v) for _, vals, _ in series for v in vals if _finite(v)]
    low = lo if lo is not None else min([0.0, *finite])
    high = hi if hi is not None else max([1.0, *finite])
    if high <= low:
        high = low + 1
    n = max(1, len(days))
    step = plot_w / n

    def y_of(v: float) -> float:
        return top + plot_h - (min(max(v, low), high) - low) / (high - low) * plot_h

    parts = _open(width, height)
    _legend(parts, [(name, color) for name, _, color in series], width - right, 14)
    for t in _range_ticks(low, high):
        parts.append(
            f'<line x1="{left}" y1="{_fmt(y_of(t))}" x2="{width - right}" y2="{_fmt(y_of(t))}" '
            f'stroke="{GRID if not (zero_line and t == 0) else MUTED}" stroke-width="1"/>'
        )
        parts.append(_text(left - 6, y_of(t) + 4, _tick_label(t, unit), 10, "end"))
    for _, values, color in series:
        run: list[str] = []
        for i, v in enumerate(values):
            if _finite(v):
                run.append(f"{_fmt(left + (i + 0.5) * step)},{_fmt(y_of(float(v)))}")
            if (not _finite(v) or i == len(values) - 1) and run:
                if len(run) == 1:
                    x, y = run[0].split(",")
                    parts.append(
                        f'<rect x="{float(x) - 1.5:.1f}" y="{float(y) - 1.5:.1f}" '
                        f'width="3" height="3" fill="{color}"/>'
                    )
                else:
                    parts.append(
                        f'<polyline points="{" ".join(run)}" fill="none" stroke="{color}" '
                        'stroke-width="2"/>'
                    )
                run = []
    _x_ticks(parts, days, left, step, height - 8)
    if y_title:
        parts.append(_text(4, top - 6, y_title, 10))
    parts.append("</svg>")
    return "".join(parts)


def _finite(v: object) -> bool:
    try:
        return math.isfinite(float(v))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def _range_ticks(low: float, high: float) -> list[float]:
    if low < 0 < high:
        step = nice_ticks(max(high, -low), 2)[1]
        start = -math.floor(-low / step + 1e-9) * step
        return [start + i * step for i in range(round((high - start) / step) + 1)]
    ticks = nice_ticks(high - low)
    return [low + t for t in ticks if low + t <= high + 1e-9]


def hbars(
    rows: Sequence[tuple[str, float, str, str]],
    *,
    width: int = 680,
    row_h: int = 22,
    label_w: int = 200,
    max_value: float | None = None,
) -> str:
    """Horizontal bars: (label, value, value text, colour) per row, largest scale first."""
    value_w = 90
    height = max(1, len(rows)) * row_h + 6
    plot_w = width - label_w - value_w
    top = max([_num(r[1]) for r in rows] + [_num(max_value or 0), 1e-9])
    parts = _open(width, height)
    for i, (label, value, text, color) in enumerate(rows):
        y = 3 + i * row_h
        parts.append(
            _text(label_w - 8, y + row_h * 0.68, _clip(label, label_w), 11, "end", fill=INK)
        )
        w = max(0.0, _num(value)) / top * plot_w
        parts.append(
            f'<rect x="{label_w}" y="{_fmt(y + 4)}" width="{_fmt(max(w, 1))}" '
            f'height="{row_h - 8}" fill="{color}"/>'
        )
        parts.append(_text(label_w + w + 6, y + row_h * 0.68, text, 11, fill=INK))
    parts.append("</svg>")
    return "".join(parts)


def _clip(label: str, width_px: int) -> str:
    """Cut a label to what fits in ``width_px`` at 11 px (about 6.2 px a character)."""
    room = max(4, int(width_px / 6.4))
    label = " ".join(str(label).split())
    return label if len(label) <= room else label[: room - 1] + "…"
