"""A demo workspace for benchmarks, built once by another process and kept in /tmp.

Built in a child process so the measuring process never holds the builder's memory
("memory is read in a process that did not build the data"). The schema version is
in the file name, so a demo cached by an older version is never reused.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def build_cached_demo(prefix: str, mentions: int, seed: int = 7) -> Path:
    """The path of a ``mentions``-mention demo named ``prefix-…``, building it if missing."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from engage_desktop.workspace.schema import LATEST_VERSION

    path = Path(tempfile.gettempdir()) / f"{prefix}-{mentions}-v{LATEST_VERSION}.engage"
    if not path.exists():
        print(f"building a {mentions:,}-mention demo at {path} …", flush=True)
        code = (
            "import sys; from engage_desktop.demo.build import build_demo; "
            f"build_demo(sys.argv[1], {mentions}, seed={seed})"
        )
        subprocess.run([sys.executable, "-c", code, str(path)], check=True, cwd=ROOT)
    return path
