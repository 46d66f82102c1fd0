"""import -> score -> export keeps every id; bad rows are reported by line and skipped."""

from __future__ import annotations

import csv
import json

from engage_desktop.cli import main
from engage_desktop.workspace.database import Workspace
from tests.conftest import new_workspace

CSV_TEXT = """\
id,source,url,author,title,text,published,sentiment,sentiment_label,status,tags,extra
101,Trustpilot,https://t.ex/1,Ann,,"Love the router, great!",2026-03-01T10:00Z,,,new,"vip,router",x
102,Trustpilot,,Bob,Awful,,2026-03-02T11:00:00Z,,,open,,
R-7,Forum,,Cy,,"Thinking of switching to Orbit.
Cancel my subscription?",2026-03-03 12:00:00,,,,,
104,Forum,,Dee,,Der Router ist sehr schlecht und langsam.,2026-03-04T12:00:00+02:00,,,,,
105,Forum,,Eve,,bad date here,yesterday,,,,,
106,Forum,,Gus,,sentiment off the scale,2026-03-04T12:00:00Z,7,,,,
107,Forum,,Hal,,"Terrible support, third router this month",2026-03-05T08:00:00Z,,,weird,,
108,Forum,,Ivy,,Works fine,,0.2,positive,resolved,,
101,Trustpilot,https://t.ex/1,Ann,,"Love the router, great!",2026-03-01T10:00:00Z,,,new,,
"""


def test_import_score_export_round_trip_with_bad_rows(tmp_path, capsys):
    ws_path = tmp_path / "client.engage"
    new_workspace(ws_path).close()
    source = tmp_path / "client.csv"
    source.write_text(CSV_TEXT, encoding="utf-8")
    w = ["-w", str(ws_path)]

    assert main([*w, "import", str(source), "--no-enrich"]) == 0
    io = capsys.readouterr()
    assert "client.csv:3: skipped: no text" in io.err  # lines count the file's lines
    assert "client.csv:7: skipped: published 'yesterday' is not an ISO 8601" in io.err
    assert "client.csv:9: skipped: status 'weird'" in io.err
    assert "ignored columns: extra" in io.err
    # Their sentiment (7 on their own scale) is kept apart, never rejected or used as ours.
    assert "imported 5 of 9 rows; 3 bad; 1 already present; 4 ids kept" in io.out
    assert "5 external ids" in io.out and "2 with the other tool's sentiment" in io.out
    assert "times: 3 with a zone, 1 without, taken as UTC" in io.out
    assert "1 without a date" in io.out

    assert main([*w, "score"]) == 0
    io = capsys.readouterr()
    assert io.out.startswith("enriched 5 of 5 mentions")
    assert "1 not English (unscored)" in io.out
    assert "score" in io.err  # the progress bar is on stderr

    out_csv = tmp_path / "out.csv"
    assert main([*w, "export", "mentions", str(out_csv)]) == 0
    with out_csv.open(encoding="utf-8") as fh:
        rows = {r["text"][:10]: r for r in csv.DictReader(fh)}
    assert set(next(iter(rows.values()))) == {
        "id", "external_id", "source", "url", "author", "title", "text", "published",
        "sentiment", "sentiment_label", "status", "tags",
    }  # fmt: skip
    assert rows["Love the r"]["id"] == "101" and rows["Love the r"]["tags"] == "vip,router"
    assert rows["Love the r"]["sentiment_label"] == "positive"
    assert rows["Der Router"]["id"] == "104" and rows["Der Router"]["sentiment_label"] == "unscored"
    assert rows["Der Router"]["published"] == "2026-03-04T10:00:00Z"
    assert rows["Works fine"]["id"] == "108" and rows["Works fine"]["status"] == "resolved"
    churn = rows["Thinking o"]
    assert churn["external_id"] == "R-7" and churn["id"] != "R-7"
    assert churn["text"] == "Thinking of switching to Orbit.\nCancel my subscription?"
    assert churn["sentiment_label"] in ("positive", "neutral", "negative")
    with Workspace.open(ws_path) as ws:
        remote, intents = (
            ws.cursor()
            .execute("SELECT external_id, intents FROM mentions WHERE id = ?", [int(churn["id"])])
            .fetchone()
        )
        their = ws.scalar("SELECT their_label FROM mentions WHERE id = 108")
    assert remote == "R-7" and "churn risk" in intents
    assert their == "positive"

    # The exported ids are the ones every command accepts.
    assert main([*w, "correct", "101", "negative"]) == 0
    assert main([*w, "score", "--rescore"]) == 0
    capsys.readouterr()
    out_jsonl = tmp_path / "out.jsonl"
    assert main([*w, "export", "mentions", str(out_jsonl)]) == 0
    exported = [json.loads(line) for line in out_jsonl.read_text().splitlines()]
    by_id = {r["id"]: r for r in exported}
    assert by_id[101]["sentiment_label"] == "negative"  # the correction survived
    assert by_id[101]["tags"] == ["vip", "router"]

    # Importing the export into a fresh workspace keeps every id.
    fresh = tmp_path / "fresh.engage"
    new_workspace(fresh).close()
    assert main(["-w", str(fresh), "import", str(out_jsonl)]) == 0
    assert "5 ids kept; 0 given new ids" in capsys.readouterr().out
    again = tmp_path / "again.jsonl"
    assert main(["-w", str(fresh), "export", "mentions", str(again)]) == 0
    assert [json.loads(x)["id"] for x in again.read_text().splitlines()] == sorted(by_id)


def test_unusable_files_are_one_clear_line(tmp_path, capsys):
    ws_path = tmp_path / "w.engage"
    new_workspace(ws_path).close()
    w = ["-w", str(ws_path)]
    no_text = tmp_path / "x.csv"
    no_text.write_text("id,note\n1,hello\n", encoding="utf-8")
    assert main([*w, "import", str(no_text)]) == 2
    assert "x.csv has no 'text' column" in capsys.readouterr().err
    other = tmp_path / "x.xml"
    other.write_text("<a/>", encoding="utf-8")
    assert main([*w, "import", str(other)]) == 2
    assert main([*w, "export", "mentions", str(tmp_path / "x.docx")]) == 2
    err = capsys.readouterr().err
    assert "use a .csv, .jsonl, .xlsx or .parquet file" in err
    broken = tmp_path / "b.jsonl"
    broken.write_text('{"text": "fine"}\n{oops\n[1, 2]\n', encoding="utf-8")
    assert main([*w, "import", str(broken), "--no-enrich"]) == 0
    io = capsys.readouterr()
    assert "b.jsonl:2: skipped: not valid JSON" in io.err
    assert "b.jsonl:3: skipped: not a JSON object" in io.err


def test_lexicon_and_intent_commands(demo_path, capsys):
    w = ["-w", str(demo_path)]
    assert main([*w, "lexicon", "add", "Sick", "2"]) == 0
    assert main([*w, "lexicon", "list"]) == 0
    assert "sick\t+2.00" in capsys.readouterr().out
    assert main([*w, "lexicon", "add", "two words", "1"]) == 2
    assert main([*w, "lexicon", "add", "ok", "9"]) == 2
    assert main([*w, "intents", "add", "outage", '"is down" OR outage*']) == 0
    assert "re-tagged 3,000 mentions" in capsys.readouterr().out
    assert main([*w, "intents", "list"]) == 0
    listing = capsys.readouterr().out
    outage = next(line for line in listing.splitlines() if line.startswith("outage"))
    assert int(outage.split("\t")[1].split()[0].replace(",", "")) > 0
    assert main([*w, "intents", "add", "x", "a AND b"]) == 2
    assert main([*w, "intents", "remove", "outage"]) == 0
    assert main([*w, "correct", "999999", "positive"]) == 2
