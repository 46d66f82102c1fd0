"""``--screenshot`` renders a real, non-blank window without a screen."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from PySide6.QtGui import QImage


def distinct_colours(image: QImage, step: int = 7) -> int:
    colours = set()
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            colours.add(image.pixel(x, y))
    return len(colours)


@pytest.mark.parametrize("view", ["feeds", "inbox", "composer", "dashboard"])
def test_screenshot_of_each_view(demo_path, tmp_path, view, qapp):
    out = tmp_path / f"{view}.png"
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY")}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "engage_desktop",
            "--read-only",
            "--screenshot",
            str(out),
            "--view",
            view,
            "--size",
            "1200x800",
            str(demo_path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1200, 800)
    assert distinct_colours(image) > 20  # text, icons and chrome, not a blank frame


def test_screenshot_of_a_bad_file_is_one_line(tmp_path):
    bad = tmp_path / "bad.engage"
    bad.write_text("nope")
    result = subprocess.run(
        [sys.executable, "-m", "engage_desktop", "--screenshot", str(tmp_path / "x.png"), str(bad)],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "not an engage-desktop workspace" in result.stderr


def test_first_start_creates_the_demo_workspace(tmp_path):
    out = tmp_path / "first.png"
    result = subprocess.run(
        [sys.executable, "-m", "engage_desktop", "--screenshot", str(out)],
        capture_output=True,
        text=True,
        timeout=180,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "home" / "data" / "demo.engage").is_file()
    assert out.is_file()
