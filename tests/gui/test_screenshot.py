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


def test_screenshot_of_a_view_from_the_command_line(demo_path, tmp_path, qapp):
    """``--screenshot`` renders a view in its own process; asked for it, the first
    paint's time is reported once. The dashboard: the view that imports the most."""
    out = tmp_path / "dashboard.png"
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY")}
    env["ENGAGE_DESKTOP_PAINT_TIME"] = "1"  # what benchmarks/bundle.py reads
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "engage_desktop",
            "--read-only",
            "--screenshot",
            str(out),
            "--view",
            "dashboard",
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
    lines = [line for line in result.stderr.splitlines() if line.startswith("first-paint-epoch: ")]
    assert len(lines) == 1  # the first paint only
    assert float(lines[0].split()[-1]) > 1.7e9  # a wall-clock time, for the benchmark


@pytest.mark.parametrize("view", ["feeds", "where", "inbox", "composer"])
def test_screenshot_of_each_view(module_window, view):
    """Each other view renders as ``--screenshot`` renders it (``grab_view`` and a grab
    of the window), in one shared window: a process each only repeated the start-up
    that the test above covers."""
    from PySide6.QtWidgets import QApplication

    from engage_desktop.ui.main_window import VIEWS, grab_view

    window = module_window
    window.resize(1200, 800)
    grab_view(window, view)
    for _ in range(5):  # as run_gui does before its grab
        QApplication.processEvents()
    assert VIEWS[window.nav.currentRow()] == ("feeds" if view == "where" else view)
    image = window.grab().toImage()
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


def test_a_path_that_does_not_exist_is_one_line_and_never_the_demo(tmp_path):
    # What a desktop launcher (Exec=engage-desktop %f) passes for a moved file.
    missing = tmp_path / "Q3 review.engage"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "engage_desktop",
            str(missing),
            "--screenshot",
            str(tmp_path / "x.png"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "does not exist" in result.stderr
    assert not missing.exists()
    assert not (tmp_path / "home" / "data" / "demo.engage").exists()
