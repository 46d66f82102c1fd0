"""Without a display the window is refused in one line that says what to do."""

from __future__ import annotations

import os
import subprocess
import sys


def test_without_a_display_one_line_says_what_to_do(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")
    }
    ran = subprocess.run(
        [sys.executable, "-m", "engage_desktop"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.returncode == 1
    lines = ran.stderr.strip().splitlines()
    assert len(lines) == 1, ran.stderr
    assert "no display" in lines[0] and "xvfb-run -a" in lines[0] and "--screenshot" in lines[0]
    assert "Reinstalling" not in ran.stderr and ran.stdout == ""
    # Nothing was built or opened first (the demo workspace is made only for a window).
    assert not any((tmp_path.parent / "home" / "data").glob("*.engage"))
