"""File › Import Mentions… (mapping preview, background import) and File › New (brief)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from engage_desktop.ui.inbox.import_dialog import NOT_MAPPED, ImportDialog
from engage_desktop.ui.listen.brief_dialog import BriefDialog
from engage_desktop.workspace.database import Workspace

SPROUT_LIKE = """\
Date,Network,From,Message,Message ID,Sentiment
2026-03-02 09:15,Twitter,kim,"Nimbus router died again, third one",m-1,negative
2026-03-03 10:00,Instagram,lee,Switched from Orbit to Nimbus and love it,m-2,positive
2026-03-04 11:30,Facebook,max,Skylink or Nimbus for a flat?,m-3,neutral
"""


def test_mapping_preview_then_background_import(window, qtbot, tmp_path):
    source = tmp_path / "sprout.csv"
    source.write_text(SPROUT_LIKE, encoding="utf-8")
    before = window.ws.scalar("SELECT count(*) FROM mentions")
    window.import_mentions_dialog(str(source))
    dialog: ImportDialog = window.import_dialog
    qtbot.waitUntil(lambda: dialog.import_button.isEnabled())
    # The proposed mapping, before anything is written.
    assert dialog.mapping()["text"] == "Message" and dialog.mapping()["author"] == "From"
    assert dialog.mapping()["id"] == "Message ID" and dialog.mapping()["published"] == "Date"
    assert dialog.boxes["title"].currentText() == NOT_MAPPED
    assert dialog.preview.rowCount() == 3
    headers = [dialog.preview.horizontalHeaderItem(c).text() for c in range(4)]
    assert headers[0] == "text\n← Message"
    assert dialog.preview.item(0, 0).text() == "Nimbus router died again, third one"
    assert window.ws.scalar("SELECT count(*) FROM mentions") == before
    # The user edits the mapping: Network becomes the source; the preview follows.
    dialog.set_field("source", "Network")
    assert any(
        dialog.preview.horizontalHeaderItem(c).text() == "source\n← Network"
        for c in range(dialog.preview.columnCount())
    )
    dialog.set_field("text", "")
    assert not dialog.import_button.isEnabled()
    dialog.set_field("text", "Message")
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Imported 3 of 3 rows" in window.statusBar().currentMessage())
    rows = dict(
        window.ws.cursor()
        .execute("SELECT external_id, source_name FROM mentions WHERE channel = 'import'")
        .fetchall()
    )
    assert rows == {"m-1": "Twitter", "m-2": "Instagram", "m-3": "Facebook"}
    assert window.ws.scalar("SELECT count(*) FROM mentions") == before + 3


def test_brief_dialog_previews_and_creates_a_workspace(qtbot, tmp_path):
    dialog = BriefDialog(folder=tmp_path)
    qtbot.addWidget(dialog)
    dialog.brand.setText("Acme")
    dialog.products.setText("Rocket Skates, Anvil")
    dialog.competitors.setText("Wile Corp")
    qtbot.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)
    assert dialog.topics.rowCount() == 4
    assert dialog.topics.item(1, 2).text() == '"rocket skates" OR #rocketskates'
    assert dialog.topics.item(3, 1).text() == "competitor"
    assert dialog.sources.count() >= 5
    assert all(
        dialog.sources.item(i).checkState() == Qt.CheckState.Unchecked
        for i in range(dialog.sources.count())
    )
    dialog.topics.item(2, 2).setText('anvil NOT "anvil chorus"')  # the user edits a query
    dialog.sources.item(2).setCheckState(Qt.CheckState.Checked)  # and ticks one source
    dialog.path.setText(str(tmp_path / "acme.engage"))
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == BriefDialog.DialogCode.Accepted
    with Workspace.open(dialog.created.path) as ws:
        queries = dict(ws.cursor().execute("SELECT name, query FROM watch_queries").fetchall())
        sources = ws.cursor().execute("SELECT kind, url FROM sources").fetchall()
    assert queries["Anvil"] == 'anvil NOT "anvil chorus"'
    assert set(queries) == {"Acme", "Rocket Skates", "Anvil", "Wile Corp"}
    assert sources == [("hn", "https://hn.algolia.com/?q=Acme")]
