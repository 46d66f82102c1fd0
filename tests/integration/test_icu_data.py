"""The bundle's smaller ICU data library (packaging/icu_data.py), on PySide6's real one.

The check opens the libraries with ctypes, so it runs in a child process: a second
ICU of the same version in the test process would stand in for the one under test.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "packaging" / "icu_data.py"


def _icu_data():
    spec = importlib.util.spec_from_file_location("icu_data", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _pyside_icu() -> Path:
    import PySide6

    found = sorted((Path(PySide6.__file__).parent / "Qt" / "lib").glob("libicudata.so.*"))
    if not found or not all(shutil.which(t) for t in ("gcc", "readelf")):
        pytest.skip("needs PySide6's own ICU (the Linux wheel), gcc and readelf")
    return found[0]


def _copy_libraries(original: Path, folder: Path) -> Path:
    for lib in original.parent.glob("libicu*.so.*"):
        shutil.copy2(lib, folder / lib.name)
    return folder / original.name


def _failures_in_child(folder: Path) -> list[str]:
    """``check_library(folder)`` in a fresh interpreter."""
    check = (
        f"import sys, json, pathlib; sys.path.insert(0, {str(SCRIPT.parent)!r}); import icu_data; "
        f"print(json.dumps(icu_data.check_library(pathlib.Path({str(folder)!r}))))"
    )
    out = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_keep_rules_keep_english_and_locale_free_data_only():
    icu = _icu_data()
    kept = [
        "icudt73l/root.res", "icudt73l/en_GB.res", "icudt73l/coll/en.res",
        "icudt73l/coll/ucadata.icu", "icudt73l/zoneinfo64.res", "icudt73l/res_index.res",
        "icudt73l/zone/root.res", "icudt73l/brkitr/word.brk", "icudt73l/cnvalias.icu",
    ]  # fmt: skip
    dropped = [
        "icudt73l/de.res", "icudt73l/zh_Hant_TW.res", "icudt73l/coll/zh.res",
        "icudt73l/brkitr/cjdict.dict", "icudt73l/translit/root.res", "icudt73l/lang/fr.res",
    ]  # fmt: skip
    assert all(icu.keep(name, 1000) for name in kept)
    assert not any(icu.keep(name, 1000) for name in dropped)
    # Single-byte code pages stay; the big multi-byte tables go.
    assert icu.keep("icudt73l/ibm-5348_P100-1997.cnv", 2_000)
    assert not icu.keep("icudt73l/gb18030.cnv", 230_000)


def test_package_round_trip_is_byte_identical_and_the_trimmed_library_works(tmp_path):
    icu = _icu_data()
    original = _pyside_icu()
    symbol, package = icu.package_of(original)
    header, items = icu.read_package(package)
    assert symbol.startswith("icudt") and len(items) > 3000
    assert icu.write_package(header, items) == package  # the format is understood

    before, after = icu.trim_library(_copy_libraries(original, tmp_path))
    assert after < before / 4
    assert _failures_in_child(tmp_path) == []


def test_the_check_notices_missing_data(tmp_path):
    icu = _icu_data()
    original = _pyside_icu()
    symbol, package = icu.package_of(original)
    header, items = icu.read_package(package)
    without = [(n, b) for n, b in items if "/coll/" not in n and not n.endswith(".cnv")]
    target = _copy_libraries(original, tmp_path)
    icu.link_library(icu.write_package(header, without), symbol, original.name, target)
    failures = _failures_in_child(tmp_path)
    assert [f.split("(")[0] for f in failures[:3]] == ["ucol_open", "ucnv_open", "ucnv_open"]
