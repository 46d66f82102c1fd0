"""The inbox's Qt model pages through 100k rows without loading them."""

from __future__ import annotations

import pytest

from engage_desktop.inbox.pager import insert_mentions
from engage_desktop.workspace.database import Workspace
from tests.conftest import new_workspace
from tests.integration.test_mentions_store import synthetic


@pytest.fixture(scope="module")
def workspace_100k(tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "100k.engage"
    with new_workspace(path) as ws:
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


def test_a_painted_cell_asks_its_roles_in_one_call(qtbot, workspace_100k):
    """The view reads a cell's roles through multiData (one Python callback, not seven)
    and its index without rowCount/columnCount; the answers are those of data()."""
    from PySide6.QtCore import QModelRoleData, Qt
    from PySide6.QtWidgets import QTableView

    from engage_desktop.ui.inbox.model import COL_CHANNEL, COL_MARK, COL_SNIPPET, InboxTableModel

    calls: dict[str, int] = {}

    class Counting(InboxTableModel):
        """Counts the Python callbacks Qt makes into the model."""

        def data(self, *args):
            calls["data"] = calls.get("data", 0) + 1
            return super().data(*args)

        def multiData(self, *args):
            calls["multiData"] = calls.get("multiData", 0) + 1
            return super().multiData(*args)

        def rowCount(self, *args):
            calls["rowCount"] = calls.get("rowCount", 0) + 1
            return super().rowCount(*args)

    with Workspace.open(workspace_100k, read_only=True) as ws:
        model = Counting(ws)
        qtbot.waitUntil(lambda: not model.is_loading() and model.mention_id(0) is not None)
        model.marked.add(model.mention_id(1))
        roles = [int(r.value) for r in (
            Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.FontRole,
            Qt.ItemDataRole.CheckStateRole, Qt.ItemDataRole.DecorationRole,
            Qt.ItemDataRole.TextAlignmentRole, Qt.ItemDataRole.BackgroundRole,
        )]  # fmt: skip
        for row in (0, 1):
            for col in (COL_MARK, COL_CHANNEL, COL_SNIPPET):
                index = model.index(row, col)
                for role in roles:
                    asked = QModelRoleData(role)
                    index.multiData(asked)  # through Qt, as a delegate asks
                    expected = model.data(index, role)
                    if expected is None:
                        assert not asked.data()
                    elif role == int(Qt.ItemDataRole.CheckStateRole.value):
                        assert Qt.CheckState(asked.data()) == expected
                    elif role != int(Qt.ItemDataRole.DecorationRole.value):  # icons: no ==
                        assert asked.data() == expected
                    else:
                        assert not asked.data().isNull()
        assert not model.index(model.rowCount(), 0).isValid()
        assert not model.index(0, model.columnCount()).isValid()
        assert not model.index(-1, 0).isValid()

        view = QTableView()
        view.setModel(model)
        view.resize(900, 300)
        view.show()
        qtbot.waitUntil(lambda: view.rowAt(0) == 0)  # laid out
        calls.clear()
        view.grab()  # paints every visible cell
        assert calls.get("multiData", 0) >= 10  # the visible cells
        assert calls.get("data", 0) == 0
        assert calls.get("rowCount", 0) < calls["multiData"]
        view.close()
        model.close()
        assert model.tasks.shutdown()
