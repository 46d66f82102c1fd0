"""resources/ is found from a checkout and travels inside the wheel."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from engage_desktop.core.text import fold, mention_norm
from engage_desktop.resources import resource, resources_dir

ROOT = Path(__file__).resolve().parents[2]


def test_resources_dir_found():
    assert (resources_dir() / "README.md").is_file()
    assert resource("demo", "mastodon.xml").is_file()


def test_fold():
    assert fold("Café ÜBER straße") == "cafe uber strasse"
    assert fold("ACME") == "acme"
    assert mention_norm("Titlé", "Body") == "title\nbody"
    assert mention_norm(None, "Body") == "body"


@pytest.mark.slow
def test_wheel_carries_resources(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    wheel = next(tmp_path.glob("engage_desktop-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "engage_desktop/resources/README.md" in names
    assert "engage_desktop/resources/demo/mastodon.xml" in names
    assert "engage_desktop/cli/__init__.py" in names
