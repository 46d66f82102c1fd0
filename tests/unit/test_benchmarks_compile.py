"""Every benchmark script parses on the Python the project supports.

CI runs no benchmark (they take minutes each), so a syntax slip in one, such as an
f-string whose quotes nest (valid only from Python 3.12), would otherwise surface
only when someone measures.
"""

from __future__ import annotations

from pathlib import Path

import pytest

BENCHMARKS = sorted((Path(__file__).resolve().parents[2] / "benchmarks").glob("*.py"))


def test_there_are_benchmarks():
    assert len(BENCHMARKS) > 10


@pytest.mark.parametrize("script", BENCHMARKS, ids=lambda p: p.name)
def test_each_benchmark_parses(script: Path):
    compile(script.read_text(encoding="utf-8"), str(script), "exec")
