"""Architecture rules: no Qt below ui/, heavy modules load lazily."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_import_linter_contracts_hold():
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert exe, "import-linter is part of the test extra"
    result = subprocess.run(
        [exe, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_no_qt_import_outside_ui_and_app():
    offenders = []
    for path in (ROOT / "engage_desktop").rglob("*.py"):
        rel = path.relative_to(ROOT / "engage_desktop")
        if rel.parts[0] == "ui" or rel.name == "app.py":
            continue
        text = path.read_text(encoding="utf-8")
        if any(
            f"import {m}" in text or f"from {m}" in text
            for m in ("PySide6", "pyqtgraph", "shiboken6")
        ):
            offenders.append(str(rel))
    assert offenders == []


def test_cli_starts_without_heavy_imports():
    code = (
        "import sys, engage_desktop.cli as c; c.build_parser(); "
        "print(' '.join(sorted(m for m in ('pandas', 'pyarrow', 'nltk', 'feedparser', "
        "'pyqtgraph', 'PySide6', 'httpx', 'numpy') if m in sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_no_import_cycles_between_modules():
    """No module imports another that imports it back, even lazily inside a function."""
    import grimp

    graph = grimp.build_graph("engage_desktop", cache_dir=None)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(module: str) -> None:  # Tarjan's strongly connected components
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == module:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    assert cycles == []
