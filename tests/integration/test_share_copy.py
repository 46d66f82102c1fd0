"""The executive copy: what it keeps, what it leaves out, pseudonyms, read-only opening."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from engage_desktop.cli import main
from engage_desktop.composer.drafts import save_draft
from engage_desktop.composer.saved_replies import save_saved_reply
from engage_desktop.core.errors import ReadOnlyError
from engage_desktop.dashboard.share.copy import ShareCancelled, ShareOptions, export_workspace
from engage_desktop.inbox.notes import add_note
from engage_desktop.outbox.accounts import add_account
from engage_desktop.workspace.database import Workspace

SECRETS = {
    "draft": "DRAFT-zq81 unsent wording",
    "mention note": "NOTE-kx77 legal says wait",
    "author note": "PERSON-NOTE-jj12 difficult customer",
    "saved reply": "SAVED-REPLY-pp42 template",
    "account": "agencysecret_handle_q9",
    "team setting": "Teammate Tinsley-w3",
}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def prepared(demo_path: Path) -> tuple[Path, dict]:
    """The demo with a draft, notes, a saved reply, an account and a team setting."""
    with Workspace.open(demo_path) as ws:
        mention_id, author_id = (
            ws.cursor()
            .execute(
                "SELECT id, author_id FROM mentions WHERE author_id IS NOT NULL ORDER BY id LIMIT 1"
            )
            .fetchall()[0]
        )
        save_draft(ws, mention_id, SECRETS["draft"])
        add_note(ws, SECRETS["mention note"], mention_id=mention_id)
        add_note(ws, SECRETS["author note"], author_id=author_id)
        save_saved_reply(ws, "Hardware", SECRETS["saved reply"])
        add_account(ws, "mastodon", "Agency support", SECRETS["account"], "https://m.example")
        ws.set_setting("agent.name", SECRETS["team setting"])
        name, handle = (
            ws.cursor()
            .execute("SELECT name, handle FROM authors WHERE id = ?", [author_id])
            .fetchall()[0]
        )
        with ws.write() as cur:  # an author's @handle inside someone else's text
            cur.execute(
                "UPDATE mentions SET text = text || ' cc @' || ? WHERE id = ?",
                [handle, mention_id + 1],
            )
    return demo_path, {"name": name, "handle": handle, "mention": mention_id}


def _all_text(path: Path) -> str:
    """Every VARCHAR/JSON value of every table, joined (the SQL view of the file)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        cols = con.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE data_type IN ('VARCHAR', 'JSON', 'VARCHAR[]')"
        ).fetchall()
        parts = []
        for table, column in cols:
            rows = con.execute(f'SELECT "{column}"::VARCHAR FROM "{table}"').fetchall()
            parts += [r[0] for r in rows if r[0] is not None]
        return "\n".join(parts)
    finally:
        con.close()


def test_shared_copy_leaves_out_private_data(prepared, tmp_path: Path) -> None:
    source, facts = prepared
    out = tmp_path / "client.engage"
    with Workspace.open(source) as ws:
        summary = export_workspace(None, ws, out, ShareOptions(pseudonymize=True))
        kept_text = ws.cursor().execute("SELECT text FROM mentions ORDER BY id LIMIT 1").fetchall()
    raw = out.read_bytes()
    # Positive control: kept text is visible in the raw bytes, so absence means absence.
    assert kept_text[0][0][:40].encode() in raw
    text = _all_text(out)
    for what, secret in {**SECRETS, "author name": facts["name"]}.items():
        assert secret.encode() not in raw, what
        assert secret not in text, what
    assert f"@{facts['handle']}" not in text
    with Workspace.open(out) as shared:
        cur = shared.cursor()
        for table in ("drafts", "outbox", "notes", "saved_replies", "accounts", "events"):
            assert cur.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0] == 0, table
        assert cur.execute("SELECT count(*) FROM mentions").fetchall()[0][0] == summary.mentions
        assert (
            cur.execute(
                "SELECT count(*) FROM mentions WHERE url IS NOT NULL OR owner IS NOT NULL"
            ).fetchall()[0][0]
            == 0
        )
        assert (
            cur.execute(
                "SELECT count(*) FROM authors WHERE profile_url IS NOT NULL OR notes IS NOT NULL "
                "OR email IS NOT NULL"
            ).fetchall()[0][0]
            == 0
        )
        assert (
            cur.execute("SELECT count(*) FROM replies WHERE sent_by IS NOT NULL").fetchall()[0][0]
            == 0
        )
        keys = {k for (k,) in cur.execute("SELECT key FROM settings").fetchall()}
        assert "agent.name" not in keys and "brand.name" in keys
        assert shared.manifest is not None and shared.manifest.pseudonymized
        assert "the audit log" in shared.manifest.left_out
    assert summary.shared_bytes < summary.source_bytes


def test_pseudonyms_are_stable_within_a_copy(prepared, tmp_path: Path) -> None:
    source, facts = prepared
    out = tmp_path / "p.engage"
    with Workspace.open(source) as ws:
        export_workspace(None, ws, out, ShareOptions(pseudonymize=True))
        src_pairs = (
            ws.cursor()
            .execute("SELECT id, author_id FROM mentions WHERE author_id IS NOT NULL")
            .fetchall()
        )
    with Workspace.open(out) as shared:
        cur = shared.cursor()
        rows = cur.execute(
            "SELECT m.id, m.author_id, m.author_name, m.author_handle, a.name, a.handle "
            "FROM mentions m JOIN authors a ON a.id = m.author_id"
        ).fetchall()
        cc = cur.execute(
            "SELECT text FROM mentions WHERE id = ?", [facts["mention"] + 1]
        ).fetchall()[0][0]
        author_handle = cur.execute(
            "SELECT author_handle FROM mentions WHERE id = ?", [facts["mention"]]
        ).fetchall()[0][0]
    by_author: dict[int, set[str]] = {}
    for _, author_id, name, handle, a_name, a_handle in rows:
        assert name == a_name and handle == a_handle  # mentions and profile agree
        assert name.startswith("Author ") and handle == "author-" + name.split()[1]
        by_author.setdefault(author_id, set()).add(name)
    assert all(len(names) == 1 for names in by_author.values())
    names = [next(iter(n)) for n in by_author.values()]
    assert len(set(names)) == len(names)  # different people, different pseudonyms
    assert len(by_author) == len({a for _, a in src_pairs})
    # The @handle inside a text became the same pseudonym as the author's own.
    assert f"@{author_handle}" in cc
    assert "@nimbushq" in _all_text(out)  # the brand's own handle is not a person


def test_range_topics_compaction_and_manifest(demo_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "october.engage"
    start, end = datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)
    with Workspace.open(demo_path) as ws:
        expected = ws.scalar(
            "SELECT count(*) FROM mentions WHERE published >= ? AND published < ? "
            "AND list_contains(topics, 'Outage')",
            [start, end],
        )
        export_workspace(
            None, ws, out, ShareOptions(start, end, ("Outage",), shared_by="Dana <b>R</b>")
        )
    with Workspace.open(out) as shared:
        assert shared.read_only
        assert shared.scalar("SELECT count(*) FROM mentions") == expected > 0
        assert shared.scalar("SELECT min(published) FROM mentions") >= start
        size = shared.cursor().execute("PRAGMA database_size").fetchall()[0]
        assert size[5] == 0  # free_blocks: written fresh, nothing deleted inside
        m = shared.manifest
        assert m.shared_by == "Dana <b>R</b>" and m.topics == ("Outage",)
        assert m.range_start == start and m.range_end == end
        assert m.banner().startswith("Shared by Dana <b>R</b> on ")
        with pytest.raises(ReadOnlyError):
            shared.set_setting("brand.name", "x")


def test_opening_leaves_the_file_byte_identical(demo_path: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "s.engage"
    with Workspace.open(demo_path) as ws:
        export_workspace(None, ws, out, ShareOptions())
    before = _sha(out)
    # No flag: the CLI opens it read-only by itself (even when asked to write).
    assert main(["-w", str(out), "info"]) == 0
    assert "shared:    Shared by " in capsys.readouterr().out
    assert main(["-w", str(out), "inbox", "list", "--limit", "3"]) == 0
    assert main(["-w", str(out), "correct", "1", "negative"]) == 1
    assert _sha(out) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("s.")) == ["s.engage"]


def test_cancel_and_refusals_leave_nothing(demo_path: Path, tmp_path: Path) -> None:
    class Cancelled:
        def progress(self, done: int, total: int) -> None:
            pass

        def is_cancelled(self) -> bool:
            return True

    out = tmp_path / "c.engage"
    with Workspace.open(demo_path) as ws, pytest.raises(ShareCancelled):
        export_workspace(Cancelled(), ws, out, ShareOptions())
    assert list(tmp_path.glob("c.engage*")) == []
    assert main(["-w", str(demo_path), "export", "workspace", str(tmp_path / "x.txt")]) == 2
    assert main(["-w", str(demo_path), "export", "workspace", str(demo_path)]) == 2
    assert main(["-w", str(demo_path), "export", "workspace", "o.engage", "--from", "May"]) == 2
    args = ["-w", str(demo_path), "export", "workspace", str(out), "--topic", "Nope"]
    assert main(args) == 2


@pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("setpriv") is None,
    reason="needs root to run a child as an unprivileged user",
)
def test_opens_from_a_read_only_folder(demo_path: Path, tmp_path: Path) -> None:
    """A chmod 555 folder, read by a user who cannot write there (root could)."""
    folder = tmp_path / "usb"
    folder.mkdir()
    out = folder / "shared.engage"
    with Workspace.open(demo_path) as ws:
        export_workspace(None, ws, out, ShareOptions())
    before = _sha(out)
    home = tmp_path / "nobody-home"
    home.mkdir()
    for p in (tmp_path, home):
        p.chmod(0o777)
    out.chmod(0o444)
    folder.chmod(0o555)
    for parent in tmp_path.parents:  # let the child reach tmp_path
        if str(parent).startswith("/tmp") and parent != Path("/tmp"):
            parent.chmod(parent.stat().st_mode | 0o011)
    env = {
        **os.environ,
        "HOME": str(home),
        "ENGAGE_DESKTOP_CONFIG_DIR": str(home),
        "ENGAGE_DESKTOP_DATA_DIR": str(home),
    }
    run = subprocess.run(
        [
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            sys.executable,
            "-m",
            "engage_desktop",
            "-w",
            str(out),
            "info",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    folder.chmod(0o755)
    assert run.returncode == 0, (
        run.stderr + oct(out.stat().st_mode) + str([oct(p.stat().st_mode) for p in out.parents])
    )
    assert "mentions" in run.stdout
    assert _sha(out) == before
    assert [p.name for p in folder.iterdir()] == ["shared.engage"]


def test_a_read_only_source_gives_the_same_copy(prepared, tmp_path: Path) -> None:
    """Read-only sources go through a Parquet file, writable ones through ATTACH: same result."""
    source, facts = prepared
    with Workspace.open(source) as ws:
        export_workspace(None, ws, tmp_path / "a.engage", ShareOptions(pseudonymize=True))
    with Workspace.open(source, read_only=True) as ws:
        export_workspace(None, ws, tmp_path / "b.engage", ShareOptions(pseudonymize=True))
    tables = ("mentions", "authors", "sources", "replies", "settings", "sentiment_corrections")
    shapes = []
    for name in ("a.engage", "b.engage"):
        with Workspace.open(tmp_path / name) as shared:
            cur = shared.cursor()
            shapes.append(
                [cur.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in tables]
            )
            assert cur.execute("PRAGMA database_size").fetchall()[0][5] == 0
            assert facts["name"] not in _all_text(tmp_path / name)
            # Same text with the same pseudonyms in place of the same handles.
            shapes[-1].append(
                cur.execute(
                    "SELECT count(*) FROM mentions WHERE text LIKE '%@author-%'"
                ).fetchall()[0][0]
            )
    assert shapes[0] == shapes[1]


def test_tables_not_on_the_allow_list_stay_empty(prepared, tmp_path: Path) -> None:
    """Customer records (added by another issue) and any later table are left out."""
    source, _ = prepared
    with Workspace.open(source) as ws, ws.write() as cur:
        cur.execute(
            "INSERT INTO customers (external_id, name, tier, value) "
            "VALUES ('CRM-77', 'Acme Secret Corp', 'gold', 125000)"
        )
    out = tmp_path / "c.engage"
    with Workspace.open(source) as ws:
        export_workspace(None, ws, out, ShareOptions())
    assert b"Acme Secret Corp" not in out.read_bytes()
    from engage_desktop.dashboard.share.allowlist import KEPT

    expected_rows = set(KEPT) | {"schema_version", "intent_rules", "share_manifest"}
    with Workspace.open(out) as shared:
        cur = shared.cursor()
        tables = [t for (t,) in cur.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
        assert "customers" in tables
        for table in set(tables) - expected_rows:
            assert cur.execute(f'SELECT count(*) FROM "{table}"').fetchall()[0][0] == 0, table
