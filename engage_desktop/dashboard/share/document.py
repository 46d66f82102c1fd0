"""A report as a list of plain blocks, and its HTML rendering.

The report model (:mod:`.report`) produces blocks; this module turns them into one
self-contained HTML file (inline CSS, inline SVG, no script, no external resource)
and the PDF painter (``engage_desktop.ui.share.pdf``) paints the same blocks with
Qt. All text in blocks is plain text: the HTML renderer escapes every piece.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape


@dataclass(frozen=True)
class Heading:
    """A section title (level 1) or a sub-title (level 2)."""

    text: str
    level: int = 1
    new_page: bool = False  # paged output starts a page here (the appendix)


@dataclass(frozen=True)
class Para:
    """A paragraph of plain text; ``muted`` for notes and captions."""

    text: str
    muted: bool = False


@dataclass(frozen=True)
class Figure:
    """One headline figure: a label, the value, and its change against before."""

    label: str
    value: str
    change: str = ""
    tone: str = "neutral"  # good, bad or neutral: the colour of the change


@dataclass(frozen=True)
class Figures:
    """A row of headline figures."""

    items: tuple[Figure, ...]


@dataclass(frozen=True)
class Chart:
    """An SVG chart (see :mod:`.svg`), with its pixel size and a caption."""

    svg: str
    width: int
    height: int
    caption: str = ""


@dataclass(frozen=True)
class Table:
    """Rows of plain cells; ``numeric`` columns are right-aligned."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[int, ...] = ()
    widths: tuple[float, ...] = ()  # fractions of the width, one per column


@dataclass(frozen=True)
class Quote:
    """A sample post: who, when, and what they wrote."""

    who: str
    when: str
    text: str
    sentiment: str = ""


Block = Heading | Para | Figures | Chart | Table | Quote


@dataclass(frozen=True)
class Document:
    """A report: title, subtitle, the header line of every page, and blocks."""

    title: str
    subtitle: str
    header: str
    blocks: tuple[Block, ...] = field(default_factory=tuple)


TONE_COLORS = {"good": "#2f9e5b", "bad": "#d64545", "neutral": "#6b7280"}
CSS = """
body{font-family:"DejaVu Sans",Arial,sans-serif;color:#1f2937;max-width:760px;margin:32px auto;
padding:0 16px;line-height:1.45;font-size:14px}
h1{font-size:26px;margin:0 0 4px}
h2{font-size:19px;margin:30px 0 8px;border-bottom:2px solid #e5e7eb;padding-bottom:4px}
h3{font-size:15px;margin:18px 0 6px}
.sub{color:#6b7280;margin:0 0 18px}.muted{color:#6b7280;font-size:12.5px}
.figs{display:flex;flex-wrap:wrap;gap:10px;margin:10px 0}
.fig{border:1px solid #e5e7eb;border-radius:6px;padding:8px 12px;min-width:150px;flex:1}
.fig .l{color:#6b7280;font-size:12px}.fig .v{font-size:22px;font-weight:bold}
.fig .c{font-size:12px}
table{border-collapse:collapse;width:100%;margin:8px 0;font-size:13px}
th,td{text-align:left;padding:4px 6px;border-bottom:1px solid #e5e7eb;vertical-align:top}
th{color:#6b7280;font-weight:normal}td.n,th.n{text-align:right;white-space:nowrap}
figure{margin:10px 0}figcaption{color:#6b7280;font-size:12.5px}
svg{max-width:100%;height:auto}
blockquote{margin:6px 0 10px;padding:6px 12px;border-left:3px solid #e5e7eb}
blockquote .w{color:#6b7280;font-size:12px}
"""


def to_html(doc: Document) -> str:
    """The whole report as one self-contained HTML page."""
    e = escape
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        # No script may run and nothing may load, even if a text slipped through.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">",
        '<meta name="referrer" content="no-referrer">',
        f"<title>{e(doc.title)}</title><style>{CSS}</style></head><body>",
        f'<h1>{e(doc.title)}</h1><p class="sub">{e(doc.subtitle)}</p>',
    ]
    for block in doc.blocks:
        out.append(_block_html(block))
    out.append("</body></html>")
    return "\n".join(out)


def _block_html(block: Block) -> str:
    e = escape
    if isinstance(block, Heading):
        tag = "h2" if block.level == 1 else "h3"
        brk = ' style="page-break-before:always"' if block.new_page else ""
        return f"<{tag}{brk}>{e(block.text)}</{tag}>"
    if isinstance(block, Para):
        cls = ' class="muted"' if block.muted else ""
        return f"<p{cls}>{e(block.text)}</p>"
    if isinstance(block, Figures):
        cells = "".join(
            f'<div class="fig"><div class="l">{e(f.label)}</div><div class="v">{e(f.value)}</div>'
            f'<div class="c" style="color:{TONE_COLORS.get(f.tone, "#6b7280")}">{e(f.change)}</div>'
            "</div>"
            for f in block.items
        )
        return f'<div class="figs">{cells}</div>'
    if isinstance(block, Chart):
        cap = f"<figcaption>{e(block.caption)}</figcaption>" if block.caption else ""
        return f"<figure>{block.svg}{cap}</figure>"  # our own SVG; its labels are escaped
    if isinstance(block, Table):

        def cell(tag: str, i: int, text: str) -> str:
            cls = ' class="n"' if i in block.numeric else ""
            return f"<{tag}{cls}>{e(text)}</{tag}>"

        head = "".join(cell("th", i, h) for i, h in enumerate(block.headers))
        body = "".join(
            "<tr>" + "".join(cell("td", i, c) for i, c in enumerate(row)) + "</tr>"
            for row in block.rows
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    if isinstance(block, Quote):
        mood = f" · {block.sentiment}" if block.sentiment else ""
        return (
            f'<blockquote><div class="w">{e(block.who)} · {e(block.when)}{e(mood)}</div>'
            f"{e(block.text)}</blockquote>"
        )
    raise TypeError(f"unknown block {type(block).__name__}")
