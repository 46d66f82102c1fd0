"""Social CRM: customer import, identity links, suggestions, undo, replies, priority."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import duckdb
import pytest

from engage_desktop.cli import main
from engage_desktop.composer.compose import fill_saved_reply
from engage_desktop.core.errors import Conflict, InvalidInput, NotFound
from engage_desktop.crm import identity
from engage_desktop.crm.priority import set_customer_weight
from engage_desktop.crm.profile import customer_of_author, pending_suggestions
from engage_desktop.crm.records import import_customers, parse_map
from engage_desktop.enrich.store import PRIORITY_SQL
from engage_desktop.inbox.pager import get_mention
from engage_desktop.inbox.people import author_mentions, linked_author_ids
from engage_desktop.workspace import schema
from engage_desktop.workspace.database import Workspace
from tests.conftest import new_workspace

AUTHORS = [
    # id, channel, handle, name, email, profile_url
    (1, "mastodon", "ana", "Ana Silva", "ana@mail.example", "https://m.example/@ana"),
    (2, "bluesky", "ana.bsky.social", "Ana Silva", None, None),
    (3, "forum", "bob", "Bob Stone", None, None),
    (4, "reddit", "carla_r", "Carla Reyes", None, "https://www.carla.example/"),
    (5, "review", "dmitri", "Dmitri K", None, None),
    (6, "blog", "eve", "Eve Long", None, None),
]
CSV = """customer_id,name,email,tier,value,since,open_tickets,bluesky,forum,website,region
C1,Ana Silva,ANA@mail.example;ana@work.example,Enterprise,"$50,000",2015-03-01,2,\
ana.bsky.social,,,EMEA
C2,Bob Stone,bob@x.example,Basic,100,2022-01-01,0,,@Bob,,NA
C3,Carla Reyes,carla@y.example,Pro,2000,2020-05-05,1,,,https://carla.example,LATAM
C4,Eve Long,eve@z.example,Basic,50,2023-02-02,0,,,,APAC
,No Id,x@y.example,Basic,1,2020-01-01,0,,,,NA
C9,Bad Value,z@y.example,Basic,lots,2020-01-01,0,,,,NA
"""


@pytest.fixture
def ws(tmp_path):
    """A workspace with six authors, two mentions each (one negative, one positive)."""
    workspace = new_workspace(tmp_path / "crm.engage")
    with workspace.write() as cur:
        for a in AUTHORS:
            cur.execute(
                "INSERT INTO authors (id, channel, handle, name, email, profile_url, followers) "
                "VALUES (?, ?, ?, ?, ?, ?, 100)",
                list(a),
            )
        mention = 0
        for a in AUTHORS:
            for label, score in (("negative", -0.6), ("positive", 0.7)):
                mention += 1
                cur.execute(
                    "INSERT INTO mentions (id, item_key, channel, author_id, author_name, "
                    "author_handle, text, text_norm, published, sentiment, sentiment_label, "
                    "followers) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 100)",
                    [mention, f"k{mention}", a[1], a[0], a[3], a[2], f"{label} post",
                     f"{label} post", datetime(2026, 10, mention, tzinfo=UTC), score, label],
                )  # fmt: skip
    yield workspace
    workspace.close()


@pytest.fixture
def crm_csv(tmp_path):
    path = tmp_path / "crm.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def _links(ws):
    rows = (
        ws.cursor()
        .execute(
            "SELECT l.author_id, c.external_id, l.rule FROM customer_links l "
            "JOIN customers c ON c.id = l.customer_id ORDER BY 1"
        )
        .fetchall()
    )
    return {a: (c, r) for a, c, r in rows}


def test_import_and_reimport_update_without_duplicates(ws, crm_csv, tmp_path):
    first = import_customers(ws, crm_csv)
    assert (first.created, first.updated) == (4, 0)
    assert [line for line, _ in first.bad] == [6, 7]
    assert "no customer_id" in first.bad[0][1] and "'lots' is not a number" in first.bad[1][1]
    assert first.extra_columns == ["website", "region"] and first.channels == ["bluesky", "forum"]
    cur = ws.cursor()
    row = cur.execute(
        "SELECT name, tier, value, since, open_tickets, extra FROM customers "
        "WHERE external_id = 'C1'"
    ).fetchone()
    assert row[:5] == ("Ana Silva", "Enterprise", 50000.0, datetime(2015, 3, 1).date(), 2)
    assert json.loads(row[5]) == {"region": "EMEA"}
    assert sorted(
        r[0] for r in cur.execute(
            "SELECT email FROM customer_emails e JOIN customers c ON c.id = e.customer_id "
            "WHERE external_id = 'C1'"
        ).fetchall()
    ) == ["ana@mail.example", "ana@work.example"]  # fmt: skip

    # Re-import: C2 changes tier, C5 is new; the file has no value column (kept).
    again = tmp_path / "again.jsonl"
    again.write_text(
        json.dumps({"customer_id": "C2", "tier": "Pro", "email": "bob@x.example", "seats": 4})
        + "\n"
        + json.dumps({"customer_id": "C5", "name": "Finn", "tier": "Basic"})
        + "\n",
        encoding="utf-8",
    )
    second = import_customers(ws, again)
    assert (second.created, second.updated) == (1, 1)
    import_customers(ws, crm_csv)  # the first file once more: nothing new
    assert ws.scalar("SELECT count(*) FROM customers") == 5
    assert ws.scalar("SELECT count(DISTINCT external_id) FROM customers") == 5
    assert ws.scalar("SELECT count(*) FROM customer_emails") == ws.scalar(
        "SELECT count(*) FROM (SELECT DISTINCT customer_id, email FROM customer_emails)"
    )
    c2 = cur.execute("SELECT tier, value, extra FROM customers WHERE external_id = 'C2'").fetchone()
    # The CSV came last: its tier wins, the value survived the JSONL, extras merged.
    assert c2[0] == "Basic" and c2[1] == 100.0
    assert json.loads(c2[2]) == {"region": "NA", "seats": 4}  # a JSON number stays one
    cur.close()


def test_map_names_other_headers(ws, tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Account,Full name,Mail,Masto\nA-1,Ana Silva,ana@mail.example,@ana\n")
    mapping = parse_map(["customer_id=Account,name=Full name", "email=Mail,mastodon=Masto"])
    summary = import_customers(ws, path, mapping)
    assert summary.created == 1 and summary.channels == ["mastodon"]
    identity.link_all(ws)
    assert _links(ws)[1] == ("A-1", "email+handle")
    with pytest.raises(InvalidInput, match="no column 'nope'"):
        import_customers(ws, path, {"customer_id": "nope"})
    with pytest.raises(InvalidInput, match="FIELD=HEADER"):
        parse_map(["customer_id"])


def test_automatic_links_by_email_and_handle_with_their_rule(ws, crm_csv):
    import_customers(ws, crm_csv)
    summary = identity.link_all(ws)
    links = _links(ws)
    assert links == {1: ("C1", "email"), 2: ("C1", "handle"), 3: ("C2", "handle")}
    assert (summary.linked, summary.by_email, summary.by_handle) == (3, 1, 2)
    evidence = ws.scalar("SELECT evidence FROM customer_links WHERE author_id = 3")
    assert evidence == "forum:bob"
    assert ws.scalar("SELECT count(*) FROM events WHERE action = 'link' AND actor = 'auto'") == 3
    # One person, two accounts: the author panel reads both.
    assert linked_author_ids(ws, 1) == [1, 2]
    assert {m["channel"] for m in author_mentions(ws, 2)} == {"mastodon", "bluesky"}
    # Running it again changes nothing.
    assert identity.link_all(ws).linked == 0


def test_suggested_links_wait_for_confirmation(ws, crm_csv):
    import_customers(ws, crm_csv)
    identity.link_all(ws)
    pending = {(s["author_id"], s["external_id"]): s["rule"] for s in pending_suggestions(ws)}
    assert pending == {
        (4, "C3"): "name and profile URL",
        (6, "C4"): "handle = e-mail local part",
    }
    assert 4 not in _links(ws) and 6 not in _links(ws)
    c3 = identity.find_customer(ws, "C3")
    identity.confirm(ws, 4, c3)
    assert _links(ws)[4] == ("C3", "confirmed: name and profile URL")
    identity.reject(ws, 6, identity.find_customer(ws, "C4"))
    identity.link_all(ws)
    assert pending_suggestions(ws) == [] and 6 not in _links(ws)
    with pytest.raises(NotFound, match="no pending suggestion"):
        identity.confirm(ws, 6, identity.find_customer(ws, "C4"))


def test_merge_split_and_undo(ws, crm_csv):
    import_customers(ws, crm_csv)
    identity.link_all(ws)
    c2 = identity.find_customer(ws, "C2")
    identity.link(ws, 5, c2)  # merge: Dmitri's review account is Bob's
    assert _links(ws)[5] == ("C2", "manual") and linked_author_ids(ws, 3) == [3, 5]
    identity.unlink(ws, 2)  # split: the Bluesky account is not Ana's after all
    assert 2 not in _links(ws) and linked_author_ids(ws, 1) == [1]
    identity.link_all(ws)
    assert 2 not in _links(ws), "an unlinked pair is never re-linked by the machine"

    assert "unlink" in identity.undo(ws)
    assert _links(ws)[2] == ("C1", "handle")
    assert "link" in identity.undo(ws)
    assert 5 not in _links(ws)
    actions = [
        r[0] for r in ws.cursor().execute(
            "SELECT action FROM events WHERE entity = 'author' AND actor <> 'auto' ORDER BY id"
        ).fetchall()
    ]  # fmt: skip
    assert actions == ["link", "unlink", "undo", "undo"]
    # Undoing an automatic link keeps it undone after the next import.
    auto = ws.scalar(
        "SELECT max(id) FROM events WHERE action = 'link' AND actor = 'auto' AND entity_id = '3'"
    )
    identity.undo(ws, auto)
    identity.link_all(ws)
    assert 3 not in _links(ws)
    with pytest.raises(Conflict, match="not linked"):
        identity.unlink(ws, 6)


def test_find_author_and_customer(ws, crm_csv):
    import_customers(ws, crm_csv)
    assert identity.find_author(ws, "forum:bob") == 3
    assert identity.find_author(ws, "@ana") == 1
    assert identity.find_author(ws, "6") == 6
    with pytest.raises(NotFound, match="no author"):
        identity.find_author(ws, "nobody")
    with pytest.raises(NotFound, match="no customer"):
        identity.find_customer(ws, "C404")


def test_saved_replies_fill_customer_fields(ws, crm_csv):
    import_customers(ws, crm_csv)
    identity.link_all(ws)
    body = "Hi {customer_first_name}, as a {tier} customer since {customer_since} ({customer_id})"
    ana = fill_saved_reply(ws, get_mention(ws, 2), body)  # Ana's Bluesky post
    assert ana.text == "Hi Ana, as a Enterprise customer since 2015-03-01 (C1)"
    assert ana.missing == ()
    dmitri = fill_saved_reply(ws, get_mention(ws, 9), body)  # not a customer
    assert set(dmitri.missing) == {"customer_first_name", "tier", "customer_since", "customer_id"}
    assert "{tier}" in dmitri.text


def test_priority_weighs_customer_value_when_switched_on(ws, crm_csv):
    import_customers(ws, crm_csv)
    identity.link_all(ws)
    with ws.write() as cur:
        cur.execute(f"UPDATE mentions SET priority = {PRIORITY_SQL}")
    base = dict(ws.cursor().execute("SELECT id, priority FROM mentions").fetchall())
    set_customer_weight(ws, 30)
    now = dict(ws.cursor().execute("SELECT id, priority FROM mentions").fetchall())
    rank = ws.scalar("SELECT value_rank FROM customers WHERE external_id = 'C1'")
    assert rank == 1.0  # the most valuable customer
    assert now[1] == pytest.approx(round(0.7 * base[1] + 30 * rank, 2))
    assert now[9] == pytest.approx(round(0.7 * base[9], 2))  # Dmitri: no customer
    identity.link(ws, 5, identity.find_customer(ws, "C1"))  # linking moves him up
    assert ws.scalar("SELECT priority FROM mentions WHERE id = 9") == pytest.approx(now[1])
    set_customer_weight(ws, 0)
    assert ws.scalar("SELECT priority FROM mentions WHERE id = 1") == pytest.approx(base[1])
    with pytest.raises(InvalidInput):
        set_customer_weight(ws, 80)


def test_customer_profile_for_the_panel(ws, crm_csv):
    import_customers(ws, crm_csv)
    identity.link_all(ws)
    customer = customer_of_author(ws, 2)
    assert customer is not None and customer.external_id == "C1"
    assert [a["id"] for a in customer.accounts] == [2, 1]  # by channel: bluesky, mastodon
    assert customer.extra == {"region": "EMEA"} and customer.years >= 10
    assert customer_of_author(ws, 5) is None


def test_migration_from_version_2_adds_tables_and_the_segment_view(tmp_path):
    path = tmp_path / "v2.engage"
    con = duckdb.connect(str(path))
    assert schema.migrate(con, target=2) == [1, 2]
    con.execute("INSERT INTO settings (key, value) VALUES ('inbox.views_seeded', 'true')")
    con.execute("INSERT INTO saved_views (name, filters, position) VALUES ('Mine', '{}', 0)")
    con.close()
    with Workspace.open(path) as ws:
        assert ws.schema_version() >= 3
        assert ws.scalar("SELECT count(*) FROM customers") == 0
        names = [r[0] for r in ws.cursor().execute("SELECT name FROM saved_views").fetchall()]
    assert names == ["Mine", "Negative, unanswered, top-tier customers"]


def test_cli_import_link_unlink_undo(ws, crm_csv, capsys):
    path = str(ws.path)
    ws.close()
    assert main(["-w", path, "customers", "import", str(crm_csv)]) == 0
    captured = capsys.readouterr()
    assert "4 customers added, 0 updated, 2 bad rows skipped" in captured.out
    assert "3 authors linked (1 by e-mail, 2 by handle), 2 links suggested" in captured.out
    assert "line 6: no customer_id; skipped" in captured.err
    assert main(["-w", path, "customers", "link", "review:dmitri", "C2"]) == 0
    assert main(["-w", path, "customers", "unlink", "review:dmitri"]) == 0
    assert main(["-w", path, "customers", "undo"]) == 0
    assert main(["-w", path, "customers", "show", "C2"]) == 0
    assert "linked: author 5 review:dmitri (manual)" in capsys.readouterr().out
    assert main(["-w", path, "customers", "link", "nobody", "C2"]) == 2
    assert "no author 'nobody'" in capsys.readouterr().err
    assert main(["-w", path, "customers", "import", str(crm_csv) + ".xls"]) == 2
    assert main(["-w", path, "inbox", "list", "--customers-only", "--tier", "top", "--count"]) == 0
    assert capsys.readouterr().out.strip() == "4 mentions"  # Ana's two accounts
    assert main(["-w", path, "inbox", "list", "--customer", "C2", "--count"]) == 0
    assert capsys.readouterr().out.strip() == "4 mentions"  # Bob and Dmitri
    assert main(["-w", path, "inbox", "list", "--customer", "C404"]) == 2
    assert "no customer 'C404'" in capsys.readouterr().err
    assert main(["-w", path, "inbox", "list", "--customers-only", "--not-customers"]) == 2


def test_unreadable_rows_and_files_get_one_clear_message(ws, tmp_path):
    from engage_desktop.core.errors import EngageError

    path = tmp_path / "short.csv"
    path.write_text("customer_id,name,tier\nA,Ann,Pro\nB,Bo\nC,Cy,Basic\nD,Di,Pro,extra\n")
    summary = import_customers(ws, path)
    assert summary.created == 2
    assert summary.bad == [
        (3, "2 fields where the header has 3"),
        (5, "4 fields where the header has 3"),
    ]
    latin = tmp_path / "latin.csv"
    latin.write_bytes("customer_id,name\nA,Jos\xe9\n".encode("latin-1"))
    with pytest.raises(EngageError, match="not UTF-8 text"):
        import_customers(ws, latin)
    lines = tmp_path / "bad.jsonl"
    lines.write_text('{"customer_id": "J1"}\nnot json\n[1, 2]\n')
    summary = import_customers(ws, lines)
    assert summary.created == 1 and [line for line, _ in summary.bad] == [2, 3]
    assert ws.scalar("SELECT count(*) FROM customers") == 3


def test_new_mentions_of_a_customer_carry_the_customer(ws, crm_csv):
    from engage_desktop.cli.plugins import install_plugins
    from engage_desktop.crm.segments import after_insert
    from engage_desktop.enrich.hooks import after_insert_hooks, run_after_insert

    install_plugins()  # as the app and every command do at start-up
    assert after_insert_hooks()[-1] is after_insert  # after enrichment
    import_customers(ws, crm_csv)
    identity.link_all(ws)
    with ws.write() as cur:
        cur.execute(
            "INSERT INTO mentions (id, item_key, channel, author_id, text, text_norm, published) "
            "VALUES (100, 'k100', 'forum', 3, 'still broken', 'still broken', now())"
        )
    run_after_insert(ws, [100])
    row = (
        ws.cursor()
        .execute(
            "SELECT c.external_id, m.customer_tier, m.customer_value, m.customer_top "
            "FROM mentions m JOIN customers c ON c.id = m.customer_id WHERE m.id = 100"
        )
        .fetchone()
    )
    assert row == ("C2", "Basic", 100.0, False)
    # A re-import that changes the tier reaches the mentions already stored.
    upgrade = crm_csv.with_name("upgrade.csv")
    upgrade.write_text("customer_id,tier,value\nC2,Enterprise,90000\n")
    import_customers(ws, upgrade)
    row = (
        ws.cursor()
        .execute(
            "SELECT customer_tier, customer_value, customer_top, customer_rank FROM mentions "
            "WHERE id = 100"
        )
        .fetchone()
    )
    assert row == ("Enterprise", 90000.0, True, 1.0)
