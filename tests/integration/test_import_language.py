"""Imports detect undeclared languages before matching, so ``lang:`` watch queries match.

A client's export rarely has a language column; the watch query ``nimbus lang:fr``
must still tag the French post, with or without ``--no-enrich``.
"""

from __future__ import annotations

import pytest

from engage_desktop.cli import main
from engage_desktop.workspace.database import Workspace

CSV = """\
text,author,date
Le routeur Nimbus est encore tombé en panne ce matin et le support ne répond pas,kim,2026-03-02
The Nimbus router died again this morning and support does not answer at all,lee,2026-03-03
Der Nimbus Router ist heute Morgen wieder ausgefallen und der Support antwortet nicht,max,2026-03-04
"""


@pytest.mark.parametrize("no_enrich", [False, True])
def test_lang_queries_match_imported_rows_without_a_language_column(tmp_path, no_enrich):
    path = tmp_path / "client.engage"
    assert main(["new", str(path), "--brand", "Nimbus"]) == 0
    assert main(["-w", str(path), "watch", "add", "Nimbus FR", "nimbus lang:fr"]) == 0
    assert main(["-w", str(path), "watch", "add", "Nimbus not EN", "nimbus -lang:en"]) == 0
    source = tmp_path / "export.csv"
    source.write_text(CSV, encoding="utf-8")
    args = ["-w", str(path), "import", str(source)] + (["--no-enrich"] if no_enrich else [])
    assert main(args) == 0
    with Workspace.open(path) as ws:
        rows = {
            author: (language, sorted(topics), label)
            for author, language, topics, label in ws.tuples(
                "SELECT author_name, language, topics, sentiment_label FROM mentions"
            )
        }
    assert {a: r[0] for a, r in rows.items()} == {"kim": "fr", "lee": "en", "max": "de"}
    assert rows["kim"][1] == ["Nimbus", "Nimbus FR", "Nimbus not EN"]
    assert rows["lee"][1] == ["Nimbus"]
    assert rows["max"][1] == ["Nimbus", "Nimbus not EN"]
    # --no-enrich still leaves the scoring to 'score'; the default scores English.
    assert (rows["lee"][2] is None) is no_enrich
