"""The Linux desktop files: the .engage MIME type, the launcher and their installer.

The freedesktop tools (update-mime-database, desktop-file-validate, xdg-utils) check
the files when they are installed (Debian: shared-mime-info, desktop-file-utils,
xdg-utils); the install test runs packaging/install-desktop.sh under a temporary
XDG_DATA_HOME exactly as ``make install-desktop`` does.
"""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from engage_desktop.workspace.database import Workspace

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
MIME_XML = PACKAGING / "engage-desktop-workspace.xml"
DESKTOP = PACKAGING / "engage-desktop.desktop"
MIME_TYPE = "application/x-engage-workspace"
NS = {"m": "http://www.freedesktop.org/standards/shared-mime-info"}


def desktop_entry(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # keys are case-sensitive
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


def test_mime_type_matches_the_name_and_the_duckdb_magic_of_a_real_workspace(tmp_path):
    mime = ET.parse(MIME_XML).getroot().find("m:mime-type", NS)
    assert mime.get("type") == MIME_TYPE
    assert [g.get("pattern") for g in mime.findall("m:glob", NS)] == ["*.engage"]
    match = mime.find("m:magic/m:match", NS)
    assert (match.get("type"), match.get("offset"), match.get("value")) == ("string", "8", "DUCK")
    ws = Workspace.create(tmp_path / "real.engage")
    ws.close()
    assert (tmp_path / "real.engage").read_bytes()[8:12] == b"DUCK"


def test_launcher_declares_the_type_and_opens_the_file_it_is_given():
    entry = desktop_entry(DESKTOP)
    assert MIME_TYPE in entry["MimeType"].split(";")
    assert entry["Exec"].split()[-1] == "%f"
    assert entry["Type"] == "Application" and entry["Icon"] == "engage-desktop"


@pytest.mark.skipif(not shutil.which("desktop-file-validate"), reason="desktop-file-utils")
def test_launcher_is_a_valid_desktop_entry():
    proc = subprocess.run(["desktop-file-validate", str(DESKTOP)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "error" not in proc.stdout.lower()


@pytest.mark.skipif(not shutil.which("update-mime-database"), reason="shared-mime-info")
def test_mime_database_built_from_the_xml_knows_the_glob_and_the_magic(tmp_path):
    (tmp_path / "packages").mkdir()
    shutil.copy(MIME_XML, tmp_path / "packages")
    subprocess.run(["update-mime-database", str(tmp_path)], check=True, capture_output=True)
    assert f"{MIME_TYPE}:*.engage" in (tmp_path / "globs2").read_text()
    magic = (tmp_path / "magic").read_bytes()
    assert MIME_TYPE.encode() in magic and b">8=\x00\x04DUCK" in magic


@pytest.mark.skipif(
    not all(shutil.which(t) for t in ("xdg-mime", "xdg-desktop-menu", "xdg-icon-resource")),
    reason="xdg-utils",
)
def test_install_desktop_registers_for_the_user_and_uninstall_removes_it(tmp_path):
    exe = tmp_path / "my apps" / "engage-desktop"  # a space, as in real home folders
    exe.parent.mkdir()
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    env = {
        **os.environ,
        "HOME": str(tmp_path / "home"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    script = str(PACKAGING / "install-desktop.sh")

    subprocess.run(["sh", script, "install", str(exe)], env=env, check=True, capture_output=True)
    data = tmp_path / "data"
    entry = desktop_entry(data / "applications" / "engage-desktop.desktop")
    assert entry["Exec"] == f'"{exe}" %f'
    assert MIME_TYPE in entry["MimeType"]
    assert "*.engage" in (data / "mime" / "globs2").read_text()
    assert (data / "icons/hicolor/256x256/apps/engage-desktop.png").is_file()
    assert (data / f"icons/hicolor/48x48/mimetypes/{MIME_TYPE.replace('/', '-')}.png").is_file()
    default = subprocess.run(
        ["xdg-mime", "query", "default", MIME_TYPE], env=env, capture_output=True, text=True
    )
    assert default.stdout.strip() == "engage-desktop.desktop"

    subprocess.run(["sh", script, "uninstall"], env=env, check=True, capture_output=True)
    left = [
        p
        for p in (tmp_path / "data").rglob("*")
        if p.is_file() and "engage" in (p.name + p.read_text(errors="ignore"))
    ]
    left += [
        p for p in (tmp_path / "config").rglob("*") if p.is_file() and "engage" in p.read_text()
    ]
    assert left == []
