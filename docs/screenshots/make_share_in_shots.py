# ruff: noqa: E501
"""Render the README's pictures of File › New (the brief) and File › Import Mentions….

Usage: python docs/screenshots/make_share_in_shots.py docs/screenshots

brief-dialog.png: a brief typed in and previewed (topics, watch queries, suggested
sources, one ticked). import-preview.png: the mapping and preview of a
Brandwatch-style export (report lines above the header, its column names).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

EXPORT = """\
Report:,Nimbus — March
From:,2026-03-01,To:,2026-03-31

Query Name,Date,Title,Url,Domain,Sentiment,Page Type,Author,Full Text,Resource Id,Twitter Followers
Nimbus,2026-03-02 09:15:00.0,,https://forum.example/t/8812,forum.example,negative,forum,kim_w,"Third Nimbus router this month, terrible support",bw-000017-x,
Nimbus,2026-03-02 11:02:41.0,,https://social.example/@lee/1100042,social.example,positive,mastodon,lee,Switched from Orbit to Nimbus and the mesh handoff is flawless,bw-000018-x,2210
Nimbus,2026-03-03 08:40:00.0,Which mesh for a flat?,https://forum.example/t/8830,forum.example,neutral,forum,max.r,Skylink or Nimbus Mesh Pro for a two-room flat?,bw-000019-x,
Nimbus,2026-03-03 17:25:13.0,,https://news.example/a/55,news.example,neutral,news,Tech Daily,"Nimbus ships firmware 4.2 with WPA3 for the Router X2",bw-000020-x,51000
Nimbus,2026-03-04 21:07:00.0,,https://social.example/@ana/1100977,social.example,negative,mastodon,ana,"@nimbushq my app keeps logging me out, fix it please",bw-000021-x,318
Nimbus,2026-03-05 06:55:30.0,,https://reviews.example/r/311,reviews.example,positive,review,Paul G.,Five stars: setup took four minutes and the range is great,bw-000022-x,
"""


def main(out: str) -> None:
    """Save the two dialog PNGs to ``out``."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from engage_desktop.ui.inbox.import_dialog import ImportDialog
    from engage_desktop.ui.listen.brief_dialog import BriefDialog
    from engage_desktop.ui.tasks import TaskRunner
    from engage_desktop.ui.theme import STYLE_SHEET

    app = QApplication.instance() or QApplication([])
    app.setStyleSheet(STYLE_SHEET)
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="engage-shots-"))

    brief = BriefDialog(folder=tmp)
    brief.path.setText("~/clients/nimbus-march.engage")
    brief.brand.setText("Nimbus")
    brief.products.setText("Router X2, Mesh Pro, Nimbus app")
    brief.competitors.setText("Orbit, Skylink")
    brief.languages.setText("en, de")
    brief.preview()
    brief.sources.item(2).setCheckState(Qt.CheckState.Checked)
    brief.sources.item(3).setCheckState(Qt.CheckState.Checked)
    brief.resize(1000, 760)
    brief.show()
    for _ in range(10):
        app.processEvents()
    brief.grab().save(str(folder / "brief-dialog.png"))
    brief.close()

    export = tmp / "brandwatch-nimbus-march.csv"
    export.write_text(EXPORT, encoding="utf-8")
    tasks = TaskRunner()
    dialog = ImportDialog(export, tasks)
    dialog.resize(1200, 760)
    dialog.show()
    tasks.pool.waitForDone(10_000)
    for _ in range(20):
        app.processEvents()
    dialog.grab().save(str(folder / "import-preview.png"))
    dialog.close()
    tasks.shutdown()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
