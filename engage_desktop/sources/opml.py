"""OPML in and out, the feed readers' exchange format; folders become tags."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

from engage_desktop.core.untrusted import is_web_url, strip_controls


@dataclass(frozen=True)
class OpmlFeed:
    """One subscription of an OPML file.

    Attributes:
        url: The feed address (``xmlUrl``).
        title: Its title or text.
        tags: The folders it sits in, outermost first.
        site_url: The site (``htmlUrl``), when given.
    """

    url: str
    title: str
    tags: tuple[str, ...] = ()
    site_url: str | None = None


def read_opml(path: str | Path, skipped: list[str] | None = None) -> list[OpmlFeed]:
    """Every web feed in an OPML file, with its folders as tags.

    An OPML file comes from someone else: only ``http``/``https`` addresses are
    feeds. ``file:``, ``resource:`` and any other address would make the app read
    a local file or reach elsewhere, so they are left out (and listed in
    ``skipped``, when given).

    Raises:
        ValueError: The file is not OPML, in one sentence.
    """
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        raise ValueError(f"{Path(path).name} is not valid OPML: {exc}") from None
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror}") from None
    if root.tag.lower() != "opml":
        raise ValueError(f"{Path(path).name} is not an OPML file (its root is <{root.tag}>)")
    body = root.find("body")
    if body is None:
        raise ValueError(f"{Path(path).name} has no <body>; nothing to import")
    feeds: list[OpmlFeed] = []

    def walk(node: ET.Element, folders: tuple[str, ...]) -> None:
        for outline in node.findall("outline"):
            url = outline.get("xmlUrl") or outline.get("xmlurl")
            title = outline.get("title") or outline.get("text") or ""
            if url and not is_web_url(url.strip()):
                if skipped is not None:
                    skipped.append(strip_controls(url.strip())[:200])
            elif url:
                site = outline.get("htmlUrl")
                feeds.append(
                    OpmlFeed(
                        url.strip(),
                        strip_controls(title.strip()) or url.strip(),
                        tuple(strip_controls(f) for f in folders),
                        site.strip() if site and is_web_url(site.strip()) else None,
                    )
                )
            walk(outline, (*folders, title.strip()) if not url and title.strip() else folders)

    walk(body, ())
    return feeds


def write_opml(path: str | Path, feeds: list[OpmlFeed], title: str = "engage-desktop") -> int:
    """Write feeds to an OPML 2.0 file, one folder per first tag.

    Returns:
        How many feeds were written.
    """
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = format_datetime(datetime.now(UTC))
    body = ET.SubElement(root, "body")
    folders: dict[str, ET.Element] = {}
    for feed in feeds:
        parent = body
        if feed.tags:
            folder = feed.tags[0]
            if folder not in folders:
                folders[folder] = ET.SubElement(body, "outline", text=folder, title=folder)
            parent = folders[folder]
        attrs = {"type": "rss", "text": feed.title, "title": feed.title, "xmlUrl": feed.url}
        if feed.site_url:
            attrs["htmlUrl"] = feed.site_url
        ET.SubElement(parent, "outline", attrs)
    ET.indent(root)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
    return len(feeds)
