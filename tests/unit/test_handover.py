"""The hand-over socket: one per user and per workspace, in a private folder."""

from __future__ import annotations

import os

from engage_desktop.cli.handover import forward, socket_path


def test_socket_is_per_user_and_per_workspace(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    here = socket_path("a.engage")
    assert here == socket_path(tmp_path / "sub" / ".." / "a.engage")  # the resolved file
    assert here != socket_path("b.engage")
    assert here.parent.name == f"engage-desktop-{os.getuid()}"
    assert here.parent.stat().st_mode & 0o077 == 0
    assert len(str(here)) < 100  # AF_UNIX paths are limited to about 104 bytes


def test_no_window_means_no_hand_over(tmp_path):
    assert forward(tmp_path / "nobody.engage", ["inbox", "list"]) is None
    assert forward(tmp_path / "nobody.engage", ["accounts", "list"]) is None
