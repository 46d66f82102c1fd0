"""Imports a fetch never needs are left out, and nothing breaks when they arrive later."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from engage_desktop.core.lean_imports import refusing

ROOT = Path(__file__).resolve().parents[2]


def _run(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip()


def test_refused_modules_fail_to_import_only_while_refused():
    sys.modules.pop("colorsys", None)  # a small module nothing here holds on to
    with refusing("no_such_package", "colorsys"), pytest.raises(ModuleNotFoundError):
        import colorsys
    import colorsys  # importable again afterwards

    assert colorsys.rgb_to_hsv(0, 0, 0) == (0, 0, 0)
    assert not any(type(f).__name__ == "_Refuse" for f in sys.meta_path)


def test_http_client_loads_without_the_httpx_command_line():
    out = _run(
        "import sys\n"
        "from engage_desktop.sources.http import HttpClient, HttpLimits\n"
        "HttpClient(HttpLimits()).close()\n"
        "left = ('rich', 'click', 'pygments', 'httpx._main')\n"
        "print(sorted(m for m in left if m in sys.modules))\n"
        "import httpx\n"
        "print(callable(httpx.main), httpx.Client is not None)\n"
    )
    assert out.splitlines() == ["[]", "True True"]


def test_a_fetch_sends_its_requests_before_numpy_loads():
    """numpy comes with the first rows to store, not before the first request."""
    out = _run(
        "import sys\n"
        "import engage_desktop.cli.fetch, engage_desktop.listen.fetch, engage_desktop.cli.plugins\n"
        "engage_desktop.cli.plugins.install_plugins()\n"
        "import engage_desktop.listen.preload\n"  # what the forked parse workers hold
        "print('numpy' in sys.modules)\n"
        "from engage_desktop.listen.insert import column_table\n"
        "print(column_table({'published': [0], 'text': ['a']})['text'].dtype)\n"
    )
    assert out.splitlines() == ["False", "object"]
