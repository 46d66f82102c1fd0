"""The inbox's Qt model pages through 100k rows without loading them."""

from __future__ import annotations

import pytest

from engage_desktop.inbox.pager import insert_mentions
from engage_desktop.workspace.database import Workspace
from tests.integration.test_mentions_store import synthetic


@pytest.fixture(scope="module")
def workspace_100k(tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "100k.engage"
    with Workspace.create(path) as ws:
        insert_mentions(ws, synthetic(100_000, seed=5))
    return path


def test_model_pages_100k_rows(qtbot, workspace_100k):
    from engage_desktop.ui.inbox.model import COL_SNIPPET, InboxTableModel

    with Workspace.open(workspace_100k, read_only=True) as ws:
        model = InboxTableModel(ws)
        qtbot.waitUntil(lambda: not model.is_loading())
        expected = [
            r[0]
            for r in ws.cursor()
            .execute("SELECT id FROM mentions ORDER BY published DESC, id DESC")
            .fetchall()
        ]
        assert model.rowCount() == 100_000
        for row in (0, 199, 200, 31_337, 99_999):
            # A row not read yet is asked for (off the GUI thread) and shows blank.
            qtbot.waitUntil(lambda r=row: model.mention_id(r) is not None)
            assert model.mention_id(row) == expected[row]
            text = model.data(model.index(row, COL_SNIPPET))
            assert text == f"post {expected[row] - 1}"
        pager = model._pager
        held = sum(len(p) for p in pager._pages.values())
        assert held <= pager.cache_pages * pager.page_size < 100_000
        model.close()
        assert model.tasks.shutdown()  # the lane is done with the file before it closes
