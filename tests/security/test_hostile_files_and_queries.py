"""Hostile OPML, mention files, queries and servers asking for tokens.

Rows covered: OPML and local paths, bounded queries (10,000 NOTs, 5,000 ORs), the
linear wildcard, import field caps, duplicates and huge CSV lines, and tokens never
sent over plain http to another machine.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from engage_desktop.core.query import MAX_TERMS, QuerySyntaxError, parse
from engage_desktop.core.query.match import glob_match
from engage_desktop.inbox.import_guard import MAX_FIELD_CHARS
from engage_desktop.inbox.mention_io import import_mentions
from engage_desktop.listen.source_store import list_sources
from engage_desktop.listen.subscriptions import import_opml
from engage_desktop.sources.files import local_path
from engage_desktop.sources.http import FetchError, sends_secret_in_clear
from tests.conftest import new_workspace
from tests.security.hostile import opml, run_cli


@pytest.fixture
def ws(tmp_path: Path):
    with new_workspace(tmp_path / "files.engage") as w:
        yield w


# -- OPML and local paths -------------------------------------------------------------


def test_opml_imports_web_feeds_only(ws, tmp_path):
    path = tmp_path / "client.opml"
    path.write_bytes(
        opml(
            "file:///etc/passwd",
            "resource://demo/..%2f..%2f..%2fetc%2fpasswd",
            "smb://attacker.example/share",
            "/etc/shadow",
            "javascript:alert(1)",
            "https://blog.example/feed.xml",
        )
    )
    refused: list[str] = []
    added, _skipped = import_opml(ws, path, refused=refused)
    assert added == 1
    assert [s["url"] for s in list_sources(ws)] == ["https://blog.example/feed.xml"]
    assert len(refused) == 5


def test_the_cli_says_which_opml_entries_were_left_out(tmp_path):
    ws_path = tmp_path / "cli.engage"
    new_workspace(ws_path).close()
    path = tmp_path / "client.opml"
    path.write_bytes(opml("file:///etc/passwd", "https://blog.example/feed.xml"))
    done = run_cli("sources", "import-opml", str(path), "-w", str(ws_path))
    assert done.returncode == 0, done.stderr
    assert "left out 1 entries that are not web addresses" in done.stderr
    assert "file:///etc/passwd" in done.stderr
    assert "imported 1 feeds" in done.stdout


@pytest.mark.parametrize(
    "url",
    [
        "resource://demo/..%2f..%2fsecret",
        "resource://demo/%2e%2e/%2e%2e/secret",
        "resource://..%5c..%5csecret",
        "resource://demo/../secret",
    ],
)
def test_resource_paths_are_checked_after_unquoting(url):
    with pytest.raises(FetchError, match="outside the shipped resources"):
        local_path(url)


# -- queries ------------------------------------------------------------------------


def test_ten_thousand_nots_give_a_message_not_a_recursion_error():
    with pytest.raises(QuerySyntaxError, match=r"too long|nested too deeply"):
        parse("NOT " * 10_000 + "nimbus")
    with pytest.raises(QuerySyntaxError, match="nested too deeply"):
        parse("NOT " * 65 + "nimbus")
    with pytest.raises(QuerySyntaxError, match="nested too deeply"):
        parse("-" * 65 + "nimbus")
    assert str(parse("NOT NOT nimbus")) == "NOT NOT nimbus"


@pytest.mark.parametrize("joiner", [" OR ", " AND ", " "])
def test_thousands_of_terms_are_refused_at_once(joiner):
    words = [f"w{i}" for i in range(5000)]
    with pytest.raises(QuerySyntaxError, match=r"too long|more than"):
        parse(joiner.join(words))
    with pytest.raises(QuerySyntaxError, match=f"more than {MAX_TERMS} terms"):
        parse(joiner.join(words[: MAX_TERMS + 1]))
    parse(joiner.join(words[:MAX_TERMS]))  # at the limit it still parses


def test_the_cli_reports_a_nested_query_in_words(tmp_path):
    ws_path = tmp_path / "q.engage"
    new_workspace(ws_path).close()
    done = run_cli("watch", "test", "NOT " * 10_000 + "nimbus", "-w", str(ws_path))
    assert done.returncode in (1, 2), done.stderr
    assert "too long" in done.stderr or "nested too deeply" in done.stderr
    assert "unexpected error" not in done.stderr and "Traceback" not in done.stderr


def test_wildcards_match_in_linear_time_and_agree_with_the_meaning():
    parts = ("a",) * 8 + ("b",)
    assert not glob_match(parts, "a" * 5000)  # a backtracking regex never returns
    assert glob_match(parts, "a" * 5000 + "b")
    q = parse("a*a*a*a*a*a*a*a*b author:a*a*a*a*a*a*a*b")
    from engage_desktop.core.query import MatchDoc

    assert not q.matches(MatchDoc(text="a" * 3000, author="a" * 3000))


# -- imports ------------------------------------------------------------------------


def test_a_huge_csv_field_is_cut_and_reported_by_line(ws, tmp_path):
    path = tmp_path / "client.csv"
    huge = "nimbus " + "x" * (MAX_FIELD_CHARS + 500_000)
    path.write_text(
        "id,text,url,published\n"
        "1,first post,https://a.example/1,2026-01-01T00:00:00Z\n"
        f'2,"{huge}",https://a.example/2,2026-01-02T00:00:00Z\n'
        "3,dup url,https://a.example/1,2026-01-03T00:00:00Z\n"
        "4,bad link,javascript:alert(1),9999-12-31T00:00:00Z\n"
        "5,ctl\x1b[31m text,https://a.example/5,2026-01-05T00:00:00Z\n",
        encoding="utf-8",
    )
    summary = import_mentions(ws, path)
    assert summary.imported == 4 and not summary.bad
    notes = {(w.line, w.reason) for w in summary.warnings}
    assert any(line == 3 and "cut to 1,000,000 characters" in r for line, r in notes)
    assert any(line == 4 and "same url as line 2" in r for line, r in notes)
    assert any(line == 5 and "url dropped" in r for line, r in notes)
    assert any(line == 5 and "impossible" in r for line, r in notes)
    longest = ws.scalar("SELECT max(length(text)) FROM mentions")
    assert MAX_FIELD_CHARS < longest < MAX_FIELD_CHARS + 200
    assert ws.scalar("SELECT count(*) FROM mentions WHERE text LIKE '%' || chr(27) || '%'") == 0
    row = ws.scalar("SELECT published_note FROM mentions WHERE text = 'bad link'")
    assert row and "import time" in row
    assert ws.scalar("SELECT url FROM mentions WHERE text = 'bad link'") is None


def test_duplicate_ids_in_one_jsonl_file_are_reported_by_line(ws, tmp_path):
    path = tmp_path / "client.jsonl"
    rows = [
        {"id": "a1", "text": "one", "source": "s"},
        {"id": "a2", "text": "two", "source": "s"},
        {"id": "a1", "text": "one again", "source": "s"},
        {"id": "a3", "text": "x" * (MAX_FIELD_CHARS * 2), "source": "s"},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    summary = import_mentions(ws, path)
    assert summary.imported == 3
    reasons = {w.line: w.reason for w in summary.warnings}
    assert "same id as line 1" in reasons[3]
    assert "cut" in reasons[4]


def test_the_import_cli_lists_each_change_by_line(tmp_path):
    ws_path = tmp_path / "imp.engage"
    new_workspace(ws_path).close()
    path = tmp_path / "client.csv"
    path.write_text("id,text\n7,hello\n7,hello again\n", encoding="utf-8")
    done = run_cli("import", str(path), "--no-enrich", "-w", str(ws_path))
    assert done.returncode == 0, done.stderr
    assert f"{path}:3: same id as line 2; skipped as a duplicate" in done.stderr


# -- secrets over plain http --------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "clear"),
    [
        ("http://mastodon.example", True),
        ("http://10.0.0.5:3000", True),
        ("HTTP://Mastodon.Example", True),
        ("https://mastodon.example", False),
        ("http://127.0.0.1:8080", False),
        ("http://localhost:8080", False),
        ("http://[::1]:8080", False),
    ],
)
def test_plain_http_to_another_machine_is_recognised(url, clear):
    assert sends_secret_in_clear(url) is clear


def test_a_mastodon_token_is_never_sent_over_plain_http(tmp_path):
    from engage_desktop.outbox.channels.base import Rejected
    from engage_desktop.outbox.channels.mastodon import MastodonChannel

    with pytest.raises(Rejected, match="plain http:// to another machine"):
        MastodonChannel("http://mastodon.example", "secret-token")
    MastodonChannel("http://127.0.0.1:9", "secret-token").close()  # loopback is fine
    ws_path = tmp_path / "acc.engage"
    new_workspace(ws_path).close()
    done = run_cli(
        "accounts", "add", "mastodon", "--instance", "http://mastodon.example",
        "-w", str(ws_path), input="secret-token\n",
    )  # fmt: skip
    assert done.returncode != 0
    assert "plain http://" in done.stderr and "Traceback" not in done.stderr


def test_imported_dates_out_of_range_are_never_the_newest(ws, tmp_path):
    path = tmp_path / "dates.jsonl"
    lines = [
        {"text": "from the future", "published": "9999-12-31T23:59:59Z"},
        {"text": "from year one", "published": "0001-01-01T00:00:00Z"},
        {"text": "real", "published": "2026-01-01T00:00:00Z"},
    ]
    path.write_text("\n".join(json.dumps(r) for r in lines), encoding="utf-8")
    import_mentions(ws, path)
    newest = ws.scalar("SELECT max(published) FROM mentions")
    assert newest <= datetime.now(UTC)


def test_a_local_csv_source_with_a_huge_cell_is_read_and_cut(ws, tmp_path):
    from engage_desktop.core.progress import PlainState
    from engage_desktop.listen.fetch import FetchOptions, run_fetch
    from engage_desktop.listen.source_store import add_source

    dump = tmp_path / "dump.csv"
    dump.write_text(
        f'text,url\n"nimbus {"y" * (MAX_FIELD_CHARS * 2)}",https://a.example/1\nnimbus small,\n',
        encoding="utf-8",
    )
    add_source(ws, kind="file", url=str(dump), name="dump", channel="file", keep_all=True)
    summary = run_fetch(PlainState(), ws, options=FetchOptions(parse="thread"))
    assert summary.ok == 1, summary.failed
    assert ws.scalar("SELECT count(*) FROM mentions") == 2
    longest = ws.scalar("SELECT max(length(text)) FROM mentions")
    assert MAX_FIELD_CHARS < longest < MAX_FIELD_CHARS + 200
