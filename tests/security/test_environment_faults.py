"""Faults of the machine in words, and nothing lost: permissions, full and read-only
disks, damaged files, and parse workers that outlive a killed fetch.

Real faults only: a small tmpfs for a full or read-only disk (skipped where this
machine may not mount one), ``setpriv`` to drop root's power to ignore file modes,
``kill -9`` of a real ``engage-desktop fetch``.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from engage_desktop.listen.source_store import add_source
from engage_desktop.workspace.database import Workspace
from tests.security.hostile import HostileServer, hostile_rss

ENGAGE = [sys.executable, "-m", "engage_desktop"]


def _run(
    *args: str, prefix: tuple[str, ...] = (), timeout: float = 180
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*prefix, *ENGAGE, *args], capture_output=True, text=True, timeout=timeout
    )


def _in_words(done: subprocess.CompletedProcess, *phrases: str) -> None:
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr and "unexpected error" not in done.stderr
    for phrase in phrases:
        assert phrase in done.stderr, done.stderr


def _tmpfs(mount: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size``: a disk that fills up (skipped where mounting is not allowed)."""
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip("this machine may not mount a tmpfs (a full disk cannot be made)")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """3 MB: an empty workspace fits, a fetch of 9,000 items does not."""
    yield from _tmpfs(tmp_path / "small", "3m")


@pytest.fixture
def demo_disk(tmp_path: Path) -> Iterator[Path]:
    """16 MB: a 40-mention demo (~7 MB) fits, a 20,000-mention one beside it does not."""
    yield from _tmpfs(tmp_path / "demo", "16m")


def _demo(path: Path, mentions: int) -> subprocess.CompletedProcess:
    return _run("demo", str(path), "--mentions", str(mentions), "--no-enrich", "--force")


def test_a_full_disk_during_demo_force_keeps_the_old_workspace(demo_disk):
    path = demo_disk / "client.engage"
    assert _demo(path, 40).returncode == 0
    before = path.read_bytes()
    done = _demo(path, 20_000)  # far more than 3 MB
    _in_words(done, "the disk is full", str(path))
    assert path.read_bytes() == before  # the old workspace is untouched
    assert sorted(p.name for p in demo_disk.iterdir()) == ["client.engage"]  # no leftovers
    with Workspace.open(path, read_only=True) as ws:
        assert ws.scalar("SELECT count(*) FROM mentions") == 40


def test_a_full_disk_during_a_fetch_keeps_the_health_and_the_validators(small_disk):
    path = small_disk / "fetch.engage"
    with HostileServer() as srv:
        big = hostile_rss(3000)
        srv.routes["/big"] = lambda: (
            200,
            {"Content-Type": "application/rss+xml", "ETag": '"v1"'},
            big,
        )
        with Workspace.create(path) as ws:
            for i in range(3):
                add_source(
                    ws, kind="rss", url=srv.url(f"/big?{i}"), name=f"s{i}", channel="blog",
                    keep_all=True,
                )  # fmt: skip
        done = _run("fetch", "--quiet", "-w", str(path))
    _in_words(done, "the disk is full")
    assert "could not be stored" in done.stdout
    with Workspace.open(path, read_only=True) as ws:
        rows = ws.cursor().execute("SELECT failures, last_error, etag FROM sources").fetchall()
    assert [r[0] for r in rows] == [1, 1, 1]
    assert all("disk is full" in r[1] for r in rows)
    # No ETag saved: the next run fetches the items again instead of "not modified".
    assert all(r[2] is None for r in rows)


def test_a_read_only_disk_is_named(small_disk, tmp_path):
    path = small_disk / "ro.engage"
    Workspace.create(path).close()
    remount = subprocess.run(
        ["mount", "-o", "remount,ro", str(small_disk)], capture_output=True, text=True
    )
    if remount.returncode != 0:
        pytest.skip("cannot remount the tmpfs read-only here")
    done = _run("watch", "add", "brand", "nimbus", "-w", str(path))
    _in_words(done, "read-only", str(path))
    # Reading still works, as the message says.
    assert _run("info", "--read-only", "-w", str(path)).returncode == 0


@pytest.mark.skipif(shutil.which("setpriv") is None, reason="needs setpriv (util-linux)")
def test_permission_denied_is_named(tmp_path):
    path = tmp_path / "private.engage"
    Workspace.create(path).close()
    path.chmod(0)
    # Root ignores file modes; setpriv takes that power away for the command.
    no_override = ("setpriv", "--inh-caps=-all", "--bounding-set=-dac_override,-dac_read_search")
    probe = subprocess.run([*no_override, "cat", str(path)], capture_output=True)
    if os.geteuid() == 0 and probe.returncode == 0:
        pytest.skip("cannot drop the file-mode override here")
    done = _run("info", "-w", str(path), prefix=no_override)
    _in_words(done, "permission denied", str(path))
    export = tmp_path / "out"
    export.mkdir()
    path.chmod(0o644)
    export.chmod(0o500)
    done = _run("export", "mentions", str(export / "m.csv"), "-w", str(path), prefix=no_override)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "permission denied" in done.stderr.lower() or "cannot write" in done.stderr


def test_a_truncated_workspace_is_named(tmp_path):
    path = tmp_path / "cut.engage"
    assert _demo(path, 200).returncode == 0
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    done = _run("info", "-w", str(path))
    _in_words(done, str(path))
    assert "damaged or incomplete" in done.stderr or "not an engage-desktop" in done.stderr


# -- parse workers die with their parent ---------------------------------------------


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def _descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        for child in _children(todo.pop()):
            out.append(child)
            todo.append(child)
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
@pytest.mark.timeout(180)
def test_parse_workers_die_after_kill_9_of_the_fetch(tmp_path):
    path = tmp_path / "kill.engage"
    release = time.monotonic() + 120

    def stall() -> tuple[int, dict[str, str], bytes]:
        while time.monotonic() < release:  # the fetch waits here until it is killed
            time.sleep(0.2)
        return 200, {"Content-Type": "application/rss+xml"}, hostile_rss()

    with HostileServer() as srv:
        srv.routes["/stall"] = stall
        with Workspace.create(path) as ws:
            for i in range(20):  # enough feeds for the process pool
                add_source(
                    ws, kind="rss", url=srv.url(f"/stall?{i}"), name=f"s{i}", channel="blog",
                )  # fmt: skip
        proc = subprocess.Popen(
            [*ENGAGE, "fetch", "--quiet", "-w", str(path)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 90
            while len(srv.requests) < 2 and time.monotonic() < deadline:
                time.sleep(0.1)
            workers = [p for p in _descendants(proc.pid) if _alive(p)]
            assert len(srv.requests) >= 2 and workers, "the fetch started its parse workers"
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=60)
            deadline = time.monotonic() + 30
            while any(_alive(p) for p in workers) and time.monotonic() < deadline:
                time.sleep(0.1)
            survivors = [p for p in workers if _alive(p)]
        finally:
            release = 0
            if proc.poll() is None:
                proc.kill()
        for pid in survivors:  # clean up before failing
            os.kill(pid, signal.SIGKILL)
        assert survivors == []
