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
