"""The window holds no SQL and touches no cursor: its reads and writes live in the stages.

A static check of ``engage_desktop/ui``: no call of a DuckDB cursor's methods or the
workspace's query helpers, and no string that is a SQL statement. The GUI test
``tests/gui/test_gui_thread_db.py`` checks the same rule at run time, on the thread.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

UI = Path(__file__).resolve().parents[2] / "engage_desktop" / "ui"
# Methods of a DuckDB connection or cursor, and the workspace's query helpers.
DB_CALLS = {
    "cursor", "execute", "executemany", "fetchall", "fetchone", "fetchmany", "fetch_arrow_table",
    "fetchdf", "sql", "scalar", "tuples", "get_setting", "set_setting",
}  # fmt: skip
SQL = re.compile(
    r"^\s*(SELECT\s.+\sFROM\s|INSERT\s+(OR\s+\w+\s+)?INTO\s|UPDATE\s+\w+\s+SET\s"
    r"|DELETE\s+FROM\s|WITH\s+\w+\s+AS\s*\(|CREATE\s+(TABLE|VIEW|INDEX)\s|ALTER\s+TABLE\s"
    r"|DROP\s+(TABLE|VIEW)\s)",
    re.I | re.S,
)


def offences(source: str) -> list[tuple[int, str]]:
    """Where ``source`` calls the database or holds a SQL statement."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name = node.func.attr
            receiver = ast.unparse(node.func.value)
            helper = name in ("write", "rows", "one", "values") and receiver.endswith("ws")
            if name in DB_CALLS or helper:
                found.append((node.lineno, f"{receiver}.{name}(…)"))
        elif isinstance(node, ast.Constant) and SQL.match(str(node.value)):
            found.append((node.lineno, repr(node.value[:40])))
    return found


def test_the_check_sees_sql_and_cursors():
    sample = (
        "def f(ws):\n"
        "    cur = ws.cursor()\n"
        "    cur.execute('SELECT 1 FROM t')\n"
        "    ws.scalar('select count(*) FROM mentions')\n"
        "    with ws.write() as c:\n"
        "        pass\n"
        "    return {'a': 1}.values()\n"
    )
    assert sorted(line for line, _ in offences(sample)) == [2, 3, 3, 4, 4, 5]


def test_no_sql_and_no_cursor_in_ui():
    found = []
    for path in sorted(UI.rglob("*.py")):
        for line, what in offences(path.read_text(encoding="utf-8")):
            found.append(f"{path.relative_to(UI.parent)}:{line}: {what}")
    assert found == []
