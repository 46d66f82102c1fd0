"""Imports a fetch never needs are left out, and nothing breaks when they arrive later."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from engage_desktop.core.lean_imports import refusing, skip_pandas_probe

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


def test_arrow_works_without_pandas_and_pandas_support_returns_with_pandas():
    out = _run(
        "import sys, threading\n"
        "from engage_desktop.core.lean_imports import skip_pandas_probe\n"
        # As the window's backfill thread does it, with the GUI thread running.
        "told = []\n"
        "t = threading.Thread(target=lambda: told.append(skip_pandas_probe(other_threads=True)))\n"
        "t.start(); t.join()\n"
        "assert told == [True], told\n"
        "import pyarrow as pa, duckdb\n"
        "t = pa.table({'a': pa.array([1, None]), 's': pa.array(['x', 'y'])})\n"
        "con = duckdb.connect(); con.register('t', t)\n"
        "assert con.execute('SELECT count(a) FROM t').fetchone()[0] == 1\n"
        "print('pandas' in sys.modules)\n"
        # pandas arrives: pyarrow treats its objects as pandas again (NaN is null).
        "import pandas as pd\n"
        "print(pa.array(pd.Series([1.0, None])).null_count)\n"
        "print(pa.Table.from_pandas(pd.DataFrame({'a': [1.0, None]})).column('a').null_count)\n"
    )
    assert out.split() == ["False", "1", "1"]


def test_nothing_is_skipped_once_threads_run():
    stop = threading.Event()
    helper = threading.Thread(target=stop.wait)
    helper.start()
    try:
        assert skip_pandas_probe() is False
    finally:
        stop.set()
        helper.join()


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
