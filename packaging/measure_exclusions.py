"""What each exclusion of the spec saves: one build per group, with that group kept.

For every group of ``EXCLUSIONS`` in packaging/engage-desktop.spec (and ``strip``),
builds the bundle with only that group kept (``ENGAGE_DIST_KEEP=group``); the growth
over the slim build is what the group saves. Also builds with every group kept (the
bundle without any exclusion) and packs that and the slim one as .tar.gz.

Usage: .venv/bin/python packaging/measure_exclusions.py [--out DIR]
Takes about 2 minutes a build on 2 cores. Prints a Markdown table for
packaging/README.md; the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "engage-desktop.spec"
MB = 1_000_000


def groups() -> list[str]:
    """The exclusion groups named in the spec, then ``strip``."""
    text = SPEC.read_text()
    body = text[text.index("EXCLUSIONS = {") : text.index("\nUNLINK")]
    return [*re.findall(r'^    "([a-z-]+)": \{', body, flags=re.MULTILINE), "strip"]


def folder_bytes(folder: Path) -> int:
    """Bytes of the regular files under ``folder`` (symbolic links not followed)."""
    return sum(p.lstat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def build(keep: list[str], dist: Path, work: Path) -> tuple[Path, float]:
    """Build with ``keep`` groups kept; the bundle folder and the build's seconds."""
    env = {
        **os.environ,
        "ENGAGE_DIST_KEEP": ",".join(keep),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    started = time.perf_counter()
    where = ["--distpath", str(dist), "--workpath", str(work)]
    subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "WARN",
            *where,
            str(SPEC),
        ],
        env=env,
        check=True,
        cwd=ROOT,
    )
    return dist / "engage-desktop", time.perf_counter() - started


def targz_bytes(folder: Path, out: Path) -> int:
    with tarfile.open(out, "w:gz") as tar:
        tar.add(folder, arcname=folder.name)
    return out.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", help="where to build (default: a temporary folder)")
    args = parser.parse_args()
    out = Path(args.out or tempfile.mkdtemp(prefix="engage-exclusions-"))
    names = groups()
    print(f"groups: {', '.join(names)}; load average {os.getloadavg()}", flush=True)
    slim, _ = build([], out / "slim", out / "work-slim")
    figures = {"slim_bytes": folder_bytes(slim), "groups": {}}
    figures["slim_targz_bytes"] = targz_bytes(slim, out / "slim.tar.gz")
    for name in names:
        bundle, seconds = build([name], out / f"keep-{name}", out / f"work-{name}")
        size = folder_bytes(bundle)
        figures["groups"][name] = size - figures["slim_bytes"]
        print(f"{name}: {size / MB:.0f} MB with it kept ({seconds:.0f} s build)", flush=True)
    full, _ = build(names, out / "keep-all", out / "work-all")
    figures["none_excluded_bytes"] = folder_bytes(full)
    figures["none_excluded_targz_bytes"] = targz_bytes(full, out / "keep-all.tar.gz")

    print("\n| left out | saves (MB, unpacked) |\n|---|---:|")
    for name, saved in figures["groups"].items():
        print(f"| `{name}` | {saved / MB:.0f} |")
    full_mb, slim_mb = figures["none_excluded_bytes"] / MB, figures["slim_bytes"] / MB
    print(f"| **all of them** | **{full_mb - slim_mb:.0f}** |")
    print(
        f"\nbundle: {full_mb:.0f} MB -> {slim_mb:.0f} MB unpacked; .tar.gz "
        f"{figures['none_excluded_targz_bytes'] / MB:.0f} MB -> "
        f"{figures['slim_targz_bytes'] / MB:.0f} MB"
    )
    figures["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
